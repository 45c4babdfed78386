import Foundation

/// Every fact keyctl knows about one provider, in one place.
///
/// The registry, the credential lookup, the base-URL rules, the config file's
/// schema, the audit rules, help and `keyctl providers` all read these values,
/// so adding a provider is one folder under `Providers/` (its adapter, wire
/// shapes and this descriptor) plus one line in `Providers.all`; nothing else
/// switches on a provider.
public struct ProviderDescriptor: Sendable {
  /// The name users type after `-p`.
  public let id: ProviderID
  /// The name people read in messages.
  public let displayName: String
  /// What the API can do, before any request.
  public let capabilities: Capabilities
  /// Where the credential may come from, in the order tried: each entry is one
  /// credential made of one variable, or of several joined with `:` and used
  /// only when all are set (fal's `FAL_KEY_ID` + `FAL_KEY_SECRET`).
  public let credentialSources: [[String]]
  /// How to say which variables to set, for a "no credentials" message.
  public let credentialAdvice: String
  /// The environment variables that override the base URL, in the order tried.
  public let baseURLVariables: [String]
  /// The provider's public API root.
  public let defaultBaseURL: String
  /// Settings beyond the credential and base URL (px0's `org_id`, OpenRouter's
  /// `workspace_id`): the config file's extra keys for this provider.
  public let settings: [ProviderSetting]
  /// Whether every key id is a UUID (px0): an id that is not one is refused
  /// (exit 2) before a request, since the provider would only answer 400.
  public let keyIDsAreUUIDs: Bool
  /// The header that carries the credential.
  let authorization: AuthHeader
  /// Headers every request carries besides the credential (Cartesia's API version).
  let extraHeaders: [(name: String, value: String)]
  /// The header that makes a retried idempotent change safe to repeat (fal's
  /// `Idempotency-Key` on DELETE); nil when the provider takes none.
  let idempotencyKeyHeader: String?
  /// What to tell the user when the provider refuses this credential.
  let authHint: @Sendable (Credential) -> String
  /// Reads the provider's error body; what it returns is redacted, blanked and
  /// bounded by the client.
  let parseError: @Sendable (Data) -> ProviderErrorBody?
  /// Builds the adapter around its configured client; throws what stops it
  /// (px0 without an organization) before any request.
  let makeAdapter: @Sendable (AdapterParts) throws -> any KeyProvider

  /// Creates a descriptor; only the provider folders make them.
  init(
    id: ProviderID, displayName: String, capabilities: Capabilities,
    credentialSources: [[String]], credentialAdvice: String, baseURLVariables: [String],
    defaultBaseURL: String, settings: [ProviderSetting] = [], keyIDsAreUUIDs: Bool = false,
    authorization: AuthHeader,
    extraHeaders: [(name: String, value: String)] = [], idempotencyKeyHeader: String? = nil,
    authHint: @escaping @Sendable (Credential) -> String,
    parseError: @escaping @Sendable (Data) -> ProviderErrorBody?,
    makeAdapter: @escaping @Sendable (AdapterParts) throws -> any KeyProvider
  ) {
    self.id = id
    self.displayName = displayName
    self.capabilities = capabilities
    self.credentialSources = credentialSources
    self.credentialAdvice = credentialAdvice
    self.baseURLVariables = baseURLVariables
    self.defaultBaseURL = defaultBaseURL
    self.settings = settings
    self.keyIDsAreUUIDs = keyIDsAreUUIDs
    self.authorization = authorization
    self.extraHeaders = extraHeaders
    self.idempotencyKeyHeader = idempotencyKeyHeader
    self.authHint = authHint
    self.parseError = parseError
    self.makeAdapter = makeAdapter
  }

  /// Every variable that may hold the credential, in the order tried.
  public var credentialVariables: [String] {
    var names: [String] = []
    for name in credentialSources.joined() where !names.contains(name) { names.append(name) }
    return names
  }

  /// What the config resolver needs to know about this provider.
  public var configInputs: ProviderConfigInputs {
    ProviderConfigInputs(
      name: id.rawValue, credentialVariables: credentialSources,
      baseURLVariables: baseURLVariables, defaultBaseURL: defaultBaseURL,
      settingVariables: Dictionary(
        settings.map { ($0.key, $0.variables) }, uniquingKeysWith: { first, _ in first }))
  }
}

/// One provider setting beyond the credential and base URL.
public struct ProviderSetting: Sendable, Equatable {
  /// Its key in the config file (`org_id`).
  public let key: String
  /// The environment variables that set it, in the order tried (`PX0_ORG_ID`).
  public let variables: [String]

  /// Creates a setting.
  public init(key: String, variables: [String] = []) {
    self.key = key
    self.variables = variables
  }
}

/// The header a credential travels in: `Authorization: Bearer …`, `Authorization: Key …`.
struct AuthHeader: Sendable, Equatable {
  /// The header's name.
  let name: String
  /// What precedes the credential in the value, e.g. `Bearer `.
  let prefix: String

  /// `Authorization: Bearer CREDENTIAL`, what most APIs take.
  static let bearer = AuthHeader(name: "Authorization", prefix: "Bearer ")
}

/// What an adapter is built from: its configured client and the call's
/// overrides, with the environment for the settings it reads itself.
struct AdapterParts: Sendable {
  /// The client that sends every request of this provider.
  let client: ProviderClient
  /// The call's per-provider overrides (`--org-id`, …).
  let overrides: ProviderRegistry.Overrides
  /// The environment, for settings read from variables.
  let environment: [String: String]
}
