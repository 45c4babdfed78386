import Foundation

/// Builds providers from their descriptors, the run's configuration (the
/// environment, the config file and its profile) and the call's options.
///
/// The one place that turns "fal" into a configured adapter: a table of
/// descriptors (`Providers.all` unless a test gives others), from which it
/// resolves the credential source, the base URL and provider settings, and
/// refuses before any request is sent (and before a `credential_command` is
/// run) when something is missing or the provider's API cannot do what the
/// call is about to ask.
public struct ProviderRegistry: Sendable {
  /// The environment, the config file, the profile and the credentials read so far.
  public let configuration: Configuration
  /// Transport, timeout, retries and logging shared by every provider.
  public let settings: ClientSettings
  /// The providers this registry can build, in output order.
  public let descriptors: [ProviderDescriptor]
  /// `descriptors` by id.
  private let table: [ProviderID: ProviderDescriptor]

  /// Creates a registry of `descriptors` (every known provider by default).
  public init(
    configuration: Configuration, settings: ClientSettings,
    descriptors: [ProviderDescriptor] = Providers.all
  ) {
    self.configuration = configuration
    self.settings = settings
    self.descriptors = descriptors
    self.table = Dictionary(
      descriptors.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
  }

  /// A registry that reads the environment alone, without a config file: for
  /// tests. Internal on purpose, so that keyctl's commands cannot build one
  /// that silently ignores the user's config file.
  init(
    environment: [String: String], settings: ClientSettings,
    descriptors: [ProviderDescriptor] = Providers.all
  ) {
    self.init(
      configuration: Configuration(environment: environment), settings: settings,
      descriptors: descriptors)
  }

  /// The environment the registry reads.
  public var environment: [String: String] { configuration.environment }

  /// Per-call settings a provider may need beyond its credential.
  ///
  /// Provider settings are kept by their config-file key (`org_id`), the same
  /// key the descriptor's `settings` and the config file use; each is the
  /// value of the option the key names (`--org-id`), and beats the
  /// environment and the config file.
  public struct Overrides: Sendable {
    /// `--base-url`, for a call naming one provider.
    public var baseURL: String?
    /// Provider settings by config key (`org_id` → the `--org-id` value).
    public var settings: [String: String]

    /// Creates overrides; nil means "use the profile, environment or file".
    public init(baseURL: String? = nil, orgID: String? = nil, settings: [String: String] = [:]) {
      self.baseURL = baseURL
      self.settings = settings
      if let orgID { self.settings["org_id"] = orgID }
    }

    /// px0's organization (`--org-id`).
    public var orgID: String? {
      get { settings["org_id"] }
      set { settings["org_id"] = newValue }
    }

    /// The same values, each named by the option that gave it, for the resolver.
    func configOverrides(for descriptor: ProviderDescriptor) -> ConfigOverrides {
      var result = ConfigOverrides(
        baseURL: baseURL.map { CommandLineValue($0, option: "--base-url") })
      for setting in descriptor.settings {
        if let value = settings[setting.key] {
          result.settings[setting.key] = CommandLineValue(value, option: setting.option)
        }
      }
      return result
    }
  }

  /// The descriptor of a known provider, or nil: the answer to "does keyctl
  /// know this name?".
  public static func descriptor(for id: ProviderID) -> ProviderDescriptor? {
    Providers.table[id]
  }

  /// The descriptor of `id` in this registry's table, or nil.
  public func descriptor(for id: ProviderID) -> ProviderDescriptor? {
    table[id]
  }

  /// The config file's schema: every provider's name and extra keys.
  public static var configSchema: ConfigSchema {
    ConfigSchema(providers: Providers.all.map { ($0.id.rawValue, $0.settings.map(\.key)) })
  }

  /// Where `id`'s credential, base URL and settings come from in this run,
  /// with `overrides` applied; nothing is read or checked.
  public func config(for id: ProviderID, overrides: Overrides = Overrides()) throws
    -> ProviderConfig
  {
    guard let descriptor = descriptor(for: id) else { throw Self.unknown(id) }
    return configuration.resolve(descriptor, overrides: overrides.configOverrides(for: descriptor))
  }

  /// The checked base URL `id` would use in this run: the same check `make`
  /// does first, for a call that refuses every bad base URL before it uses
  /// any provider.
  public func baseURL(for id: ProviderID, overrides: Overrides = Overrides()) throws -> URL {
    guard let descriptor = descriptor(for: id) else { throw Self.unknown(id) }
    return try descriptor.baseURL(config(for: id, overrides: overrides).baseURL)
  }

  /// Whether something names a credential for `id` (a variable that is set, or
  /// a source in the config file), without reading it: a `credential_command`
  /// counts without being run. What `list` without `-p` covers.
  public func isConfigured(_ id: ProviderID) -> Bool {
    (try? config(for: id))?.credential != nil
  }

  /// Builds the adapter for `id`, or throws the error that stops it before any
  /// request: `unsupported` (exit 8) when the API cannot do one of
  /// `operations` (checked first, so it needs no credentials), then the auth
  /// error of a credential nothing names, then a usage error for a refused base
  /// URL or setting, and only then the credential is read — a
  /// `credential_command` run, at most once per run — and refused (exit 3) when
  /// it cannot be read or sent.
  public func make(
    _ id: ProviderID, overrides: Overrides = Overrides(),
    for operations: [Capabilities.Operation] = []
  ) async throws -> any KeyProvider {
    let plan = try prepare(id, overrides: overrides, for: operations)
    let credential = try await configuration.credential(plan.source, provider: id)
    return try plan.build(with: credential, settings: settings)
  }

  /// `make` for a caller that cannot wait, reading a credential from a
  /// variable or a file and refusing (exit 3) one a command would give: for
  /// tests, which build adapters from the environment.
  func makeWithoutRunning(
    _ id: ProviderID, overrides: Overrides = Overrides(),
    for operations: [Capabilities.Operation] = []
  ) throws -> any KeyProvider {
    let plan = try prepare(id, overrides: overrides, for: operations)
    guard let read = configuration.credentialWithoutRunning(plan.source, provider: id) else {
      throw KeyError(
        .auth, "the \(plan.descriptor.displayName) credential needs its command run", provider: id)
    }
    return try plan.build(with: read.get(), settings: settings)
  }

  /// Everything about one provider that is checked before its credential is read.
  struct Plan {
    /// The provider's facts.
    let descriptor: ProviderDescriptor
    /// Where the credential comes from.
    let source: ResolvedCredential
    /// The checked base URL.
    let baseURL: URL
    /// The checked settings that are set, by key.
    let settings: [String: String]

    /// The adapter, once the credential is read; refuses one that cannot be sent.
    func build(with credential: Credential, settings clientSettings: ClientSettings) throws
      -> any KeyProvider
    {
      let id = descriptor.id
      if let problem = credential.problem {
        throw KeyError(
          .auth,
          "the \(descriptor.displayName) credential cannot be sent: \(problem); nothing was sent",
          provider: id,
          hint: "A credential must be printable ASCII on one line (one trailing newline is "
            + "trimmed); check how it is set.")
      }
      let auth = descriptor.authorization
      let client = ProviderClient(
        provider: id, baseURL: baseURL,
        headers: [(auth.name, auth.prefix + credential.secret)] + descriptor.extraHeaders,
        settings: clientSettings, redactor: Redactor(secrets: [credential.secret]),
        authHint: descriptor.authHint(credential), parseError: descriptor.parseError,
        idempotencyKeyHeader: descriptor.idempotencyKeyHeader)
      return try descriptor.makeAdapter(AdapterParts(client: client, settings: settings))
    }
  }

  /// Resolves and checks everything but the credential itself.
  private func prepare(
    _ id: ProviderID, overrides: Overrides, for operations: [Capabilities.Operation]
  ) throws -> Plan {
    guard let descriptor = descriptor(for: id) else { throw Self.unknown(id) }
    for operation in operations where !descriptor.capabilities.supports(operation) {
      throw KeyError.unsupported(operation, by: id)
    }
    let resolved = configuration.resolve(
      descriptor, overrides: overrides.configOverrides(for: descriptor))
    guard let source = resolved.credential else {
      throw KeyError(
        .auth, "no credentials for \(descriptor.displayName)", provider: id,
        hint: descriptor.credentialAdvice + ", or name a credential source in the config file.")
    }
    return Plan(
      descriptor: descriptor, source: source, baseURL: try descriptor.baseURL(resolved.baseURL),
      settings: try descriptor.checkedSettings(resolved.settings))
  }

  /// The usage error for a provider name keyctl does not know.
  static func unknown(_ id: ProviderID) -> KeyError {
    KeyError.usage(
      "unknown provider '\(id.rawValue)': expected one of "
        + ProviderID.allCases.map(\.rawValue).joined(separator: ", "))
  }
}
