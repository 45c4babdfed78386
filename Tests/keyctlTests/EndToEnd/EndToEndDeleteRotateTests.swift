import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The simulator's seeded keys for these tests: enough to pick from, few
/// enough that a listing is one page.
private let counts = [
  "--fal-keys", "30", "--px0-keys", "12", "--cartesia-keys", "5", "--openrouter-keys", "30",
]

/// Every key `provider` lists now (OpenRouter's disabled and expired ones too), as ndjson objects.
private func listed(_ provider: String, _ sim: Simulator) async throws -> [[String: Any]] {
  let extra = provider == "openrouter" ? ["--include-disabled", "--include-expired"] : []
  let result = try await Keyctl.run(
    ["list", "-p", provider, "-o", "ndjson"] + extra, environment: sim.environment())
  #expect(result.status == 0, "\(result.stderr)")
  return try result.lines()
}

/// The ids `provider` lists now.
private func ids(_ provider: String, _ sim: Simulator) async throws -> [String] {
  try await listed(provider, sim).compactMap { $0["id"] as? String }
}

/// `METHOD path` of each request `provider` received, in order.
private func sent(_ sim: Simulator, _ provider: String) async throws -> [String] {
  try await sim.log().filter { $0["provider"] as? String == provider }.map {
    "\($0["method"] as? String ?? "") \($0["path"] as? String ?? "")"
  }
}

/// A request header from the simulator's log, whatever its letter case.
private func header(_ entry: [String: Any], _ name: String) -> String? {
  let headers = entry["headers"] as? [String: Any] ?? [:]
  return headers.first { $0.key.lowercased() == name.lowercased() }?.value as? String
}

/// Runs keyctl on a pseudo-terminal that answers its question with `answer`.
private func onATerminal(_ arguments: [String], answer: String, _ sim: Simulator) async throws
  -> [String: Any]
{
  var environment = sim.environment()
  environment["PTY_ANSWER"] = answer
  environment["NO_COLOR"] = "1"
  return try await python(EndToEndNoColorTests.onATerminal, arguments, environment: environment)
}

/// `keyctl delete` (and `revoke`) against the simulator: each row of the
/// capability table, the terminal prompt, retries, Ctrl-C and the pipeline
/// DESIGN.md promises.
// One test at a time: each starts a simulator and several keyctl processes, and
// the suite's timing-sensitive neighbours (Ctrl-C, --max-time) share two cores.
@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"), .serialized)
struct EndToEndDeleteTests {
  /// An id each provider does not have (px0's must still be a UUID).
  static let unknown = [
    "fal": "00000000deadbeef", "px0": "00000000-0000-4000-8000-000000000000",
    "openrouter": String(repeating: "0", count: 64),
  ]

  /// fal deletes with a 204 whatever the id, so an unknown id is `deleted`;
  /// px0 and OpenRouter say 404: `not_found`, exit 4.
  @Test(arguments: [
    ("fal", "/keys/", "deleted", Int32(0)), ("px0", "/v1/api-keys/", "not_found", 4),
    ("openrouter", "/keys/", "not_found", 4),
  ])
  func eachProviderDeletesAndReportsUnknownIdsItsWay(
    provider: String, path: String, unknownResult: String, unknownCode: Int32
  ) async throws {
    let sim = try await Simulator.start(counts)
    let before = try await ids(provider, sim)
    let victim = before[3]
    try await sim.clearLog()
    let result = try await Keyctl.run(
      ["delete", "-p", provider, victim, "--yes", "-o", "json"], environment: sim.environment())
    #expect(result.status == 0, "\(result.stderr)")
    let results = try #require(try result.json()["results"] as? [[String: Any]])
    #expect(results.count == 1)
    #expect(results.first?["result"] as? String == "deleted")
    #expect(results.first?["error"] is NSNull)
    #expect(try await sent(sim, provider) == ["DELETE \(path)\(victim)"])
    #expect(try await ids(provider, sim) == before.filter { $0 != victim })
    expectClean(result)

    let id = try #require(Self.unknown[provider])
    let missing = try await Keyctl.run(
      ["revoke", "-p", provider, id, "--yes", "-o", "ndjson"], environment: sim.environment())
    #expect(missing.status == unknownCode, "\(missing.stderr)")
    #expect(try missing.lines().first?["result"] as? String == unknownResult)
  }

  @Test func cartesiaIsExit8WithNothingSent() async throws {
    let sim = try await Simulator.start(counts)
    let id = try #require(try await ids("cartesia", sim).first)
    try await sim.clearLog()
    let named = try await Keyctl.run(
      ["delete", "-p", "cartesia", id, "--yes"], environment: sim.environment())
    #expect(named.status == 8)
    #expect(named.stderr.hasPrefix("keyctl: Cartesia's API has no endpoint to delete keys"))
    let piped = try await Keyctl.run(
      ["delete", "-", "--yes"], environment: sim.environment(),
      stdin: "{\"provider\":\"cartesia\",\"id\":\"\(id)\"}\n")
    #expect(piped.status == 8)
    #expect(try await sim.log().isEmpty)
  }

  /// A 503 on a DELETE is retried like a GET, and fal's Idempotency-Key is
  /// the same on every attempt for one key, and another for the next key.
  @Test func aRetriedDeleteKeepsItsIdempotencyKey() async throws {
    let sim = try await Simulator.start(counts)
    let before = try await ids("fal", sim)
    try await sim.clearLog()
    try await sim.fault([
      "provider": "fal", "method": "DELETE", "kind": "status", "status": 503, "times": 2,
    ])
    let result = try await Keyctl.run(
      ["delete", "-p", "fal", before[0], before[1], "--yes", "--concurrency", "1", "-v"],
      environment: sim.environment())
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("retry 1/3") && result.stderr.contains("retry 2/3"))
    let deletes = try await sim.log().filter { $0["method"] as? String == "DELETE" }
    #expect(deletes.map { $0["status"] as? Int } == [503, 503, 204, 204])
    let keys = deletes.map { header($0, "Idempotency-Key") }
    #expect(keys.allSatisfy { $0.map { UUID(uuidString: $0) != nil } ?? false }, "\(keys)")
    #expect(keys[0] == keys[1] && keys[1] == keys[2])
    #expect(keys[3] != keys[0])
    #expect(deletes.prefix(3).allSatisfy { $0["path"] as? String == "/keys/\(before[0])" })
    #expect(try await ids("fal", sim) == Array(before.dropFirst(2)))
    expectClean(result)
  }

  /// `keyctl list --name-contains tmp -o ndjson | keyctl delete - --yes`
  /// deletes exactly the keys listed, at every provider they are at.
  @Test func theListPipelineDeletesWhatItLists() async throws {
    let sim = try await Simulator.start(counts)
    for (provider, name) in [("fal", "tmp-a"), ("px0", "tmp-b"), ("openrouter", "tmp-c")] {
      let created = try await Keyctl.run(
        ["create", "-p", provider, "--name", name, "-q"], environment: sim.environment())
      #expect(created.status == 0, "\(created.stderr)")
    }
    let counted = try await Keyctl.run(["list", "-o", "json"], environment: sim.environment())
    let total = try counted.keys().count
    let result = try await Keyctl.shell(
      "\"$KEYCTL\" list --name-contains tmp -o ndjson | \"$KEYCTL\" delete - --yes; "
        + "exit ${PIPESTATUS[1]}", environment: sim.environment())
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 3)
    for (provider, name) in [("fal", "tmp-a"), ("px0", "tmp-b"), ("openrouter", "tmp-c")] {
      #expect(lines.contains { $0.hasPrefix("deleted  \(provider)") && $0.hasSuffix("  \(name)") })
    }
    let after = try await Keyctl.run(["list", "-o", "json"], environment: sim.environment())
    #expect(try after.keys().count == total - 3)
    #expect(try after.keys().allSatisfy { ($0["name"] as? String)?.contains("tmp") != true })
    expectClean(result)
  }

  /// --dry-run looks the keys up (fal: its listing) and sends no DELETE;
  /// a key that does not exist makes exit 4.
  @Test func aDryRunSendsNoDelete() async throws {
    let sim = try await Simulator.start(counts)
    let before = try await ids("fal", sim)
    try await sim.clearLog()
    let result = try await Keyctl.run(
      ["delete", "-p", "fal", before[7], "00000000deadbeef", "--dry-run", "-o", "json"],
      environment: sim.environment())
    #expect(result.status == 4)
    let results = try #require(try result.json()["results"] as? [[String: Any]])
    #expect(results.map { $0["result"] as? String } == ["would_delete", "not_found"])
    #expect(try await sent(sim, "fal") == ["GET /keys"])
    #expect(try await ids("fal", sim) == before)
  }

  /// Not a terminal and no --yes: exit 2, and the simulator sees nothing.
  @Test func withoutATerminalNothingIsSentWithoutYes() async throws {
    let sim = try await Simulator.start(counts)
    let id = try #require(try await ids("fal", sim).first)
    try await sim.clearLog()
    let named = try await Keyctl.run(["delete", "-p", "fal", id], environment: sim.environment())
    #expect(named.status == 2)
    #expect(named.stderr.contains("add --yes"))
    let piped = try await Keyctl.run(
      ["delete", "-p", "fal", "-"], environment: sim.environment(), stdin: id + "\n")
    #expect(piped.status == 2)
    #expect(try await sim.log().isEmpty)
  }

  /// A bad line after good ones: exit 2 naming it, and not one request.
  @Test func aBadLineStopsEverythingBeforeTheFirstRequest() async throws {
    let sim = try await Simulator.start(counts)
    let before = try await ids("fal", sim)
    try await sim.clearLog()
    let result = try await Keyctl.run(
      ["delete", "-p", "fal", "-", "--yes"], environment: sim.environment(),
      stdin: before[0] + "\n" + before[1] + "\nnot an id\n")
    #expect(result.status == 2)
    #expect(result.stderr.hasPrefix("keyctl: stdin line 3: neither a key id nor a JSON key object"))
    #expect(try await sim.log().isEmpty)
  }

  /// An endless stdin (`yes '' |`, or `yes ID |`: repeats are kept once) is
  /// refused once it passes the line limit, before any request: never read
  /// for ever.
  @Test func anEndlessStdinIsRefusedNotReadForEver() async throws {
    let sim = try await Simulator.start(counts)
    try await sim.clearLog()
    let result = try await Keyctl.shell(
      "yes '' | \"$KEYCTL\" delete -p fal - --yes; exit ${PIPESTATUS[1]}",
      environment: sim.environment())
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.hasPrefix("keyctl: stdin has more than 1000000 lines; nothing was sent"))
    #expect(try await sim.log().isEmpty)
  }

  /// stdout that cannot take the results: exit 10, and stderr says how many
  /// keys were deleted and that the rest are not known, so nobody takes
  /// "exit 10" for "nothing happened". The table is written at the end (all
  /// three deleted by then); ndjson line by line (the first line fails, and
  /// the two deletes still in flight are cancelled).
  @Test(arguments: [
    ("> /dev/full", "3 of 3 key(s) deleted"),
    ("-o ndjson > /dev/full", "1 of 3 key(s) deleted; 2 not known: cancelled in flight"),
  ])
  func resultsStdoutCannotTakeSaysWhatWasDeleted(redirect: String, says: String) async throws {
    let sim = try await Simulator.start(counts)
    let before = try await ids("px0", sim)
    let chosen = Array(before.prefix(3))
    let result = try await Keyctl.shell(
      "\"$KEYCTL\" delete -p px0 \(chosen.joined(separator: " ")) --yes \(redirect)"
        + "; exit ${PIPESTATUS[0]}",
      environment: sim.environment())
    #expect(result.status == 10, "\(result.stderr)")
    #expect(result.stderr.contains("keyctl: stopped when the results could not be written: "))
    #expect(result.stderr.contains(says), "\(result.stderr)")
    #expect(result.stderr.contains("could not write to stdout"))
    let after = try await ids("px0", sim)
    #expect(after.count >= before.count - 3 && after.count < before.count)
  }

  /// Ctrl-C (or SIGTERM) in the middle of a bulk delete: the three finished
  /// keys are reported deleted, every other one interrupted; the keys not
  /// reached are still there.
  @Test(arguments: [(SIGINT, Int32(130), "interrupted: 3"), (SIGTERM, 143, "interrupted: 3")])
  func anInterruptionReportsWhatFinished(signal: Int32, code: Int32, message: String)
    async throws
  {
    let sim = try await Simulator.start(counts)
    let before = try await ids("px0", sim)
    let chosen = Array(before.prefix(8))
    try await sim.clearLog()
    try await sim.fault([
      "provider": "px0", "method": "DELETE", "kind": "delay", "delay_ms": 600_000, "after": 3,
      "times": -1,
    ])
    let running = try RunningKeyctl(
      ["delete", "-p", "px0", "--yes", "-o", "ndjson", "--concurrency", "1"] + chosen,
      environment: sim.environment())
    for _ in 0..<500 {
      if try await sim.log().filter({ $0["method"] as? String == "DELETE" }).count >= 3 { break }
      try await Task.sleep(nanoseconds: 20_000_000)
    }
    try await Task.sleep(nanoseconds: 300_000_000)
    running.send(signal)
    let finished = await running.finish()
    #expect(!finished.killedByWatchdog)
    #expect(finished.exitedNormally)
    #expect(finished.result.status == code, "\(finished.result.stderr)")
    let lines = try finished.result.lines()
    #expect(lines.map { $0["id"] as? String } == chosen)
    #expect(lines.prefix(3).allSatisfy { $0["result"] as? String == "deleted" })
    for line in lines.dropFirst(3) {
      #expect(line["result"] as? String == "failed")
      #expect((line["error"] as? [String: Any])?["kind"] as? String == "interrupted")
    }
    #expect(finished.result.stderr.contains("keyctl: \(message) of 8 key(s) deleted"))
    #expect(!finished.result.stderr.contains("Fatal error"))
    // Not one more DELETE after the signal: three answered, one held.
    let deletes = try await sim.log().filter { $0["method"] as? String == "DELETE" }
    #expect(deletes.count == 3)
    #expect(try await ids("px0", sim) == Array(before.dropFirst(3)))
  }

  /// On a terminal: the keys are listed, the question asked, and only `y`
  /// deletes; `n` and Ctrl-D are exit 1 with nothing deleted.
  @Test(arguments: [("y\n", Int32(0)), ("n\n", 1), ("", 1)])
  func onATerminalTheAnswerDecides(answer: String, code: Int32) async throws {
    let sim = try await Simulator.start(counts)
    let key = try #require(try await listed("openrouter", sim).first)
    let id = try #require(key["id"] as? String)
    let name = try #require(key["name"] as? String)
    try await sim.clearLog()
    let outcome = try await onATerminal(["delete", "-p", "openrouter", id], answer: answer, sim)
    #expect(outcome["asked"] as? Bool == true)
    #expect(outcome["status"] as? Int == Int(code))
    let screen = try #require(outcome["out"] as? String).replacingOccurrences(
      of: "\r\n", with: "\n")
    #expect(screen.contains("keyctl: about to delete:\n  openrouter  \(id)  \(name)\n"))
    #expect(screen.contains("Delete 1 key(s)? [y/N] "))
    let requests = try await sent(sim, "openrouter")
    if code == 0 {
      #expect(requests == ["GET /keys/\(id)", "DELETE /keys/\(id)"])
      #expect(screen.contains("deleted  openrouter  \(id)  \(name)"))
    } else {
      #expect(requests == ["GET /keys/\(id)"])
      #expect(screen.contains("keyctl: nothing was deleted"))
    }
  }
}

/// `keyctl rotate` against the simulator: each row of the capability table,
/// the failure of each step, the prompt, and the secret kept off stderr.
// One test at a time: each starts a simulator and several keyctl processes, and
// the suite's timing-sensitive neighbours (Ctrl-C, --max-time) share two cores.
@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"), .serialized)
struct EndToEndRotateTests {
  /// What a provider's secrets start with.
  static let secretPrefix = ["px0": "ak_", "openrouter": "sk-or-v1-"]

  /// The settings the replacement must carry, by provider (read from `raw`).
  static let carried = [
    "fal": [String](), "px0": ["operation", "team_id", "org_id"],
    "openrouter": ["limit", "limit_reset", "include_byok_in_limit", "workspace_id"],
  ]

  /// A key worth rotating: px0 with a team, OpenRouter enabled with a limit.
  static func pick(_ provider: String, _ sim: Simulator) async throws -> [String: Any] {
    let keys = try await listed(provider, sim)
    let fitting = keys.first { key in
      let raw = key["raw"] as? [String: Any] ?? [:]
      switch provider {
      case "px0": return raw["team_id"] is String
      case "openrouter":
        return raw["limit"] is NSNumber && raw["disabled"] as? Bool == false
          && raw["limit_reset"] is String && key["status"] as? String == "active"
      default: return true
      }
    }
    return try #require(fitting, "no \(provider) key to rotate")
  }

  @Test(arguments: [
    ("fal", ["POST /keys", "DELETE /keys/OLD"]),
    ("px0", ["POST /v1/api-keys", "DELETE /v1/api-keys/OLD"]),
    ("openrouter", ["POST /keys", "DELETE /keys/OLD"]),
  ])
  func rotateCreatesThenDeletesCarryingTheSettings(provider: String, changes: [String])
    async throws
  {
    let sim = try await Simulator.start(counts)
    let old = try await Self.pick(provider, sim)
    let oldID = try #require(old["id"] as? String)
    try await sim.clearLog()
    let result = try await Keyctl.run(
      ["rotate", "-p", provider, oldID, "--yes", "-o", "json"], environment: sim.environment())
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.filter { $0 == "\n" }.count == 1)
    let document = try result.json()
    #expect(Set(document.keys) == ["old", "new", "secret", "old_key"])
    #expect(document["old_key"] as? String == "deleted")
    let new = try #require(document["new"] as? [String: Any])
    let newID = try #require(new["id"] as? String)
    #expect((document["old"] as? [String: Any])?["id"] as? String == oldID)
    #expect(new["name"] as? String == old["name"] as? String)
    let secret = try #require(document["secret"] as? String)
    #expect(secret.hasPrefix(Self.secretPrefix[provider] ?? newID + ":"))
    #expect(!result.stderr.contains(secret))
    // The log: reads, then the create, then the delete, in that order.
    let requests = try await sent(sim, provider).filter { !$0.hasPrefix("GET") }
    #expect(requests == changes.map { $0.replacingOccurrences(of: "OLD", with: oldID) })
    let now = try await listed(provider, sim)
    #expect(!now.contains { $0["id"] as? String == oldID })
    let replacement = try #require(now.first { $0["id"] as? String == newID })
    let oldRaw = old["raw"] as? [String: Any] ?? [:]
    let newRaw = replacement["raw"] as? [String: Any] ?? [:]
    for field in Self.carried[provider] ?? [] {
      #expect(
        "\(newRaw[field] ?? "absent")" == "\(oldRaw[field] ?? "absent")", "\(provider) \(field)")
    }
    expectClean(result)
  }

  /// px0 --in-place: the same id, a new secret, through regenerate alone.
  @Test func px0InPlaceRegeneratesUnderTheSameId() async throws {
    let sim = try await Simulator.start(counts)
    let id = try #require(try await ids("px0", sim).first)
    try await sim.clearLog()
    let result = try await Keyctl.run(
      ["rotate", "-p", "px0", id, "--in-place", "--yes", "--json"], environment: sim.environment())
    #expect(result.status == 0, "\(result.stderr)")
    let document = try result.json()
    #expect((document["new"] as? [String: Any])?["id"] as? String == id)
    #expect(document["old_key"] as? String == "regenerated")
    #expect((document["secret"] as? String)?.hasPrefix("ak_") == true)
    #expect(
      try await sent(sim, "px0") == ["GET /v1/api-keys", "POST /v1/api-keys/\(id)/regenerate"])
    #expect(try await ids("px0", sim).contains(id))
  }

  /// OpenRouter --disable-old: a PATCH of `disabled: true`, and the old key stays, disabled.
  @Test func openRouterDisableOldDisablesTheOldKey() async throws {
    let sim = try await Simulator.start(counts)
    let old = try await Self.pick("openrouter", sim)
    let oldID = try #require(old["id"] as? String)
    try await sim.clearLog()
    let result = try await Keyctl.run(
      ["rotate", "-p", "openrouter", oldID, "--disable-old", "--yes"],
      environment: sim.environment())
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("old_key     disabled\n"))
    let patch = try #require(
      try await sim.log().first { $0["method"] as? String == "PATCH" })
    #expect(patch["path"] as? String == "/keys/\(oldID)")
    #expect(patch["body"] as? String == "{\"disabled\":true}")
    let after = try await listed("openrouter", sim).first { $0["id"] as? String == oldID }
    #expect(after?["status"] as? String == "disabled")
  }

  /// --keep-old retires nothing: no --yes needed, no DELETE, and stderr says how to finish.
  @Test func keepOldLeavesTheOldKey() async throws {
    let sim = try await Simulator.start(counts)
    let oldID = try #require(try await ids("fal", sim).first)
    try await sim.clearLog()
    let result = try await Keyctl.run(
      ["rotate", "-p", "fal", oldID, "--keep-old", "-q"], environment: sim.environment())
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "still live; once every client has the new secret: "
          + "keyctl delete -p fal \(oldID)"))
    #expect(!(try await sent(sim, "fal")).contains { $0.hasPrefix("DELETE") })
    #expect(try await ids("fal", sim).contains(oldID))
  }

  @Test func cartesiaIsExit8WithNothingSent() async throws {
    let sim = try await Simulator.start(counts)
    let id = try #require(try await ids("cartesia", sim).first)
    try await sim.clearLog()
    let result = try await Keyctl.run(
      ["rotate", "-p", "cartesia", id, "--yes"], environment: sim.environment())
    #expect(result.status == 8)
    #expect(result.stderr.hasPrefix("keyctl: Cartesia's API cannot rotate keys"))
    #expect(try await sim.log().isEmpty)
  }

  /// The create fails: its exit code, no DELETE, the old key as it was.
  @Test func aFailedCreateLeavesTheOldKeyUntouched() async throws {
    let sim = try await Simulator.start(counts)
    let before = try await ids("fal", sim)
    try await sim.clearLog()
    try await sim.fault(["provider": "fal", "method": "POST", "kind": "status", "status": 500])
    let result = try await Keyctl.run(
      ["rotate", "-p", "fal", before[2], "--yes"], environment: sim.environment())
    #expect(result.status == 6, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(try await sent(sim, "fal") == ["GET /keys", "POST /keys"])
    #expect(try await ids("fal", sim) == before)
  }

  /// The delete fails after the secret is out: exit 7, the secret on
  /// stdout, and the exact command that finishes — which then works.
  @Test func aFailedDeleteIsExit7WithTheCommandThatFinishes() async throws {
    let sim = try await Simulator.start(counts)
    let oldID = try #require(try await ids("fal", sim).first)
    try await sim.fault(["provider": "fal", "method": "DELETE", "kind": "status", "status": 403])
    let result = try await Keyctl.run(
      ["rotate", "-p", "fal", oldID, "--yes", "-q"], environment: sim.environment())
    #expect(result.status == 7, "\(result.stderr)")
    let secret = result.stdout.trimmingCharacters(in: .newlines)
    let newID = try #require(secret.split(separator: ":").first.map(String.init))
    #expect(try await ids("fal", sim).contains(newID))
    #expect(result.stderr.contains("the old fal key \(oldID) is still live"))
    let finish = "keyctl delete -p fal \(oldID)"
    #expect(result.stderr.contains("finish with: \(finish)\n"))
    #expect(!result.stderr.contains(secret))
    #expect(try await ids("fal", sim).contains(oldID))
    let finished = try await Keyctl.run(
      Array(finish.split(separator: " ").dropFirst().map(String.init)) + ["--yes"],
      environment: sim.environment())
    #expect(finished.status == 0)
    #expect(!(try await ids("fal", sim)).contains(oldID))
  }

  /// stdout that cannot take the secret: exit 10, the new key named for
  /// deletion, and the old key never touched.
  @Test func aSecretStdoutCannotTakeLeavesTheOldKey() async throws {
    let sim = try await Simulator.start(counts)
    let oldID = try #require(try await ids("fal", sim).first)
    try await sim.clearLog()
    let result = try await Keyctl.shell(
      "\"$KEYCTL\" rotate -p fal \(oldID) --yes > /dev/full", environment: sim.environment())
    #expect(result.status == 10, "\(result.stderr)")
    let now = try await ids("fal", sim)
    let newID = try #require(now.first)
    #expect(now.contains(oldID) && newID != oldID)
    #expect(result.stderr.contains("keyctl delete -p fal \(newID)"))
    #expect(result.stderr.contains("the old key was left as it was"))
    #expect(!(try await sent(sim, "fal")).contains { $0.hasPrefix("DELETE") })
  }

  /// The README's CI example: the secret alone, into a variable.
  @Test func theCIExampleCapturesTheSecret() async throws {
    let sim = try await Simulator.start(counts)
    let oldID = try #require(try await ids("fal", sim).first)
    var environment = sim.environment()
    environment["OLD"] = oldID
    let result = try await Keyctl.shell(
      "NEW=$(\"$KEYCTL\" rotate -p fal \"$OLD\" -q --yes) && printf '[%s]' \"$NEW\"",
      environment: environment)
    #expect(result.status == 0, "\(result.stderr)")
    let secret = String(result.stdout.dropFirst().dropLast())
    let newID = try #require(secret.split(separator: ":").first.map(String.init))
    #expect(result.stdout.hasPrefix("[") && result.stdout.hasSuffix("]"))
    #expect(secret.split(separator: ":").last?.count == 64)
    #expect(try await ids("fal", sim).contains(newID))
    #expect(!(try await ids("fal", sim)).contains(oldID))
  }

  /// The secret is on stdout only: never on stderr, never in a `-v` line, in
  /// any format, at any provider that can rotate.
  @Test(arguments: ["fal", "px0", "openrouter"])
  func theSecretNeverReachesStderrOrVerboseLines(provider: String) async throws {
    let sim = try await Simulator.start(counts)
    let keys = try await ids(provider, sim)
    for (index, format) in [["-o", "table"], ["-o", "json"], ["-o", "ndjson"], ["-q"]].enumerated()
    {
      let result = try await Keyctl.run(
        ["rotate", "-p", provider, keys[index], "--yes", "-v"] + format,
        environment: sim.environment())
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stderr.contains("> POST"), "-v is on")
      let secret: String
      switch format.last {
      case "table":
        let line = try #require(
          result.stdout.split(separator: "\n").first { $0.hasPrefix("secret ") })
        secret = String(line.split(separator: " ").last ?? "")
      case "json", "ndjson": secret = try #require(try result.json()["secret"] as? String)
      default: secret = result.stdout.trimmingCharacters(in: .newlines)
      }
      #expect(secret.count > 20, "\(format)")
      // fal's secret is `id:secret`; the half after the colon is the secret part.
      let part = String(secret.split(separator: ":").last ?? "")
      #expect(!result.stderr.contains(secret), "\(provider) \(format)")
      #expect(!result.stderr.contains(part), "\(provider) \(format)")
      expectClean(result)
    }
  }

  /// On a terminal: `y` rotates; `n` is exit 1 and nothing is created.
  @Test(arguments: [("y\n", 0), ("n\n", 1)])
  func onATerminalTheAnswerDecides(answer: String, code: Int) async throws {
    let sim = try await Simulator.start(counts)
    let oldID = try #require(try await ids("fal", sim).first)
    try await sim.clearLog()
    let outcome = try await onATerminal(["rotate", "-p", "fal", oldID], answer: answer, sim)
    #expect(outcome["asked"] as? Bool == true)
    #expect(outcome["status"] as? Int == code)
    let screen = try #require(outcome["out"] as? String)
    #expect(screen.contains("Rotate this key? [y/N] "))
    let requests = try await sent(sim, "fal")
    if code == 0 {
      #expect(requests == ["GET /keys", "POST /keys", "DELETE /keys/\(oldID)"])
    } else {
      #expect(requests == ["GET /keys"])
      #expect(screen.contains("keyctl: nothing was changed"))
    }
  }

  /// --dry-run: the old key, the create it would send, the plan; only reads.
  @Test func aDryRunOnlyReads() async throws {
    let sim = try await Simulator.start(counts)
    let old = try await Self.pick("openrouter", sim)
    let oldID = try #require(old["id"] as? String)
    let raw = old["raw"] as? [String: Any] ?? [:]
    try await sim.clearLog()
    let result = try await Keyctl.run(
      ["rotate", "-p", "openrouter", oldID, "--dry-run", "--json"], environment: sim.environment())
    #expect(result.status == 0, "\(result.stderr)")
    let plan = try result.json()
    let create = try #require(plan["create"] as? [String: Any])
    #expect(create["name"] as? String == old["name"] as? String)
    #expect("\(create["limit"] ?? "")" == "\(raw["limit"] ?? "-")")
    #expect(create["limit_reset"] as? String == raw["limit_reset"] as? String)
    #expect(plan["old_key"] as? String == "deleted")
    #expect(try await sent(sim, "openrouter") == ["GET /keys/\(oldID)"])
  }
}
