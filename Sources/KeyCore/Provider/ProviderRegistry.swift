import Foundation

/// Builds providers from the environment and the call's settings.
///
/// The one place that turns "fal" into a configured adapter: it finds the
/// credential, the base URL and provider settings, and refuses before any
/// request is sent when something is missing.
public struct ProviderRegistry: Sendable {
  /// The process environment (or a test's).
  public let environment: [String: String]
  /// Transport, timeout, retries and logging shared by every provider.
  public let settings: ClientSettings

  /// Creates a registry.
  public init(environment: [String: String], settings: ClientSettings) {
    self.environment = environment
    self.settings = settings
  }

  /// Per-call settings a provider may need beyond its credential.
  public struct Overrides: Sendable {
    /// `--base-url`, for a call naming one provider.
    public var baseURL: String?
    /// px0's organization (`--org-id`, else `PX0_ORG_ID`).
    public var orgID: String?

    /// Creates overrides; nil means "use the environment".
    public init(baseURL: String? = nil, orgID: String? = nil) {
      self.baseURL = baseURL
      self.orgID = orgID
    }
  }

  /// Builds the adapter for `id`, or throws the usage or auth error that stops it.
  public func make(_ id: ProviderID, overrides: Overrides = Overrides()) throws -> any KeyProvider {
    guard let credential = id.credential(in: environment) else {
      throw KeyError(
        .auth, "no credentials for \(id.displayName)", provider: id, hint: id.credentialAdvice + "."
      )
    }
    if let problem = credential.problem {
      throw KeyError(
        .auth,
        "the \(id.displayName) credential cannot be sent: \(problem); nothing was sent",
        provider: id,
        hint: "A credential must be printable ASCII on one line (one trailing newline is "
          + "trimmed); check how the variable is set.")
    }
    let baseURL = try id.baseURL(override: overrides.baseURL, environment: environment)
    let redactor = Redactor(secrets: [credential.secret])
    switch id {
    case .fal:
      return FalProvider(
        client: client(
          id, baseURL, [("Authorization", "Key " + credential.secret)], redactor,
          authHint: "fal refused \(credential.source): key management needs an admin-scope key "
            + "(id:secret) in FAL_ADMIN_KEY.", parse: FalProvider.parseError))
    case .px0:
      // Checked here so that a missing or malformed org id stops before any request.
      let orgID = try Px0Provider.orgID(override: overrides.orgID, environment: environment)
      return Px0Provider(
        client: client(
          id, baseURL, [("Authorization", "Bearer " + credential.secret)], redactor,
          authHint: Px0Provider.authHint(for: credential), parse: Px0Provider.parseError),
        orgID: orgID)
    case .cartesia:
      return CartesiaProvider(
        client: client(
          id, baseURL,
          [
            ("Authorization", "Bearer " + credential.secret),
            ("Cartesia-Version", CartesiaProvider.apiVersion),
          ], redactor,
          authHint: "Cartesia refused \(credential.source): listing keys needs an admin key "
            + "(sk_car_admin_…, from https://play.cartesia.ai/keys/admin) in CARTESIA_ADMIN_KEY.",
          parse: CartesiaProvider.parseError))
    case .openrouter:
      return OpenRouterProvider(
        client: client(
          id, baseURL, [("Authorization", "Bearer " + credential.secret)], redactor,
          authHint: "OpenRouter refused \(credential.source): key management needs a management "
            + "key (https://openrouter.ai/settings/management-keys) in OPENROUTER_MANAGEMENT_KEY.",
          parse: OpenRouterProvider.parseError))
    }
  }

  func client(
    _ id: ProviderID, _ baseURL: URL, _ headers: [(name: String, value: String)],
    _ redactor: Redactor, authHint: String,
    parse: @escaping @Sendable (Data) -> ProviderErrorBody?
  ) -> ProviderClient {
    ProviderClient(
      provider: id, baseURL: baseURL, headers: headers, settings: settings, redactor: redactor,
      authHint: authHint, parseError: parse)
  }
}
