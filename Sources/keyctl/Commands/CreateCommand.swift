import KeyCore

/// `keyctl create`: one key at one provider; its secret goes to stdout only.
enum CreateCommand {
  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32 {
    let globals = try GlobalOptions(invocation, environment: context.environment)
    guard globals.providers.count == 1, let provider = globals.providers.first else {
      throw invocation.usageError(
        globals.providers.isEmpty
          ? "'keyctl create' needs the provider to create the key at: -p NAME (\(Spec.providerNames))"
          : "'keyctl create' takes one provider, got "
            + globals.providers.map(\.rawValue).joined(separator: ", "))
    }
    guard let name = invocation.string("name"), !name.trimmingCharacters(in: .whitespaces).isEmpty
    else {
      throw invocation.usageError("'keyctl create' needs the new key's name: --name TEXT")
    }
    try globals.checkProviderOptions(invocation, selected: [provider])
    guard provider.capabilities.canCreate else {
      throw KeyError(
        .unsupported,
        "\(provider.displayName)'s API has no endpoint to create keys; create them in its dashboard",
        provider: provider, hint: "See 'keyctl providers' for what each provider supports.")
    }
    var request = CreateRequest(name: name)
    request.teamIDs = try invocation.uuids("team-id")
    request.operation = try invocation.choice("operation", ["read_render", "all", "admin"])
    request.creditLimit = try invocation.number("credit-limit", minimum: 0)
    request.limitReset = try invocation.choice("limit-reset", ["daily", "weekly", "monthly"])
    request.includeByokInLimit = invocation.has("include-byok-in-limit") ? true : nil
    request.expiresAt = try invocation.date("expires-at")
    request.workspaceID = try invocation.uuid("workspace-id")

    let registry = ProviderRegistry(
      environment: context.environment, settings: globals.clientSettings(context))
    let adapter = try registry.make(
      provider,
      overrides: ProviderRegistry.Overrides(
        baseURL: globals.baseURL, orgID: try invocation.uuid("org-id")))
    let created = try await adapter.create(request)

    let quiet = invocation.has("quiet")
    if quiet {
      try context.stdout.write(created.secret + "\n")
    } else if globals.format == .table {
      var out = ""
      for field in [KeyField.provider, .id, .name, .scope, .createdAt] {
        out += field.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
        out += field.text(of: created.key) + "\n"
      }
      out += "secret".padding(toLength: 12, withPad: " ", startingAt: 0) + created.secret + "\n"
      try context.stdout.write(out)
    } else {
      var json = JSONText()
      json.raw("{\"key\":")
      KeyField.appendObject(created.key, fields: KeyField.allCases, to: &json)
      json.raw(",\"secret\":")
      json.string(created.secret)
      json.raw("}\n")
      try context.stdout.write(bytes: json.bytes)
    }
    try context.stdout.flush()
    KeyNotes.print([created.key], to: context.stderr)
    if !quiet {
      context.stderr.line("keyctl: the secret is shown only once; store it now.")
    }
    return 0
  }
}
