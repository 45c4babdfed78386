import Foundation
import Testing

@testable import KeyCore

private let orgID = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
private let teamID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
private let environment = ["PX0_ACCESS_TOKEN": "sess_0123456789abcdef", "PX0_ORG_ID": orgID]

/// Two keys shaped like the seed's `APIKey` schema; the second is pretty-printed
/// so that `raw` is shown to keep the provider's own bytes.
private let renderKey =
  #"{"id":"8f14e45f-ceea-467f-a0e6-5a3b1c2d3e4f","name":"render worker","org_id":"\#(orgID)","#
  + #""team_id":null,"operation":"read_render","created_at":"2026-02-01T09:30:00Z","#
  + #""last_used_at":"2026-02-03T10:00:00.250Z"}"#
private let adminKey = """
  {
        "id": "c9f0f895-fb98-4b91-99f5-1a2b3c4d5e6f",
        "name": "admin bot",
        "org_id": "\(orgID)",
        "team_id": "\(teamID)",
        "operation": "admin",
        "created_at": "2025-12-24T08:00:00+02:00",
        "last_used_at": null
      }
  """
private let listBody = "{\n  \"api_keys\": [\n    \(renderKey),\n    \(adminKey)\n  ]\n}"

private func date(_ text: String) throws -> Date {
  try #require(ISO8601.parse(text))
}

@Suite struct Px0ProviderTests {
  @Test func listsTheWholeOrganizationInOneRequest() async throws {
    let transport = MockTransport([
      .json("GET", "/v1/api-keys", query: ["org_id": orgID], body: listBody)
    ])
    let provider = try makeProvider(.px0, environment: environment, transport: transport)
    let keys = try await collect(provider)

    #expect(transport.unusedSteps.isEmpty)
    #expect(transport.requests.count == 1)
    let request = try #require(transport.requests.first)
    #expect(request.url.absoluteString == "http://localhost:8000/v1/api-keys?org_id=\(orgID)")
    #expect(request.header("Authorization") == "Bearer sess_0123456789abcdef")
    #expect(request.header("Cartesia-Version") == nil)

    #expect(keys.count == 2)
    let first = try #require(keys.first)
    #expect(first.provider == .px0)
    #expect(first.id == "8f14e45f-ceea-467f-a0e6-5a3b1c2d3e4f")
    #expect(first.name == "render worker")
    #expect(first.scope == "read_render")
    #expect(first.createdAt == (try date("2026-02-01T09:30:00Z")))
    #expect(first.lastUsedAt == (try date("2026-02-03T10:00:00.250Z")))
    #expect(first.status == nil)
    #expect(first.expiresAt == nil)
    #expect(first.creator == ApiKey.Creator())
    #expect(first.raw.bytes == Data(renderKey.utf8))

    let second = try #require(keys.last)
    #expect(second.name == "admin bot")
    #expect(second.scope == "admin")
    #expect(second.createdAt == (try date("2025-12-24T06:00:00Z")))
    #expect(second.lastUsedAt == nil)
    #expect(second.raw.bytes == compactJSON(adminKey))
  }

  @Test func anEmptyListIsOnePageWithNoNext() async throws {
    let transport = MockTransport([
      .json("GET", "/v1/api-keys", query: ["org_id": orgID], body: #"{"api_keys":[]}"#)
    ])
    let provider = try makeProvider(.px0, environment: environment, transport: transport)
    let page = try await provider.page(at: .start, options: ListOptions())
    #expect(page.keys.isEmpty)
    #expect(page.next == nil)
  }

  @Test func orgIDFlagBeatsTheEnvironment() async throws {
    let flagOrg = "11111111-2222-4333-8444-555555555555"
    let transport = MockTransport([
      .json("GET", "/v1/api-keys", query: ["org_id": flagOrg], body: #"{"api_keys":[]}"#)
    ])
    let provider = try makeProvider(
      .px0, environment: environment, transport: transport,
      overrides: ProviderRegistry.Overrides(orgID: flagOrg))
    _ = try await collect(provider)
    #expect(transport.unusedSteps.isEmpty)
  }

  @Test func missingOrgIDIsAUsageErrorBeforeAnyRequest() throws {
    let transport = MockTransport()
    let error = try #require(throws: KeyError.self) {
      try makeProvider(
        .px0, environment: ["PX0_ACCESS_TOKEN": "sess_x", "PX0_ORG_ID": ""], transport: transport)
    }
    #expect(error.kind == .usage)
    #expect(error.provider == .px0)
    #expect(error.message.contains("--org-id"))
    #expect(error.message.contains("PX0_ORG_ID"))
    #expect(transport.requests.isEmpty)
  }

  @Test(arguments: [("--org-id", "acme"), ("PX0_ORG_ID", "3f2b8c1e-5d4a-4e6f-9a7b")])
  func malformedOrgIDIsAUsageError(_ source: String, _ value: String) throws {
    let transport = MockTransport()
    var env = ["PX0_ACCESS_TOKEN": "sess_x"]
    var overrides = ProviderRegistry.Overrides()
    if source == "--org-id" { overrides.orgID = value } else { env["PX0_ORG_ID"] = value }
    let error = try #require(throws: KeyError.self) {
      try makeProvider(.px0, environment: env, transport: transport, overrides: overrides)
    }
    #expect(error.kind == .usage)
    #expect(error.message.contains("\(source) '\(value)'"))
    #expect(error.message.contains("UUID"))
    #expect(transport.requests.isEmpty)
  }

  @Test func createSendsOnlyTheGivenFieldsAndStripsTheSecret() async throws {
    let created =
      #"{"id":"e4da3b7f-bbce-4345-9d77-0a1b2c3d4e5f","name":"ci/deploy","key":"ak_"#
      + String(repeating: "ab", count: 32)
      + #"","operation":"read_render","created_at":"2026-03-01T12:00:00Z"}"#
    let transport = MockTransport([
      .json("POST", "/v1/api-keys", status: 201, body: created)
    ])
    let provider = try makeProvider(.px0, environment: environment, transport: transport)
    let result = try await provider.create(CreateRequest(name: "ci/deploy"))

    #expect(sentBody(transport.requests.first) == #"{"name":"ci/deploy","org_id":"\#(orgID)"}"#)
    #expect(transport.requests.first?.header("Content-Type") == "application/json")
    #expect(result.secret == "ak_" + String(repeating: "ab", count: 32))
    #expect(result.key.id == "e4da3b7f-bbce-4345-9d77-0a1b2c3d4e5f")
    #expect(result.key.name == "ci/deploy")
    #expect(result.key.scope == "read_render")
    #expect(result.key.createdAt == (try date("2026-03-01T12:00:00Z")))
    let raw = try #require(
      try JSONSerialization.jsonObject(with: result.key.raw.bytes) as? [String: String])
    #expect(raw["key"] == nil)
    #expect(raw["id"] == "e4da3b7f-bbce-4345-9d77-0a1b2c3d4e5f")
    #expect(raw["operation"] == "read_render")
  }

  @Test func createSendsTeamsAndOperation() async throws {
    let transport = MockTransport([
      .json(
        "POST", "/v1/api-keys", status: 201,
        body: #"{"id":"i","name":"n","key":"ak_1","operation":"all","created_at":null}"#)
    ])
    let provider = try makeProvider(.px0, environment: environment, transport: transport)
    var request = CreateRequest(name: "n")
    request.teamIDs = [teamID]
    request.operation = "all"
    let result = try await provider.create(request)
    #expect(
      sentBody(transport.requests.first)
        == #"{"name":"n","operation":"all","org_id":"\#(orgID)","team_ids":["\#(teamID)"]}"#)
    #expect(result.key.scope == "all")
    #expect(result.key.createdAt == nil)
  }

  @Test(arguments: [
    (400, #"{"error":"org_id is required"}"#, KeyError.Kind.usage, "org_id is required"),
    (403, #"{"error":"forbidden"}"#, .auth, "forbidden"),
    (404, #"{"error":"team not found"}"#, .notFound, "team not found"),
    (500, #"{"message":"boom"}"#, .server, #""{"message":"boom"}""#),
    (500, #"{"error":{"message":"nested"}}"#, .server, #""{"error":{"message":"nested"}}""#),
  ])
  func errorBodiesMapToKeyErrors(
    _ status: Int, _ body: String, _ kind: KeyError.Kind, _ text: String
  )
    async throws
  {
    let transport = MockTransport([
      .json(
        "GET", "/v1/api-keys", query: ["org_id": orgID], status: status,
        headers: ["Content-Type": "application/json", "X-Request-Id": "req-px0-1"], body: body)
    ])
    let provider = try makeProvider(.px0, environment: environment, transport: transport)
    let error = try await #require(throws: KeyError.self) { try await collect(provider) }
    #expect(error.kind == kind)
    #expect(error.status == status)
    #expect(error.provider == .px0)
    #expect(error.message == "px0 answered HTTP \(status): \(text)")
    #expect(error.requestID == "req-px0-1")
  }

  @Test func anAPIKeyGetsTheSessionTokenHintOn401() async throws {
    let transport = MockTransport([
      .json(
        "GET", "/v1/api-keys", query: ["org_id": orgID], status: 401,
        body: #"{"error":"unauthorized"}"#)
    ])
    let provider = try makeProvider(
      .px0,
      environment: ["PX0_API_KEY": "ak_" + String(repeating: "0", count: 64), "PX0_ORG_ID": orgID],
      transport: transport)
    let error = try await #require(throws: KeyError.self) { try await collect(provider) }
    #expect(error.kind == .auth)
    #expect(error.message == "px0 answered HTTP 401: unauthorized")
    let hint = try #require(error.hint)
    #expect(hint.contains("accepts only session tokens"))
    #expect(hint.contains("sess_"))
    #expect(hint.contains("POST /v1/auth/login"))
    #expect(hint.contains("PX0_API_KEY"))
  }

  @Test func aSessionTokenGetsTheAdminHintOn401() async throws {
    let transport = MockTransport([
      .json(
        "GET", "/v1/api-keys", query: ["org_id": orgID], status: 401,
        body: #"{"error":"unauthorized"}"#)
    ])
    let provider = try makeProvider(.px0, environment: environment, transport: transport)
    let error = try await #require(throws: KeyError.self) { try await collect(provider) }
    let hint = try #require(error.hint)
    #expect(!hint.contains("accepts only"))
    #expect(hint.contains("PX0_ACCESS_TOKEN"))
    #expect(hint.contains("admin"))
  }

  @Test(arguments: [#"{"api_keys": [{"id": 1}]}"#, #"{"api_keys": [ "#, "<html>oops</html>"])
  func unreadableSuccessIsABadResponse(_ body: String) async throws {
    let transport = MockTransport([
      .json("GET", "/v1/api-keys", query: ["org_id": orgID], body: body)
    ])
    let provider = try makeProvider(.px0, environment: environment, transport: transport)
    let error = try await #require(throws: KeyError.self) { try await collect(provider) }
    #expect(error.kind == .badResponse)
    #expect(error.status == 200)
  }

  @Test func createWithoutASecretIsABadResponse() async throws {
    let transport = MockTransport([
      .json("POST", "/v1/api-keys", status: 201, body: #"{"id":"i","name":"n"}"#)
    ])
    let provider = try makeProvider(.px0, environment: environment, transport: transport)
    let error = try await #require(throws: KeyError.self) {
      try await provider.create(CreateRequest(name: "n"))
    }
    #expect(error.kind == .badResponse)
    #expect(error.message.contains("'key'"))
  }
}
