import Foundation

/// ISO-8601 timestamps, parsed and printed by hand.
///
/// Providers send `2025-01-15T12:00:00Z`, `…12:00:00.123456Z` or `…+02:00`;
/// keyctl prints UTC with a `Z`. Foundation's formatters cost more per call
/// than decoding the rest of a key, and listings hold tens of thousands of
/// dates, so this does the arithmetic directly.
public enum ISO8601 {
  /// Parses an ISO-8601 date-time (or a bare date), or returns nil.
  public static func parse(_ text: String) -> Date? {
    var text = text
    return text.withUTF8 { parse(utf8: $0) }
  }

  /// A position in the text being parsed. A struct with mutating methods, not
  /// nested functions over a captured variable: those made every digit read
  /// pay for a dynamic exclusivity check.
  private struct Cursor {
    let utf8: UnsafeBufferPointer<UInt8>
    var index = 0

    var isEmpty: Bool { index == utf8.count }
    var first: UInt8? { index < utf8.count ? utf8[index] : nil }

    /// Exactly `digits` decimal digits as a number, or nil.
    mutating func number(_ digits: Int) -> Int? {
      var value = 0
      for _ in 0..<digits {
        guard let byte = first, byte >= 48, byte <= 57 else { return nil }
        value = value * 10 + Int(byte - 48)
        index += 1
      }
      return value
    }

    /// Moves past `byte` if it comes next.
    mutating func skip(_ byte: UInt8) -> Bool {
      guard first == byte else { return false }
      index += 1
      return true
    }
  }

  /// `parse` over UTF-8 bytes: a date, a date-time, fractions, `Z` or an offset.
  private static func parse(utf8: UnsafeBufferPointer<UInt8>) -> Date? {
    var text = Cursor(utf8: utf8)
    guard let year = text.number(4), text.skip(45), let month = text.number(2), text.skip(45),
      let day = text.number(2), (1...12).contains(month),
      (1...daysIn(month: month, year: year)).contains(day)
    else { return nil }
    var seconds = Double(daysFromCivil(year: year, month: month, day: day) * 86_400)
    if text.isEmpty { return Date(timeIntervalSince1970: seconds) }
    guard text.skip(84) || text.skip(116) || text.skip(32), let hour = text.number(2),
      text.skip(58), let minute = text.number(2), hour < 24, minute < 60
    else { return nil }
    seconds += Double(hour * 3600 + minute * 60)
    if text.skip(58) {
      guard let second = text.number(2), second <= 60 else { return nil }
      seconds += Double(second)
      if text.skip(46) || text.skip(44) {
        var scale = 0.1
        var sawDigit = false
        while let byte = text.first, byte >= 48, byte <= 57 {
          seconds += Double(byte - 48) * scale
          scale /= 10
          sawDigit = true
          text.index += 1
        }
        guard sawDigit else { return nil }
      }
    }
    if text.skip(90) || text.skip(122) {
      return text.isEmpty ? Date(timeIntervalSince1970: seconds) : nil
    }
    guard let sign = text.first, sign == 43 || sign == 45 else {
      // No zone at all: providers that omit it mean UTC.
      return text.isEmpty ? Date(timeIntervalSince1970: seconds) : nil
    }
    text.index += 1
    guard let offsetHours = text.number(2), offsetHours < 24 else { return nil }
    _ = text.skip(58)
    let offsetMinutes = text.number(2) ?? 0
    guard text.isEmpty, offsetMinutes < 60 else { return nil }
    let offset = Double(offsetHours * 3600 + offsetMinutes * 60)
    return Date(timeIntervalSince1970: sign == 43 ? seconds - offset : seconds + offset)
  }

  /// The first instant keyctl prints: 0001-01-01T00:00:00Z.
  static let earliest = Date(timeIntervalSince1970: -62_135_596_800)
  /// Just past the last instant keyctl prints (9999-12-31T23:59:59.999Z once
  /// rounded to milliseconds): later dates would need a five-digit year.
  static let limit = Date(timeIntervalSince1970: 253_402_300_799.9995)

  /// Whether `format` spells the date as ISO-8601 does: years 0001 to 9999.
  public static func isShowable(_ date: Date) -> Bool {
    date >= earliest && date < limit
  }

  /// A date a provider sent in `field`: nil when it sent none; nil with a note
  /// for the user when it is not an ISO-8601 date, or one outside the years
  /// 0001–9999 (after conversion to UTC) that keyctl could only print as a
  /// non-ISO string.
  static func providerDate(_ text: String?, field: String, notes: inout [String]) -> Date? {
    guard let text else { return nil }
    if let date = parse(text), isShowable(date) { return date }
    notes.append(
      "\(field) '\(Untrusted.bounded(text, limit: 40))' is not an ISO-8601 date keyctl can show; "
        + "shown as null")
    return nil
  }

  /// Formats a date as `YYYY-MM-DDTHH:MM:SSZ` in UTC, with milliseconds only when present.
  public static func format(_ date: Date) -> String {
    var text: [UInt8] = []
    text.reserveCapacity(24)
    append(date, to: &text)
    return String(decoding: text, as: UTF8.self)
  }

  /// Appends `format(date)`'s UTF-8 bytes, so that output writers print tens of
  /// thousands of dates without making a string for each.
  public static func append(_ date: Date, to text: inout [UInt8]) {
    let interval = date.timeIntervalSince1970
    let whole = interval.rounded(.down)
    var millis = Int(((interval - whole) * 1000).rounded())
    var total = Int(whole)
    if millis == 1000 {
      millis = 0
      total += 1
    }
    let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
    let secondsOfDay = total - days * 86_400
    let (year, month, day) = civilFromDays(days)
    append(year, 4, to: &text)
    text.append(45)
    append(month, 2, to: &text)
    text.append(45)
    append(day, 2, to: &text)
    text.append(84)
    append(secondsOfDay / 3600, 2, to: &text)
    text.append(58)
    append(secondsOfDay % 3600 / 60, 2, to: &text)
    text.append(58)
    append(secondsOfDay % 60, 2, to: &text)
    if millis != 0 {
      text.append(46)
      append(millis, 3, to: &text)
    }
    text.append(90)
  }

  /// Appends the decimal digits of `value`, zero-padded on the left to `width` characters.
  private static func append(_ value: Int, _ width: Int, to text: inout [UInt8]) {
    guard value >= 0 else {
      // Only a year before 1 BC is negative; it keeps the spelling "00-5".
      let digits = String(value)
      text += repeatElement(48, count: max(0, width - digits.utf8.count))
      text += digits.utf8
      return
    }
    var divisor = 1
    var count = 1
    while divisor <= value / 10 {
      divisor *= 10
      count += 1
    }
    for _ in count..<max(count, width) { text.append(48) }
    var rest = value
    while divisor > 0 {
      text.append(UInt8(48 + rest / divisor))
      rest %= divisor
      divisor /= 10
    }
  }

  /// Days in `month` of `year` (proleptic Gregorian).
  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  // Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar.
  /// Days from 1970-01-01 to the civil date (negative before it).
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let shiftedYear = month <= 2 ? year - 1 : year
    let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
    let yearOfEra = shiftedYear - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  private static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
    let shifted = days + 719_468
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }
}
