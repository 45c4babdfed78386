import Foundation
import Testing

@testable import KeyCore

private let managementKey = "sk-or-v1-management-0123456789"
private let environment = ["OPENROUTER_MANAGEMENT_KEY": managementKey]
private let workspace = "0df9e665-d932-5740-b2c7-b52af166bc11"

/// The seed's example key, plus the fields OpenRouter's SDK 1.3.84 has since added.
private let seedKey = """
  {
      "byok_usage": 17.38, "byok_usage_daily": 17.38, "byok_usage_monthly": 17.38,
      "byok_usage_weekly": 17.38, "created_at": "2025-08-24T10:30:00Z",
      "creator_user_id": "user_2dHFtVWx2n56w6HkM0000000000", "disabled": false,
      "expires_at": "2027-12-31T23:59:59Z",
      "hash": "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943",
      "include_byok_in_limit": false, "label": "sk-or-v1-0e6...1c96", "limit": 100,
      "limit_remaining": 74.5, "limit_reset": "monthly", "name": "My Production Key",
      "updated_at": "2025-08-24T15:45:00Z", "usage": 25.5, "usage_daily": 25.5,
      "usage_monthly": 25.5, "usage_weekly": 25.5, "workspace_id": "\(workspace)",
      "last_used_at": "2025-12-30T18:00:00.123Z", "external_user": null
    }
  """

private func key(
  _ hash: String, disabled: Bool = false, expiresAt: String? = nil, creator: String? = nil
) -> String {
  let expiry = expiresAt.map { "\"\($0)\"" } ?? "null"
  let user = creator.map { "\"\($0)\"" } ?? "null"
  return #"{"hash":"\#(hash)","name":"key \#(hash)","label":"sk-or-v1-abc...def","#
    + #""disabled":\#(disabled),"limit":null,"created_at":"2025-09-01T00:00:00Z","#
    + #""expires_at":\#(expiry),"last_used_at":null,"creator_user_id":\#(user)}"#
}

private func page(_ keys: [String]) -> String {
  "{\"data\":[\(keys.joined(separator: ","))]}"
}

private func fullPage(from first: Int) -> String {
  page((first..<first + 100).map { key("h\($0)") })
}

@Suite struct OpenRouterProviderTests {
  @Test func fullPagesAdvanceTheOffsetAndAnEmptyPageEnds() async throws {
    let transport = MockTransport([
      .json("GET", "/keys", query: ["offset": "0"], body: fullPage(from: 0)),
      .json("GET", "/keys", query: ["offset": "100"], body: fullPage(from: 100)),
      .json("GET", "/keys", query: ["offset": "200"], body: page([])),
    ])
    let provider = try makeProvider(.openrouter, environment: environment, transport: transport)
    let keys = try await collect(provider)
    #expect(transport.unusedSteps.isEmpty)
    #expect(keys.count == 200)
    #expect(keys.first?.id == "h0")
    #expect(keys.last?.id == "h199")
    for request in transport.requests {
      #expect(request.url.absoluteString.hasPrefix("https://openrouter.ai/api/v1/keys?offset="))
      #expect(request.header("Authorization") == "Bearer \(managementKey)")
    }
  }

  @Test func aShortPageEndsTheListing() async throws {
    let transport = MockTransport([
      .json("GET", "/keys", query: ["offset": "100"], body: page([key("a"), key("b")]))
    ])
    let provider = try makeProvider(.openrouter, environment: environment, transport: transport)
    let result = try await provider.page(at: .token("100"), options: ListOptions())
    #expect(result.keys.map(\.id) == ["a", "b"])
    #expect(result.next == nil)
  }

  @Test func aFullPageNamesTheNextOffset() async throws {
    let transport = MockTransport([
      .json("GET", "/keys", query: ["offset": "300"], body: fullPage(from: 300))
    ])
    let provider = try makeProvider(.openrouter, environment: environment, transport: transport)
    let result = try await provider.page(at: .token("300"), options: ListOptions())
    #expect(result.next == .token("400"))
  }

  @Test func filtersAreSentOnEveryPage() async throws {
    let filters = [
      "include_disabled": "true", "include_expired": "true", "workspace_id": workspace,
    ]
    let transport = MockTransport([
      .json(
        "GET", "/keys", query: filters.merging(["offset": "0"]) { $1 }, body: fullPage(from: 0)),
      .json("GET", "/keys", query: filters.merging(["offset": "100"]) { $1 }, body: page([])),
    ])
    let provider = try makeProvider(.openrouter, environment: environment, transport: transport)
    var options = ListOptions()
    options.includeDisabled = true
    options.includeExpired = true
    options.workspaceID = workspace
    options.pageSize = 10  // OpenRouter has no page size: never sent
    _ = try await collect(provider, options: options)
    #expect(transport.unusedSteps.isEmpty)
  }

  @Test func aPositionThatIsNotAnOffsetIsRefused() async throws {
    let transport = MockTransport()
    let provider = try makeProvider(.openrouter, environment: environment, transport: transport)
    let error = try await #require(throws: KeyError.self) {
      try await provider.page(at: .token("-5"), options: ListOptions())
    }
    #expect(error.kind == .usage)
    #expect(transport.requests.isEmpty)
  }

  @Test func mapsEveryFieldOfTheSeedKey() async throws {
    let body = "{\n  \"data\": [\n    \(seedKey)\n  ]\n}"
    let transport = MockTransport([.json("GET", "/keys", query: ["offset": "0"], body: body)])
    let provider = try makeProvider(.openrouter, environment: environment, transport: transport)
    let keys = try await collect(provider)
    let only = try #require(keys.first)
    #expect(keys.count == 1)
    #expect(only.provider == .openrouter)
    #expect(only.id == "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943")
    #expect(only.name == "My Production Key")
    #expect(only.createdAt == ISO8601.parse("2025-08-24T10:30:00Z"))
    #expect(only.expiresAt == ISO8601.parse("2027-12-31T23:59:59Z"))
    let lastUsed = try #require(only.lastUsedAt).timeIntervalSince1970
    #expect(abs(lastUsed - 1_767_117_600.123) < 0.000_5)  // 2025-12-30T18:00:00.123Z
    #expect(only.status == .active)
    #expect(only.scope == nil)
    #expect(only.creator == ApiKey.Creator(id: "user_2dHFtVWx2n56w6HkM0000000000"))
    #expect(only.raw.bytes == compactJSON(seedKey))
  }

  /// The fixed clock of `testSettings` is 2026-01-01T00:00:00Z.
  @Test func statusComesFromDisabledThenExpiry() async throws {
    let elements = [
      key("active-no-expiry"),
      key("active-future", expiresAt: "2026-01-01T00:00:01Z"),
      key("expired", expiresAt: "2025-12-31T23:59:59Z"),
      key("expired-now", expiresAt: "2026-01-01T02:00:00+02:00"),
      key("disabled", disabled: true),
      key("disabled-and-expired", disabled: true, expiresAt: "2025-01-01T00:00:00Z"),
    ]
    let transport = MockTransport([
      .json("GET", "/keys", query: ["offset": "0"], body: page(elements))
    ])
    let provider = try makeProvider(.openrouter, environment: environment, transport: transport)
    let keys = try await collect(provider)
    #expect(keys.map(\.status) == [.active, .active, .expired, .expired, .disabled, .disabled])
    #expect(keys.map(\.raw.bytes) == elements.map { Data($0.utf8) })
    #expect(keys.allSatisfy { $0.lastUsedAt == nil && $0.creator == ApiKey.Creator() })
  }

  @Test func createSendsEveryOptionInUTC() async throws {
    let data = """
      {
          "hash": "abc123", "name": "ci bot", "label": "sk-or-v1-9f2...77aa", "disabled": false,
          "limit": 12.5, "limit_reset": "monthly", "include_byok_in_limit": true,
          "created_at": "2026-01-01T00:00:00Z", "expires_at": "2026-06-30T23:30:00Z",
          "last_used_at": null, "creator_user_id": "user_1", "workspace_id": "\(workspace)"
        }
      """
    let secret = "sk-or-v1-" + String(repeating: "9", count: 64)
    let transport = MockTransport([
      .json(
        "POST", "/keys", status: 201, body: "{\n  \"data\": \(data),\n  \"key\": \"\(secret)\"\n}")
    ])
    let provider = try makeProvider(.openrouter, environment: environment, transport: transport)
    var request = CreateRequest(name: "ci bot")
    request.creditLimit = 12.5
    request.limitReset = "monthly"
    request.includeByokInLimit = true
    request.expiresAt = ISO8601.parse("2026-07-01T01:30:00+02:00")
    request.workspaceID = workspace
    let created = try await provider.create(request)

    #expect(
      sentBody(transport.requests.first)
        == #"{"expires_at":"2026-06-30T23:30:00Z","include_byok_in_limit":true,"limit":12.5,"#
        + #""limit_reset":"monthly","name":"ci bot","workspace_id":"\#(workspace)"}"#)
    #expect(transport.requests.first?.header("Content-Type") == "application/json")
    #expect(created.secret == secret)
    #expect(created.key.id == "abc123")
    #expect(created.key.name == "ci bot")
    #expect(created.key.status == .active)
    #expect(created.key.expiresAt == ISO8601.parse("2026-06-30T23:30:00Z"))
    #expect(created.key.creator.id == "user_1")
    #expect(created.key.raw.bytes == compactJSON(data))
  }

  @Test(arguments: [
    (CreateRequest(name: "ci"), #"{"name":"ci"}"#),
    (
      {
        var request = CreateRequest(name: "a/b")
        request.creditLimit = 100
        request.includeByokInLimit = false
        request.expiresAt = Date(timeIntervalSince1970: 1_782_862_200.75)
        return request
      }(),
      #"{"expires_at":"2026-06-30T23:30:00Z","include_byok_in_limit":false,"limit":100,"#
        + #""name":"a/b"}"#
    ),
  ])
  func createLeavesOutWhatWasNotGiven(_ request: CreateRequest, _ expected: String) async throws {
    let data = #"{"hash":"h","name":"n","disabled":false}"#
    let transport = MockTransport([
      .json("POST", "/keys", status: 201, body: #"{"key":"sk-or-v1-x","data":\#(data)}"#)
    ])
    let provider = try makeProvider(.openrouter, environment: environment, transport: transport)
    let created = try await provider.create(request)
    #expect(sentBody(transport.requests.first) == expected)
    #expect(created.key.raw.bytes == Data(data.utf8))
  }

  @Test func rawOfACreatedKeyIsTheDataObjectWhereverItSits() async throws {
    let data = #"{"hash":"h2","name":"a } tricky \" {name","nested":{"list":[1,{"x":"]"}]}}"#
    let body = #"{ "key" : "sk-or-v1-y", "meta": [ {"data": 1} ], "data" :\#(data) }"#
    let transport = MockTransport([.json("POST", "/keys", status: 201, body: body)])
    let provider = try makeProvider(.openrouter, environment: environment, transport: transport)
    let created = try await provider.create(CreateRequest(name: "n"))
    #expect(created.key.raw.bytes == Data(data.utf8))
    #expect(created.key.name == #"a } tricky " {name"#)
  }

  @Test(arguments: [#"{"data":{"hash":"h"}}"#, #"{"data":{"hash":"#])
  func anUnreadableCreateResponseIsABadResponse(_ body: String) async throws {
    let transport = MockTransport([.json("POST", "/keys", status: 201, body: body)])
    let provider = try makeProvider(.openrouter, environment: environment, transport: transport)
    let error = try await #require(throws: KeyError.self) {
      try await provider.create(CreateRequest(name: "n"))
    }
    #expect(error.kind == .badResponse)
    #expect(error.status == 201)
  }

  @Test(arguments: [
    (
      401, #"{"error":{"code":401,"message":"Missing Authentication header"},"user_id":null}"#,
      KeyError.Kind.auth, "Missing Authentication header"
    ),
    (
      403,
      #"{"error":{"code":403,"message":"Only management keys can perform this operation","#
        + #""metadata":{"reason":"key_type"}}}"#, .auth,
      "Only management keys can perform this operation"
    ),
    (
      429, #"{"error":{"code":429,"message":"Rate limit exceeded"}}"#, .rateLimited,
      "Rate limit exceeded"
    ),
    (404, #"{"error":"not found"}"#, .notFound, #""{"error":"not found"}""#),
    (500, "", .server, "(empty body)"),
  ])
  func errorBodiesMapToKeyErrors(
    _ status: Int, _ body: String, _ kind: KeyError.Kind, _ text: String
  )
    async throws
  {
    let transport = MockTransport([
      .json("GET", "/keys", query: ["offset": "0"], status: status, body: body)
    ])
    let provider = try makeProvider(.openrouter, environment: environment, transport: transport)
    let error = try await #require(throws: KeyError.self) { try await collect(provider) }
    #expect(error.kind == kind)
    #expect(error.status == status)
    #expect(error.provider == .openrouter)
    #expect(error.message == "OpenRouter answered HTTP \(status): \(text)")
    #expect(error.requestID == nil)
  }

  @Test func anAuthFailureNamesTheVariableAndTheKeyKind() async throws {
    let transport = MockTransport([
      .json(
        "GET", "/keys", query: ["offset": "0"], status: 401,
        body: #"{"error":{"code":401,"message":"User not found."}}"#)
    ])
    let provider = try makeProvider(
      .openrouter, environment: ["OPENROUTER_API_KEY": "sk-or-v1-inference"], transport: transport)
    let error = try await #require(throws: KeyError.self) { try await collect(provider) }
    #expect(error.hint?.contains("OPENROUTER_API_KEY") == true)
    #expect(error.hint?.contains("management key") == true)
  }

  @Test func malformedJSONIsABadResponse() async throws {
    let transport = MockTransport([
      .json("GET", "/keys", query: ["offset": "0"], body: #"{"data":[{"hash":"h"},"#)
    ])
    let provider = try makeProvider(.openrouter, environment: environment, transport: transport)
    let error = try await #require(throws: KeyError.self) { try await collect(provider) }
    #expect(error.kind == .badResponse)
    #expect(error.status == 200)
  }
}
