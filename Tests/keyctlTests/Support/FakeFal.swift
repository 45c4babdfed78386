import Foundation
import KeyCore
import Testing

/// An in-memory fal platform API at `https://fal.test/v1`, speaking fal's real
/// wire shapes: `GET /keys` paged by `limit` and a base64 page-number `cursor`,
/// `POST /keys` answering 201 with the new secret, and fal's error body.
///
/// It checks the `Authorization: Key id:secret` header like fal does, records
/// every request, and fails the test on any request fal would not understand.
final class FakeFal: HTTPTransport, @unchecked Sendable {
  /// One stored key, as fal lists it.
  struct Key: Sendable, Equatable {
    var id: String
    var alias: String
    var createdAt: String
  }

  /// A canned answer that replaces the normal one.
  enum Answer: Sendable {
    /// fal's error body `{"error":{"type","message","request_id"}}` with this status.
    case error(status: Int, type: String, message: String, requestID: String)
    /// Any status and body, for unreadable responses.
    case raw(status: Int, contentType: String, body: String)
  }

  static let host = "fal.test"
  static let basePath = "/v1"

  private let lock = NSLock()
  private let adminKey: String
  private var keys: [Key]
  private var canned: Answer?
  private var cannedLeft = 0
  private var recorded: [HTTPRequest] = []
  private var createdCount = 0

  /// `count` seeded keys `key-001-…`, named `Key 001`…, newest first.
  convenience init(keyCount count: Int, adminKey: String = TestCLI.falAdminKey) {
    let keys = (0..<count).map { index in
      let number = String(format: "%03d", index + 1)
      return Key(
        id: "key-\(number)-\(String(format: "%04x", (index + 1) * 2_654 % 65_536))",
        alias: "Key \(number)",
        createdAt: String(format: "2025-%02d-%02dT12:00:00Z", 12 - index / 28, 28 - index % 28))
    }
    self.init(keys: keys, adminKey: adminKey)
  }

  init(keys: [Key], adminKey: String = TestCLI.falAdminKey) {
    self.keys = keys
    self.adminKey = adminKey
  }

  /// Every request received so far, in order.
  var requests: [HTTPRequest] {
    lock.withLock { recorded }
  }

  /// The stored keys (seeded plus created).
  var storedKeys: [Key] {
    lock.withLock { keys }
  }

  /// Answers the next `times` requests (default: all) with `answer` instead.
  func respond(_ answer: Answer, times: Int = Int.max) {
    lock.withLock {
      canned = answer
      cannedLeft = times
    }
  }

  /// Answers with fal's error body.
  func fail(
    status: Int, type: String = "server_error", message: String = "something went wrong",
    requestID: String = "req-0000", times: Int = Int.max
  ) {
    respond(
      .error(status: status, type: type, message: message, requestID: requestID), times: times)
  }

  func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    try lock.withLock { try answer(request) }
  }

  // MARK: - Private (called with the lock held)

  private func answer(_ request: HTTPRequest) throws -> HTTPResponse {
    recorded.append(request)
    guard let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false),
      components.scheme == "https", components.host == Self.host,
      components.path == Self.basePath + "/keys",
      request.method == "GET" || request.method == "POST"
    else {
      Issue.record("FakeFal got an unexpected request: \(request.method) \(request.url)")
      throw TransportFailure.connection("FakeFal does not serve \(request.url)")
    }
    if let answer = canned, cannedLeft > 0 {
      cannedLeft -= 1
      switch answer {
      case .error(let status, let type, let message, let requestID):
        return Self.error(status, type: type, message: message, requestID: requestID)
      case .raw(let status, let contentType, let body):
        return HTTPResponse(
          status: status, headers: ["Content-Type": contentType], body: Data(body.utf8))
      }
    }
    guard request.header("Authorization") == "Key " + adminKey else {
      return Self.error(
        401, type: "authorization_error", message: "Invalid API key", requestID: "req-auth")
    }
    var query: [String: String] = [:]
    for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
    return request.method == "GET" ? list(query) : create(request)
  }

  private func list(_ query: [String: String]) -> HTTPResponse {
    let unknown = Set(query.keys).subtracting(["limit", "cursor", "expand"])
    guard unknown.isEmpty else {
      return Self.error(
        400, type: "validation_error", message: "unknown parameter \(unknown.sorted())",
        requestID: "req-bad-query")
    }
    guard let limit = Int(query["limit"] ?? "10"), limit >= 1 else {
      return Self.error(
        400, type: "validation_error", message: "limit must be >= 1", requestID: "req-bad-limit")
    }
    var page = 1
    if let cursor = query["cursor"] {
      guard let data = Data(base64Encoded: cursor),
        let number = Int(String(decoding: data, as: UTF8.self)), number >= 1
      else {
        return Self.error(
          400, type: "validation_error", message: "invalid cursor", requestID: "req-bad-cursor")
      }
      page = number
    }
    let start = min(keys.count, (page - 1) * limit)
    let end = min(keys.count, start + limit)
    let hasMore = end < keys.count
    let items: [[String: Any]] = keys[start..<end].map {
      ["key_id": $0.id, "alias": $0.alias, "scope": "API", "created_at": $0.createdAt]
    }
    let body: [String: Any] = [
      "keys": items,
      "next_cursor": hasMore ? Data("\(page + 1)".utf8).base64EncodedString() : NSNull(),
      "has_more": hasMore,
    ]
    return Self.json(200, body)
  }

  private func create(_ request: HTTPRequest) -> HTTPResponse {
    guard let body = request.body,
      let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
      let alias = object["alias"] as? String, !alias.isEmpty
    else {
      return Self.error(
        400, type: "validation_error", message: "alias is required", requestID: "req-no-alias")
    }
    createdCount += 1
    let id = "new-key-\(createdCount)"
    let secret = "fresh-secret-\(createdCount)-5f0c9a7e1d2b"
    keys.insert(Key(id: id, alias: alias, createdAt: "2026-01-01T00:00:00Z"), at: 0)
    return Self.json(201, ["key_id": id, "key_secret": secret, "key": id + ":" + secret])
  }

  /// The secret (`key_id:key_secret`) of the `number`th key created.
  static func createdSecret(_ number: Int) -> String {
    "new-key-\(number):fresh-secret-\(number)-5f0c9a7e1d2b"
  }

  private static func json(_ status: Int, _ object: [String: Any]) -> HTTPResponse {
    let data =
      (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: data)
  }

  private static func error(_ status: Int, type: String, message: String, requestID: String)
    -> HTTPResponse
  {
    json(status, ["error": ["type": type, "message": message, "request_id": requestID]])
  }
}
