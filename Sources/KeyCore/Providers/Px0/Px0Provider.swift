import Foundation

/// px0's self-hosted server: `GET /v1/api-keys` returns an organization's whole
/// list in one response, `POST /v1/api-keys` creates a key, and
/// `/v1/api-keys/{id}` takes `PUT` (update), `DELETE` and `POST …/regenerate`.
/// There is no get-one endpoint: a key is found in the list.
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

  /// Key ids are UUIDs, compared whatever their case.
  @Sendable static func folded(_ id: String) -> String { id.lowercased() }

  /// The key, found in the organization's one-page list.
  func key(id: String) async throws -> ApiKey {
    try await listedKey(try checked(id), options: ListOptions(), matching: Self.folded)
  }

  /// All of `ids` from one read of the list.
  func keys(ids: [String]) async throws -> [ApiKey?] {
    try await listed(try ids.map(checked), options: ListOptions(), matching: Self.folded)
  }

  /// `PUT /v1/api-keys/{id}` with exactly the changes given (`name`,
  /// `operation`, `team_ids`); px0 answers `{"api_key": {…}}`.
  ///
  /// A 404 means the key is missing unless teams were given: px0 answers an
  /// unknown team with 404 too, so then its own message is kept.
  func update(id: String, _ changes: KeyChanges) async throws -> ApiKey {
    let id = try checked(id)
    try checkChanges(changes, allowed: [.name, .operation, .teamIDs])
    let wire = Px0Wire.UpdateRequest(
      name: changes.name, operation: changes.operation, teamIDs: changes.teamIDs)
    let path = try client.path("/v1/api-keys", id: id)
    let send = { try await client.put(path, json: wire.body) }
    let response = try await (changes.teamIDs == nil ? naming(id, send) : send())
    return try client.read(response) { json throws(JSONReadError) in
      let key = try json.required("api_key")
      return Self.normalize(try Px0Wire.Key(json: key), raw: key.raw())
    }
  }

  /// `DELETE /v1/api-keys/{id}`: 204 deleted, 404 not found.
  func delete(id: String) async throws -> DeleteOutcome {
    let path = try client.path("/v1/api-keys", id: try checked(id))
    return try await deleteOutcome { _ = try await client.delete(path) }
  }

  /// `POST /v1/api-keys/{id}/regenerate`: the same key with a new secret,
  /// sent once (a repeat would replace the secret again and lose this one).
  func regenerate(id: String) async throws -> CreatedKey {
    let id = try checked(id)
    let path = try client.path("/v1/api-keys", id: id, "/regenerate")
    let response = try await naming(id) { try await client.post(path, json: Data("{}".utf8)) }
    return try client.readCreated(
      response, name: "", idField: "id", secretFields: ["key"], regenerating: id
    ) { json throws(JSONReadError) in
      let body = try Px0Wire.CreateResponse(json: json)
      return CreatedKey(
        key: Self.created(body, name: nil, raw: json.raw(removing: ["key"])), secret: body.key)
    }
  }

  /// The same name (or `name`), operation and team: all px0's create takes.
  /// The team is the listed key's `team_id` (px0 lists one), or its
  /// `team_ids` should a later px0 list several.
  func replacement(for old: ApiKey, name: String?) throws -> CreateRequest {
    var request = CreateRequest(name: try replacementName(for: old, name: name))
    let settings = try Px0Wire.Settings(raw: old.raw)
    request.operation = settings.operation ?? old.scope
    request.teamIDs = settings.teamIDs
    return request
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
      return CreatedKey(
        key: Self.created(body, name: request.name, raw: json.raw(removing: ["key"])),
        secret: body.key)
    }
  }

  /// The key of a create or regenerate answer (its secret already removed
  /// from `raw`); `name` stands in when the answer leaves its own out.
  static func created(_ body: Px0Wire.CreateResponse, name: String?, raw: RawJSON) -> ApiKey {
    var notes: [String] = []
    return ApiKey(
      provider: .px0, id: body.id, name: body.name ?? name,
      createdAt: ISO8601.providerDate(body.createdAt, field: "created_at", notes: &notes),
      scope: body.operation, raw: raw, notes: notes)
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
