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

  /// px0 does not page, so any position gets the whole list; `Listing` skips
  /// the keys a cursor already returned.
  func page(at position: PagePosition, options: ListOptions) async throws -> Page {
    let response = try await client.get("/v1/api-keys", query: [("org_id", orgID)])
    let keys = try client.read(response) { json throws(JSONReadError) in
      try json.map("api_keys") { element throws(JSONReadError) in
        Self.normalize(try Px0Wire.Key(json: element), raw: element.raw())
      }
    }
    return Page(keys: keys, next: nil)
  }

  func create(_ request: CreateRequest) async throws -> CreatedKey {
    let wire = Px0Wire.CreateRequest(
      name: request.name, orgID: orgID, teamIDs: request.teamIDs.isEmpty ? nil : request.teamIDs,
      operation: request.operation)
    let response = try await client.post("/v1/api-keys", json: wire.body)
    return try client.readCreated(
      response, name: request.name, idField: "id", secretFields: ["key"]
    ) { json throws(JSONReadError) in
      let body = try Px0Wire.CreateResponse(json: json)
      var notes: [String] = []
      let key = ApiKey(
        provider: .px0, id: body.id, name: body.name ?? request.name,
        createdAt: ISO8601.providerDate(body.createdAt, field: "created_at", notes: &notes),
        scope: body.operation, raw: json.raw(removing: ["key"]), notes: notes)
      return CreatedKey(key: key, secret: body.key)
    }
  }

  /// A listed key in keyctl's shape; a date it cannot show becomes a note.
  static func normalize(_ key: Px0Wire.Key, raw: RawJSON) -> ApiKey {
    var notes: [String] = []
    let createdAt = ISO8601.providerDate(key.createdAt, field: "created_at", notes: &notes)
    let lastUsedAt = ISO8601.providerDate(key.lastUsedAt, field: "last_used_at", notes: &notes)
    return ApiKey(
      provider: .px0, id: key.id, name: key.name, createdAt: createdAt, scope: key.operation,
      lastUsedAt: lastUsedAt, raw: raw, notes: notes)
  }

  /// px0's only error shape, `{"error":"<message>"}`.
  @Sendable static func parseError(_ body: Data) -> ProviderErrorBody? {
    guard let document = try? JSONDocument(parsing: body),
      let message = try? document.root.optionalString("error"), !message.isEmpty
    else { return nil }
    return ProviderErrorBody(message: message)
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
}
