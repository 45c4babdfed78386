import Foundation
import Testing

@testable import KeyCore

/// PUT, PATCH and DELETE through the one client: retried like a GET (they are
/// idempotent), with an idempotency key that stays the same across one
/// request's retries and differs between requests, where the provider takes one.
@Suite struct ClientChangeRequestTests {
  static let environment = [
    "FAL_ADMIN_KEY": "id:secret", "PX0_ACCESS_TOKEN": "sess_x",
    "PX0_ORG_ID": "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f", "OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-x",
  ]

  /// The client of `id`'s adapter, with `retries` instant retries.
  func client(_ id: ProviderID, _ transport: MockTransport, retries: Int) throws -> ProviderClient {
    try KeyCoreTests.client(
      of: ProviderRegistry(
        environment: Self.environment, settings: testSettings(transport, retries: retries)
      ).makeWithoutRunning(id))
  }

  /// Answers any request to `path` with `method`, status `status`.
  static func step(_ method: String, _ path: String, status: Int) -> MockTransport.Step {
    .json(method, path, status: status, body: status == 204 ? "" : "{}")
  }

  /// Sends `method` through the client's method of that name.
  static func send(_ method: String, _ path: String, _ client: ProviderClient) async throws
    -> HTTPResponse
  {
    let body = Data(#"{"name":"n"}"#.utf8)
    switch method {
    case "PUT": return try await client.put(path, json: body)
    case "PATCH": return try await client.patch(path, json: body)
    default: return try await client.delete(path)
    }
  }

  @Test(arguments: ["PUT", "PATCH", "DELETE"])
  func aChangeIsRetriedLikeAGet(_ method: String) async throws {
    let transport = MockTransport([
      Self.step(method, "/keys/k1", status: 503), .failure(.timedOut),
      Self.step(method, "/keys/k1", status: 429), Self.step(method, "/keys/k1", status: 200),
    ])
    let response = try await Self.send(
      method, "/keys/k1", try client(.openrouter, transport, retries: 3))
    #expect(response.status == 200)
    let sent = transport.requests
    #expect(sent.count == 4)
    #expect(sent.allSatisfy { $0.method == method && $0.url.path.hasSuffix("/keys/k1") })
    #expect(Set(sent.map { $0.body ?? Data() }).count == 1)
    let contentType = sent.first?.header("Content-Type")
    #expect(contentType == (method == "DELETE" ? nil : "application/json"))
    #expect(transport.unusedSteps.isEmpty)
  }

  @Test(arguments: ["PUT", "PATCH", "DELETE"])
  func retriesStopAtTheLimitWithTheLastError(_ method: String) async throws {
    let transport = MockTransport(
      Array(repeating: Self.step(method, "/keys/k1", status: 503), count: 3))
    let error = await #expect(throws: KeyError.self) {
      _ = try await Self.send(method, "/keys/k1", try client(.px0, transport, retries: 2))
    }
    #expect(error?.status == 503)
    #expect(error?.hint == "Try again later.")
    #expect(transport.requests.count == 3)
  }

  @Test func aFalDeleteKeepsItsIdempotencyKeyAcrossRetries() async throws {
    let transport = MockTransport([
      Self.step("DELETE", "/keys/k1", status: 503), .failure(.connection("reset")),
      Self.step("DELETE", "/keys/k1", status: 204), Self.step("DELETE", "/keys/k2", status: 204),
    ])
    let fal = try client(.fal, transport, retries: 3)
    _ = try await fal.delete("/keys/k1")
    _ = try await fal.delete("/keys/k2")
    let keys = transport.requests.map { $0.header("Idempotency-Key") }
    #expect(keys.count == 4)
    let first = try #require(keys[0])
    #expect(first.utf8.count == 36)
    #expect(first == first.lowercased())
    #expect(keys[0..<3].allSatisfy { $0 == first })
    let second = try #require(keys[3])
    #expect(second != first)
  }

  @Test func onlyIdempotentChangesToAProviderThatTakesOneCarryAKey() async throws {
    let transport = MockTransport([
      .json("GET", "/keys", query: ["limit": "100"], body: #"{"keys":[]}"#),
      .json("POST", "/keys", status: 201, body: #"{"key_id":"k","key":"k:s"}"#),
      Self.step("DELETE", "/v1/api-keys/k", status: 204),
    ])
    let fal = try client(.fal, transport, retries: 0)
    _ = try await fal.get("/keys", query: [("limit", "100")])
    _ = try await fal.post("/keys", json: Data("{}".utf8))
    _ = try await client(.px0, transport, retries: 0).delete("/v1/api-keys/k")
    #expect(transport.requests.map { $0.header("Idempotency-Key") } == [nil, nil, nil])
  }

  @Test func aCreateIsStillSentOnce() async throws {
    let transport = MockTransport([.json("POST", "/keys", status: 503, body: "{}")])
    await #expect(throws: KeyError.self) {
      _ = try await client(.fal, transport, retries: 3).post("/keys", json: Data("{}".utf8))
    }
    #expect(transport.requests.count == 1)
  }
}
