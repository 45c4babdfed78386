import Foundation
import Testing

/// The seeded px0 keys' organization and teams (Scripts/simulator/px0.py).
private let px0Team = "3f6b8a2c-1d4e-4f5a-8b9c-0d1e2f3a4b5c"
private let foreignTeam = "5e1f0a9b-2c3d-4e5f-a6b7-c8d9e0f1a2b3"

/// `keyctl get` and `keyctl update` against the simulator: every row of
/// DESIGN.md's capability table for them, and the bad input of issue 13.
@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndGetUpdateTests {
  static let counts = [
    "--fal-keys", "250", "--px0-keys", "40", "--cartesia-keys", "230", "--openrouter-keys", "250",
  ]

  /// The list arguments that show a provider's keys as fully as `get` does.
  static let fullList = [
    "fal": ["--expand-creator"], "px0": [], "cartesia": [],
    "openrouter": ["--include-disabled", "--include-expired"],
  ]

  /// The key at `index` of `provider`'s full listing, as `list -o ndjson` prints it.
  static func listed(_ provider: String, at index: Int, _ sim: Simulator) async throws
    -> [String: Any]
  {
    let result = try await Keyctl.run(
      ["list", "-p", provider, "-o", "ndjson"] + (fullList[provider] ?? []),
      environment: sim.environment())
    #expect(result.status == 0, "\(result.stderr)")
    let lines = try result.lines()
    return lines[min(index, lines.count - 1)]
  }

  /// The requests `provider` received since the log was last cleared.
  static func sent(_ sim: Simulator, _ provider: String) async throws -> [[String: Any]] {
    try await sim.log().filter { $0["provider"] as? String == provider }
  }

  @Test(arguments: [
    // fal: no get endpoint, so the list is paged (100 a page) up to the key's page.
    ("fal", 0, ["GET /keys"]), ("fal", 129, ["GET /keys", "GET /keys"]),
    // px0: the one-page list.
    ("px0", 17, ["GET /v1/api-keys"]),
    ("cartesia", 140, ["GET /api-keys/ID"]), ("openrouter", 201, ["GET /keys/ID"]),
  ])
  func getPrintsTheKeyAsListHasIt(provider: String, index: Int, requests: [String]) async throws {
    let sim = try await Simulator.start(Self.counts)
    let expected = try await Self.listed(provider, at: index, sim)
    let id = try #require(expected["id"] as? String)
    try await sim.clearLog()
    let json = try await Keyctl.run(
      ["get", "-p", provider, id, "-o", "json"], environment: sim.environment())
    #expect(json.status == 0, "\(json.stderr)")
    #expect(json.stdout.filter { $0 == "\n" }.count == 1, "one line")
    #expect(NSDictionary(dictionary: try json.json()) == NSDictionary(dictionary: expected))
    let log = try await Self.sent(sim, provider)
    #expect(
      log.map { "\($0["method"] as? String ?? "") \($0["path"] as? String ?? "")" }
        == requests.map { $0.replacingOccurrences(of: "ID", with: id) })
    if provider == "fal" {
      for entry in log {
        let query = entry["query"] as? [String: [String]]
        #expect(query?["limit"] == ["100"])
        #expect(query?["expand"] == ["creator_info"])
      }
    }
    let table = try await Keyctl.run(["get", "-p", provider, id], environment: sim.environment())
    #expect(table.status == 0)
    let labels = table.stdout.split(separator: "\n").map { $0.split(separator: " ").first ?? "" }
    #expect(
      labels == [
        "provider", "id", "name", "created_at", "scope", "status", "expires_at", "last_used_at",
        "creator",
      ])
    #expect(table.stdout.contains("\nid" + String(repeating: " ", count: 12) + id + "\n"))
    expectClean(json)
    expectClean(table)
  }

  @Test(arguments: [
    ("fal", "no-such-key", 3), ("px0", "11111111-2222-4333-8444-555555555555", 1),
    ("cartesia", "key_nope", 1), ("openrouter", "nope", 1),
  ])
  func anUnknownIDIsExit4AtEveryProvider(provider: String, id: String, requests: Int) async throws {
    let sim = try await Simulator.start(Self.counts)
    let result = try await Keyctl.run(["get", "-p", provider, id], environment: sim.environment())
    #expect(result.status == 4)
    #expect(result.stdout.isEmpty)
    // Cartesia's 404 names its request id after the message; fal and px0 sent no 404.
    #expect(result.stderr.hasPrefix("keyctl: no key \(id) at \(provider)"))
    #expect(result.stderr.contains("See the keys there with 'keyctl list -p \(provider)'."))
    // fal answers nothing for an unknown id: keyctl read its whole list (250 keys, 3 pages).
    #expect(try await Self.sent(sim, provider).count == requests)
  }

  @Test(arguments: [
    ["get", "-p", "px0", "not-a-uuid"], ["get", "-p", "fal", ""],
    ["get", "-p", "openrouter", ".."],
    ["get", "-p", "cartesia", "key 1"], ["update", "-p", "px0", "not-a-uuid", "--name", "x"],
    ["update", "-p", "openrouter", "a\tb", "--disable"],
  ])
  func aMalformedIDIsExit2WithNothingSent(_ arguments: [String]) async throws {
    let sim = try await Simulator.start()
    let result = try await Keyctl.run(arguments, environment: sim.environment())
    #expect(result.status == 2)
    #expect(result.stderr.hasPrefix("keyctl: invalid key id '"))
    #expect(try await sim.log().isEmpty)
  }

  @Test func anIDGoesIntoThePathAsOneEncodedSegment() async throws {
    let sim = try await Simulator.start()
    let result = try await Keyctl.run(
      ["get", "-p", "cartesia", "a/../b?c=1"], environment: sim.environment())
    #expect(result.status == 4)
    let log = try await sim.log()
    #expect(log.map { $0["raw_path"] as? String } == ["/api-keys/a%2F..%2Fb%3Fc%3D1"])
  }

  @Test func px0UpdatePutsExactlyTheChangesAndGetSeesThem() async throws {
    let sim = try await Simulator.start(Self.counts)
    let env = sim.environment()
    let key = try await Self.listed("px0", at: 5, sim)
    let id = try #require(key["id"] as? String)
    try await sim.clearLog()
    let result = try await Keyctl.run(
      [
        "update", "-p", "px0", id.uppercased(), "--name", "render v2", "--operation", "admin",
        "--team-id", px0Team, "-o", "json",
      ], environment: env)
    #expect(result.status == 0, "\(result.stderr)")
    let updated = try result.json()
    #expect(updated["name"] as? String == "render v2")
    #expect(updated["scope"] as? String == "admin")
    #expect((updated["raw"] as? [String: Any])?["team_id"] as? String == px0Team)
    let log = try await Self.sent(sim, "px0")
    #expect(log.count == 1)
    #expect(log.first?["method"] as? String == "PUT")
    #expect(log.first?["raw_path"] as? String == "/v1/api-keys/\(id)")
    #expect(
      log.first?["body"] as? String
        == #"{"name":"render v2","operation":"admin","team_ids":["\#(px0Team)"]}"#)

    let after = try await Keyctl.run(["get", "-p", "px0", id, "--json"], environment: env)
    #expect(NSDictionary(dictionary: try after.json()) == NSDictionary(dictionary: updated))
    let nameOnly = try await Keyctl.run(
      ["update", "-p", "px0", id, "--name", "render v3"], environment: env)
    #expect(nameOnly.status == 0)
    #expect(nameOnly.stdout.contains("\nname          render v3\n"))
    #expect(try await Self.sent(sim, "px0").last?["body"] as? String == #"{"name":"render v3"}"#)
    expectClean(result)
  }

  @Test func openRouterUpdatePatchesExactlyTheChangesAndGetSeesThem() async throws {
    let sim = try await Simulator.start(Self.counts)
    let env = sim.environment()
    let key = try await Self.listed("openrouter", at: 0, sim)
    let id = try #require(key["id"] as? String)
    try await sim.clearLog()
    let off = try await Keyctl.run(
      [
        "update", "-p", "openrouter", id, "--disable", "--credit-limit", "12.5", "--limit-reset",
        "weekly", "--include-byok-in-limit", "--json",
      ], environment: env)
    #expect(off.status == 0, "\(off.stderr)")
    let disabled = try off.json()
    #expect(disabled["status"] as? String == "disabled")
    let raw = try #require(disabled["raw"] as? [String: Any])
    #expect(raw["limit"] as? Double == 12.5)
    #expect(raw["limit_reset"] as? String == "weekly")
    #expect(raw["include_byok_in_limit"] as? Bool == true)

    let on = try await Keyctl.run(
      [
        "update", "-p", "openrouter", id, "--enable", "--no-credit-limit", "--limit-reset", "none",
        "--no-include-byok-in-limit", "--name", "renamed", "--json",
      ], environment: env)
    #expect(on.status == 0, "\(on.stderr)")
    let enabled = try on.json()
    #expect(enabled["status"] as? String == "active")
    #expect(enabled["name"] as? String == "renamed")
    let cleared = try #require(enabled["raw"] as? [String: Any])
    #expect(cleared["limit"] is NSNull)
    #expect(cleared["limit_reset"] is NSNull)

    let log = try await Self.sent(sim, "openrouter")
    #expect(log.map { $0["method"] as? String } == ["PATCH", "PATCH"])
    #expect(
      log.map { $0["body"] as? String } == [
        #"{"disabled":true,"include_byok_in_limit":true,"limit":12.5,"limit_reset":"weekly"}"#,
        #"{"disabled":false,"include_byok_in_limit":false,"limit":null,"limit_reset":null,"#
          + #""name":"renamed"}"#,
      ])
    let after = try await Keyctl.run(["get", "-p", "openrouter", id, "--json"], environment: env)
    #expect(NSDictionary(dictionary: try after.json()) == NSDictionary(dictionary: enabled))
    expectClean(on)
  }

  @Test(arguments: [
    ["update", "-p", "fal", "abc123", "--name", "x"], ["update", "-p", "fal", "abc123"],
    ["update", "-p", "cartesia", "key_1", "--name", "x"], ["update", "-p", "cartesia"],
  ])
  func falAndCartesiaUpdateIsExit8WithNothingSent(_ arguments: [String]) async throws {
    let sim = try await Simulator.start()
    let result = try await Keyctl.run(arguments, environment: sim.environment())
    #expect(result.status == 8)
    #expect(result.stderr.contains("API has no endpoint to update keys"))
    #expect(try await sim.log().isEmpty)
  }

  @Test(arguments: [
    ("px0", "11111111-2222-4333-8444-555555555555"),
    ("openrouter", "0000000000000000000000000000000000000000000000000000000000000000"),
  ])
  func anUpdateOfAnUnknownKeyIsExit4(provider: String, id: String) async throws {
    let sim = try await Simulator.start()
    let result = try await Keyctl.run(
      ["update", "-p", provider, id, "--name", "x"], environment: sim.environment())
    #expect(result.status == 4)
    #expect(result.stderr.hasPrefix("keyctl: no key \(id) at \(provider)"))
    #expect(try await Self.sent(sim, provider).count == 1)
  }

  /// px0 answers an unknown team with 404 too: px0's words are kept, not "no key".
  @Test func anUnknownOrForeignTeamKeepsPx0sAnswer() async throws {
    let sim = try await Simulator.start()
    let env = sim.environment()
    let id = try #require(try await Self.listed("px0", at: 0, sim)["id"] as? String)
    let unknown = try await Keyctl.run(
      ["update", "-p", "px0", id, "--team-id", "11111111-2222-4333-8444-555555555555"],
      environment: env)
    #expect(unknown.status == 4)
    #expect(unknown.stderr.hasPrefix("keyctl: px0 answered HTTP 404: team not found"))
    let foreign = try await Keyctl.run(
      ["update", "-p", "px0", id, "--team-id", foreignTeam], environment: env)
    #expect(foreign.status == 2)
    #expect(foreign.stderr.contains("team does not belong to organization"))
  }

  @Test(arguments: [
    (["-p", "px0", "ID"], "'keyctl update' needs at least one change; px0 takes"),
    (["-p", "openrouter", "ID"], "'keyctl update' needs at least one change; openrouter takes"),
    (["-p", "px0", "ID", "--disable"], "option '--disable' is for OpenRouter only"),
    (
      ["-p", "px0", "ID", "--no-credit-limit"], "option '--no-credit-limit' is for OpenRouter only"
    ),
    (["-p", "openrouter", "ID", "--operation", "all"], "option '--operation' is for px0 only"),
    (["-p", "openrouter", "ID", "--team-id", px0Team], "option '--team-id' is for px0 only"),
    (["-p", "openrouter", "ID", "--disable", "--enable"], "'--disable' and '--enable' contradict"),
    (
      ["-p", "openrouter", "ID", "--credit-limit", "1", "--no-credit-limit"],
      "'--credit-limit' and '--no-credit-limit' contradict"
    ),
    (
      ["-p", "openrouter", "ID", "--include-byok-in-limit", "--no-include-byok-in-limit"],
      "'--include-byok-in-limit' and '--no-include-byok-in-limit' contradict"
    ),
  ])
  func aBadUpdateIsExit2WithNothingSent(_ arguments: [String], _ message: String) async throws {
    let sim = try await Simulator.start()
    let id = arguments[1] == "px0" ? "8f14e45f-ceea-467f-a0e6-5a3b1c2d3e4f" : "abc"
    let result = try await Keyctl.run(
      ["update"] + arguments.map { $0 == "ID" ? id : $0 }, environment: sim.environment())
    #expect(result.status == 2)
    #expect(result.stderr.hasPrefix("keyctl: " + message), "\(result.stderr)")
    #expect(try await sim.log().isEmpty)
  }

  /// stdout that cannot take the updated key: exit 10, and stderr says the
  /// change was made and how to see the key (an update is not undone).
  @Test func anUpdateWhoseStdoutIsFullSaysItWasApplied() async throws {
    let sim = try await Simulator.start()
    let id = try #require(try await Self.listed("openrouter", at: 0, sim)["id"] as? String)
    let result = try await Keyctl.shell(
      "\"$KEYCTL\" update -p openrouter \(id) --disable > /dev/full", environment: sim.environment()
    )
    #expect(result.status == 10, "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "keyctl: the update was applied; 'keyctl get -p openrouter \(id)' shows the key"),
      "\(result.stderr)")
    #expect(result.stderr.contains("could not write to stdout"))
    let key = try await Keyctl.run(
      ["get", "-p", "openrouter", id, "-o", "json"], environment: sim.environment())
    #expect(try key.json()["status"] as? String == "disabled")
  }

  @Test func anUpdateIsRetriedLikeAGet() async throws {
    let sim = try await Simulator.start()
    let env = sim.environment()
    let id = try #require(try await Self.listed("openrouter", at: 0, sim)["id"] as? String)
    try await sim.clearLog()
    try await sim.fault([
      "provider": "openrouter", "method": "PATCH", "kind": "status", "status": 503,
    ])
    let result = try await Keyctl.run(
      ["update", "-p", "openrouter", id, "--name", "again", "-v"], environment: env)
    #expect(result.status == 0, "\(result.stderr)")
    let log = try await Self.sent(sim, "openrouter")
    #expect(log.map { $0["status"] as? Int } == [503, 200])
    #expect(Set(log.compactMap { $0["body"] as? String }) == [#"{"name":"again"}"#])
    #expect(result.stderr.contains("retry 1/3"))
    expectClean(result)
  }

  /// `-v` shows each request and answer, never a credential.
  @Test(arguments: ["fal", "px0", "cartesia", "openrouter"])
  func verboseGetShowsTheRequestsAndNoSecret(provider: String) async throws {
    let sim = try await Simulator.start()
    let id = try #require(try await Self.listed(provider, at: 3, sim)["id"] as? String)
    let result = try await Keyctl.run(
      ["get", "-p", provider, id, "-v", "-o", "ndjson"], environment: sim.environment())
    #expect(result.status == 0)
    #expect(result.stderr.contains("keyctl: \(provider): > GET http://"))
    #expect(result.stderr.contains("keyctl: \(provider): < 200 GET "))
    expectClean(result)
  }
}
