import Foundation
import Testing

@testable import KeyCore

private let environment = ["OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-management-0123456789"]
private let workspace = "6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
private let hash = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943"
private let url = "https://openrouter.ai/api/v1/keys/\(hash)"

/// A key as OpenRouter sends it, with the settings a rotation carries over.
private func key(
  name: String = "batch", disabled: Bool = false, limit: String = "25",
  reset: String = "\"monthly\"", expires: String = "\"2027-12-31T23:59:59Z\""
) -> String {
  #"{"hash":"\#(hash)","name":"\#(name)","label":"sk-or-v1-0e6...1c96","disabled":\#(disabled),"#
    + #""limit":\#(limit),"limit_remaining":20,"limit_reset":\#(reset),"#
    + #""include_byok_in_limit":true,"usage":5,"created_at":"2025-08-24T10:30:00Z","#
    + #""expires_at":\#(expires),"last_used_at":null,"creator_user_id":"user_1","#
    + #""workspace_id":"\#(workspace)"}"#
}

/// OpenRouter's lifecycle: GET, PATCH with exactly the changes given, DELETE
/// 200/404, and a replacement carrying every setting its create takes.
@Suite struct OpenRouterLifecycleTests {
  func provider(_ transport: MockTransport, retries: Int = 0) throws -> any KeyProvider {
    try makeProvider(.openrouter, environment: environment, transport: transport, retries: retries)
  }

  @Test func getReadsTheDataObject() async throws {
    let transport = MockTransport([
      .exact("GET", url, response: #"{"data":\#(key(disabled: true))}"#)
    ])
    let found = try await provider(transport).key(id: hash)
    #expect(found.id == hash)
    #expect(found.name == "batch")
    #expect(found.status == .disabled)
    #expect(found.expiresAt.map(ISO8601.format) == "2027-12-31T23:59:59Z")
    #expect(found.creator == ApiKey.Creator(id: "user_1"))
    #expect(String(decoding: found.raw.bytes, as: UTF8.self) == key(disabled: true))
    #expect(
      transport.requests.first?.header("Authorization") == "Bearer sk-or-v1-management-0123456789")
  }

  @Test func getOfAnUnknownHashIsNotFound() async throws {
    let transport = MockTransport([
      .exact(
        "GET", "https://openrouter.ai/api/v1/keys/nope", status: 404,
        response: #"{"error":{"code":404,"message":"API key not found"}}"#)
    ])
    let error = try await #require(throws: KeyError.self) {
      try await provider(transport).key(id: "nope")
    }
    #expect(error.kind == .notFound)
    #expect(error.exitCode == 4)
    #expect(error.message == "no key nope at openrouter")
  }

  /// Each change alone, and all of them: the body holds exactly what was
  /// asked, `null` where a setting is removed, members in name order.
  @Test(arguments: [
    ("name", #"{"name":"renamed"}"#), ("disable", #"{"disabled":true}"#),
    ("enable", #"{"disabled":false}"#), ("limit", #"{"limit":12.5}"#),
    ("no limit", #"{"limit":null}"#), ("reset", #"{"limit_reset":"weekly"}"#),
    ("no reset", #"{"limit_reset":null}"#), ("byok", #"{"include_byok_in_limit":true}"#),
    ("no byok", #"{"include_byok_in_limit":false}"#),
    (
      "all",
      #"{"disabled":false,"include_byok_in_limit":false,"limit":100,"limit_reset":null,"name":"n"}"#
    ),
  ])
  func updatePatchesExactlyTheChangesGiven(_ change: String, _ body: String) async throws {
    var changes = KeyChanges()
    switch change {
    case "name": changes.name = "renamed"
    case "disable": changes.disabled = true
    case "enable": changes.disabled = false
    case "limit": changes.creditLimit = .set(12.5)
    case "no limit": changes.creditLimit = .set(nil)
    case "reset": changes.limitReset = .set("weekly")
    case "no reset": changes.limitReset = .set(nil)
    case "byok": changes.includeByokInLimit = true
    case "no byok": changes.includeByokInLimit = false
    default:
      (changes.name, changes.disabled, changes.creditLimit) = ("n", false, .set(100))
      (changes.limitReset, changes.includeByokInLimit) = (.set(nil), false)
    }
    let transport = MockTransport([
      .exact("PATCH", url, body: body, response: #"{"data":\#(key(name: "renamed"))}"#)
    ])
    let updated = try await provider(transport).update(id: hash, changes)
    #expect(transport.unusedSteps.isEmpty)
    #expect(updated.id == hash)
    #expect(updated.name == "renamed")
    let request = try #require(transport.requests.first)
    #expect(request.header("Content-Type") == "application/json")
    #expect(request.header("Idempotency-Key") == nil)
  }

  @Test func anUpdateIsRetriedAndA404IsNotFound() async throws {
    let transport = MockTransport([
      .exact("PATCH", url, body: #"{"disabled":true}"#, status: 429, response: "{}"),
      .exact(
        "PATCH", url, body: #"{"disabled":true}"#, status: 404,
        response: #"{"error":{"code":404,"message":"API key not found"}}"#),
    ])
    var changes = KeyChanges()
    changes.disabled = true
    let error = try await #require(throws: KeyError.self) {
      try await provider(transport, retries: 2).update(id: hash, changes)
    }
    #expect(error.message == "no key \(hash) at openrouter")
    #expect(error.status == 404)
    #expect(transport.requests.count == 2)
  }

  @Test func anUpdateOfAPx0SettingSendsNothing() async throws {
    let transport = MockTransport()
    var changes = KeyChanges()
    changes.operation = "all"
    let error = try await #require(throws: KeyError.self) {
      try await provider(transport).update(id: hash, changes)
    }
    #expect(error.kind == .usage)
    #expect(error.message == "OpenRouter cannot change a key's operation")
    let empty = try await #require(throws: KeyError.self) {
      try await provider(transport).update(id: hash, KeyChanges())
    }
    #expect(empty.kind == .usage)
    #expect(transport.requests.isEmpty)
  }

  @Test func deleteIs200DeletedAnd404NotFound() async throws {
    let transport = MockTransport([
      .exact("DELETE", url, response: #"{"deleted":true}"#),
      .exact(
        "DELETE", url, status: 404,
        response: #"{"error":{"code":404,"message":"API key not found"}}"#
      ),
      .exact("DELETE", url, status: 204),
    ])
    let openRouter = try provider(transport)
    #expect(try await openRouter.delete(id: hash) == .deleted)
    #expect(try await openRouter.delete(id: hash) == .notFound)
    #expect(try await openRouter.delete(id: hash) == .deleted, "an empty 2xx is a deletion")
    #expect(transport.requests.allSatisfy { $0.body == nil && $0.header("Idempotency-Key") == nil })
  }

  @Test func aDeleteThatSaysNoIsNotADeletion() async throws {
    let transport = MockTransport([.exact("DELETE", url, response: #"{"deleted":false}"#)])
    let error = try await #require(throws: KeyError.self) {
      try await provider(transport).delete(id: hash)
    }
    #expect(error.kind == .badResponse)
    #expect(
      error.message == #"OpenRouter answered the delete of key \#(hash) with "deleted": false"#)
  }

  @Test func aDeleteIsRetriedOn503() async throws {
    let transport = MockTransport([
      .exact("DELETE", url, status: 503, response: "{}"),
      .exact("DELETE", url, response: #"{"deleted":true}"#),
    ])
    #expect(try await provider(transport, retries: 1).delete(id: hash) == .deleted)
    #expect(transport.requests.count == 2)
  }

  @Test func aReplacementCarriesEverySettingAndAFutureExpiry() async throws {
    let transport = MockTransport([.exact("GET", url, response: #"{"data":\#(key())}"#)])
    let openRouter = try provider(transport)
    let old = try await openRouter.key(id: hash)
    var expected = CreateRequest(name: "batch")
    expected.creditLimit = 25
    expected.limitReset = "monthly"
    expected.includeByokInLimit = true
    expected.workspaceID = workspace
    expected.expiresAt = ISO8601.parse("2027-12-31T23:59:59Z")
    #expect(expected.expiresAt != nil)
    #expect(try openRouter.replacement(for: old, name: nil) == expected)
    expected.name = "batch 2"
    #expect(try openRouter.replacement(for: old, name: "batch 2") == expected)
  }

  /// The test clock is 2026-01-01: an expiry before it is not carried over
  /// (it would create a dead key), and a key without limits makes one without.
  @Test func aPastExpiryAndMissingSettingsAreLeftOut() async throws {
    let transport = MockTransport([
      .exact(
        "GET", url,
        response:
          #"{"data":\#(key(limit: "null", reset: "null", expires: "\"2025-12-31T23:59:59Z\""))}"#)
    ])
    let openRouter = try provider(transport)
    let old = try await openRouter.key(id: hash)
    #expect(old.status == .expired)
    let request = try openRouter.replacement(for: old, name: nil)
    #expect(request.expiresAt == nil)
    #expect(request.creditLimit == nil)
    #expect(request.limitReset == nil)
    #expect(request.includeByokInLimit == true)
    #expect(request.workspaceID == workspace)
  }

  @Test func aSettingOfTheWrongTypeIsABadResponseNotDropped() throws {
    let openRouter = try provider(MockTransport())
    let old = ApiKey(
      provider: .openrouter, id: hash, name: "n", createdAt: nil,
      raw: try RawJSON(parsing: Data(#"{"hash":"h","limit":"25"}"#.utf8)))
    let error = try #require(throws: KeyError.self) {
      try openRouter.replacement(for: old, name: nil)
    }
    #expect(error.kind == .badResponse)
    #expect(error.message.contains("limit"))
  }

  @Test func regenerateIsRefusedWithoutARequest() async throws {
    let transport = MockTransport()
    let error = await #expect(throws: KeyError.self) {
      _ = try await provider(transport).regenerate(id: hash)
    }
    #expect(error?.kind == .unsupported)
    #expect(transport.requests.isEmpty)
  }
}
