import Foundation
import KeyCore
import Testing

@testable import keyctl

/// fal keys created at midnight UTC on the given days, named after them.
private func falKeys(_ days: [String]) -> FakeFal {
  FakeFal(
    keys: days.enumerated().map { index, day in
      FakeFal.Key(id: "key-\(index + 1)", alias: "made \(day)", createdAt: day + "T00:00:00Z")
    })
}

/// The members of a finding object, and of the normalized key inside it.
private let findingMembers: Set = ["provider", "id", "name", "rule", "detail", "key"]
private let keyMembers: Set = [
  "provider", "id", "name", "created_at", "scope", "status", "expires_at", "last_used_at",
  "creator", "raw",
]

/// One bad command line, the message it must give, and why it is wrong.
struct BadAuditInput: Sendable, CustomTestStringConvertible {
  let arguments: [String]
  let message: String
  var testDescription: String { arguments.joined(separator: " ") }
}

@Suite struct AuditCommandTests {
  /// Issue 14's "Bad input": each is a usage error (exit 2) naming the
  /// option and the value, pointing to `keyctl audit --help`, before any
  /// request — although fal's credentials are set and fal would answer.
  @Test(arguments: [
    BadAuditInput(
      arguments: ["--max-age", "-5"],
      message: "--max-age needs a whole number of days (0 or more), not '-5'"),
    BadAuditInput(
      arguments: ["--max-age=-1"],
      message: "--max-age needs a whole number of days (0 or more), not '-1'"),
    BadAuditInput(
      arguments: ["--unused-days", "thirty"],
      message: "--unused-days needs a whole number of days (0 or more), not 'thirty'"),
    BadAuditInput(
      arguments: ["--expiring-days", "1.5"],
      message: "--expiring-days needs a whole number of days (0 or more), not '1.5'"),
    BadAuditInput(
      arguments: ["--expiring-days="],
      message: "--expiring-days needs a whole number of days (0 or more), not ''"),
    BadAuditInput(
      arguments: ["--unused-days", "99999999999999999999"],
      message: "--unused-days needs a whole number of days (0 or more), not '99999999999999999999'"
    ),
    BadAuditInput(
      arguments: ["--max-age", "+90"],
      message: "--max-age needs a whole number of days (0 or more), not '+90'"),
    BadAuditInput(
      arguments: ["--as-of", "yesterday"],
      message: "--as-of needs an ISO-8601 date such as 2026-04-15 or 2026-04-15T12:00:00Z, "
        + "not 'yesterday'"),
    BadAuditInput(
      arguments: ["--as-of", "2026-02-30"],
      message: "--as-of needs an ISO-8601 date such as 2026-04-15 or 2026-04-15T12:00:00Z, "
        + "not '2026-02-30'"),
    BadAuditInput(
      arguments: ["--as-of=15/04/2026"],
      message: "--as-of needs an ISO-8601 date such as 2026-04-15 or 2026-04-15T12:00:00Z, "
        + "not '15/04/2026'"),
    BadAuditInput(
      arguments: ["--rules", "olde"],
      message: "unknown rule 'olde' in --rules. Did you mean 'old'? Rules: expired, expiring, "
        + "disabled, unused, never_used, old, creator_left"),
    BadAuditInput(
      arguments: ["--rules", "old,never-used"],
      message: "unknown rule 'never-used' in --rules. Did you mean 'never_used'?"),
    BadAuditInput(
      arguments: ["--rules", "stolen"], message: "unknown rule 'stolen' in --rules. Rules: "),
    BadAuditInput(
      arguments: ["--rules", ""],
      message: "--rules needs a comma-separated list of rules, without empty items"),
    BadAuditInput(
      arguments: ["--rules=old,,expired"],
      message: "--rules needs a comma-separated list of rules, without empty items"),
    BadAuditInput(
      arguments: ["--rules", ","],
      message: "--rules needs a comma-separated list of rules, without empty items"),
  ])
  func badInputIsAUsageErrorBeforeAnyRequest(_ bad: BadAuditInput) async {
    let fal = falKeys(["2020-01-01"])
    for arguments in [["audit"] + bad.arguments, ["audit", "-p", "fal"] + bad.arguments] {
      let outcome = await TestCLI.runFal(arguments, fal)
      #expect(outcome.code == 2, "\(arguments): \(outcome.stderr)")
      #expect(outcome.stdout.isEmpty)
      #expect(outcome.stderr.hasPrefix("keyctl: "))
      #expect(outcome.stderr.contains(bad.message), "\(outcome.stderr)")
      #expect(outcome.stderr.contains("See 'keyctl audit --help'."), "\(outcome.stderr)")
    }
    #expect(fal.requests.isEmpty, "a request was sent")
  }

  /// Options of other commands or other providers are refused like `list`'s.
  @Test(arguments: [
    (["--name-contains", "ci"], "option '--name-contains' is not valid for 'keyctl audit'"),
    (["--limit", "5"], "option '--limit' is not valid for 'keyctl audit'"),
    (["--workspace-id", "6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"], "is for OpenRouter only"),
  ])
  func otherOptionsAreRefused(extra: [String], message: String) async {
    let fal = falKeys(["2020-01-01"])
    let outcome = await TestCLI.runFal(["audit", "-p", "fal"] + extra, fal)
    #expect(outcome.code == 2)
    #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
    #expect(fal.requests.isEmpty)
  }

  /// The table: provider, id, name, rule and a detail with dates and day
  /// counts, in the one table layout; exit 9 because a key breaks a rule.
  @Test func findingsAreATableAndExitNine() async {
    let fal = falKeys(["2026-04-01", "2025-01-01", "2026-01-15"])
    let outcome = await TestCLI.runFal(["audit", "-p", "fal", "--as-of", "2026-04-15"], fal)
    #expect(outcome.code == 9, "\(outcome.stderr)")
    #expect(outcome.stderr.isEmpty, "\(outcome.stderr)")
    // 2026-01-15 is exactly 90 days before 2026-04-15: not more than 90, no finding.
    #expect(
      outcome.stdout == """
        PROVIDER  ID     NAME             RULE  DETAIL
        fal       key-2  made 2025-01-01  old   created 2025-01-01, 469 days before 2026-04-15

        """)
  }

  /// Nothing to report: nothing on stdout (a script reading it gets nothing),
  /// the count on stderr, exit 0.
  @Test(arguments: [
    (["2026-04-01", "2026-03-01", "2026-02-01"], "3 keys"), (["2026-04-01"], "1 key"),
  ])
  func nothingToReportPrintsNothingOnStdout(days: [String], count: String) async {
    let outcome = await TestCLI.runFal(
      ["audit", "-p", "fal", "--as-of", "2026-04-15"], falKeys(days))
    #expect(outcome.code == 0)
    #expect(outcome.stdout.isEmpty)
    #expect(outcome.stderr == "No findings (\(count) checked).\n")
  }

  /// `-o json`: `findings` (each with the normalized key), `checked` per
  /// provider and `errors`, nothing else.
  @Test func jsonIsOneDocumentWithFindingsCheckedAndErrors() async throws {
    let fal = falKeys(["2026-04-01", "2025-01-01", "2024-06-30"])
    let outcome = await TestCLI.runFal(
      ["audit", "-p", "fal", "--as-of", "2026-04-15", "--json"], fal)
    #expect(outcome.code == 9)
    let document = try JSONOutput.object(outcome.stdout)
    #expect(Set(document.keys) == ["findings", "checked", "errors"])
    #expect(document["checked"] as? [String: Int] == ["fal": 3])
    #expect((document["errors"] as? [Any])?.isEmpty == true)
    let findings = try #require(document["findings"] as? [[String: Any]])
    #expect(findings.map { $0["id"] as? String } == ["key-2", "key-3"])
    for finding in findings {
      #expect(Set(finding.keys) == findingMembers)
      #expect(finding["provider"] as? String == "fal")
      #expect(finding["rule"] as? String == "old")
      let key = try #require(finding["key"] as? [String: Any])
      #expect(Set(key.keys) == keyMembers)
      #expect(key["id"] as? String == finding["id"] as? String)
      #expect(key["name"] as? String == finding["name"] as? String)
    }
    #expect(findings.last?["detail"] as? String == "created 2024-06-30, 654 days before 2026-04-15")
    #expect(outcome.stdout.hasSuffix("}\n") && outcome.stdout.split(separator: "\n").count == 1)

    let clean = await TestCLI.runFal(
      ["audit", "-p", "fal", "--as-of", "2026-04-15", "-o", "json"], falKeys(["2026-04-01"]))
    #expect(clean.code == 0)
    #expect(clean.stdout == #"{"findings":[],"checked":{"fal":1},"errors":[]}"# + "\n")
  }

  /// `-o ndjson`: one complete finding object per line, across pages.
  @Test func ndjsonIsOneFindingPerLine() async throws {
    let fal = FakeFal(keyCount: 250)
    let outcome = await TestCLI.runFal(
      ["audit", "-p", "fal", "--as-of", "2027-01-01", "-o", "ndjson"], fal)
    #expect(outcome.code == 9)
    let lines = try JSONOutput.lines(outcome.stdout)
    #expect(lines.count == 250)
    #expect(lines.map { $0["id"] as? String } == fal.storedKeys.map(\.id))
    #expect(lines.allSatisfy { Set($0.keys) == findingMembers && $0["rule"] as? String == "old" })
    #expect(fal.requests.count == 3)
  }

  /// A key whose date cannot be read gets the note `list` prints, on stderr,
  /// and no finding from that date; the other keys are audited as usual.
  @Test(arguments: ["99999-01-01T00:00:00Z", "not a date"])
  func anUnreadableDateIsANoteNotAFinding(date: String) async throws {
    let fal = FakeFal(keys: [
      FakeFal.Key(id: "odd-key", alias: "odd", createdAt: date),
      FakeFal.Key(id: "old-key", alias: "old", createdAt: "2020-01-01T00:00:00Z"),
    ])
    let outcome = await TestCLI.runFal(
      ["audit", "-p", "fal", "--as-of", "2026-04-15", "-o", "ndjson"], fal)
    #expect(outcome.code == 9)
    #expect(try JSONOutput.lines(outcome.stdout).map { $0["id"] as? String } == ["old-key"])
    let notes = outcome.stderr.split(separator: "\n")
    #expect(notes.count == 1, "\(outcome.stderr)")
    #expect(notes.first?.hasPrefix("keyctl: fal key odd-key: created_at '") == true)
    #expect(notes.first?.hasSuffix("shown as null") == true)
  }

  /// A provider that cannot be used beside one with findings: the failure
  /// wins (exit 7), the findings are still printed, `checked` names both.
  @Test func aFailedProviderBesideFindingsIsPartial() async throws {
    let outcome = await TestCLI.runFal(
      ["audit", "-p", "fal,px0", "--as-of", "2026-04-15", "-o", "json"],
      falKeys(["2020-01-01"]))
    #expect(outcome.code == 7)
    let document = try JSONOutput.object(outcome.stdout)
    #expect((document["findings"] as? [Any])?.count == 1)
    #expect(document["checked"] as? [String: Int] == ["fal": 1, "px0": 0])
    let errors = try #require(document["errors"] as? [[String: Any]])
    #expect(errors.map { $0["provider"] as? String } == ["px0"])
    #expect(errors.first?["kind"] as? String == "auth")
    #expect(outcome.stderr.contains("PX0_ACCESS_TOKEN"), "\(outcome.stderr)")

    let table = await TestCLI.runFal(
      ["audit", "-p", "fal,px0", "--as-of", "2026-04-15"], falKeys(["2026-04-14"]))
    #expect(table.code == 7)
    #expect(table.stdout.isEmpty)
    #expect(!table.stderr.contains("No findings"), "only when every provider answered")
  }

  /// The only provider failing: its own exit code, whatever was found before.
  @Test func theOnlyProviderFailingExitsWithItsCode() async throws {
    let fal = falKeys(["2020-01-01"])
    fal.fail(status: 503, times: Int.max)
    let outcome = await TestCLI.runFal(
      ["audit", "-p", "fal", "--as-of", "2026-04-15", "--max-retries", "0", "-o", "json"], fal)
    #expect(outcome.code == 6)
    let document = try JSONOutput.object(outcome.stdout)
    #expect((document["findings"] as? [Any])?.isEmpty == true)
    #expect(document["checked"] as? [String: Int] == ["fal": 0])
    #expect((document["errors"] as? [[String: Any]])?.first?["status"] as? Int == 503)
  }

  /// `--rules` and the thresholds decide what is reported; fal reports no
  /// expiry, so `expired` can find nothing there.
  @Test(arguments: [
    (["--rules", "expired,expiring,disabled,unused,never_used,creator_left"], 0),
    (["--rules", "old"], 1), (["--max-age", "0"], 3), (["--max-age", "1000"], 0),
    (["--max-age", "74"], 2), (["--max-age", "75"], 1),
  ])
  func rulesAndThresholdsDecide(extra: [String], findings: Int) async throws {
    let fal = falKeys(["2026-04-14", "2026-01-30", "2025-01-01"])
    let outcome = await TestCLI.runFal(
      ["audit", "-p", "fal", "--as-of", "2026-04-15", "-o", "ndjson"] + extra, fal)
    #expect(outcome.code == (findings > 0 ? 9 : 0))
    #expect(try JSONOutput.lines(outcome.stdout).count == findings)
  }

  /// Without `--as-of` the keys are judged as of now: a key made in 2000 is
  /// old, one made in 2999 is not.
  @Test func withoutAsOfTheKeysAreJudgedNow() async {
    let old = await TestCLI.runFal(["audit", "-p", "fal"], falKeys(["2000-01-01"]))
    #expect(old.code == 9)
    #expect(old.stdout.contains("created 2000-01-01"))
    let future = await TestCLI.runFal(["audit", "-p", "fal"], falKeys(["2999-01-01"]))
    #expect(future.code == 0, "\(future.stderr)")
  }

  /// A gate that stopped checking must not pass: a reader that goes away is
  /// exit 10 for `audit` (`list` ends quietly with 0).
  @Test(arguments: ["ndjson", "json", "table"])
  func aReaderThatGoesIsNotAPass(format: String) async {
    let context = CommandContext(
      environment: TestCLI.falEnvironment, stdout: OutputSink(failing: OutputClosed()),
      stderr: OutputSink(), stdoutIsTTY: false, transport: FakeFal(keyCount: 250),
      sleep: { _ in })
    let code = await Runner.run(
      ["audit", "-p", "fal", "--as-of", "2027-01-01", "-o", format], context: context)
    #expect(code == 10)
    #expect(context.stderr.text.hasPrefix("keyctl: could not write to stdout: Broken pipe"))
  }
}
