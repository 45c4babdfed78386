import Foundation

/// The limits the time-based rules compare against, in whole days of 24 hours.
public struct AuditThresholds: Sendable, Equatable {
  /// `old`: a key created more than this many days before as-of (`--max-age`).
  public var maxAgeDays: Int
  /// `unused` and `never_used`: more than this many days without use (`--unused-days`).
  public var unusedDays: Int
  /// `expiring`: expires within this many days after as-of (`--expiring-days`).
  public var expiringDays: Int

  /// Creates thresholds; the defaults are DESIGN.md's (90, 30, 14).
  public init(maxAgeDays: Int = 90, unusedDays: Int = 30, expiringDays: Int = 14) {
    self.maxAgeDays = maxAgeDays
    self.unusedDays = unusedDays
    self.expiringDays = expiringDays
  }

  /// Parses a threshold option's value: a whole number of days ≥ 0, digits only
  /// (no sign, no fraction, no unit), else a usage error naming the option.
  public static func parseDays(_ text: String, option: String) throws(KeyError) -> Int {
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let days = Int(text)
    else {
      throw KeyError.usage("\(option) needs a whole number of days (0 or more), not '\(text)'")
    }
    return days
  }
}

extension Audit {
  /// Parses `--as-of DATE`: an ISO-8601 date-time, or a date alone meaning
  /// 00:00:00 UTC that day; else a usage error.
  public static func parseAsOf(_ text: String, option: String = "--as-of") throws(KeyError) -> Date
  {
    guard let date = ISO8601.parse(text) else {
      throw KeyError.usage(
        "\(option) needs an ISO-8601 date such as 2026-04-15 or 2026-04-15T12:00:00Z, not '\(text)'"
      )
    }
    return date
  }
}
