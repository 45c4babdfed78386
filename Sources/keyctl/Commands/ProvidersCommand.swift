import KeyCore

/// `keyctl providers`: what each provider supports and whether its
/// credentials are set (masked). Sends nothing over the network.
enum ProvidersCommand {
  static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
    let globals = try GlobalOptions(invocation, environment: context.environment)
    let selected = globals.providers.isEmpty ? ProviderID.allCases : globals.providers
    let environment = context.environment
    if globals.format == .table {
      let terminal = Terminal(
        isTTY: context.stdoutIsTTY, environment: environment, noColorFlag: globals.noColor)
      var rows = [["PROVIDER", "CREATE", "PAGING", "PAGE SIZE", "CREDENTIALS", "BASE URL"]]
      for provider in selected {
        let capabilities = provider.capabilities
        let credential = provider.credential(in: environment)
        rows.append([
          provider.rawValue, capabilities.canCreate ? "yes" : "no", capabilities.paging.rawValue,
          capabilities.maxPageSize.map(String.init) ?? "-",
          credential.map { "\($0.source) \($0.masked)" } ?? "not set",
          baseURL(provider, globals, environment),
        ])
      }
      let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
      var out = ""
      for (index, row) in rows.enumerated() {
        let cells = row.enumerated().map { column, cell in
          column == row.count - 1
            ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
        }
        let text = cells.joined(separator: "  ")
        out += (index == 0 ? terminal.bold(text) : text) + "\n"
      }
      try context.stdout.write(out)
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
