import KeyCore

/// `keyctl providers`: what each provider supports — the lifecycle
/// operations (list, get, create, update, delete, rotate, regenerate), its
/// paging — and whether its credentials are set (masked). Sends nothing over
/// the network.
enum ProvidersCommand: Command {
  /// The command's name and help.
  static let spec = CommandSpec(
    name: "providers",
    summary: "Show each provider, what it supports and whether credentials are set",
    usage: "keyctl providers [-o json]",
    discussion:
      "Credentials are shown masked (the variable they came from and at most the last four "
      + "characters); nothing is sent over the network.",
    examples: ["keyctl providers", "keyctl providers --json"])

  /// The table's columns.
  private static let columns = [
    "PROVIDER", "OPERATIONS", "PAGING", "PAGE SIZE", "CREDENTIALS", "BASE URL",
  ]

  /// Prints one row (table) or object (json, ndjson) per provider.
  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32 {
    let globals = try GlobalOptions(invocation, environment: context.environment)
    let selected = globals.providers.isEmpty ? ProviderID.allCases : globals.providers
    let environment = context.environment
    if globals.format == .table {
      var table = Table(columns: columns.map { Table.Column(header: $0) })
      for provider in selected {
        let capabilities = provider.capabilities
        let credential = provider.credential(in: environment)
        table.append([
          provider.rawValue,
          capabilities.lifecycle.filter(\.supported).map(\.name).joined(separator: ","),
          capabilities.paging.rawValue,
          capabilities.maxPageSize.map(String.init) ?? "-",
          credential.map { "\($0.source) \($0.masked)" } ?? "not set",
          baseURL(provider, globals, environment),
        ])
      }
      try context.stdout.write(
        table.render(width: context.tableWidth, terminal: globals.terminal(context)))
    } else {
      var json = JSONText()
      json.raw(globals.format == .json ? "[" : "")
      for (index, provider) in selected.enumerated() {
        if index > 0 { json.raw(globals.format == .json ? "," : "\n") }
        let capabilities = provider.capabilities
        let credential = provider.credential(in: environment)
        json.raw("{\"provider\":")
        json.string(provider.rawValue)
        json.raw(",\"can_list\":true,\"can_create\":")
        json.bool(capabilities.canCreate)
        json.raw(",\"operations\":{")
        for (index, operation) in capabilities.lifecycle.enumerated() {
          if index > 0 { json.raw(",") }
          json.string(operation.name)
          json.raw(":")
          json.bool(operation.supported)
        }
        json.raw("}")
        json.raw(",\"paging\":")
        json.string(capabilities.paging.rawValue)
        json.raw(",\"max_page_size\":")
        json.number(capabilities.maxPageSize)
        json.raw(",\"credentials\":{\"set\":")
        json.bool(credential != nil)
        json.raw(",\"source\":")
        json.string(credential?.source)
        json.raw(",\"masked\":")
        json.string(credential?.masked)
        json.raw("},\"base_url\":")
        json.string(baseURL(provider, globals, environment))
        json.raw("}")
      }
      json.raw(globals.format == .json ? "]\n" : "\n")
      try context.stdout.write(bytes: json.bytes)
    }
    try context.stdout.flush()
    return 0
  }

  /// The base URL this call would use, or which variable makes it invalid.
  private static func baseURL(
    _ provider: ProviderID, _ globals: GlobalOptions, _ environment: [String: String]
  ) -> String {
    do {
      return try provider.baseURL(override: globals.baseURL, environment: environment)
        .absoluteString
    } catch {
      return "invalid (\(provider.baseURLVariables.joined(separator: "/")))"
    }
  }
}
