import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// One finding as the tests compare them: which key broke which rule.
struct Broken: Hashable, CustomStringConvertible {
  let provider: String
  let id: String
  let rule: String
  var description: String { "\(provider) \(id) \(rule)" }
}

/// DESIGN.md's audit rules, applied here independently of KeyCore to the keys
/// `keyctl list -o json` printed: what `keyctl audit` must find in them.
struct ExpectedFindings {
  /// Which providers report the field each rule reads (DESIGN.md's table).
  static let reportedBy: [String: Set<String>] = [
    "expired": ["openrouter"], "expiring": ["openrouter"], "disabled": ["openrouter"],
    "unused": ["px0", "openrouter"], "never_used": ["px0", "openrouter"],
    "old": ["fal", "px0", "cartesia", "openrouter"], "creator_left": ["cartesia"],
  ]
  static let day = 86_400.0

  var asOf: Double
  var maxAge = 90
  var unusedDays = 30
  var expiringDays = 14
  var rules: Set<String> = Set(reportedBy.keys)

  /// Every (provider, id, rule) the keys imply.
  func findings(in keys: [[String: Any]]) -> Set<Broken> {
    var found: Set<Broken> = []
    for key in keys {
      guard let provider = key["provider"] as? String, let id = key["id"] as? String else {
        continue
      }
      for rule in rules where Self.reportedBy[rule]?.contains(provider) == true {
        if breaks(rule, key) { found.insert(Broken(provider: provider, id: id, rule: rule)) }
      }
    }
    return found
  }

  private func breaks(_ rule: String, _ key: [String: Any]) -> Bool {
    let created = (key["created_at"] as? String).flatMap(Self.seconds)
    let lastUsed = (key["last_used_at"] as? String).flatMap(Self.seconds)
    let expires = (key["expires_at"] as? String).flatMap(Self.seconds)
    switch rule {
    case "expired": return expires.map { $0 <= asOf } ?? false
    case "expiring":
      return expires.map { $0 - asOf > 0 && $0 - asOf <= Double(expiringDays) * Self.day } ?? false
    case "disabled": return key["status"] as? String == "disabled"
    case "unused": return lastUsed.map { asOf - $0 > Double(unusedDays) * Self.day } ?? false
    case "never_used":
      return key["last_used_at"] is NSNull
        && (created.map { asOf - $0 > Double(unusedDays) * Self.day } ?? false)
    case "old": return created.map { asOf - $0 > Double(maxAge) * Self.day } ?? false
    case "creator_left":
      return (key["raw"] as? [String: Any])?["creator_still_in_org"] as? Bool == false
    default: return false
    }
  }

  /// Seconds since 1970 of `YYYY-MM-DDTHH:MM:SS[.fff]Z` (how keyctl prints
  /// dates, from 1970 on), counted year by year and month by month: a plainer
  /// way than KeyCore's, and no formatter or locale.
  static func seconds(_ text: String) -> Double? {
    let bytes = Array(text.utf8)
    guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
    func number(_ from: Int, _ count: Int) -> Int? {
      Int(String(decoding: bytes[from..<from + count], as: UTF8.self))
    }
    guard let year = number(0, 4), year >= 1970, let month = number(5, 2),
      let day = number(8, 2), let hour = number(11, 2), let minute = number(14, 2),
      let second = number(17, 2)
    else { return nil }
    var days = (1970..<year).reduce(0) { $0 + (isLeap($1) ? 366 : 365) }
    days += monthLengths(year).prefix(month - 1).reduce(0, +) + day - 1
    let fraction = Double("0" + String(decoding: bytes[19..<bytes.count - 1], as: UTF8.self))
    return Double(days * 86_400 + hour * 3600 + minute * 60 + second) + (fraction ?? 0)
  }

  /// Whole `seconds` since 1970 as `--as-of` takes them, found the same plain way.
  static func text(_ seconds: Double) -> String {
    var days = Int(seconds) / 86_400
    let rest = Int(seconds) % 86_400
    var year = 1970
    while days >= (isLeap(year) ? 366 : 365) {
      days -= isLeap(year) ? 366 : 365
      year += 1
    }
    var month = 1
    for length in monthLengths(year) {
      if days < length { break }
      days -= length
      month += 1
    }
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(year)-\(two(month))-\(two(days + 1))T\(two(rest / 3600)):\(two(rest % 3600 / 60)):"
      + "\(two(rest % 60))Z"
  }

  private static func isLeap(_ year: Int) -> Bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
  }

  private static func monthLengths(_ year: Int) -> [Int] {
    [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
  }
}

/// One audit of the simulator: its options and what the keys imply.
struct AuditCase: Sendable, CustomTestStringConvertible {
  let asOf: String
  var options: [String] = []
  var maxAge = 90
  var unusedDays = 30
  var expiringDays = 14
  var rules: [String]?
  /// Rules that must be among the findings, so the comparison is never vacuous.
  var mustFind: Set<String>
  var testDescription: String { (["--as-of", asOf] + options).joined(separator: " ") }

  var arguments: [String] {
    var arguments = ["--as-of", asOf] + options
    arguments += ["--max-age", String(maxAge), "--unused-days", String(unusedDays)]
    arguments += ["--expiring-days", String(expiringDays)]
    if let rules { arguments += ["--rules", rules.joined(separator: ",")] }
    return arguments
  }
}

@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndAuditTests {
  static let counts = [
    "--fal-keys", "120", "--px0-keys", "40", "--cartesia-keys", "150", "--openrouter-keys", "200",
  ]

  /// Every key of the four providers, as `keyctl list` prints them (OpenRouter's
  /// disabled and expired keys included, as the audit lists them).
  static func listed(_ sim: Simulator) async throws -> [[String: Any]] {
    let list = try await Keyctl.run(
      ["list", "-o", "json", "--include-disabled", "--include-expired"],
      environment: sim.environment())
    #expect(list.status == 0, "\(list.stderr)")
    return try list.keys()
  }

  /// The findings of `keyctl audit -o json` as (provider, id, rule).
  static func broken(_ result: RunResult) throws -> Set<Broken> {
    let findings = try #require(try result.json()["findings"] as? [[String: Any]])
    return Set(
      findings.compactMap { finding in
        guard let provider = finding["provider"] as? String, let id = finding["id"] as? String,
          let rule = finding["rule"] as? String
        else { return nil }
        return Broken(provider: provider, id: id, rule: rule)
      })
  }

  /// The exact set of (provider, id, rule) is what DESIGN.md's inequalities
  /// make of the keys `keyctl list` returns from the same simulator.
  @Test(arguments: [
    AuditCase(
      asOf: "2025-06-01T12:00:00Z",
      mustFind: ["expired", "disabled", "unused", "never_used", "old", "creator_left"]),
    AuditCase(
      asOf: "2030-06-01", maxAge: 2500, unusedDays: 2000, expiringDays: 800,
      mustFind: ["expired", "expiring", "unused", "never_used", "old"]),
    AuditCase(
      asOf: "2024-09-15T06:30:00Z", unusedDays: 0,
      rules: ["unused", "never_used", "creator_left", "expiring"],
      mustFind: ["unused", "never_used"]
    ),
    AuditCase(
      asOf: "2025-06-01", options: ["-p", "openrouter,cartesia"], maxAge: 0, unusedDays: 0,
      expiringDays: 0, mustFind: ["old", "disabled", "creator_left"]),
  ])
  func findingsAreExactlyWhatTheListedKeysImply(_ audit: AuditCase) async throws {
    let sim = try Simulator(Self.counts)
    var keys = try await Self.listed(sim)
    if let index = audit.options.firstIndex(of: "-p") {
      let chosen = audit.options[index + 1].split(separator: ",").map(String.init)
      keys = keys.filter { chosen.contains($0["provider"] as? String ?? "") }
    }
    let asOf = try #require(
      ExpectedFindings.seconds(audit.asOf.count == 10 ? audit.asOf + "T00:00:00Z" : audit.asOf))
    let expected = ExpectedFindings(
      asOf: asOf, maxAge: audit.maxAge, unusedDays: audit.unusedDays,
      expiringDays: audit.expiringDays,
      rules: audit.rules.map(Set.init) ?? Set(ExpectedFindings.reportedBy.keys)
    ).findings(in: keys)

    let result = try await Keyctl.run(
      ["audit", "-o", "json"] + audit.arguments, environment: sim.environment())
    #expect(result.status == 9, "\(result.stderr)")
    let found = try Self.broken(result)
    #expect(found.subtracting(expected).isEmpty, "unexpected: \(found.subtracting(expected))")
    #expect(expected.subtracting(found).isEmpty, "missed: \(expected.subtracting(found))")
    #expect(audit.mustFind.isSubset(of: Set(found.map(\.rule))), "\(Set(found.map(\.rule)))")

    var perProvider: [String: Int] = [:]
    for key in keys { perProvider[key["provider"] as? String ?? "?", default: 0] += 1 }
    #expect(try result.json()["checked"] as? [String: Int] == perProvider)
    #expect((try result.json()["errors"] as? [Any])?.isEmpty == true)
    expectClean(result)
  }

  /// The test's own date arithmetic, against instants Python's datetime gives.
  @Test(arguments: [
    ("2024-02-29T00:00:00Z", 1_709_164_800.0), ("2025-03-31T23:59:59Z", 1_743_465_599),
    ("2030-06-01T00:00:00Z", 1_906_502_400), ("2025-12-31T12:30:05Z", 1_767_184_205),
    ("1970-01-01T00:00:00Z", 0),
  ])
  func theTestsDateArithmeticIsRight(text: String, seconds: Double) {
    #expect(ExpectedFindings.seconds(text) == seconds)
    #expect(ExpectedFindings.text(seconds) == text)
    #expect(ExpectedFindings.seconds("2025-03-31T23:59:59.250Z") == 1_743_465_599.25)
  }

  /// Whole days are elapsed time: a key created exactly `--max-age` days
  /// before `--as-of` is not old; one second later it is.
  @Test func aKeyExactlyAtTheThresholdIsNotOldAndOneSecondLaterItIs() async throws {
    let sim = try Simulator(["--px0-keys", "40"])
    let list = try await Keyctl.run(
      ["list", "-p", "px0", "-o", "json"], environment: sim.environment(["px0"]))
    let key = try #require(try list.keys().dropFirst(7).first)
    let id = try #require(key["id"] as? String)
    let created = try #require((key["created_at"] as? String).flatMap(ExpectedFindings.seconds))
    for (offset, old) in [(-1.0, false), (0, false), (1, true)] {
      let asOf = ExpectedFindings.text(created + 90 * ExpectedFindings.day + offset)
      let result = try await Keyctl.run(
        ["audit", "-p", "px0", "-o", "json", "--rules", "old", "--as-of", asOf],
        environment: sim.environment(["px0"]))
      let found = try Self.broken(result)
      #expect(found.contains(Broken(provider: "px0", id: id, rule: "old")) == old, "\(asOf)")
    }
  }

  /// A provider failing while the others have findings: the failure wins
  /// (exit 7), the others' findings are still printed, and `checked` counts
  /// what each provider delivered — a provider that failed after its first
  /// page counts that page.
  @Test func aProviderFailingWhileOthersHaveFindingsExitsSeven() async throws {
    let sim = try Simulator(Self.counts)
    try await sim.fault(["provider": "cartesia", "kind": "status", "status": 500, "times": -1])
    try await sim.fault([
      "provider": "fal", "kind": "status", "status": 503, "after": 1, "times": -1,
    ])
    let result = try await Keyctl.run(
      ["audit", "-o", "json", "--as-of", "2025-06-01", "--max-retries", "0"],
      environment: sim.environment())
    #expect(result.status == 7, "\(result.stderr)")
    let document = try result.json()
    #expect(
      document["checked"] as? [String: Int] == [
        "fal": 100, "px0": 40, "cartesia": 0, "openrouter": 160,
      ])
    let errors = try #require(document["errors"] as? [[String: Any]])
    #expect(errors.map { $0["provider"] as? String } == ["fal", "cartesia"])
    #expect(errors.map { $0["status"] as? Int } == [503, 500])
    let providers = Set(try Self.broken(result).map(\.provider))
    #expect(providers == ["fal", "px0", "openrouter"])
    #expect(result.stderr.contains("keyctl: Cartesia answered HTTP 500"), "\(result.stderr)")

    let table = try await Keyctl.run(
      ["audit", "--as-of", "2025-06-01", "--max-retries", "0"], environment: sim.environment())
    #expect(table.status == 7)
    #expect(table.stdout.hasPrefix("PROVIDER  "))
    expectClean(result)
  }

  /// OpenRouter is asked for its disabled and expired keys; every request is
  /// a listing GET, one per page, as `list` sends one page at a time (the
  /// window's extra requests have their own tests).
  @Test func theListingAsksOpenRouterForDisabledAndExpiredKeys() async throws {
    let sim = try Simulator(Self.counts)
    let result = try await Keyctl.run(
      [
        "audit", "-p", "openrouter,fal", "-o", "ndjson", "--as-of", "2025-06-01",
        "--concurrency", "1",
      ],
      environment: sim.environment())
    #expect(result.status == 9)
    let log = try await sim.log()
    let openrouter = requests(log, "openrouter")
    #expect(openrouter.count == 2)
    for request in openrouter {
      let query = "\(request["query"] ?? "")"
      #expect(query.contains("include_disabled") && query.contains("include_expired"), "\(query)")
    }
    #expect(requests(log, "fal").count == 2)
    let falQuery = "\(requests(log, "fal").first?["query"] ?? "")"
    #expect(falQuery.contains("limit") && !falQuery.contains("expand"), "\(falQuery)")
    #expect(log.allSatisfy { $0["method"] as? String == "GET" })
  }

  /// Nothing to report: stdout stays empty (a CI log shows nothing to act
  /// on), stderr counts the keys, exit 0. (`disabled` and `creator_left` do
  /// not depend on the date, so they are left out of this one.)
  @Test func nothingToReportIsQuietAndZero() async throws {
    let sim = try Simulator(Self.counts)
    let result = try await Keyctl.run(
      ["audit", "--as-of", "2020-01-01", "--rules", "expired,expiring,unused,never_used,old"],
      environment: sim.environment())
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(result.stderr == "No findings (470 keys checked).\n")
  }

  /// A provider whose keys carry dates keyctl cannot read (the simulator's
  /// `bad_dates`: years past 9999, month 13, no date at all): one stderr note
  /// per key, as `list` gives, and no finding from a date that is not there —
  /// never a crash. The other fields are still judged.
  @Test func unreadableDatesAreNotesNotFindings() async throws {
    let sim = try Simulator(["--px0-keys", "40"])
    try await sim.fault(["provider": "px0", "kind": "bad_dates", "times": -1])
    let environment = sim.environment(["px0"])
    let dated = try await Keyctl.run(
      ["audit", "-p", "px0", "--as-of", "2025-06-01", "--rules", "old,never_used"],
      environment: environment)
    #expect(dated.status == 0, "\(dated.stderr)")
    #expect(dated.stdout.isEmpty)
    let lines = dated.stderr.split(separator: "\n")
    #expect(lines.last == "No findings (40 keys checked).")
    let notes = lines.dropLast()
    #expect(notes.count == 40)
    #expect(notes.allSatisfy { $0.hasPrefix("keyctl: px0 key ") && $0.hasSuffix("shown as null") })

    let used = try await Keyctl.run(
      ["audit", "-p", "px0", "--as-of", "2025-06-01", "--rules", "unused", "-o", "ndjson"],
      environment: environment)
    #expect(used.status == 9, "last use is still read: \(used.stderr)")
    #expect(try used.lines().allSatisfy { $0["rule"] as? String == "unused" })
  }

  /// ndjson findings leave keyctl as their page arrives: with fal's second
  /// page held by the server, the first page's findings (about 45 KB, less
  /// than the output buffer, so only a flush gets them out) are already in
  /// the file keyctl writes to.
  @Test func ndjsonFindingsStreamWhileLaterPagesAreStillComing() async throws {
    let sim = try Simulator(["--fal-keys", "250"])
    try await sim.fault([
      "provider": "fal", "kind": "delay", "delay_ms": 600_000, "after": 1, "times": -1,
    ])
    let output = FileManager.default.temporaryDirectory
      .appendingPathComponent("keyctl-audit-\(UUID().uuidString).ndjson")
    #expect(FileManager.default.createFile(atPath: output.path, contents: nil))
    defer { try? FileManager.default.removeItem(at: output) }
    let process = Process()
    process.executableURL = Keyctl.binary
    process.arguments = [
      "audit", "-p", "fal", "-o", "ndjson", "--as-of", "2026-01-01", "--timeout", "900",
      "--max-time", "900",
    ]
    process.environment = sim.environment(["fal"])
    process.standardOutput = try FileHandle(forWritingTo: output)
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    defer {
      if process.isRunning { process.terminate() }
      process.waitUntilExit()
    }
    var lines = 0
    for _ in 0..<600 where lines < 100 {
      try await Task.sleep(nanoseconds: 100_000_000)
      lines = (try String(contentsOf: output, encoding: .utf8)).split(separator: "\n").count
    }
    #expect(lines == 100, "the first page's findings did not arrive while page 2 was held")
    #expect(process.isRunning, "keyctl ended although the second page was never answered")
    let objects = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
    #expect(objects.allSatisfy { $0?["rule"] as? String == "old" })
  }

  /// The table of an audit, piped: the one table layout, compared with a golden file.
  @Test func theTableMatchesItsGoldenFile() async throws {
    let sim = try Simulator(["--px0-keys", "12", "--cartesia-keys", "20"])
    let result = try await Keyctl.run(
      ["audit", "-p", "px0,cartesia", "--as-of", "2025-06-01"],
      environment: sim.environment(["px0", "cartesia"]))
    #expect(result.status == 9, "\(result.stderr)")
    #expect(result.stderr.isEmpty)
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.first?.hasPrefix("PROVIDER  ID ") == true)
    for line in lines { #expect(!line.hasSuffix(" "), "'\(line)'") }
    try EndToEndTableTests.expectGolden(result.stdout, "audit-table")
    expectClean(result)
  }
}
