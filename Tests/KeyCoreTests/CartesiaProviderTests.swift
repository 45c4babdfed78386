import Foundation
import Testing

@testable import KeyCore

private let adminKey = "sk_car_admin_0123456789abcdef"
private let environment = ["CARTESIA_ADMIN_KEY": adminKey]

/// Keys shaped like the seed's `ApiKey` schema: every field, and the nullable
/// creator fields of an older key.
private let keyA =
  #"{"id":"key_01HQA","description":"Production TTS","created_at":"2026-01-15T12:00:00Z","#
  + #""creator_email":"ada@example.com","creator_still_in_org":true,"#
  + #""creator_image_url":"https://img.example.com/ada.png"}"#
private let keyB = """
  {
      "id": "key_01HQB",
      "description": "staging",
      "created_at": "2025-11-02T08:15:30.5+01:00",
      "creator_email": null,
      "creator_still_in_org": null,
      "creator_image_url": null
    }
  """
private let keyC =
  #"{"id":"key_01HQC","description":"batch \"nightly\"","created_at":"2025-10-01T00:00:00Z"}"#

private func page(_ keys: [String], hasMore: Bool) -> String {
  "{\"data\": [\n  \(keys.joined(separator: ",\n  "))\n], \"has_more\": \(hasMore)}"
}

@Suite struct CartesiaProviderTests {
  @Test func pagesWithStartingAfterUntilHasMoreIsFalse() async throws {
    let transport = MockTransport([
      .json("GET", "/api-keys", query: ["limit": "100"], body: page([keyA, keyB], hasMore: true)),
      .json(
        "GET", "/api-keys", query: ["limit": "100", "starting_after": "key_01HQB"],
        body: page([keyC], hasMore: false)),
    ])
    let provider = try makeProvider(.cartesia, environment: environment, transport: transport)
    let keys = try await collect(provider)

    #expect(transport.unusedSteps.isEmpty)
    #expect(keys.map(\.id) == ["key_01HQA", "key_01HQB", "key_01HQC"])
    #expect(keys.map(\.raw.bytes) == [keyA, keyB, keyC].map(compactJSON))
    for request in transport.requests {
      #expect(request.url.host == "api.cartesia.ai")
      #expect(request.header("Authorization") == "Bearer \(adminKey)")
      #expect(request.header("Cartesia-Version") == "2026-03-01")
    }
  }

  @Test func theNextPositionIsTheLastIDWhileHasMore() async throws {
    let transport = MockTransport([
      .json(
        "GET", "/api-keys", query: ["limit": "100", "starting_after": "key_01HQA"],
        body: page([keyB], hasMore: true))
    ])
    let provider = try makeProvider(.cartesia, environment: environment, transport: transport)
    let result = try await provider.page(at: .token("key_01HQA"), options: ListOptions())
    #expect(result.next == .token("key_01HQB"))
  }

  /// An empty page that says more follow has no last id to go on from: the
  /// listing stops with an error (it may be incomplete) after that one request,
  /// instead of ending as if it were complete or asking again.
  @Test func anEmptyPageWithHasMoreStopsTheListingWithAnError() async throws {
    let transport = MockTransport([
      .json("GET", "/api-keys", query: ["limit": "100"], body: page([], hasMore: true))
    ])
    let provider = try makeProvider(.cartesia, environment: environment, transport: transport)
    let error = try await #require(throws: KeyError.self) { try await collect(provider) }
    #expect(error.kind == .badResponse)
    #expect(error.message.contains("no keys that says more follow"))
    #expect(transport.requests.count == 1)
  }

  @Test(arguments: [(500, "100"), (10, "10"), (0, "1")])
  func limitIsThePageSizeClampedToOneHundred(_ pageSize: Int, _ sent: String) async throws {
    let transport = MockTransport([
      .json("GET", "/api-keys", query: ["limit": sent], body: page([], hasMore: false))
    ])
    let provider = try makeProvider(.cartesia, environment: environment, transport: transport)
    var options = ListOptions()
    options.pageSize = pageSize
    _ = try await collect(provider, options: options)
    #expect(transport.unusedSteps.isEmpty)
  }

  @Test func theQueryIsSentOnEveryPage() async throws {
    let transport = MockTransport([
      .json(
        "GET", "/api-keys", query: ["limit": "10", "q": "ada@example.com"],
        body: page([keyA], hasMore: true)),
      .json(
        "GET", "/api-keys",
        query: ["limit": "10", "q": "ada@example.com", "starting_after": "key_01HQA"],
        body: page([], hasMore: false)),
    ])
    let provider = try makeProvider(.cartesia, environment: environment, transport: transport)
    var options = ListOptions()
    options.pageSize = 10
    options.query = "ada@example.com"
    _ = try await collect(provider, options: options)
    #expect(transport.unusedSteps.isEmpty)
    #expect(transport.requests.first?.url.query?.contains("q=ada%40example.com") == true)
  }

  @Test func mapsEveryField() async throws {
    let transport = MockTransport([
      .json("GET", "/api-keys", query: ["limit": "100"], body: page([keyA, keyB], hasMore: false))
    ])
    let provider = try makeProvider(.cartesia, environment: environment, transport: transport)
    let keys = try await collect(provider)
    let first = try #require(keys.first)
    #expect(first.provider == .cartesia)
    #expect(first.name == "Production TTS")
    #expect(first.createdAt == ISO8601.parse("2026-01-15T12:00:00Z"))
    #expect(first.creator == ApiKey.Creator(email: "ada@example.com"))
    #expect(first.scope == nil)
    #expect(first.status == nil)
    #expect(first.expiresAt == nil)
    #expect(first.lastUsedAt == nil)
    let second = try #require(keys.last)
    #expect(second.name == "staging")
    #expect(second.createdAt == Date(timeIntervalSince1970: 1_762_067_730.5))
    #expect(second.creator == ApiKey.Creator())
  }

  @Test func aBodyWithoutHasMoreIsABadResponse() async throws {
    let transport = MockTransport([
      .json("GET", "/api-keys", query: ["limit": "100"], body: #"{"data":[]}"#)
    ])
    let provider = try makeProvider(.cartesia, environment: environment, transport: transport)
    let error = try await #require(throws: KeyError.self) { try await collect(provider) }
    #expect(error.kind == .badResponse)
    #expect(error.message.contains("has_more"))
  }

  @Test func malformedJSONIsABadResponse() async throws {
    let transport = MockTransport([
      .json("GET", "/api-keys", query: ["limit": "100"], body: #"{"data":[{"id":"#)
    ])
    let provider = try makeProvider(.cartesia, environment: environment, transport: transport)
    let error = try await #require(throws: KeyError.self) { try await collect(provider) }
    #expect(error.kind == .badResponse)
    #expect(error.provider == .cartesia)
  }

  struct ErrorCase: Sendable, CustomTestStringConvertible {
    let status: Int
    let contentType: String
    let body: String
    let kind: KeyError.Kind
    let message: String
    let requestID: String?
    var testDescription: String { "\(status) \(contentType)" }
  }

  static let errorCases = [
    ErrorCase(
      status: 401, contentType: "application/json",
      body: #"{"error_code":"invalid_api_key","title":"Unauthorized","#
        + #""message":"The API key is not an admin key.","request_id":"req_c1","#
        + #""doc_url":"https://docs.cartesia.ai/errors"}"#,
      kind: .auth,
      message:
        "The API key is not an admin key. (invalid_api_key); see https://docs.cartesia.ai/errors",
      requestID: "req_c1"),
    ErrorCase(
      status: 429, contentType: "application/json",
      body: #"{"error_code":null,"title":"Too Many Requests","message":"Slow down.","#
        + #""request_id":"req_c2"}"#,
      kind: .rateLimited, message: "Slow down.", requestID: "req_c2"),
    ErrorCase(
      status: 400, contentType: "application/json",
      body: #"{"error_code":"bad_request","title":"Bad Request","request_id":"req_c3"}"#,
      kind: .usage, message: "Bad Request (bad_request)", requestID: "req_c3"),
    ErrorCase(
      status: 403, contentType: "text/plain",
      body: "  Forbidden:\n\tadmin key required\r\n", kind: .auth,
      message: "Forbidden: admin key required", requestID: nil),
    ErrorCase(
      status: 502, contentType: "text/html", body: "<html><h1>Bad Gateway</h1></html>",
      kind: .server, message: #""<html><h1>Bad Gateway</h1></html>""#, requestID: nil),
    ErrorCase(
      status: 500, contentType: "application/json", body: #"{"detail":"boom"}"#, kind: .server,
      message: #""{"detail":"boom"}""#, requestID: nil),
  ]

  @Test(arguments: errorCases)
  func errorBodiesMapToKeyErrors(_ testCase: ErrorCase) async throws {
    let transport = MockTransport([
      .json(
        "GET", "/api-keys", query: ["limit": "100"], status: testCase.status,
        headers: ["Content-Type": testCase.contentType], body: testCase.body)
    ])
    let provider = try makeProvider(.cartesia, environment: environment, transport: transport)
    let error = try await #require(throws: KeyError.self) { try await collect(provider) }
    #expect(error.kind == testCase.kind)
    #expect(error.status == testCase.status)
    #expect(error.provider == .cartesia)
    #expect(error.message == "Cartesia answered HTTP \(testCase.status): \(testCase.message)")
    #expect(error.requestID == testCase.requestID)
  }

  @Test func aLongPlainTextErrorIsShortened() async throws {
    let body = String(repeating: "word\n", count: 100)
    #expect(CartesiaProvider.plainText(Data(body.utf8))?.contains("\n") == false)
    let transport = MockTransport([
      .json(
        "GET", "/api-keys", query: ["limit": "100"], status: 500,
        headers: ["Content-Type": "text/plain"], body: body)
    ])
    let provider = try makeProvider(.cartesia, environment: environment, transport: transport)
    let error = try await #require(throws: KeyError.self) { try await collect(provider) }
    let quoted = error.message.replacingOccurrences(of: "Cartesia answered HTTP 500: ", with: "")
    #expect(quoted.count == 301)
    #expect(quoted.hasSuffix("…"))
  }

  @Test func anAuthFailureSaysAnAdminKeyIsNeeded() async throws {
    let transport = MockTransport([
      .json("GET", "/api-keys", query: ["limit": "100"], status: 401, body: "Unauthorized")
    ])
    let provider = try makeProvider(
      .cartesia, environment: ["CARTESIA_API_KEY": "sk_car_standard"], transport: transport)
    let error = try await #require(throws: KeyError.self) { try await collect(provider) }
    #expect(error.hint?.contains("CARTESIA_API_KEY") == true)
    #expect(error.hint?.contains("sk_car_admin_") == true)
  }

  @Test func createIsUnsupportedAndSendsNothing() async throws {
    let transport = MockTransport()
    let provider = try makeProvider(.cartesia, environment: environment, transport: transport)
    let error = try await #require(throws: KeyError.self) {
      try await provider.create(CreateRequest(name: "new"))
    }
    #expect(error.kind == .unsupported)
    #expect(error.provider == .cartesia)
    #expect(error.exitCode == 8)
    #expect(
      error.message == "Cartesia's API has no endpoint to create keys; create them in its dashboard"
    )
    #expect(transport.requests.isEmpty)
  }
}
