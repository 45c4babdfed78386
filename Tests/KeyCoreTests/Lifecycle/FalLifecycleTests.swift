import Foundation
import Testing

@testable import KeyCore

private let environment = [
  "FAL_ADMIN_KEY": "adm_id:adm-secret-value", "KEYCTL_FAL_BASE_URL": "https://fal.test/v1",
]

/// One page of `GET /keys?expand=creator_info`, each key with its creator.
private func page(_ ids: [String], next: String?) -> String {
  let keys = ids.map {
    #"{"key_id":"\#($0)","alias":"Key \#($0)","scope":"API","created_at":"2025-01-15T12:00:00Z","#
      + #""creator_nickname":"ada","creator_email":"ada@example.com"}"#
  }
  let cursor = next.map { "\"\($0)\"" } ?? "null"
  return
    #"{"keys":[\#(keys.joined(separator: ","))],"next_cursor":\#(cursor),"has_more":\#(next != nil)}"#
}

/// The URL of the lookup page at `cursor` (nil: the first), `=` percent-encoded as sent.
private func lookup(_ cursor: String? = nil) -> String {
  let encoded = cursor.map { $0.replacingOccurrences(of: "=", with: "%3D") }
  return "https://fal.test/v1/keys?limit=100" + (encoded.map { "&cursor=\($0)" } ?? "")
    + "&expand=creator_info"
}

/// fal's lifecycle: get by paging the list (there is no get-one endpoint),
/// delete with an idempotency key, and a replacement that carries the alias.
@Suite struct FalLifecycleTests {
  func provider(_ transport: MockTransport, retries: Int = 0) throws -> any KeyProvider {
    try makeProvider(.fal, environment: environment, transport: transport, retries: retries)
  }

  @Test func getPagesTheListAndStopsAtThePageThatHasTheKey() async throws {
    let transport = MockTransport([
      .exact("GET", lookup(), response: page(["a", "b"], next: "Mg==")),
      .exact("GET", lookup("Mg=="), response: page(["c", "d"], next: "Mw==")),
      .exact("GET", lookup("Mw=="), response: page(["e"], next: nil)),
    ])
    let key = try await provider(transport).key(id: "d")
    #expect(transport.requests.count == 2)
    #expect(transport.unusedSteps.count == 1, "the page after the key's must not be fetched")
    #expect(key.provider == .fal)
    #expect(key.id == "d")
    #expect(key.name == "Key d")
    #expect(key.scope == "API")
    #expect(key.creator == ApiKey.Creator(email: "ada@example.com", name: "ada"))
    #expect(key.createdAt.map(ISO8601.format) == "2025-01-15T12:00:00Z")
    let request = try #require(transport.requests.first)
    #expect(request.header("Authorization") == "Key adm_id:adm-secret-value")
    #expect(request.header("Idempotency-Key") == nil)
    #expect(request.body == nil)
  }

  @Test func anUnknownIDReadsTheWholeListThenIsNotFound() async throws {
    let transport = MockTransport([
      .exact("GET", lookup(), response: page(["a"], next: "Mg==")),
      .exact("GET", lookup("Mg=="), response: page(["b"], next: nil)),
    ])
    let error = try await #require(throws: KeyError.self) {
      try await provider(transport).key(id: "nope")
    }
    #expect(error.kind == .notFound)
    #expect(error.exitCode == 4)
    #expect(error.message == "no key nope at fal")
    #expect(error.provider == .fal)
    #expect(error.status == nil)
    #expect(error.hint == "See the keys there with 'keyctl list -p fal'.")
    #expect(transport.unusedSteps.isEmpty)
  }

  @Test func severalKeysAreLookedUpInOnePassInTheirOrder() async throws {
    let transport = MockTransport([
      .exact("GET", lookup(), response: page(["a", "b"], next: "Mg==")),
      .exact("GET", lookup("Mg=="), response: page(["c", "d"], next: "Mw==")),
      .exact("GET", lookup("Mw=="), response: page(["e"], next: nil)),
    ])
    let found = try await provider(transport).keys(ids: ["d", "zz", "a"])
    #expect(found.map { $0?.id } == ["d", nil, "a"])
    #expect(transport.requests.count == 3, "a missing id needs the whole list, once")
  }

  @Test func aLookupStopsOnceEveryKeyIsFound() async throws {
    let transport = MockTransport([
      .exact("GET", lookup(), response: page(["a", "b"], next: "Mg==")),
      .exact("GET", lookup("Mg=="), response: page(["c", "d"], next: "Mw==")),
    ])
    let found = try await provider(transport).keys(ids: ["b", "a"])
    #expect(found.map { $0?.id } == ["b", "a"])
    #expect(transport.requests.count == 1)
    let none = try await provider(MockTransport()).keys(ids: [])
    #expect(none.isEmpty)
  }

  @Test func deleteSendsOneIdempotencyKeyAndIsDeleted() async throws {
    let transport = MockTransport([
      .exact("DELETE", "https://fal.test/v1/keys/abc123", status: 204),
      .exact("DELETE", "https://fal.test/v1/keys/unknown-id", status: 204),
    ])
    let fal = try provider(transport)
    #expect(try await fal.delete(id: "abc123") == .deleted)
    // fal answers 204 for ids it never had: keyctl cannot tell, so it says deleted.
    #expect(try await fal.delete(id: "unknown-id") == .deleted)
    let keys = transport.requests.compactMap { $0.header("Idempotency-Key") }
    #expect(keys.count == 2)
    #expect(keys.allSatisfy { UUID(uuidString: $0) != nil && $0 == $0.lowercased() })
    #expect(Set(keys).count == 2, "each key gets its own idempotency key")
    #expect(transport.requests.allSatisfy { $0.header("Content-Type") == nil })
  }

  @Test func aDeleteRetriedAfter503KeepsItsIdempotencyKey() async throws {
    let transport = MockTransport([
      .exact("DELETE", "https://fal.test/v1/keys/k1", status: 503, response: "{}"),
      .failure(.connection("reset")),
      .exact("DELETE", "https://fal.test/v1/keys/k1", status: 204),
    ])
    #expect(try await provider(transport, retries: 3).delete(id: "k1") == .deleted)
    let keys = transport.requests.map { $0.header("Idempotency-Key") }
    #expect(keys.count == 3)
    #expect(Set(keys).count == 1)
    #expect(keys.first ?? nil != nil)
  }

  @Test func aDeleteFailureIsThrownNotReportedAsDeleted() async throws {
    let transport = MockTransport([
      .exact(
        "DELETE", "https://fal.test/v1/keys/k1", status: 403,
        response: #"{"error":{"type":"authorization_error","message":"admin only"}}"#),
      .exact("DELETE", "https://fal.test/v1/keys/k2", status: 404, response: "{}"),
    ])
    let fal = try provider(transport)
    let error = try await #require(throws: KeyError.self) { try await fal.delete(id: "k1") }
    #expect(error.kind == .auth)
    // fal documents 204 for unknown ids; should it ever say 404, that is not found.
    #expect(try await fal.delete(id: "k2") == .notFound)
  }

  @Test(arguments: [
    ("a/b", "a%2Fb"), ("../x", "..%2Fx"), ("k?x=1#f", "k%3Fx%3D1%23f"), ("50%", "50%25"),
    ("a.b_c-d~e", "a.b_c-d~e"), ("k:v@h+", "k%3Av%40h%2B"),
  ])
  func anIDIsOnePercentEncodedPathSegment(_ id: String, _ encoded: String) async throws {
    let transport = MockTransport([
      .exact("DELETE", "https://fal.test/v1/keys/\(encoded)", status: 204)
    ])
    #expect(try await provider(transport).delete(id: id) == .deleted)
    #expect(transport.unusedSteps.isEmpty)
  }

  @Test(arguments: ["", ".", "..", "a b", "tab\there", "é", String(repeating: "k", count: 257)])
  func aBadIDIsAUsageErrorWithoutARequest(_ id: String) async throws {
    let transport = MockTransport()
    let fal = try provider(transport)
    for operation in ["get", "delete", "lookup"] {
      let error = try await #require(throws: KeyError.self) {
        switch operation {
        case "get": _ = try await fal.key(id: id)
        case "delete": _ = try await fal.delete(id: id)
        default: _ = try await fal.keys(ids: ["ok", id])
        }
      }
      #expect(error.kind == .usage, "\(operation)")
      #expect(error.message.hasPrefix("invalid key id '"), "\(operation)")
    }
    #expect(transport.requests.isEmpty)
  }

  @Test func aReplacementCarriesTheAliasOrTheNewName() throws {
    let fal = try provider(MockTransport())
    let old = ApiKey(
      provider: .fal, id: "k", name: "ci deploy", createdAt: nil, scope: "API", raw: .null)
    #expect(try fal.replacement(for: old, name: nil) == CreateRequest(name: "ci deploy"))
    #expect(try fal.replacement(for: old, name: "ci 2") == CreateRequest(name: "ci 2"))
    var nameless = old
    nameless.name = nil
    let error = try #require(throws: KeyError.self) {
      try fal.replacement(for: nameless, name: nil)
    }
    #expect(error.kind == .usage)
    #expect(error.message.contains("--name"))
  }

  @Test func updateAndRegenerateAreRefusedWithoutARequest() async throws {
    let transport = MockTransport()
    let fal = try provider(transport)
    var changes = KeyChanges()
    changes.name = "n"
    for error in [
      await #expect(throws: KeyError.self) { _ = try await fal.update(id: "k", changes) },
      await #expect(throws: KeyError.self) { _ = try await fal.regenerate(id: "k") },
    ] {
      #expect(error?.kind == .unsupported)
    }
    #expect(transport.requests.isEmpty)
  }
}
