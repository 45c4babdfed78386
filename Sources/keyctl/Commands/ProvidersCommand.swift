import KeyCore

/// `keyctl providers`: what each provider supports — the lifecycle
/// operations (list, get, create, update, delete, rotate, regenerate), its
/// paging — and where its credential and base URL come from (the environment,
/// or the config file and its profile), the credential masked. Sends nothing
/// over the network and runs no command.
enum ProvidersCommand: Command {
  /// The command's name and help.
  static let spec = CommandSpec(
    name: "providers",
    summary: "Show each provider, what it supports and whether credentials are set",
    usage: "keyctl providers [-o json]",
    discussion:
      "Shows where each credential and base URL come from (a variable, or the config file and "
      + "its profile). Credentials are masked (at most the last four characters of one read from "
      + "a variable or a file); a credential_command is never run (\"not run\"); nothing is sent "
      + "over the network.",
    examples: ["keyctl providers", "keyctl providers --json", "keyctl providers --profile staging"])

  /// The table's columns.
  private static let columns = [
    "PROVIDER", "OPERATIONS", "PAGING", "PAGE SIZE", "CREDENTIALS", "BASE URL",
  ]

  /// Prints one row (table) or object (json, ndjson) per provider; a
  /// credential or base URL that would be refused is explained on stderr.
  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32 {
    let globals = try GlobalOptions(invocation, environment: context.environment)
    let registry = try globals.registry(context)
    let selected = globals.providers.isEmpty ? ProviderID.allCases : globals.providers
    let overrides = ProviderRegistry.Overrides(baseURL: globals.baseURL)
    let views = try selected.map { try ProviderView($0, registry: registry, overrides: overrides) }
    let profile = registry.configuration.profile
    if globals.format == .table {
      var table = Table(columns: columns.map { Table.Column(header: $0) })
      for view in views {
        let capabilities = view.provider.capabilities
        table.append([
          view.provider.rawValue,
          capabilities.lifecycle.filter(\.supported).map(\.name).joined(separator: ","),
          capabilities.paging.rawValue, capabilities.maxPageSize.map(String.init) ?? "-",
          // A path or variable name from the config file may hold any character
          // its escapes can spell: blanked, like everything shown to people.
          Untrusted.blank(view.credentialCell), Untrusted.blank(view.baseURLCell),
        ])
      }
      var text = table.render(width: context.tableWidth, terminal: globals.terminal(context))
      if let file = registry.configuration.file {
        let chosen = profile.map { "profile \($0.name) (from \($0.origin))" } ?? "no profile"
        text += Untrusted.blank("config file: \(file.path); \(chosen)") + "\n"
      }
      try context.stdout.write(text)
    } else {
      var json = JSONText()
      json.raw(globals.format == .json ? "[" : "")
      for (index, view) in views.enumerated() {
        if index > 0 { json.raw(globals.format == .json ? "," : "\n") }
        view.appendJSON(to: &json, profile: profile?.name)
      }
      json.raw(globals.format == .json ? "]\n" : "\n")
      try context.stdout.write(bytes: json.bytes)
    }
    try context.stdout.flush()
    for view in views {
      for problem in view.problems { context.stderr.line(ErrorRenderer.render(problem)) }
    }
    return 0
  }
}

/// What `keyctl providers` shows of one provider, worked out without a
/// request, a command or a secret leaving the process.
private struct ProviderView {
  /// What became of the credential.
  enum CredentialState {
    /// Nothing names one.
    case notSet
    /// A `credential_command`, which `providers` never runs.
    case notRun
    /// Read from a variable or a file.
    case read(Credential)
    /// Named, but it cannot be read; the error says why (never with its value).
    case unusable(KeyError)
  }

  /// The provider.
  let provider: ProviderID
  /// Where the credential comes from (`env FAL_ADMIN_KEY`, `profile staging:
  /// credential_file ~/.secrets/fal`); nil when nothing names one.
  let credentialSource: String?
  /// The credential, read or not.
  let credential: CredentialState
  /// The base URL the provider would use, or why it would be refused.
  let baseURL: Result<String, KeyError>
  /// Where the base URL comes from (`env KEYCTL_FAL_BASE_URL`, `default`, …).
  let baseURLSource: String
  /// The provider's settings that something sets (`org_id`), with their sources.
  let settings: [(key: String, value: String, source: String)]

  /// Resolves `provider` in `registry`'s configuration; reads a credential
  /// from a variable or a file only.
  init(_ provider: ProviderID, registry: ProviderRegistry, overrides: ProviderRegistry.Overrides)
    throws
  {
    self.provider = provider
    let config = try registry.config(for: provider, overrides: overrides)
    credentialSource = config.credential?.description
    if let resolved = config.credential {
      switch registry.configuration.credentialWithoutRunning(resolved, provider: provider) {
      case nil: credential = .notRun
      case .success(let read)?: credential = .read(read)
      case .failure(let error)?: credential = .unusable(error)
      }
    } else {
      credential = .notSet
    }
    baseURLSource = config.baseURL?.description ?? "default"
    do {
      baseURL = .success(try registry.baseURL(for: provider, overrides: overrides).absoluteString)
    } catch let error as KeyError {
      baseURL = .failure(error)
    }
    settings = config.settings.keys.sorted().compactMap { key in
      config.settings[key].map { (key, $0.value, $0.description) }
    }
  }

  /// The CREDENTIALS cell: source and masked value, or why there is none.
  var credentialCell: String {
    switch credential {
    case .notSet: "not set"
    case .notRun: "\(credentialSource ?? "") (not run)"
    case .read(let read): "\(credentialSource ?? read.source) \(read.masked)"
    case .unusable: "\(credentialSource ?? "") (unusable)"
    }
  }

  /// The BASE URL cell: the URL and where it came from.
  var baseURLCell: String {
    switch baseURL {
    case .success(let url): "\(url) (\(baseURLSource))"
    case .failure: "invalid (\(baseURLSource))"
    }
  }

  /// What would stop this provider, for stderr: an unreadable or unsendable
  /// credential, a refused base URL.
  var problems: [KeyError] {
    var problems: [KeyError] = []
    switch credential {
    case .unusable(let error): problems.append(error)
    case .read(let read):
      if let problem = read.problem {
        problems.append(
          KeyError(
            .auth, "the \(provider.displayName) credential cannot be sent: \(problem)",
            provider: provider))
      }
    case .notSet, .notRun: break
    }
    if case .failure(let error) = baseURL { problems.append(error) }
    return problems
  }

  /// The provider's JSON object.
  func appendJSON(to json: inout JSONText, profile: String?) {
    let capabilities = provider.capabilities
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
    json.raw("},\"paging\":")
    json.string(capabilities.paging.rawValue)
    json.raw(",\"max_page_size\":")
    json.number(capabilities.maxPageSize)
    json.raw(",\"credentials\":{\"set\":")
    json.bool(credentialSource != nil)
    json.raw(",\"source\":")
    json.string(credentialSource)
    json.raw(",\"state\":")
    switch credential {
    case .notSet: json.string("not set")
    case .notRun: json.string("not run")
    case .read(let read): json.string(read.problem == nil ? "read" : "unusable")
    case .unusable: json.string("unusable")
    }
    json.raw(",\"masked\":")
    if case .read(let read) = credential { json.string(read.masked) } else { json.string(nil) }
    json.raw("},\"base_url\":")
    json.string(try? baseURL.get())
    json.raw(",\"base_url_source\":")
    json.string(baseURLSource)
    json.raw(",\"settings\":{")
    for (index, setting) in settings.enumerated() {
      if index > 0 { json.raw(",") }
      json.string(setting.key)
      json.raw(":{\"value\":")
      json.string(setting.value)
      json.raw(",\"source\":")
      json.string(setting.source)
      json.raw("}")
    }
    json.raw("},\"profile\":")
    json.string(profile)
    json.raw("}")
  }
}
