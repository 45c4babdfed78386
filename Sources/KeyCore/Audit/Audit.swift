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
    AuditRule.allCases.filter(rules.contains).compactMap {
      $0.evaluate(key, asOf: asOf, thresholds: thresholds)
    }
  }
}

extension AuditRule {
  /// One day, the unit of every threshold.
  static let day: TimeInterval = 86_400

  /// The finding if `key` breaks this rule as of `asOf`, else nil; always nil
  /// for a provider that does not report the field the rule reads.
  public func evaluate(_ key: ApiKey, asOf: Date, thresholds: AuditThresholds) -> Finding? {
    guard applies(to: key.provider), let detail = detail(key, asOf, thresholds) else {
      return nil
    }
    return Finding(rule: self, detail: detail, key: key)
  }

  /// Why the key breaks the rule, or nil when it does not.
  private func detail(_ key: ApiKey, _ asOf: Date, _ thresholds: AuditThresholds) -> String? {
    let asOfDay = Self.dateOnly(asOf)
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
    let text = ISO8601.format(date)
    return text.split(separator: "T", maxSplits: 1).first.map(String.init) ?? text
  }
}
