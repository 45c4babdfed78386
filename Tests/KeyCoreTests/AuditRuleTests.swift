import Foundation
import Testing

@testable import KeyCore

/// The as-of date of most cases: `--as-of 2026-04-03`, midnight UTC.
private let asOf = Date(timeIntervalSince1970: 1_775_174_400)
private let day: TimeInterval = 86_400

/// A key of `provider` with the given dates, `seconds` relative to `asOf`.
private func key(
  _ provider: ProviderID, created: TimeInterval? = nil, lastUsed: TimeInterval? = nil,
  expires: TimeInterval? = nil, status: ApiKey.Status? = nil, raw: String = "null",
  creator: ApiKey.Creator = ApiKey.Creator()
) -> ApiKey {
  ApiKey(
    provider: provider, id: "k-\(provider.rawValue)", name: "ci", createdAt: created.map(at),
    status: status, expiresAt: expires.map(at), lastUsedAt: lastUsed.map(at), creator: creator,
    raw: (try? RawJSON(parsing: Data(raw.utf8))) ?? .null)
}

/// `asOf` moved by `seconds`.
private func at(_ seconds: TimeInterval) -> Date { asOf.addingTimeInterval(seconds) }

@Suite struct AuditRuleTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let rule: AuditRule
    let key: ApiKey
    var thresholds = AuditThresholds()
    /// The detail, or nil when the key must not break the rule.
    let detail: String?
    var testDescription: String { "\(rule.rawValue): \(name)" }
  }

  static let cases: [Case] = [
    // old: as-of − created > max-age (90) days, every provider.
    Case(name: "exactly 90 days", rule: .old, key: key(.fal, created: -90 * day), detail: nil),
    Case(
      name: "90 days and a second", rule: .old, key: key(.fal, created: -90 * day - 1),
      detail: "created 2026-01-02, more than 90 days before 2026-04-03"),
    Case(
      name: "a second under 90 days", rule: .old, key: key(.fal, created: -90 * day + 1),
      detail: nil),
    Case(
      name: "91 days, px0", rule: .old, key: key(.px0, created: -91 * day),
      detail: "created 2026-01-02, 91 days before 2026-04-03"),
    Case(
      name: "cartesia", rule: .old, key: key(.cartesia, created: -200 * day),
      detail: "created 2025-09-15, 200 days before 2026-04-03"),
    Case(
      name: "openrouter", rule: .old, key: key(.openrouter, created: -90 * day - 1),
      detail: "created 2026-01-02, more than 90 days before 2026-04-03"),
    Case(name: "no created_at", rule: .old, key: key(.fal), detail: nil),
    Case(name: "created after as-of", rule: .old, key: key(.fal, created: day), detail: nil),
    Case(
      name: "max-age 0, a second old", rule: .old, key: key(.fal, created: -1),
      thresholds: AuditThresholds(maxAgeDays: 0),
      detail: "created 2026-04-02, more than 0 days before 2026-04-03"),
    Case(
      name: "max-age 0, created at as-of", rule: .old, key: key(.fal, created: 0),
      thresholds: AuditThresholds(maxAgeDays: 0), detail: nil),

    // unused: as-of − last used > unused-days (30), px0 and OpenRouter only.
    Case(
      name: "DESIGN.md's example", rule: .unused,
      key: key(.px0, created: -200 * day, lastUsed: -91 * day),
      detail: "last used 2026-01-02, 91 days before 2026-04-03"),
    Case(
      name: "exactly 30 days", rule: .unused, key: key(.px0, lastUsed: -30 * day), detail: nil),
    Case(
      name: "30 days and a second", rule: .unused, key: key(.openrouter, lastUsed: -30 * day - 1),
      detail: "last used 2026-03-03, more than 30 days before 2026-04-03"),
    Case(
      name: "a second under 30 days", rule: .unused,
      key: key(.openrouter, lastUsed: -30 * day + 1), detail: nil),
    Case(
      name: "unused-days 7", rule: .unused, key: key(.px0, lastUsed: -8 * day),
      thresholds: AuditThresholds(unusedDays: 7),
      detail: "last used 2026-03-26, 8 days before 2026-04-03"),
    Case(
      name: "fal does not track use", rule: .unused, key: key(.fal, lastUsed: -100 * day),
      detail: nil),
    Case(
      name: "Cartesia does not track use", rule: .unused,
      key: key(.cartesia, lastUsed: -100 * day), detail: nil),
    Case(
      name: "never used is not unused", rule: .unused, key: key(.px0, created: -100 * day),
      detail: nil),

    // never_used: no last use and as-of − created > unused-days.
    Case(
      name: "30 days and a second", rule: .neverUsed, key: key(.px0, created: -30 * day - 1),
      detail: "never used; created 2026-03-03, more than 30 days before 2026-04-03"),
    Case(
      name: "exactly 30 days", rule: .neverUsed, key: key(.openrouter, created: -30 * day),
      detail: nil),
    Case(
      name: "a second under 30 days", rule: .neverUsed,
      key: key(.openrouter, created: -30 * day + 1), detail: nil),
    Case(
      name: "openrouter, 45 days", rule: .neverUsed, key: key(.openrouter, created: -45 * day),
      detail: "never used; created 2026-02-17, 45 days before 2026-04-03"),
    Case(
      name: "used once", rule: .neverUsed,
      key: key(.px0, created: -100 * day, lastUsed: -99 * day), detail: nil),
    Case(name: "no created_at", rule: .neverUsed, key: key(.px0), detail: nil),
    Case(
      name: "fal reports no use at all", rule: .neverUsed, key: key(.fal, created: -100 * day),
      detail: nil),
    Case(
      name: "Cartesia reports no use at all", rule: .neverUsed,
      key: key(.cartesia, created: -100 * day), detail: nil),

    // expired: expires ≤ as-of, OpenRouter.
    Case(
      name: "expires exactly at as-of", rule: .expired, key: key(.openrouter, expires: 0),
      detail: "expired 2026-04-03, 0 days before 2026-04-03"),
    Case(
      name: "a second before", rule: .expired, key: key(.openrouter, expires: -1),
      detail: "expired 2026-04-02, 0 days before 2026-04-03"),
    Case(
      name: "33 days before", rule: .expired, key: key(.openrouter, expires: -33 * day),
      detail: "expired 2026-03-01, 33 days before 2026-04-03"),
    Case(
      name: "a second after", rule: .expired, key: key(.openrouter, expires: 1), detail: nil),
    Case(name: "no expiry", rule: .expired, key: key(.openrouter), detail: nil),
    Case(
      name: "px0 reports no expiry", rule: .expired, key: key(.px0, expires: -day), detail: nil),

    // expiring: 0 < expires − as-of ≤ expiring-days (14), OpenRouter.
    Case(
      name: "exactly 14 days after", rule: .expiring, key: key(.openrouter, expires: 14 * day),
      detail: "expires 2026-04-17, 14 days after 2026-04-03"),
    Case(
      name: "14 days and a second", rule: .expiring,
      key: key(.openrouter, expires: 14 * day + 1), detail: nil),
    Case(
      name: "a second under 14 days", rule: .expiring,
      key: key(.openrouter, expires: 14 * day - 1),
      detail: "expires 2026-04-16, 13 days after 2026-04-03"),
    Case(
      name: "a second after as-of", rule: .expiring, key: key(.openrouter, expires: 1),
      detail: "expires 2026-04-03, 0 days after 2026-04-03"),
    Case(
      name: "at as-of it is expired, not expiring", rule: .expiring,
      key: key(.openrouter, expires: 0), detail: nil),
    Case(
      name: "expiring-days 0", rule: .expiring, key: key(.openrouter, expires: 1),
      thresholds: AuditThresholds(expiringDays: 0), detail: nil),
    Case(name: "no expiry", rule: .expiring, key: key(.openrouter), detail: nil),
    Case(
      name: "fal reports no expiry", rule: .expiring, key: key(.fal, expires: day), detail: nil),

    // disabled: status disabled, OpenRouter.
    Case(
      name: "disabled", rule: .disabled, key: key(.openrouter, status: .disabled),
      detail: "the key is disabled"),
    Case(name: "active", rule: .disabled, key: key(.openrouter, status: .active), detail: nil),
    Case(name: "no status", rule: .disabled, key: key(.openrouter), detail: nil),
    Case(
      name: "px0 reports no status", rule: .disabled, key: key(.px0, status: .disabled),
      detail: nil),

    // creator_left: Cartesia's creator_still_in_org: false.
    Case(
      name: "creator left", rule: .creatorLeft,
      key: key(
        .cartesia, raw: #"{"id":"k","creator_still_in_org":false}"#,
        creator: ApiKey.Creator(email: "ada@example.com")),
      detail: "creator ada@example.com is no longer in the organization"),
    Case(
      name: "creator left, no email", rule: .creatorLeft,
      key: key(.cartesia, raw: #"{ "creator_still_in_org" : false }"#),
      detail: "the creator is no longer in the organization"),
    Case(
      name: "still in the org", rule: .creatorLeft,
      key: key(.cartesia, raw: #"{"creator_still_in_org":true}"#), detail: nil),
    Case(
      name: "null", rule: .creatorLeft,
      key: key(.cartesia, raw: #"{"creator_still_in_org":null}"#), detail: nil),
    Case(
      name: "missing", rule: .creatorLeft, key: key(.cartesia, raw: #"{"id":"k"}"#), detail: nil),
    Case(
      name: "a string is not a boolean", rule: .creatorLeft,
      key: key(.cartesia, raw: #"{"creator_still_in_org":"false"}"#), detail: nil),
    Case(
      name: "nested is not top-level", rule: .creatorLeft,
      key: key(.cartesia, raw: #"{"creator":{"creator_still_in_org":false}}"#), detail: nil),
    Case(name: "raw null", rule: .creatorLeft, key: key(.cartesia), detail: nil),
    Case(
      name: "other providers do not report it", rule: .creatorLeft,
      key: key(.openrouter, raw: #"{"creator_still_in_org":false}"#), detail: nil),
  ]

  @Test(arguments: cases)
  func ruleAtItsBoundaries(_ testCase: Case) {
    let finding = testCase.rule.evaluate(testCase.key, asOf: asOf, thresholds: testCase.thresholds)
    #expect(finding?.detail == testCase.detail)
    if let finding {
      #expect(finding.rule == testCase.rule)
      #expect(finding.key == testCase.key)
      #expect(finding.provider == testCase.key.provider)
      #expect(finding.id == testCase.key.id)
      #expect(finding.name == "ci")
    }
  }

  @Test func aKeyBreaksSeveralRulesInOrder() {
    let stale = key(
      .openrouter, created: -120 * day, lastUsed: -60 * day, expires: -day, status: .disabled)
    let findings = Audit.findings(for: stale, asOf: asOf)
    #expect(findings.map(\.rule) == [.expired, .disabled, .unused, .old])
    let picked = Audit.findings(for: stale, asOf: asOf, rules: [.old, .expired])
    #expect(picked.map(\.rule) == [.expired, .old])
    #expect(Audit.findings(for: stale, asOf: asOf, rules: []).isEmpty)
  }

  @Test func defaults() {
    #expect(AuditThresholds() == AuditThresholds(maxAgeDays: 90, unusedDays: 30, expiringDays: 14))
    #expect(
      AuditRule.allCases.map(\.rawValue) == [
        "expired", "expiring", "disabled", "unused", "never_used", "old", "creator_left",
      ])
  }

  @Test func dateOnlyAsOfIsMidnightUTC() throws {
    let dateOnly = try Audit.parseAsOf("2026-04-15")
    #expect(dateOnly == (try Audit.parseAsOf("2026-04-15T00:00:00Z")))
    #expect(dateOnly == (try Audit.parseAsOf("2026-04-15T02:00:00+02:00")))
    // 2026-01-15 to 2026-04-15 is exactly 90 days.
    let created = try Audit.parseAsOf("2026-01-15T00:00:00Z")
    let exactly = ApiKey(provider: .fal, id: "a", name: nil, createdAt: created, raw: .null)
    #expect(AuditRule.old.evaluate(exactly, asOf: dateOnly, thresholds: AuditThresholds()) == nil)
    var earlier = exactly
    earlier.createdAt = created.addingTimeInterval(-1)
    let finding = AuditRule.old.evaluate(earlier, asOf: dateOnly, thresholds: AuditThresholds())
    #expect(finding?.detail == "created 2026-01-14, more than 90 days before 2026-04-15")
  }

  @Test(arguments: ["", "yesterday", "2026-13-01", "2026-02-30", "15/04/2026", "2026-04-15T25:00Z"])
  func badAsOfIsAUsageError(text: String) throws {
    let error = try #require(throws: KeyError.self) { try Audit.parseAsOf(text) }
    #expect(error.exitCode == 2)
    #expect(error.message.hasPrefix("--as-of needs an ISO-8601 date"))
  }

  @Test(arguments: [("0", 0), ("90", 90), ("007", 7)])
  func parsesDays(text: String, days: Int) throws {
    #expect(try AuditThresholds.parseDays(text, option: "--max-age") == days)
  }

  @Test(arguments: ["", "-1", "+5", "1.5", "ten", " 5", "99999999999999999999"])
  func badDaysAreAUsageError(text: String) throws {
    let error = try #require(throws: KeyError.self) {
      try AuditThresholds.parseDays(text, option: "--unused-days")
    }
    #expect(error.exitCode == 2)
    #expect(error.message.hasPrefix("--unused-days needs a whole number of days (0 or more)"))
  }

  @Test(arguments: [
    ("old", [AuditRule.old]),
    ("old,unused", [.unused, .old]),
    (" never_used , old,old ", [.neverUsed, .old]),
    ("creator_left,expiring,expired,disabled", [.expired, .expiring, .disabled, .creatorLeft]),
  ])
  func parsesRuleLists(text: String, rules: [AuditRule]) throws {
    #expect(try AuditRule.parseList(text) == rules)
  }

  @Test(arguments: [
    ("", "--rules needs a comma-separated list of rules"),
    ("old,,unused", "--rules needs a comma-separated list of rules"),
    ("olf", "unknown rule 'olf' in --rules. Did you mean 'old'?"),
    ("old,never-used", "unknown rule 'never-used' in --rules. Did you mean 'never_used'?"),
    ("stale", "unknown rule 'stale' in --rules. Rules: expired"),
  ])
  func badRuleListsAreUsageErrors(text: String, message: String) throws {
    let error = try #require(throws: KeyError.self) { try AuditRule.parseList(text) }
    #expect(error.exitCode == 2)
    #expect(error.message.hasPrefix(message), "\(error.message)")
  }
}
