import Foundation

/// HTTP dates (`Retry-After: Sun, 06 Nov 1994 08:49:37 GMT`), parsed by hand.
///
/// `DateFormatter` goes through ICU and the process's locale; a header must
/// mean the same whatever `LANG` says, so the three formats RFC 9110 §5.6.7
/// tells a recipient to accept are read here byte by byte: IMF-fixdate, and
/// the obsolete RFC 850 and asctime forms. Names are case-sensitive, as the
/// RFC has them; the weekday is checked for spelling, not against the date.
enum HTTPDate {
  /// The abbreviated weekday names.
  private static let shortDays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
  /// The full weekday names of RFC 850 dates.
  private static let longDays = [
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
  ]
  /// The month names, January first.
  private static let months = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ]

  /// The instant `text` names, or nil when it is not an HTTP date. `now`
  /// decides the century of an RFC 850 two-digit year (at most 50 years ahead).
  static func parse(_ text: String, now: Date) -> Date? {
    let parts = text.split(separator: " ", omittingEmptySubsequences: true)
    switch parts.count {
    case 6:
      // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
      guard parts[0].hasSuffix(","), shortDays.contains(String(parts[0].dropLast())),
        parts[1].utf8.count == 2, let day = number(parts[1]), let month = month(parts[2]),
        parts[3].utf8.count == 4, let year = number(parts[3]), parts[5] == "GMT"
      else { return nil }
      return date(year: year, month: month, day: day, time: parts[4])
    case 4:
      // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
      let fields = parts[1].split(separator: "-", omittingEmptySubsequences: false)
      guard parts[0].hasSuffix(","), longDays.contains(String(parts[0].dropLast())),
        fields.count == 3, fields[0].utf8.count == 2, let day = number(fields[0]),
        let month = month(fields[1]), fields[2].utf8.count == 2, let twoDigit = number(fields[2]),
        parts[3] == "GMT"
      else { return nil }
      // The current year, near enough for choosing a century (clamped: `now` is a test's too).
      let thisYear = 1970 + Int(max(-10_000, min(10_000, now.timeIntervalSince1970 / 31_556_952)))
      var year = thisYear / 100 * 100 + twoDigit
      if year > thisYear + 50 { year -= 100 }
      return date(year: year, month: month, day: day, time: parts[2])
    case 5:
      // asctime: Sun Nov  6 08:49:37 1994
      guard shortDays.contains(String(parts[0])), let month = month(parts[1]),
        (1...2).contains(parts[2].utf8.count), let day = number(parts[2]),
        parts[4].utf8.count == 4, let year = number(parts[4])
      else { return nil }
      return date(year: year, month: month, day: day, time: parts[3])
    default:
      return nil
    }
  }

  /// The month number (1–12) of a three-letter name.
  private static func month(_ name: Substring) -> Int? {
    months.firstIndex(of: String(name)).map { $0 + 1 }
  }

  /// One to four decimal digits (leading zeros allowed, as in `06`); nothing else.
  private static func number(_ text: Substring) -> Int? {
    guard (1...4).contains(text.utf8.count) else { return nil }
    var value = 0
    for byte in text.utf8 {
      guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
      value = value * 10 + Int(byte - UInt8(ascii: "0"))
    }
    return value
  }

  /// The instant of a civil date and an `HH:MM:SS` time in GMT, or nil when
  /// either is out of range.
  private static func date(year: Int, month: Int, day: Int, time: Substring) -> Date? {
    let clock = time.split(separator: ":", omittingEmptySubsequences: false)
    guard clock.count == 3, clock.allSatisfy({ $0.utf8.count == 2 }), let hour = number(clock[0]),
      let minute = number(clock[1]), let second = number(clock[2]), hour < 24, minute < 60,
      second <= 60, (1...ISO8601.daysIn(month: month, year: year)).contains(day)
    else { return nil }
    let days = ISO8601.daysFromCivil(year: year, month: month, day: day)
    return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second))
  }
}
