import Foundation

/// Cartesia's admin API: `GET /api-keys` paged by `starting_after` (the last
/// id of the previous page). It has no endpoint to create keys.
struct CartesiaProvider: KeyProvider {
  /// The API version every request names; Cartesia refuses requests without one.
  static let apiVersion = "2026-03-01"

  let id = ProviderID.cartesia
  let client: ProviderClient

  @available(macOS 15.0, *)
  var executor: (any TaskExecutor)? { client.executor }

  func page(at position: PagePosition, options: ListOptions) async throws -> Page {
    var query = [("limit", String(pageSize(for: options) ?? 100))]
    if case .token(let lastID) = position { query.append(("starting_after", lastID)) }
    if let text = options.query { query.append(("q", text)) }
    let response = try await client.get("/api-keys", query: query)
    let body = try client.decode(CartesiaWire.ListResponse.self, from: response)
    let raws = try client.rawElements(ofArray: "data", in: response, expecting: body.data.count)
    let keys = zip(body.data, raws).map { Self.normalize($0, raw: $1) }
    // An empty page with has_more has no last id to go on from: it keeps its own
    // position, so the paginator reports it (no new keys, yet more follow)
    // instead of the listing ending early as if complete.
    let next = body.hasMore ? (body.data.last.map { PagePosition.token($0.id) } ?? position) : nil
    return Page(keys: keys, next: next)
  }

  func create(_ request: CreateRequest) async throws -> CreatedKey {
    throw KeyError(
      .unsupported, "Cartesia's API has no endpoint to create keys", provider: .cartesia,
      hint: "Create the key at https://play.cartesia.ai/keys.")
  }

  static func normalize(_ key: CartesiaWire.Key, raw: RawJSON) -> ApiKey {
    ApiKey(
      provider: .cartesia, id: key.id, name: key.description,
      createdAt: key.createdAt.flatMap(ISO8601.parse),
      creator: ApiKey.Creator(email: key.creatorEmail), raw: raw)
  }

  /// Reads the JSON error of version 2026-03-01, or the plain text older
  /// versions and proxies send; anything else is left to the client's excerpt.
  @Sendable static func parseError(_ body: Data) -> ProviderErrorBody? {
    if let decoded = try? JSONDecoder().decode(CartesiaWire.ErrorResponse.self, from: body),
      let text = decoded.message ?? decoded.title
    {
      var message = text
      if let code = decoded.errorCode { message += " (\(code))" }
      if let url = decoded.docURL { message += "; see \(url)" }
      return ProviderErrorBody(
        message: message, requestID: decoded.requestID)
    }
    return plainText(body).map { ProviderErrorBody(message: $0) }
  }

  /// A short single line from a plain-text body; nil for JSON, HTML or nothing.
  static func plainText(_ body: Data) -> String? {
    guard let text = String(data: body, encoding: .utf8) else { return nil }
    let words = text.split { character in
      character.isWhitespace
        || character.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
    let line = words.joined(separator: " ")
    guard let first = line.first, !"{[<".contains(first) else { return nil }
    return line.count > 200 ? String(line.prefix(200)) + "…" : line
  }
}
