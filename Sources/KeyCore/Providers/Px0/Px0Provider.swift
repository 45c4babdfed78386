import Foundation

/// px0's self-hosted server: `GET /v1/api-keys` returns an organization's whole
/// list in one response, `POST /v1/api-keys` creates a key.
///
/// Every call is scoped to one organization, so the adapter is built with a
/// validated org id and never sends a request without it.
struct Px0Provider: KeyProvider {
  let id = ProviderID.px0
  let client: ProviderClient
  let orgID: String

  @available(macOS 15.0, *)
  var executor: (any TaskExecutor)? { client.executor }

  /// px0 does not page, so any position gets the whole list; `Listing` skips
  /// the keys a cursor already returned.
  func page(at position: PagePosition, options: ListOptions) async throws -> Page {
    let response = try await client.get("/v1/api-keys", query: [("org_id", orgID)])
    let body = try client.decode(Px0Wire.ListResponse.self, from: response)
    let raws = try client.rawElements(
      ofArray: "api_keys", in: response, expecting: body.apiKeys.count)
    return Page(keys: zip(body.apiKeys, raws).map { Self.normalize($0, raw: $1) }, next: nil)
  }

  func create(_ request: CreateRequest) async throws -> CreatedKey {
    let wire = Px0Wire.CreateRequest(
      name: request.name, orgID: orgID, teamIDs: request.teamIDs.isEmpty ? nil : request.teamIDs,
      operation: request.operation)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let response = try await client.post("/v1/api-keys", json: try encoder.encode(wire))
    let body = try client.decode(Px0Wire.CreateResponse.self, from: response)
    let key = ApiKey(
      provider: .px0, id: body.id, name: body.name ?? request.name,
      createdAt: body.createdAt.flatMap(ISO8601.parse), scope: body.operation,
      raw: RawJSON.stripping(["key"], from: response.body))
    return CreatedKey(key: key, secret: body.key)
  }

  static func normalize(_ key: Px0Wire.Key, raw: RawJSON) -> ApiKey {
    ApiKey(
      provider: .px0, id: key.id, name: key.name, createdAt: key.createdAt.flatMap(ISO8601.parse),
      scope: key.operation, lastUsedAt: key.lastUsedAt.flatMap(ISO8601.parse), raw: raw)
  }

  @Sendable static func parseError(_ body: Data) -> ProviderErrorBody? {
    guard let decoded = try? JSONDecoder().decode(Px0Wire.ErrorResponse.self, from: body),
      !decoded.error.isEmpty
    else { return nil }
    return ProviderErrorBody(message: decoded.error)
  }

  /// The organization to work in: `--org-id`, else `PX0_ORG_ID`; refused unless
  /// it is a UUID, because px0 answers anything else with a bare 400.
  static func orgID(override: String?, environment: [String: String]) throws -> String {
    let source: String
    let value: String
    if let override {
      (source, value) = ("--org-id", override)
    } else if let variable = environment["PX0_ORG_ID"], !variable.isEmpty {
      (source, value) = ("PX0_ORG_ID", variable)
    } else {
      throw usage("px0 needs an organization: pass --org-id UUID or set PX0_ORG_ID")
    }
    guard UUID(uuidString: value) != nil else {
      throw usage(
        "\(source) '\(value)' is not an organization id (expected a UUID such as "
          + "123e4567-e89b-12d3-a456-426614174000)")
    }
    return value
  }

  /// What to say when px0 refuses the credential. px0 accepts only session
  /// tokens on its key routes, so a programmatic `ak_` key always gets 401 there
  /// and the fix is a different credential, not a different key.
  static func authHint(for credential: Credential) -> String {
    if credential.secret.hasPrefix("ak_") {
      return "px0 accepts only session tokens (sess_…, from POST /v1/auth/login) on its key "
        + "routes, and \(credential.source) holds an API key (ak_…); put a session token of an "
        + "org admin in PX0_ACCESS_TOKEN."
    }
    return "px0 refused \(credential.source): key management needs a session token (sess_…, "
      + "from POST /v1/auth/login) of an admin of the organization, in PX0_ACCESS_TOKEN."
  }

  private static func usage(_ message: String) -> KeyError {
    var error = KeyError.usage(message)
    error.provider = .px0
    return error
  }
}
