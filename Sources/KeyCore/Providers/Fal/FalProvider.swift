import Foundation

/// fal's platform API: `GET /keys` paged by an opaque cursor, `POST /keys` to create.
struct FalProvider: KeyProvider {
  let id = ProviderID.fal
  let client: ProviderClient

  @available(macOS 15.0, *)
  var executor: (any TaskExecutor)? { client.executor }

  func page(at position: PagePosition, options: ListOptions) async throws -> Page {
    var query = [("limit", String(pageSize(for: options) ?? 100))]
    if case .token(let cursor) = position { query.append(("cursor", cursor)) }
    if options.expandCreator { query.append(("expand", "creator_info")) }
    let response = try await client.get("/keys", query: query)
    let (body, raws) = try read(response)
    let keys = zip(body.keys, raws).map { Self.normalize($0, raw: $1) }
    let more = body.hasMore ?? (body.nextCursor != nil)
    let next = more ? body.nextCursor.map(PagePosition.token) : nil
    return Page(keys: keys, next: next)
  }

  /// A page's keys with their exact bytes: in one strict pass when `JSONReader`
  /// vouches for the body (the usual case), else by `JSONDecoder` and
  /// `JSONSlicer`, whose errors say what is wrong. Both read a page the same.
  private func read(_ response: HTTPResponse) throws -> (FalWire.ListResponse, [RawJSON]) {
    if client.mayBeJSON(response), let read = FalWire.ListResponse.read(response.body) {
      return read
    }
    let body = try client.decode(FalWire.ListResponse.self, from: response)
    let raws = try client.rawElements(ofArray: "keys", in: response, expecting: body.keys.count)
    return (body, raws)
  }

  func create(_ request: CreateRequest) async throws -> CreatedKey {
    let payload = try JSONEncoder().encode(FalWire.CreateRequest(alias: request.name))
    let response = try await client.post("/keys", json: payload)
    let body = try client.decode(FalWire.CreateResponse.self, from: response)
    guard let secret = body.key ?? body.keySecret.map({ body.keyID + ":" + $0 }) else {
      throw client.unreadable(response, reason: "the new key's secret is missing")
    }
    let key = ApiKey(
      provider: .fal, id: body.keyID, name: request.name, createdAt: nil,
      raw: RawJSON.stripping(["key", "key_secret"], from: response.body))
    return CreatedKey(key: key, secret: secret)
  }

  static func normalize(_ key: FalWire.Key, raw: RawJSON) -> ApiKey {
    ApiKey(
      provider: .fal, id: key.keyID, name: key.alias,
      createdAt: key.createdAt.flatMap(ISO8601.parse),
      scope: key.scope,
      creator: ApiKey.Creator(email: key.creatorEmail, name: key.creatorNickname), raw: raw)
  }

  @Sendable static func parseError(_ body: Data) -> ProviderErrorBody? {
    guard let decoded = try? JSONDecoder().decode(FalWire.ErrorResponse.self, from: body) else {
      return nil
    }
    if let error = decoded.error {
      let message = [error.message, error.type.map { "(\($0))" }].compactMap { $0 }.joined(
        separator: " ")
      return ProviderErrorBody(
        message: message.isEmpty ? nil : message, requestID: error.requestID)
    }
    return decoded.detail.map { ProviderErrorBody(message: $0) }
  }
}
