import Foundation
import Testing

@testable import KeyCore

@Suite struct FalProviderTests {
  let env = [
    "FAL_ADMIN_KEY": "adm_id:adm-secret-value", "KEYCTL_FAL_BASE_URL": "https://fal.test/v1",
  ]

  func provider(_ transport: MockTransport, retries: Int = 0) throws -> any KeyProvider {
    try ProviderRegistry(environment: env, settings: testSettings(transport, retries: retries))
      .makeWithoutRunning(
        .fal)
  }

  static func page(_ ids: [String], next: String?) -> String {
    let keys = ids.map {
      #"{"key_id":"\#($0)","alias":"Key \#($0)","scope":"API","created_at":"2025-01-15T12:00:00Z"}"#
    }
    let cursor = next.map { "\"\($0)\"" } ?? "null"
    return
      #"{"keys":[\#(keys.joined(separator: ","))],"next_cursor":\#(cursor),"has_more":\#(next != nil)}"#
  }

  @Test func listsEveryPageOnceFollowingNextCursor() async throws {
    let transport = MockTransport([
      .json("GET", "/v1/keys", query: ["limit": "100"], body: Self.page(["a", "b"], next: "Mg==")),
      .json(
        "GET", "/v1/keys", query: ["limit": "100", "cursor": "Mg=="],
        body: Self.page(["c", "d"], next: "Mw==")),
      .json(
        "GET", "/v1/keys", query: ["limit": "100", "cursor": "Mw=="],
        body: Self.page(["e"], next: nil)),
    ])
    let keys = try await collect(try provider(transport))
    #expect(keys.map(\.id) == ["a", "b", "c", "d", "e"])
    #expect(transport.unusedSteps.isEmpty)
    let first = try #require(keys.first)
    #expect(first.provider == .fal)
    #expect(first.name == "Key a")
    #expect(first.scope == "API")
    #expect(first.status == nil)
    #expect(first.createdAt.map(ISO8601.format) == "2025-01-15T12:00:00Z")
    #expect(
      String(decoding: first.raw.bytes, as: UTF8.self)
        == #"{"key_id":"a","alias":"Key a","scope":"API","created_at":"2025-01-15T12:00:00Z"}"#)
  }

  @Test func sendsTheAdminKeyWithTheKeyScheme() async throws {
    let transport = MockTransport([
      .json("GET", "/v1/keys", query: ["limit": "100"], body: Self.page([], next: nil))
    ])
    _ = try await collect(try provider(transport))
    let request = try #require(transport.requests.first)
    #expect(request.header("Authorization") == "Key adm_id:adm-secret-value")
    #expect(request.header("User-Agent") == "keyctl")
  }

  @Test func credentialPrecedence() throws {
    #expect(
      ProviderID.fal.credential(in: ["FAL_KEY": "k:1", "FAL_ADMIN_KEY": "a:1"])?.source
        == "FAL_ADMIN_KEY")
    #expect(ProviderID.fal.credential(in: ["FAL_KEY": "k:1"])?.secret == "k:1")
    let pair = ProviderID.fal.credential(in: ["FAL_KEY_ID": "id", "FAL_KEY_SECRET": "sec"])
    #expect(pair?.secret == "id:sec")
    #expect(ProviderID.fal.credential(in: ["FAL_KEY_ID": "id"]) == nil)
    #expect(ProviderID.fal.credential(in: ["FAL_KEY": ""]) == nil)
  }

  @Test func expandCreatorAsksForCreatorInfoAndMapsIt() async throws {
    let body =
      #"{"keys":[{"key_id":"a","alias":"A","scope":"API","created_at":"2025-01-15T12:00:00Z","creator_nickname":"dev","creator_email":"dev@example.com"}],"next_cursor":null,"has_more":false}"#
    let transport = MockTransport([
      .json("GET", "/v1/keys", query: ["limit": "100", "expand": "creator_info"], body: body)
    ])
    var options = ListOptions()
    options.expandCreator = true
    let keys = try await collect(try provider(transport), options: options)
    #expect(keys.first?.creator == ApiKey.Creator(email: "dev@example.com", name: "dev"))
  }

  @Test func pageSizeIsClampedToWhatFalServes() async throws {
    let transport = MockTransport([
      .json("GET", "/v1/keys", query: ["limit": "100"], body: Self.page([], next: nil)),
      .json("GET", "/v1/keys", query: ["limit": "7"], body: Self.page([], next: nil)),
    ])
    let fal = try provider(transport)
    var options = ListOptions()
    options.pageSize = 5000
    _ = try await collect(fal, options: options)
    options.pageSize = 7
    _ = try await collect(fal, options: options)
    #expect(transport.unusedSteps.isEmpty)
  }

  @Test func createPostsTheAliasAndReturnsTheWholeKeyAsSecret() async throws {
    let transport = MockTransport([
      .json(
        "POST", "/v1/keys", status: 201,
        body: #"{"key_id":"abc","key_secret":"sk_live_xyz","key":"abc:sk_live_xyz"}"#)
    ])
    let created = try await provider(transport).create(CreateRequest(name: "ci"))
    #expect(created.secret == "abc:sk_live_xyz")
    #expect(created.key.id == "abc")
    #expect(created.key.name == "ci")
    let request = try #require(transport.requests.first)
    #expect(request.body == Data(#"{"alias":"ci"}"#.utf8))
    #expect(request.header("Content-Type") == "application/json")
    let raw = String(decoding: created.key.raw.bytes, as: UTF8.self)
    #expect(raw == #"{"key_id":"abc"}"#)
  }

  static let errorCases: [(Int, KeyError.Kind, Int32)] = [
    (400, .usage, 2), (401, .auth, 3), (403, .auth, 3), (404, .notFound, 4), (429, .rateLimited, 5),
    (500, .server, 6), (503, .server, 6),
  ]

  @Test(arguments: errorCases)
  func errorStatusesMapToKindAndExitCode(status: Int, kind: KeyError.Kind, code: Int32) async throws
  {
    let body = #"{"error":{"type":"some_error","message":"It went wrong","request_id":"req_42"}}"#
    let transport = MockTransport([
      .json("GET", "/v1/keys", query: ["limit": "100"], status: status, body: body)
    ])
    let error = await #expect(throws: KeyError.self) {
      _ = try await collect(try provider(transport))
    }
    #expect(error?.kind == kind)
    #expect(error?.exitCode == code)
    #expect(error?.status == status)
    #expect(error?.requestID == "req_42")
    #expect(error?.provider == .fal)
    #expect(error?.message.contains("HTTP \(status)") == true)
    #expect(error?.message.contains("It went wrong") == true)
  }

  @Test func retriesSafeRequestsThenSucceeds() async throws {
    let failing = #"{"error":{"type":"server_error","message":"boom"}}"#
    let transport = MockTransport([
      .json("GET", "/v1/keys", query: ["limit": "100"], status: 503, body: failing),
      .json(
        "GET", "/v1/keys", query: ["limit": "100"], status: 429, headers: ["Retry-After": "0"],
        body: failing),
      .json("GET", "/v1/keys", query: ["limit": "100"], body: Self.page(["a"], next: nil)),
    ])
    let keys = try await collect(try provider(transport, retries: 3))
    #expect(keys.map(\.id) == ["a"])
    #expect(transport.requests.count == 3)
  }

  @Test func neverRetriesACreate() async throws {
    let transport = MockTransport([
      .json(
        "POST", "/v1/keys", status: 503,
        body: #"{"error":{"type":"server_error","message":"down"}}"#)
    ])
    let error = await #expect(throws: KeyError.self) {
      _ = try await provider(transport, retries: 3).create(CreateRequest(name: "x"))
    }
    #expect(transport.requests.count == 1)
    #expect(error?.hint?.contains("may exist") == true)
  }

  @Test func malformedJSONIsABadResponse() async throws {
    let transport = MockTransport([
      .json("GET", "/v1/keys", query: ["limit": "100"], body: #"{"keys":[{"key_id":"#)
    ])
    let error = await #expect(throws: KeyError.self) {
      _ = try await collect(try provider(transport))
    }
    #expect(error?.kind == .badResponse)
    #expect(error?.exitCode == 6)
    #expect(error?.message.contains("fal") == true)
  }

  @Test func htmlErrorPageIsReportedWithAnExcerpt() async throws {
    let transport = MockTransport([
      .json(
        "GET", "/v1/keys", query: ["limit": "100"], status: 200,
        headers: ["Content-Type": "text/html"],
        body: "<html><body>Bad gateway</body></html>")
    ])
    let error = await #expect(throws: KeyError.self) {
      _ = try await collect(try provider(transport))
    }
    #expect(error?.kind == .badResponse)
    #expect(error?.message.contains("text/html") == true)
    #expect(error?.message.contains("Bad gateway") == true)
  }

  @Test func aRepeatedCursorStopsInsteadOfLooping() async throws {
    let transport = MockTransport([
      .json("GET", "/v1/keys", query: ["limit": "100"], body: Self.page(["a"], next: "Mg==")),
      .json(
        "GET", "/v1/keys", query: ["limit": "100", "cursor": "Mg=="],
        body: Self.page(["b"], next: "Mg==")),
    ])
    let error = await #expect(throws: KeyError.self) {
      _ = try await collect(try provider(transport))
    }
    #expect(error?.kind == .badResponse)
    #expect(error?.message.contains("already returned") == true)
  }

  @Test func anEchoedSecretIsRedactedFromErrors() async throws {
    let body =
      #"{"error":{"type":"server_error","message":"bad header Key adm_id:adm-secret-value"}}"#
    let transport = MockTransport([
      .json("GET", "/v1/keys", query: ["limit": "100"], status: 500, body: body)
    ])
    let error = await #expect(throws: KeyError.self) {
      _ = try await collect(try provider(transport))
    }
    #expect(error?.message.contains("adm-secret-value") == false)
    #expect(error?.message.contains(Redactor.mask) == true)
  }

  @Test func timeoutsAndDroppedConnectionsAreNetworkErrors() async throws {
    let transport = MockTransport([.failure(.timedOut)])
    let error = await #expect(throws: KeyError.self) {
      _ = try await collect(try provider(transport))
    }
    #expect(error?.kind == .network)
    #expect(error?.exitCode == 6)
  }

  @Test func missingCredentialsFailBeforeAnyRequest() throws {
    let transport = MockTransport()
    let registry = ProviderRegistry(environment: [:], settings: testSettings(transport))
    let error = #expect(throws: KeyError.self) { _ = try registry.makeWithoutRunning(.fal) }
    #expect(error?.kind == .auth)
    #expect(error?.hint?.contains("FAL_ADMIN_KEY") == true)
    #expect(transport.requests.isEmpty)
  }

  @Test(arguments: [
    ("http://api.example.com", false), ("https://api.example.com/v1", true),
    ("http://127.0.0.1:9000/fal/v1", true), ("http://localhost:8000", true), ("ftp://x", false),
    ("not a url", false),
  ])
  func baseURLsMustBeHTTPSUnlessLoopback(url: String, accepted: Bool) {
    let result = Result { try ProviderID.fal.baseURL(override: url, environment: [:]) }
    #expect(((try? result.get()) != nil) == accepted)
  }
}

@Suite struct ProviderClientEdgeTests {
  let env = [
    "FAL_ADMIN_KEY": "adm_id:adm-secret-value", "KEYCTL_FAL_BASE_URL": "https://fal.test/v1",
  ]

  @Test func aHugeProviderMessageIsShortened() async throws {
    let long = String(repeating: "x", count: 100_000)
    let transport = MockTransport([
      .json(
        "GET", "/v1/keys", query: ["limit": "100"], status: 500,
        body: #"{"error":{"type":"server_error","message":"\#(long)"}}"#)
    ])
    let fal = try ProviderRegistry(environment: env, settings: testSettings(transport))
      .makeWithoutRunning(.fal)
    let error = await #expect(throws: KeyError.self) { _ = try await collect(fal) }
    #expect((error?.message.count ?? .max) < 400)
  }

  @Test func aCreateCancelledInFlightSaysTheKeyMayExist() async throws {
    let transport = MockTransport([.failure(.cancelled)])
    let fal = try ProviderRegistry(environment: env, settings: testSettings(transport))
      .makeWithoutRunning(.fal)
    let error = await #expect(throws: KeyError.self) {
      _ = try await fal.create(CreateRequest(name: "x"))
    }
    #expect(error?.kind == .interrupted)
    #expect(error?.hint?.contains("may exist") == true)
  }
}
