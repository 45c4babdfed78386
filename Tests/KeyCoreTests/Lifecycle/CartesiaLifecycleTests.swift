import Foundation
import Testing

@testable import KeyCore

private let environment = ["CARTESIA_ADMIN_KEY": "sk_car_admin_0123456789abcdef"]
private let key =
  #"{"id":"key_01HQA","description":"Production TTS","created_at":"2026-01-15T12:00:00Z","#
  + #""creator_email":"ada@example.com","creator_still_in_org":false,"creator_image_url":null}"#

/// Cartesia's lifecycle is reading: `GET /api-keys/{id}`; everything else is
/// refused without a request.
@Suite struct CartesiaLifecycleTests {
  func provider(_ transport: MockTransport) throws -> any KeyProvider {
    try makeProvider(.cartesia, environment: environment, transport: transport, retries: 0)
  }

  @Test func getReadsTheKeyByID() async throws {
    let transport = MockTransport([
      .exact("GET", "https://api.cartesia.ai/api-keys/key_01HQA", response: key)
    ])
    let found = try await provider(transport).key(id: "key_01HQA")
    #expect(found.provider == .cartesia)
    #expect(found.id == "key_01HQA")
    #expect(found.name == "Production TTS")
    #expect(found.creator == ApiKey.Creator(email: "ada@example.com"))
    #expect(found.createdAt.map(ISO8601.format) == "2026-01-15T12:00:00Z")
    #expect(found.raw.bytes == Data(key.utf8))
    let request = try #require(transport.requests.first)
    #expect(request.header("Cartesia-Version") == "2026-03-01")
    #expect(request.header("Authorization") == "Bearer sk_car_admin_0123456789abcdef")
    #expect(request.body == nil)
  }

  @Test func a404IsNoSuchKeyWithCartesiasRequestID() async throws {
    let transport = MockTransport([
      .exact(
        "GET", "https://api.cartesia.ai/api-keys/key_gone", status: 404,
        response:
          #"{"error_code":"not_found","title":"Not Found","message":"API key not found.","#
          + #""request_id":"req_c1"}"#)
    ])
    let error = try await #require(throws: KeyError.self) {
      try await provider(transport).key(id: "key_gone")
    }
    #expect(error.kind == .notFound)
    #expect(error.message == "no key key_gone at cartesia")
    #expect(error.status == 404)
    #expect(error.requestID == "req_c1")
  }

  @Test func anIDIsEncodedAsOneSegment() async throws {
    let transport = MockTransport([
      .exact("GET", "https://api.cartesia.ai/api-keys/a%2F..%2Fb", status: 404, response: "{}")
    ])
    await #expect(throws: KeyError.self) { _ = try await provider(transport).key(id: "a/../b") }
    #expect(transport.unusedSteps.isEmpty)
  }

  @Test func aLookupReadsEachKeyAndMarksTheMissingOnes() async throws {
    let transport = MockTransport([
      .exact("GET", "https://api.cartesia.ai/api-keys/key_01HQA", response: key),
      .exact("GET", "https://api.cartesia.ai/api-keys/key_x", status: 404, response: "{}"),
    ])
    let found = try await provider(transport).keys(ids: ["key_01HQA", "key_x"])
    #expect(found.map { $0?.id } == ["key_01HQA", nil])
  }

  @Test func anotherFailureEndsALookup() async throws {
    let transport = MockTransport([
      .exact("GET", "https://api.cartesia.ai/api-keys/key_x", status: 403, response: "{}")
    ])
    let error = await #expect(throws: KeyError.self) {
      _ = try await provider(transport).keys(ids: ["key_x", "key_y"])
    }
    #expect(error?.kind == .auth)
    #expect(transport.requests.count == 1)
  }

  @Test func anUnreadableKeyIsABadResponse() async throws {
    let transport = MockTransport([
      .exact("GET", "https://api.cartesia.ai/api-keys/key_01HQA", response: #"{"description":"x"}"#)
    ])
    let error = await #expect(throws: KeyError.self) {
      _ = try await provider(transport).key(id: "key_01HQA")
    }
    #expect(error?.kind == .badResponse)
  }

  @Test func nothingElseIsSentAndNoReplacementIsPlanned() async throws {
    let transport = MockTransport()
    let cartesia = try provider(transport)
    var changes = KeyChanges()
    changes.name = "n"
    for error in [
      await #expect(throws: KeyError.self) { _ = try await cartesia.update(id: "k", changes) },
      await #expect(throws: KeyError.self) { _ = try await cartesia.delete(id: "k") },
      await #expect(throws: KeyError.self) { _ = try await cartesia.regenerate(id: "k") },
    ] {
      #expect(error?.kind == .unsupported)
    }
    let old = ApiKey(provider: .cartesia, id: "k", name: "n", createdAt: nil, raw: .null)
    let error = try #require(throws: KeyError.self) {
      try cartesia.replacement(for: old, name: nil)
    }
    #expect(error.kind == .unsupported)
    #expect(transport.requests.isEmpty)
  }
}
