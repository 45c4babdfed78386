import Foundation

/// Builds providers from their descriptors, the environment and the call's settings.
///
/// The one place that turns "fal" into a configured adapter: a table of
/// descriptors (`Providers.all` unless a test gives others), from which it
/// finds the credential, the base URL and provider settings, and refuses
/// before any request is sent when something is missing or the provider's API
/// cannot do what the call is about to ask.
public struct ProviderRegistry: Sendable {
  /// The process environment (or a test's).
  public let environment: [String: String]
  /// Transport, timeout, retries and logging shared by every provider.
  public let settings: ClientSettings
  /// The providers this registry can build, in output order.
  public let descriptors: [ProviderDescriptor]
  /// `descriptors` by id.
  private let table: [ProviderID: ProviderDescriptor]

  /// Creates a registry of `descriptors` (every known provider by default).
  public init(
    environment: [String: String], settings: ClientSettings,
    descriptors: [ProviderDescriptor] = Providers.all
  ) {
    self.environment = environment
    self.settings = settings
    self.descriptors = descriptors
    self.table = Dictionary(
      descriptors.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
  }

  /// Per-call settings a provider may need beyond its credential.
  ///
  /// Provider settings are kept by their config-file key (`org_id`), the same
  /// key the descriptor's `settings` and the config file use, so that the
  /// config file (issue 15) can fill them the way the command line does.
  public struct Overrides: Sendable {
    /// `--base-url`, for a call naming one provider.
    public var baseURL: String?
    /// Provider settings by config key (`org_id` → the `--org-id` value).
    public var settings: [String: String]

    /// Creates overrides; nil means "use the environment".
    public init(baseURL: String? = nil, orgID: String? = nil, settings: [String: String] = [:]) {
      self.baseURL = baseURL
      self.settings = settings
      if let orgID { self.settings["org_id"] = orgID }
    }

    /// px0's organization (`--org-id`, else `PX0_ORG_ID`).
    public var orgID: String? {
      get { settings["org_id"] }
      set { settings["org_id"] = newValue }
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

  /// Builds the adapter for `id`, or throws the error that stops it before any
  /// request: `unsupported` (exit 8) when the API cannot do one of
  /// `operations` (checked first, so it needs no credentials), then the auth
  /// error of missing or unsendable credentials, then a usage error for a
  /// refused base URL or setting.
  public func make(
    _ id: ProviderID, overrides: Overrides = Overrides(),
    for operations: [Capabilities.Operation] = []
  ) throws -> any KeyProvider {
    guard let descriptor = descriptor(for: id) else { throw Self.unknown(id) }
    for operation in operations where !descriptor.capabilities.supports(operation) {
      throw KeyError.unsupported(operation, by: id)
    }
    guard let credential = descriptor.credential(in: environment) else {
      throw KeyError(
        .auth, "no credentials for \(descriptor.displayName)", provider: id,
        hint: descriptor.credentialAdvice + ".")
    }
    if let problem = credential.problem {
      throw KeyError(
        .auth,
        "the \(descriptor.displayName) credential cannot be sent: \(problem); nothing was sent",
        provider: id,
        hint: "A credential must be printable ASCII on one line (one trailing newline is "
          + "trimmed); check how the variable is set.")
    }
    let baseURL = try descriptor.baseURL(override: overrides.baseURL, environment: environment)
    let auth = descriptor.authorization
    let client = ProviderClient(
      provider: id, baseURL: baseURL,
      headers: [(auth.name, auth.prefix + credential.secret)] + descriptor.extraHeaders,
      settings: settings, redactor: Redactor(secrets: [credential.secret]),
      authHint: descriptor.authHint(credential), parseError: descriptor.parseError,
      idempotencyKeyHeader: descriptor.idempotencyKeyHeader)
    return try descriptor.makeAdapter(
      AdapterParts(client: client, overrides: overrides, environment: environment))
  }

  /// The usage error for a provider name keyctl does not know.
  static func unknown(_ id: ProviderID) -> KeyError {
    KeyError.usage(
      "unknown provider '\(id.rawValue)': expected one of "
        + ProviderID.allCases.map(\.rawValue).joined(separator: ", "))
  }
}
