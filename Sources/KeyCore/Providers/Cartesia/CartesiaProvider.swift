import Foundation

/// Cartesia's admin API: `GET /api-keys` paged by `starting_after` (the last
/// id of the previous page) and `GET /api-keys/{id}`. It has no endpoint to
/// create, change or delete keys: the protocol's defaults refuse those (exit 8)
/// without a request.
struct CartesiaProvider: KeyProvider {
  /// The API version every request names; Cartesia refuses requests without one.
  static let apiVersion = "2026-03-01"

  let id = ProviderID.cartesia
  let client: ProviderClient

  func page(at position: PagePosition, options: ListOptions) async throws -> Page {
    var query = [("limit", String(pageSize(for: options) ?? 100))]
    if case .token(let lastID) = position { query.append(("starting_after", lastID)) }
    if let text = options.query { query.append(("q", text)) }
    let response = try await client.get("/api-keys", query: query)
    let body = try client.read(response) { json throws(JSONReadError) in
      try CartesiaWire.ListResponse(json: json, Self.normalize)
    }
    // An empty page with has_more has no last id to go on from: it keeps its own
    // position, so the paginator reports it (no new keys, yet more follow)
    // instead of the listing ending early as if complete.
    var next: PagePosition?
    if body.hasMore {
      next =
        try body.lastID.map {
          try client.position($0, named: "page position (the last key's id)", in: response)
        } ?? position
    }
    return Page(keys: body.data, next: next)
  }

  /// `GET /api-keys/{id}`: the key object itself; 404 when Cartesia has no
  /// such key (or it belongs to another organization).
  func key(id: String) async throws -> ApiKey {
    let id = try checked(id)
    let path = try client.path("/api-keys", id: id)
    let response = try await naming(id) { try await client.get(path) }
    return try client.read(response) { json throws(JSONReadError) in
      Self.normalize(try CartesiaWire.Key(json: json), raw: json.raw())
    }
  }

  /// A listed key in keyctl's shape; a date it cannot show becomes a note.
  static func normalize(_ key: CartesiaWire.Key, raw: RawJSON) -> ApiKey {
    var notes: [String] = []
    let createdAt = ISO8601.providerDate(key.createdAt, field: "created_at", notes: &notes)
    return ApiKey(
      provider: .cartesia, id: key.id, name: key.description, createdAt: createdAt,
      creator: ApiKey.Creator(email: key.creatorEmail), raw: raw, notes: notes)
  }

  /// Reads the JSON error of version 2026-03-01, or the plain text older
  /// versions and proxies send; anything else is left to the client's excerpt.
  /// What it returns is redacted, blanked and bounded by the client.
  @Sendable static func parseError(_ body: Data) -> ProviderErrorBody? {
    if let document = try? JSONDocument(parsing: body) {
      let decoded = CartesiaWire.ErrorResponse(json: document.root)
      guard let text = decoded.message ?? decoded.title else { return nil }
      var message = text
      if let code = decoded.errorCode { message += " (\(code))" }
      if let url = decoded.docURL { message += "; see \(url)" }
      return ProviderErrorBody(message: message, requestID: decoded.requestID)
    }
    return plainText(body).map { ProviderErrorBody(message: $0) }
  }

  /// A plain-text body as one line; nil for JSON, HTML, invalid UTF-8 or nothing.
  static func plainText(_ body: Data) -> String? {
    guard let text = String(validating: body, as: UTF8.self) else { return nil }
    let line = Untrusted.blank(text.split(whereSeparator: \.isWhitespace).joined(separator: " "))
    guard let first = line.first, !"{[<".contains(first) else { return nil }
    return line
  }
}
