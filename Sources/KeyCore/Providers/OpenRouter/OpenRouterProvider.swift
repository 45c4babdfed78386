import Foundation

/// OpenRouter's management API: `GET /keys` serves a fixed 100 keys a page at
/// an `offset`, `POST /keys` creates a key, and `/keys/{hash}` takes `GET`,
/// `PATCH` and `DELETE`. It cannot give a key a new secret in place.
struct OpenRouterProvider: KeyProvider {
  /// The page size OpenRouter serves; it takes no limit parameter.
  static let pageLength = 100

  let id = ProviderID.openrouter
  let client: ProviderClient
  /// The workspace a call works in when it names none (`--workspace-id`
  /// wins): the config file's or profile's `workspace_id`; nil for the
  /// account's default workspace.
  var workspaceID: String?

  func page(at position: PagePosition, options: ListOptions) async throws -> Page {
    let offset = try Self.offset(at: position)
    var query = [("offset", String(offset))]
    if options.includeDisabled { query.append(("include_disabled", "true")) }
    if options.includeExpired { query.append(("include_expired", "true")) }
    if let workspace = options.workspaceID ?? workspaceID {
      query.append(("workspace_id", workspace))
    }
    let response = try await client.get("/keys", query: query)
    let now = client.settings.now()
    let body = try client.read(response) { json throws(JSONReadError) in
      try OpenRouterWire.ListResponse(json: json) { Self.normalize($0, raw: $1, now: now) }
    }
    let keys = body.data
    // There is no has_more: only a short page proves the end. Advancing by the
    // count received (100 in practice) keeps the offsets exact either way.
    let full = body.data.count >= Self.pageLength
    guard full else { return Page(keys: keys, next: nil) }
    let next = offset.addingReportingOverflow(body.data.count)
    guard !next.overflow, next.partialValue <= PageToken.maxOffset else {
      throw KeyError(
        .badResponse,
        "OpenRouter kept sending full pages past offset \(PageToken.maxOffset); stopping",
        provider: .openrouter, hint: "This is a provider bug; try again later.")
    }
    return Page(keys: keys, next: .token(String(next.partialValue)))
  }

  /// The offset 100 keys on: a full page is always 100 keys, so the page
  /// after it is known before it arrives (nil past `PageToken.maxOffset`,
  /// where `page(at:)` stops the listing anyway).
  func positionAfterFullPage(at position: PagePosition, options: ListOptions) -> PagePosition? {
    guard let offset = try? Self.offset(at: position) else { return nil }
    // offset <= PageToken.maxOffset, so the sum cannot overflow.
    let next = offset + Self.pageLength
    return next <= PageToken.maxOffset ? .token(String(next)) : nil
  }

  /// `GET /keys/{hash}`, answered `{"data": Key}`; disabled and expired keys too.
  func key(id: String) async throws -> ApiKey {
    let id = try checked(id)
    let path = try client.path("/keys", id: id)
    let response = try await naming(id) { try await client.get(path) }
    return try readKey(response)
  }

  /// `PATCH /keys/{hash}` with exactly the changes given: `name`, `disabled`,
  /// `limit` (a number, or null to remove it), `limit_reset` (null for none)
  /// and `include_byok_in_limit`; answered `{"data": Key}`. Nothing else in
  /// the body can be missing, so a 404 is always the key.
  func update(id: String, _ changes: KeyChanges) async throws -> ApiKey {
    let id = try checked(id)
    try checkChanges(
      changes, allowed: [.name, .disabled, .creditLimit, .limitReset, .includeByokInLimit])
    let wire = OpenRouterWire.UpdateRequest(
      name: changes.name, disabled: changes.disabled, limit: changes.creditLimit,
      limitReset: changes.limitReset, includeByokInLimit: changes.includeByokInLimit)
    let path = try client.path("/keys", id: id)
    let response = try await naming(id) { try await client.patch(path, json: wire.body) }
    return try readKey(response)
  }

  /// `DELETE /keys/{hash}`: 200 `{"deleted": true}`, 404 not found. An answer
  /// that says `"deleted": false` is not taken for a deletion; an empty 2xx is.
  func delete(id: String) async throws -> DeleteOutcome {
    let id = try checked(id)
    let path = try client.path("/keys", id: id)
    return try await deleteOutcome {
      let response = try await client.delete(path)
      // A bare 2xx says enough; a body is read (strictly) only to catch a "no".
      guard !response.body.isEmpty else { return }
      let deleted = try client.read(response) { json throws(JSONReadError) in
        try json.optionalBool("deleted")
      }
      if deleted == false {
        throw KeyError(
          .badResponse, "OpenRouter answered the delete of key \(id) with \"deleted\": false",
          provider: .openrouter, status: response.status,
          requestID: client.headerRequestID(response),
          hint: "Check with 'keyctl get -p openrouter \(id)' whether the key still exists.")
      }
    }
  }

  /// The same name (or `name`) and every setting OpenRouter's create takes
  /// that the old key has: limit, limit reset, the BYOK flag, workspace, and
  /// the expiry while it is still in the future (a past one would make a
  /// dead key, and OpenRouter refuses it).
  func replacement(for old: ApiKey, name: String?) throws -> CreateRequest {
    var request = CreateRequest(name: try replacementName(for: old, name: name))
    let settings = try OpenRouterWire.Settings(raw: old.raw)
    request.creditLimit = settings.limit
    request.limitReset = settings.limitReset
    request.includeByokInLimit = settings.includeByokInLimit
    request.workspaceID = settings.workspaceID
    if let expiry = old.expiresAt, expiry > client.settings.now() {
      request.expiresAt = expiry
    }
    return request
  }

  /// Reads `{"data": Key}`, the status decided as of now.
  private func readKey(_ response: HTTPResponse) throws -> ApiKey {
    let now = client.settings.now()
    return try client.read(response) { json throws(JSONReadError) in
      let data = try json.required("data")
      return Self.normalize(try OpenRouterWire.Key(json: data), raw: data.raw(), now: now)
    }
  }

  func create(_ request: CreateRequest) async throws -> CreatedKey {
    // OpenRouter rejects zones other than UTC; whole seconds keep the documented shape.
    let expiresAt = request.expiresAt.map {
      ISO8601.format(Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)))
    }
    let wire = OpenRouterWire.CreateRequest(
      name: request.name, limit: request.creditLimit, limitReset: request.limitReset,
      includeByokInLimit: request.includeByokInLimit, expiresAt: expiresAt,
      workspaceID: request.workspaceID ?? workspaceID)
    let response = try await client.post("/keys", json: wire.body)
    let now = client.settings.now()
    return try client.readCreated(
      response, name: request.name, idField: "hash", secretFields: ["key"], container: "data"
    ) { json throws(JSONReadError) in
      let body = try OpenRouterWire.CreateResponse(json: json)
      return CreatedKey(key: Self.normalize(body.data, raw: body.raw, now: now), secret: body.key)
    }
  }

  /// A key in keyctl's shape, its status decided as of `now`; a date it
  /// cannot show becomes a note.
  static func normalize(_ key: OpenRouterWire.Key, raw: RawJSON, now: Date) -> ApiKey {
    var notes: [String] = []
    let createdAt = ISO8601.providerDate(key.createdAt, field: "created_at", notes: &notes)
    let expiresAt = ISO8601.providerDate(key.expiresAt, field: "expires_at", notes: &notes)
    let status: ApiKey.Status
    if key.disabled == true {
      status = .disabled
    } else if let expiresAt, expiresAt <= now {
      status = .expired
    } else {
      status = .active
    }
    return ApiKey(
      provider: .openrouter, id: key.hash, name: key.name,
      createdAt: createdAt, status: status, expiresAt: expiresAt,
      lastUsedAt: ISO8601.providerDate(key.lastUsedAt, field: "last_used_at", notes: &notes),
      creator: ApiKey.Creator(id: key.creatorUserID), raw: raw, notes: notes)
  }

  /// `{"error":{"code","message","metadata"?}}`; the code repeats the HTTP
  /// status, so only the message is read.
  @Sendable static func parseError(_ body: Data) -> ProviderErrorBody? {
    guard let document = try? JSONDocument(parsing: body),
      let message = try? document.root.optional("error")?.optionalString("message"),
      !message.isEmpty
    else { return nil }
    return ProviderErrorBody(message: message)
  }

  /// The offset a position stands for; only keyctl's own cursors carry one, and
  /// `PageToken` bounds it so that no arithmetic on it can overflow.
  private static func offset(at position: PagePosition) throws -> Int {
    guard case .token(let token) = position else { return 0 }
    guard let offset = PageToken.offset(token) else {
      throw KeyError(
        .usage, "OpenRouter page position '\(token)' is not an offset", provider: .openrouter,
        hint: "Start the listing again without --cursor.")
    }
    return offset
  }
}
