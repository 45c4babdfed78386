import Foundation

/// fal's platform API: `GET /keys` paged by an opaque cursor, `POST /keys` to
/// create, `DELETE /keys/{id}` to delete. It has no get-one endpoint, so a key
/// is found by paging the list, and no update endpoint (refused, exit 8).
struct FalProvider: KeyProvider {
  let id = ProviderID.fal
  let client: ProviderClient

  func page(at position: PagePosition, options: ListOptions) async throws -> Page {
    var query = [("limit", String(pageSize(for: options) ?? 100))]
    if case .token(let cursor) = position { query.append(("cursor", cursor)) }
    if options.expandCreator { query.append(("expand", "creator_info")) }
    let response = try await client.get("/keys", query: query)
    let body = try client.read(response) { json throws(JSONReadError) in
      try FalWire.ListResponse(json: json, Self.normalize)
    }
    let more = body.hasMore ?? (body.nextCursor != nil)
    let next = try body.nextCursor.flatMap { cursor in
      more ? try client.position(cursor, named: "next_cursor", in: response) : nil
    }
    return Page(keys: body.keys, next: next)
  }

  /// How keys are looked up: the largest page, with the creator expanded so
  /// that a key read this way shows as much as fal knows of it.
  static let lookupOptions: ListOptions = {
    var options = ListOptions()
    options.pageSize = 100
    options.expandCreator = true
    return options
  }()

  /// Pages `GET /keys` until the key turns up (fal has no get-one endpoint).
  func key(id: String) async throws -> ApiKey {
    try await listedKey(try checked(id), options: Self.lookupOptions)
  }

  /// One pass over the listing for all of `ids`, stopping once each is found.
  func keys(ids: [String]) async throws -> [ApiKey?] {
    try await listed(try ids.map(checked), options: Self.lookupOptions)
  }

  /// `DELETE /keys/{id}`: fal answers 204 whether or not it had the key, so
  /// this is `.deleted` unless fal, unlike its documentation, says 404. The
  /// client gives the request one `Idempotency-Key` that its retries repeat.
  func delete(id: String) async throws -> DeleteOutcome {
    let path = try client.path("/keys", id: try checked(id))
    return try await deleteOutcome { _ = try await client.delete(path) }
  }

  /// A key of the same alias (or `name`): an alias is all a fal key has.
  func replacement(for old: ApiKey, name: String?) throws -> CreateRequest {
    CreateRequest(name: try replacementName(for: old, name: name))
  }

  func create(_ request: CreateRequest) async throws -> CreatedKey {
    let response = try await client.post(
      "/keys", json: FalWire.CreateRequest(alias: request.name).body)
    return try client.readCreated(
      response, name: request.name, idField: "key_id", secretFields: ["key", "key_secret"]
    ) { json throws(JSONReadError) in
      let body = try FalWire.CreateResponse(json: json)
      guard let secret = body.key ?? body.keySecret.map({ body.keyID + ":" + $0 }) else {
        throw JSONReadError(description: "the new key's secret is missing")
      }
      // `key_id:` alone authenticates nothing: the secret half is what was asked for.
      if let colon = secret.firstIndex(of: ":"), secret[secret.index(after: colon)...].isEmpty {
        throw JSONReadError(description: "the new key's secret is empty")
      }
      let key = ApiKey(
        provider: .fal, id: body.keyID, name: request.name, createdAt: nil,
        raw: json.raw(removing: ["key", "key_secret"]))
      return CreatedKey(key: key, secret: secret)
    }
  }

  /// A listed key in keyctl's shape; a date it cannot show becomes a note.
  static func normalize(_ key: FalWire.Key, raw: RawJSON) -> ApiKey {
    var notes: [String] = []
    let createdAt = ISO8601.providerDate(key.createdAt, field: "created_at", notes: &notes)
    return ApiKey(
      provider: .fal, id: key.keyID, name: key.alias, createdAt: createdAt, scope: key.scope,
      creator: ApiKey.Creator(email: key.creatorEmail, name: key.creatorNickname), raw: raw,
      notes: notes)
  }

  /// fal's message and type, and the request id it puts in the body.
  @Sendable static func parseError(_ body: Data) -> ProviderErrorBody? {
    guard let document = try? JSONDocument(parsing: body) else { return nil }
    let decoded = FalWire.ErrorResponse(json: document.root)
    let message = [decoded.message, decoded.type.map { "(\($0))" }].compactMap { $0 }.joined(
      separator: " ")
    if !message.isEmpty || decoded.requestID != nil {
      return ProviderErrorBody(
        message: message.isEmpty ? nil : message, requestID: decoded.requestID)
    }
    return decoded.detail.map { ProviderErrorBody(message: $0) }
  }
}
