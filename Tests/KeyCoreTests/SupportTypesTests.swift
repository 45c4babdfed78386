import Foundation
import Testing

@testable import KeyCore

@Suite struct ISO8601Tests {
  @Test(arguments: [
    ("2025-01-15T12:00:00Z", "2025-01-15T12:00:00Z"),
    ("2025-01-15T12:00:00.250Z", "2025-01-15T12:00:00.250Z"),
    ("2025-01-15T14:30:00+02:30", "2025-01-15T12:00:00Z"),
    ("2025-01-15T09:00:00-03:00", "2025-01-15T12:00:00Z"),
    ("2024-02-29T23:59:59.999999Z", "2024-03-01T00:00:00Z"),
    ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
    ("2025-08-24 10:30:00", "2025-08-24T10:30:00Z"),
    ("2025-01-15", "2025-01-15T00:00:00Z"),
  ])
  func parsesAndPrintsUTC(input: String, expected: String) throws {
    let date = try #require(ISO8601.parse(input))
    #expect(ISO8601.format(date) == expected)
  }

  @Test func agreesWithFoundation() throws {
    let formatter = ISO8601DateFormatter()
    for seconds in stride(from: -2_000_000_000, to: 4_000_000_000, by: 123_456_789) {
      let date = Date(timeIntervalSince1970: Double(seconds))
      let text = formatter.string(from: date)
      #expect(ISO8601.format(date) == text)
      #expect(ISO8601.parse(text) == date)
    }
  }

  @Test(arguments: [
    "", "2025", "2025-13-01T00:00:00Z", "2025-01-15T25:00:00Z", "yesterday",
    "2025-01-15T12:00:00Zjunk",
  ])
  func rejectsNonsense(input: String) {
    #expect(ISO8601.parse(input) == nil)
  }
}

@Suite struct JSONElementSliceTests {
  @Test func findsEachElementExactly() throws {
    let text =
      #"{"meta":{"keys":[9]},"keys" : [ {"a":"x]}\"y"} , {"b":[1,{"c":2}]},3,"s",null ],"z":1}"#
    let document = try JSONDocument(parsing: Data(text.utf8))
    let parts = try document.root.array("keys").map {
      String(decoding: $0.raw().bytes, as: UTF8.self)
    }
    #expect(parts == [#"{"a":"x]}\"y"}"#, #"{"b":[1,{"c":2}]}"#, "3", #""s""#, "null"])
  }

  @Test func emptyAndMissingArrays() throws {
    let empty = try JSONDocument(parsing: Data(#"{"keys":[]}"#.utf8)).root.array("keys")
    #expect(Array(empty).isEmpty)
    #expect(throws: JSONReadError.self) {
      try JSONDocument(parsing: Data(#"{"data":[1]}"#.utf8)).root.array("keys")
    }
    #expect(throws: JSONReadError.self) {
      try JSONDocument(parsing: Data(#"[1,2]"#.utf8)).root.array("keys")
    }
    #expect(throws: JSONSyntaxError.self) { try JSONDocument(parsing: Data(#"{"keys":"#.utf8)) }
  }
}

@Suite struct RetryPolicyTests {
  let now = Date(timeIntervalSince1970: 1_767_225_600)

  @Test func fullJitterStaysInsideTheGrowingCappedWindow() {
    let policy = RetryPolicy(maxRetries: 10, baseDelay: 0.5, maxDelay: 20)
    let windows = (0..<8).map { attempt in
      policy.delay(attempt: attempt, headers: [:], now: now, random: { $0.upperBound }) ?? -1
    }
    #expect(windows == [0.5, 1, 2, 4, 8, 16, 20, 20])
    let low = policy.delay(attempt: 3, headers: [:], now: now, random: { $0.lowerBound })
    #expect(low == 0)
  }

  @Test func serverDelaysWin() {
    let policy = RetryPolicy()
    #expect(policy.delay(attempt: 0, headers: ["retry-after": "7"], now: now) == 7)
    #expect(policy.delay(attempt: 0, headers: ["retry-after-ms": "150"], now: now) == 0.15)
    let date = "Thu, 01 Jan 2026 00:00:05 GMT"
    #expect(policy.delay(attempt: 0, headers: ["retry-after": date], now: now) == 5)
    #expect(policy.delay(attempt: 0, headers: ["retry-after": "3600"], now: now) == nil)
  }
}

@Suite struct RedactorTests {
  @Test func masksWholeSecretsAndTheSecretHalfOfAPair() {
    let redactor = Redactor(secrets: ["key_id_1:supersecretvalue", "sk-or-v1-abcdef"])
    let text = redactor.redact(
      "auth Key key_id_1:supersecretvalue, then supersecretvalue and sk-or-v1-abcdef")
    #expect(!text.contains("supersecretvalue"))
    #expect(!text.contains("sk-or-v1-abcdef"))
    #expect(text.contains(Redactor.mask))
  }

  @Test func leavesShortFragmentsAlone() {
    let redactor = Redactor(secrets: ["ab:c"])
    #expect(redactor.redact("a cab:cd") == "a cab:cd")
  }
}

@Suite struct ISO8601CalendarTests {
  @Test(arguments: [
    "2027-02-29T00:00:00Z", "2027-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2100-02-29",
  ])
  func impossibleDaysAreRefused(input: String) {
    #expect(ISO8601.parse(input) == nil)
  }

  @Test(arguments: ["2028-02-29T00:00:00Z", "2000-02-29", "2026-12-31T23:59:59Z"])
  func realDaysAreAccepted(input: String) {
    #expect(ISO8601.parse(input) != nil)
  }
}
