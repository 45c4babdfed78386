import Foundation

/// The audit rules as pure functions of (key, as-of, thresholds): no clock, no
/// network, so every boundary can be tested to the second.
///
/// Every comparison is on elapsed seconds against whole days of 24 hours, with
/// DESIGN.md's inequalities: `old` when as-of − created > max-age days,
/// `unused` when as-of − last used > unused-days, `never_used` when as-of −
/// created > unused-days, `expired` when expires ≤ as-of, `expiring` when
/// 0 < expires − as-of ≤ expiring-days. A field the key lacks means "unknown",
/// never "broken".
public enum Audit {
  /// The findings for one key, one per broken rule, in `rules`' `allCases` order.
  public static func findings(
    for key: ApiKey, asOf: Date, thresholds: AuditThresholds = AuditThresholds(),
    rules: [AuditRule] = AuditRule.allCases
  ) -> [Finding] {
    let judge = Judge(asOf: asOf, thresholds: thresholds, rules: rules)
    return judge.findings(for: key, among: judge.rules(for: key.provider))
  }

  /// One audit's instant, thresholds and rules, with what every key's
  /// evaluation shares worked out once: the as-of day as text, and, asked
  /// once per page, the rules that apply to a provider's keys. An audit of
  /// 10,000 keys then looks each provider's descriptor up once a page rather
  /// than once a key and rule, which kept it from costing no more than `list`.
  struct Judge {
    /// When the keys are judged.
    let asOf: Date
    /// The limits of the time-based rules.
    let thresholds: AuditThresholds
    /// The rules checked, in `AuditRule.allCases` order.
    let rules: [AuditRule]
    /// `asOf` as `YYYY-MM-DD`, for the details.
    let asOfDay: String

    /// The judge of an audit; `rules` in any order, repeats counted once.
    init(asOf: Date, thresholds: AuditThresholds, rules: [AuditRule]) {
      self.asOf = asOf
      self.thresholds = thresholds
      self.rules = AuditRule.allCases.filter(rules.contains)
      asOfDay = AuditRule.dateOnly(asOf)
    }

    /// The rules checked that apply to `provider`'s keys.
    func rules(for provider: ProviderID) -> [AuditRule] {
      rules.filter { $0.applies(to: provider) }
    }

    /// The findings for `key` among `applicable` (`rules(for:)` of its provider).
    func findings(for key: ApiKey, among applicable: [AuditRule]) -> [Finding] {
      applicable.compactMap { rule in
        rule.detail(key, self).map { Finding(rule: rule, detail: $0, key: key) }
      }
    }
  }
}

extension AuditRule {
  /// One day, the unit of every threshold.
  static let day: TimeInterval = 86_400

  /// The finding if `key` breaks this rule as of `asOf`, else nil; always nil
  /// for a provider that does not report the field the rule reads.
  public func evaluate(_ key: ApiKey, asOf: Date, thresholds: AuditThresholds) -> Finding? {
    let judge = Audit.Judge(asOf: asOf, thresholds: thresholds, rules: [self])
    return judge.findings(for: key, among: judge.rules(for: key.provider)).first
  }

  /// Why the key breaks the rule as `judge` sees it, or nil when it does not
  /// (the caller has checked that the rule applies to the key's provider).
  fileprivate func detail(_ key: ApiKey, _ judge: Audit.Judge) -> String? {
    let (asOf, thresholds, asOfDay) = (judge.asOf, judge.thresholds, judge.asOfDay)
    /// The three "too long ago" rules: as-of − `date` > `limit` days, or nil
    /// (also when the date is unknown).
    func elapsed(since date: Date?, _ label: String, limit: Int) -> String? {
      guard let date else { return nil }
      let seconds = asOf.timeIntervalSince(date)
      guard seconds > Double(limit) * Self.day else { return nil }
      let span = Self.span(seconds, limit: limit)
      return "\(label) \(Self.dateOnly(date)), \(span) before \(asOfDay)"
    }
    switch self {
    case .expired:
      guard let expires = key.expiresAt, expires <= asOf else { return nil }
      let span = Self.span(asOf.timeIntervalSince(expires), limit: nil)
      return "expired \(Self.dateOnly(expires)), \(span) before \(asOfDay)"
    case .expiring:
      guard let expires = key.expiresAt else { return nil }
      let left = expires.timeIntervalSince(asOf)
      guard left > 0, left <= Double(thresholds.expiringDays) * Self.day else { return nil }
      return "expires \(Self.dateOnly(expires)), \(Self.span(left, limit: nil)) after \(asOfDay)"
    case .disabled:
      return key.status == .disabled ? "the key is disabled" : nil
    case .unused:
      return elapsed(since: key.lastUsedAt, "last used", limit: thresholds.unusedDays)
    case .neverUsed:
      guard key.lastUsedAt == nil else { return nil }
      return elapsed(since: key.createdAt, "never used; created", limit: thresholds.unusedDays)
    case .old:
      return elapsed(since: key.createdAt, "created", limit: thresholds.maxAgeDays)
    case .creatorLeft:
      guard CreatorMembership.stillInOrganization(key.raw) == false else { return nil }
      let who = key.creator.email ?? key.creator.name ?? key.creator.id
      return who.map { "creator \($0) is no longer in the organization" }
        ?? "the creator is no longer in the organization"
    }
  }

  /// Elapsed seconds as whole days ("91 days", "1 day", "0 days"). When a rule
  /// with `limit` fired, the whole-day count can equal the limit (30 days and a
  /// second is more than 30 days); it then says "more than 30 days", so the
  /// detail never reads as if the rule fired at exactly its limit.
  static func span(_ seconds: TimeInterval, limit: Int?) -> String {
    let days = seconds / day
    let whole = days < 1e15 ? Int(days.rounded(.down)) : Int(1e15)
    let count = whole == 1 ? "1 day" : "\(whole) days"
    if let limit, whole == limit, days > Double(limit) { return "more than " + count }
    return count
  }

  /// `YYYY-MM-DD` in UTC: what a person compares with a calendar.
  static func dateOnly(_ date: Date) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(24)
    ISO8601.append(date, to: &bytes)
    let end = bytes.firstIndex(of: UInt8(ascii: "T")) ?? bytes.endIndex
    return String(decoding: bytes[..<end], as: UTF8.self)
  }
}
