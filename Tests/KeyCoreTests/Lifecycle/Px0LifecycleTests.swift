import Foundation
import Testing

@testable import KeyCore

private let orgID = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
private let teamID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
private let environment = ["PX0_ACCESS_TOKEN": "sess_0123456789abcdef", "PX0_ORG_ID": orgID]
private let keyA = "8f14e45f-ceea-467f-a0e6-5a3b1c2d3e4f"
private let keyB = "c9f0f895-fb98-4b91-99f5-1a2b3c4d5e6f"
private let listURL = "http://localhost:8000/v1/api-keys?org_id=\(orgID)"
private let secret = "ak_" + String(repeating: "ab", count: 32)

/// A px0 key object as its list and its PUT answer carry it.
private func key(_ id: String, name: String = "render worker", team: String? = nil) -> String {
  let teamText = team.map { "\"\($0)\"" } ?? "null"
  return #"{"id":"\#(id)","name":"\#(name)","org_id":"\#(orgID)","team_id":\#(teamText),"#
    + #""operation":"all","created_at":"2026-02-01T09:30:00Z","last_used_at":null}"#
}

private let list = #"{"api_keys":[\#(key(keyA)),\#(key(keyB, name: "admin bot", team: teamID))]}"#

/// px0's lifecycle: get from the one-page list, PUT with exactly the changes
/// given, DELETE 204/404, POST …/regenerate, and a replacement carrying the
/// operation and the team.
@Suite struct Px0LifecycleTests {
  func provider(_ transport: MockTransport, retries: Int = 0) throws -> any KeyProvider {
    try makeProvider(.px0, environment: environment, transport: transport, retries: retries)
  }

  @Test(arguments: [keyB, keyB.uppercased()])
  func getFindsTheKeyInTheOnePageList(_ id: String) async throws {
    let transport = MockTransport([.exact("GET", listURL, response: list)])
    let found = try await provider(transport).key(id: id)
    #expect(found.id == keyB)
    #expect(found.name == "admin bot")
    #expect(found.scope == "all")
    #expect(
      String(decoding: found.raw.bytes, as: UTF8.self) == key(keyB, name: "admin bot", team: teamID)
    )
    #expect(transport.requests.first?.header("Authorization") == "Bearer sess_0123456789abcdef")
  }

  @Test func anUnknownIDIsNotFoundAfterOneRequest() async throws {
    let transport = MockTransport([.exact("GET", listURL, response: list)])
    let unknown = "11111111-2222-4333-8444-555555555555"
    let error = try await #require(throws: KeyError.self) {
      try await provider(transport).key(id: unknown)
    }
    #expect(error.kind == .notFound)
    #expect(error.message == "no key \(unknown) at px0")
    #expect(transport.requests.count == 1)
  }

  @Test func aLookupOfSeveralKeysIsOneRequest() async throws {
    let transport = MockTransport([.exact("GET", listURL, response: list)])
    let found = try await provider(transport).keys(
      ids: [keyB, "11111111-2222-4333-8444-555555555555", keyA])
    #expect(found.map { $0?.id } == [keyB, nil, keyA])
  }

  @Test(arguments: ["render-worker", "8f14e45f", keyA + "0"])
  func anIDThatIsNotAUUIDIsRefusedBeforeAnyRequest(_ id: String) async throws {
    let transport = MockTransport()
    let px0 = try provider(transport)
    var changes = KeyChanges()
    changes.name = "n"
    for error in [
      await #expect(throws: KeyError.self) { _ = try await px0.key(id: id) },
      await #expect(throws: KeyError.self) { _ = try await px0.update(id: id, changes) },
      await #expect(throws: KeyError.self) { _ = try await px0.delete(id: id) },
      await #expect(throws: KeyError.self) { _ = try await px0.regenerate(id: id) },
    ] {
      #expect(error?.kind == .usage)
      #expect(error?.message.contains("px0 key ids are UUIDs") == true)
    }
    #expect(transport.requests.isEmpty)
  }

  @Test func updateSendsOnlyTheNameWhenOnlyTheNameIsGiven() async throws {
    let transport = MockTransport([
      .exact(
        "PUT", "http://localhost:8000/v1/api-keys/\(keyA)", body: #"{"name":"renamed"}"#,
        response: #"{"api_key":\#(key(keyA, name: "renamed"))}"#)
    ])
    var changes = KeyChanges()
    changes.name = "renamed"
    // An upper-case id is sent as px0 prints ids.
    let updated = try await provider(transport).update(id: keyA.uppercased(), changes)
    #expect(updated.id == keyA)
    #expect(updated.name == "renamed")
    #expect(updated.scope == "all")
    #expect(updated.createdAt.map(ISO8601.format) == "2026-02-01T09:30:00Z")
    #expect(String(decoding: updated.raw.bytes, as: UTF8.self) == key(keyA, name: "renamed"))
    let request = try #require(transport.requests.first)
    #expect(request.header("Content-Type") == "application/json")
    #expect(request.header("Idempotency-Key") == nil)
  }

  @Test func updateSendsEveryGivenFieldInNameOrder() async throws {
    let transport = MockTransport([
      .exact(
        "PUT", "http://localhost:8000/v1/api-keys/\(keyA)",
        body: #"{"name":"x","operation":"admin","team_ids":["\#(teamID)"]}"#,
        response: #"{"api_key":\#(key(keyA, name: "x", team: teamID))}"#)
    ])
    var changes = KeyChanges()
    changes.teamIDs = [teamID]
    changes.operation = "admin"
    changes.name = "x"
    _ = try await provider(transport).update(id: keyA, changes)
    #expect(transport.unusedSteps.isEmpty)
  }

  @Test func anUpdateIsRetriedLikeAGet() async throws {
    let put = "http://localhost:8000/v1/api-keys/\(keyA)"
    let transport = MockTransport([
      .exact("PUT", put, body: #"{"operation":"all"}"#, status: 503, response: "{}"),
      .exact("PUT", put, body: #"{"operation":"all"}"#, response: #"{"api_key":\#(key(keyA))}"#),
    ])
    var changes = KeyChanges()
    changes.operation = "all"
    _ = try await provider(transport, retries: 1).update(id: keyA, changes)
    #expect(transport.requests.count == 2)
  }

  @Test func anUpdateOfAnUnknownKeyIsNotFound() async throws {
    let transport = MockTransport([
      .exact(
        "PUT", "http://localhost:8000/v1/api-keys/\(keyA)", body: #"{"name":"n"}"#, status: 404,
        response: #"{"error":"api key not found"}"#)
    ])
    var changes = KeyChanges()
    changes.name = "n"
    let error = try await #require(throws: KeyError.self) {
      try await provider(transport).update(id: keyA, changes)
    }
    #expect(error.kind == .notFound)
    #expect(error.message == "no key \(keyA) at px0")
    #expect(error.status == 404)
  }

  /// px0 answers an unknown team with 404 as well: with teams in the body
  /// keyctl cannot tell which is missing, so px0's own words are kept.
  @Test func a404WithTeamsKeepsPx0sMessage() async throws {
    let transport = MockTransport([
      .exact(
        "PUT", "http://localhost:8000/v1/api-keys/\(keyA)",
        body: #"{"team_ids":["\#(teamID)"]}"#, status: 404, response: #"{"error":"team not found"}"#
      )
    ])
    var changes = KeyChanges()
    changes.teamIDs = [teamID]
    let error = try await #require(throws: KeyError.self) {
      try await provider(transport).update(id: keyA, changes)
    }
    #expect(error.kind == .notFound)
    #expect(error.message == "px0 answered HTTP 404: team not found")
  }

  @Test func anUpdateWithNothingOrAnotherProvidersChangeSendsNothing() async throws {
    let transport = MockTransport()
    let px0 = try provider(transport)
    let empty = await #expect(throws: KeyError.self) {
      _ = try await px0.update(id: keyA, KeyChanges())
    }
    #expect(empty?.kind == .usage)
    var changes = KeyChanges()
    changes.name = "n"
    changes.disabled = true
    let foreign = await #expect(throws: KeyError.self) {
      _ = try await px0.update(id: keyA, changes)
    }
    #expect(foreign?.kind == .usage)
    #expect(foreign?.message == "px0 cannot change a key's disabled state")
    #expect(transport.requests.isEmpty)
  }

  @Test func deleteIs204DeletedAnd404NotFound() async throws {
    let transport = MockTransport([
      .exact("DELETE", "http://localhost:8000/v1/api-keys/\(keyA)", status: 204),
      .exact(
        "DELETE", "http://localhost:8000/v1/api-keys/\(keyB)", status: 404,
        response: #"{"error":"api key not found"}"#),
      .exact(
        "DELETE", "http://localhost:8000/v1/api-keys/\(keyB)", status: 400,
        response: #"{"error":"invalid id"}"#),
    ])
    let px0 = try provider(transport)
    #expect(try await px0.delete(id: keyA) == .deleted)
    #expect(try await px0.delete(id: keyB) == .notFound)
    let error = await #expect(throws: KeyError.self) { _ = try await px0.delete(id: keyB) }
    #expect(error?.kind == .usage)
    #expect(error?.status == 400)
    #expect(transport.requests.allSatisfy { $0.body == nil && $0.header("Idempotency-Key") == nil })
  }

  @Test func regenerateGivesTheSameKeyANewSecretAndIsSentOnce() async throws {
    let url = "http://localhost:8000/v1/api-keys/\(keyA)/regenerate"
    let answer =
      #"{"id":"\#(keyA)","name":"render worker","key":"\#(secret)","org_id":"\#(orgID)","#
      + #""team_id":null,"operation":"all","created_at":"2026-02-01T09:30:00Z"}"#
    let transport = MockTransport([.exact("POST", url, body: "{}", response: answer)])
    let created = try await provider(transport, retries: 3).regenerate(id: keyA)
    #expect(created.secret == secret)
    #expect(created.key.id == keyA)
    #expect(created.key.name == "render worker")
    #expect(created.key.scope == "all")
    let raw = String(decoding: created.key.raw.bytes, as: UTF8.self)
    #expect(!raw.contains(secret))
    #expect(raw.contains(#""org_id":"\#(orgID)""#))

    let failing = MockTransport([.exact("POST", url, body: "{}", status: 503, response: "{}")])
    await #expect(throws: KeyError.self) {
      _ = try await provider(failing, retries: 3).regenerate(id: keyA)
    }
    #expect(failing.requests.count == 1, "a regenerate is never repeated")
  }

  @Test func regenerateOfAnUnknownKeyIsNotFound() async throws {
    let transport = MockTransport([
      .exact(
        "POST", "http://localhost:8000/v1/api-keys/\(keyA)/regenerate", body: "{}", status: 404,
        response: #"{"error":"api key not found"}"#)
    ])
    let error = try await #require(throws: KeyError.self) {
      try await provider(transport).regenerate(id: keyA)
    }
    #expect(error.message == "no key \(keyA) at px0")
    #expect(error.exitCode == 4)
  }

  @Test func anUnreadableRegenerateSaysTheOldSecretMayBeDead() async throws {
    let transport = MockTransport([
      .exact(
        "POST", "http://localhost:8000/v1/api-keys/\(keyA)/regenerate", body: "{}",
        response: #"{"id":"\#(keyA)","key":"ak_with space"}"#)
    ])
    let error = try await #require(throws: KeyError.self) {
      try await provider(transport).regenerate(id: keyA)
    }
    #expect(error.kind == .badResponse)
    #expect(error.message.hasPrefix("px0 answered the regenerate of key \(keyA) with HTTP 200"))
    #expect(error.message.contains("the old one may no longer work"))
    #expect(!error.message.contains("ak_with"))
    #expect(error.hint?.contains("keyctl rotate -p px0 \(keyA) --in-place") == true)
  }

  @Test func aReplacementCarriesTheOperationAndTheTeam() async throws {
    let transport = MockTransport([.exact("GET", listURL, response: list)])
    let px0 = try provider(transport)
    let old = try await px0.key(id: keyB)
    var expected = CreateRequest(name: "admin bot")
    expected.operation = "all"
    expected.teamIDs = [teamID]
    #expect(try px0.replacement(for: old, name: nil) == expected)
    expected.name = "admin bot 2"
    #expect(try px0.replacement(for: old, name: "admin bot 2") == expected)

    // An org-wide key (team_id null) makes an org-wide replacement.
    let orgWide = ApiKey(
      provider: .px0, id: keyA, name: "w", createdAt: nil, scope: "read_render",
      raw: try RawJSON(parsing: Data(key(keyA).utf8)))
    let request = try px0.replacement(for: orgWide, name: nil)
    #expect(request.teamIDs.isEmpty)
    #expect(request.operation == "all", "the operation is read from the key px0 sent")
  }
}
