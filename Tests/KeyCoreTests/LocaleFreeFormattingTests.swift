import Foundation
import Testing

@testable import KeyCore

/// Dates and numbers in messages do not go through ICU or the locale.
@Suite struct LocaleFreeFormattingTests {
  let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

  @Test(arguments: [
    ("Thu, 01 Jan 2026 00:00:05 GMT", 5.0),
    ("Thursday, 01-Jan-26 00:00:07 GMT", 7.0),
    ("Thu Jan  1 00:00:09 2026", 9.0),
    ("Thu Jan 1 00:00:09 2026", 9.0),
    ("Wed, 31 Dec 2025 23:59:00 GMT", 0.0),
    ("Sat, 29 Feb 2028 00:00:00 GMT", 68_169_600.0),
  ])
  func httpDatesInAllThreeFormats(text: String, seconds: Double) {
    let date = HTTPDate.parse(text, now: now)
    #expect(date.map { max(0, $0.timeIntervalSince(now)) } == seconds)
  }

  @Test(arguments: [
    "", "Thu, 01 Jan 2026 00:00:05", "Thu, 01 Jan 2026 00:00:05 PST",
    "Thu, 1 Jan 2026 00:00:05 GMT",
    "Thu, 01 jan 2026 00:00:05 GMT", "Thu, 30 Feb 2026 00:00:05 GMT",
    "Thu, 01 Jan 2026 24:00:00 GMT",
    "Thu, 01 Jan 2026 00:60:00 GMT", "Thu, 01 Jan 99999 00:00:05 GMT", "Thu, 01 Jan 2026 0:0:5 GMT",
    "Thu, 01 Jan -026 00:00:05 GMT", "Thu, 01 Jan 2026 00:00:05 GMT extra",
    "Xyz, 01 Jan 2026 00:00:05 GMT",
    "Thursday, 01-Jan-2026 00:00:07 GMT", "Thu Jan 111 00:00:09 2026",
    "９, 01 Jan 2026 00:00:05 GMT",
  ])
  func notAnHTTPDate(text: String) {
    #expect(HTTPDate.parse(text, now: now) == nil)
  }

  /// An RFC 850 two-digit year is in this century unless that is more than 50
  /// years ahead (RFC 9110 §5.6.7).
  @Test func twoDigitYearsPickTheNearerCentury() throws {
    let late = try #require(HTTPDate.parse("Monday, 01-Jan-90 00:00:00 GMT", now: now))
    #expect(ISO8601.format(late) == "1990-01-01T00:00:00Z")
    let soon = try #require(HTTPDate.parse("Friday, 01-Jan-27 00:00:00 GMT", now: now))
    #expect(ISO8601.format(soon) == "2027-01-01T00:00:00Z")
  }

  @Test(arguments: ["inf", "-inf", "nan", "1e999", "-3"])
  func aRetryAfterThatIsNoWaitIsIgnored(value: String) {
    let policy = RetryPolicy()
    let delay = policy.delay(
      attempt: 0, headers: ["retry-after": value], now: now, random: { $0.upperBound })
    #expect(delay == 0.5, "the backoff, not the header, decides")
  }

  @Test(arguments: [
    (0.4, "0.40"), (30, "30.00"), (0, "0.00"), (1.005, "1.00"), (0.999, "1.00"), (59.994, "59.99"),
    (12.345_6, "12.35"), (-0.5, "-0.50"),
  ])
  func waitsArePrintedWithTwoDecimals(value: Double, text: String) {
    #expect(ProviderClient.twoDecimals(value) == text)
  }

  @Test func absurdWaitsDoNotTrap() {
    for value in [Double.infinity, -.infinity, .nan, 1e300, -1e300] {
      #expect(!ProviderClient.twoDecimals(value).isEmpty)
    }
  }
}
