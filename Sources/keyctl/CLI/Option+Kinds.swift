import Foundation
import KeyCore

// The kinds of option keyctl has, each with the one wording of its errors
// (the messages README and the tests quote), so two options of a kind cannot
// check or word their values differently.

extension Option where Value == Bool {
  /// A flag: true when given.
  static func flag(
    _ long: String, short: Character? = nil, provider: ProviderID? = nil, help: String
  ) -> Option {
    Option(long, short: short, provider: provider, help: help, absent: false) { _, _ in true }
  }
}

extension Option where Value == String? {
  /// Free text; the last value given wins.
  static func text(
    _ long: String, short: Character? = nil, value: String, provider: ProviderID? = nil,
    help: String
  ) -> Option {
    Option(long, short: short, value: value, provider: provider, help: help, absent: nil) {
      values, _ in values.last
    }
  }

  /// One of a fixed set of words, exactly as spelled; anything else is a usage
  /// error listing them, with a "did you mean".
  static func choice(
    _ long: String, value: String, provider: ProviderID? = nil, values allowed: [String],
    help: String
  ) -> Option {
    Option(
      long, value: value, provider: provider, choices: .fixed(allowed), help: help, absent: nil
    ) { values, context in
      try values.last.map { try Self.checkedChoice($0, allowed, context) }
    }
  }

  /// A UUID, lower-cased (the form providers compare); the last value wins.
  static func uuid(
    _ long: String, value: String = "UUID", provider: ProviderID? = nil, help: String
  ) -> Option {
    Option(long, value: value, provider: provider, help: help, absent: nil) { values, context in
      try values.last.map { try Self.checkedUUID($0, context) }
    }
  }

  /// `text` if it is one of `allowed`, else the usage error every choice gives.
  static func checkedChoice(_ text: String, _ allowed: [String], _ context: ValueContext) throws
    -> String
  {
    guard allowed.contains(text) else {
      let suggestion =
        Suggestions.closest(to: text, in: allowed).map { " Did you mean '\($0)'?" } ?? ""
      throw context.invalid(
        text, expected: "one of \(allowed.joined(separator: ", ")).\(suggestion)")
    }
    return text
  }

  /// `text` lower-cased if it is a UUID, else the usage error every UUID option gives.
  static func checkedUUID(_ text: String, _ context: ValueContext) throws -> String {
    guard UUID(uuidString: text) != nil else {
      throw context.invalid(text, expected: "a UUID such as 7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f")
    }
    return text.lowercased()
  }
}

extension Option where Value == [String] {
  /// Free text, repeatable: every value, in the order given.
  static func texts(
    _ long: String, value: String, provider: ProviderID? = nil, help: String
  ) -> Option {
    Option(
      long, value: value, provider: provider, repeatable: true, help: help, absent: []
    ) { values, _ in values }
  }

  /// UUIDs, repeatable: every value, each checked and lower-cased.
  static func uuids(
    _ long: String, value: String = "UUID", provider: ProviderID? = nil, help: String
  ) -> Option {
    Option(
      long, value: value, provider: provider, repeatable: true, help: help, absent: []
    ) { values, context in
      try values.map { try Option<String?>.checkedUUID($0, context) }
    }
  }
}

extension Option where Value == Int? {
  /// A whole number of at least `minimum`; the last value wins.
  static func integer(
    _ long: String, value: String, minimum: Int, provider: ProviderID? = nil, help: String
  ) -> Option {
    Option(long, value: value, provider: provider, help: help, absent: nil) { values, context in
      guard let text = values.last else { return nil }
      guard let number = Int(text), number >= minimum else {
        throw context.invalid(text, expected: "a whole number of at least \(minimum)")
      }
      return number
    }
  }

  /// A whole number inside `range`; the last value wins.
  static func integer(
    _ long: String, value: String, in range: ClosedRange<Int>, help: String
  ) -> Option {
    Option(long, value: value, help: help, absent: nil) { values, context in
      guard let text = values.last else { return nil }
      guard let number = Int(text), range.contains(number) else {
        throw context.invalid(
          text, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
      }
      return number
    }
  }
}

extension Option where Value == Double? {
  /// A finite number inside `range`; the last value wins.
  ///
  /// Bounding here is what keeps a value like `--timeout 1e16` from reaching
  /// code that converts it to an integer (where it would trap).
  static func number(
    _ long: String, value: String, in range: ClosedRange<Double>, help: String
  ) -> Option {
    Option(long, value: value, help: help, absent: nil) { values, context in
      guard let text = values.last else { return nil }
      guard let number = Double(text), number.isFinite, range.contains(number) else {
        throw context.invalid(
          text,
          expected: "a number from \(plain(range.lowerBound)) to \(plain(range.upperBound))")
      }
      return number
    }
  }

  /// A finite number of at least `minimum`; the last value wins.
  static func number(
    _ long: String, value: String, minimum: Double, provider: ProviderID? = nil, help: String
  ) -> Option {
    Option(long, value: value, provider: provider, help: help, absent: nil) { values, context in
      guard let text = values.last else { return nil }
      guard let number = Double(text), number.isFinite, number >= minimum else {
        throw context.invalid(text, expected: "a number of at least \(plain(minimum))")
      }
      return number
    }
  }

  /// A bound as people write it: `86400`, not `86400.0`.
  private static func plain(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
  }
}

extension Option where Value == Date? {
  /// An ISO-8601 date (KeyCore's parser, which needs no locale); the last value wins.
  static func date(
    _ long: String, value: String = "DATE", provider: ProviderID? = nil, help: String
  ) -> Option {
    Option(long, value: value, provider: provider, help: help, absent: nil) { values, context in
      guard let text = values.last else { return nil }
      guard let date = ISO8601.parse(text) else {
        throw context.invalid(text, expected: "an ISO-8601 date such as 2027-01-31T00:00:00Z")
      }
      return date
    }
  }
}

extension Option {
  /// One case of a string enum (`-o table|json|ndjson`), its cases being the
  /// choices; the last value wins.
  static func choice<Choice>(
    _ long: String, short: Character? = nil, value: String, of type: Choice.Type, help: String
  ) -> Option
  where
    Value == Choice?, Choice: CaseIterable & RawRepresentable & Sendable, Choice.RawValue == String
  {
    let allowed = Choice.allCases.map(\.rawValue)
    return Option(
      long, short: short, value: value, choices: .fixed(allowed), help: help, absent: nil
    ) { values, context in
      guard let text = values.last else { return nil }
      return Choice(rawValue: try Option<String?>.checkedChoice(text, allowed, context))
    }
  }
}
