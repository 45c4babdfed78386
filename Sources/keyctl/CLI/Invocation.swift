import Foundation
import KeyCore

/// A parsed command line: the command, its positionals and option values,
/// with typed accessors that turn a bad value into a usage error naming it.
struct Invocation {
  var command: CommandSpec?
  var positionals: [String] = []
  /// Values by long option name, in the order given; a flag holds one empty string.
  var values: [String: [String]] = [:]

  var helpPage: String { command.map { "keyctl \($0.name) --help" } ?? "keyctl --help" }

  func has(_ name: String) -> Bool { values[name] != nil }

  /// The last value given for the option.
  func string(_ name: String) -> String? { values[name]?.last }

  func strings(_ name: String) -> [String] { values[name] ?? [] }

  func usageError(_ message: String) -> KeyError {
    KeyError.usage(message, help: helpPage)
  }

  func integer(_ name: String, minimum: Int) throws -> Int? {
    guard let text = string(name) else { return nil }
    guard let value = Int(text), value >= minimum else {
      throw usageError(
        "invalid value '\(text)' for '--\(name)': expected a whole number of at least \(minimum)")
    }
    return value
  }

  /// A whole number inside `range`, or a usage error naming the option and the range.
  func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
    guard let text = string(name) else { return nil }
    guard let value = Int(text), range.contains(value) else {
      throw usageError(
        "invalid value '\(text)' for '--\(name)': expected a whole number from "
          + "\(range.lowerBound) to \(range.upperBound)")
    }
    return value
  }

  /// A finite number inside `range`, or a usage error naming the option and the range.
  ///
  /// Bounding here is what keeps a value like `--timeout 1e16` from reaching
  /// code that converts it to an integer (where it would trap).
  func number(_ name: String, in range: ClosedRange<Double>) throws -> Double? {
    guard let text = string(name) else { return nil }
    guard let value = Double(text), value.isFinite, range.contains(value) else {
      throw usageError(
        "invalid value '\(text)' for '--\(name)': expected a number from "
          + "\(Self.plain(range.lowerBound)) to \(Self.plain(range.upperBound))")
    }
    return value
  }

  /// A bound as people write it: `86400`, not `86400.0`.
  private static func plain(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
  }

  func number(_ name: String, minimum: Double) throws -> Double? {
    guard let text = string(name) else { return nil }
    guard let value = Double(text), value.isFinite, value >= minimum else {
      throw usageError(
        "invalid value '\(text)' for '--\(name)': expected a number of at least \(minimum == 0 ? "0" : "\(minimum)")"
      )
    }
    return value
  }

  func choice(_ name: String, _ allowed: [String]) throws -> String? {
    guard let text = string(name) else { return nil }
    guard allowed.contains(text) else {
      let suggestion =
        Suggestions.closest(to: text, in: allowed).map { " Did you mean '\($0)'?" } ?? ""
      throw usageError(
        "invalid value '\(text)' for '--\(name)': expected one of \(allowed.joined(separator: ", "))."
          + suggestion)
    }
    return text
  }

  func uuid(_ name: String) throws -> String? {
    try string(name).map { try checkedUUID($0, for: name) }
  }

  /// Every value of a repeatable UUID option, each checked.
  func uuids(_ name: String) throws -> [String] {
    try strings(name).map { try checkedUUID($0, for: name) }
  }

  private func checkedUUID(_ text: String, for name: String) throws -> String {
    guard UUID(uuidString: text) != nil else {
      throw usageError(
        "invalid value '\(text)' for '--\(name)': expected a UUID such as 7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f"
      )
    }
    return text.lowercased()
  }

  func date(_ name: String) throws -> Date? {
    guard let text = string(name) else { return nil }
    guard let date = ISO8601.parse(text) else {
      throw usageError(
        "invalid value '\(text)' for '--\(name)': expected an ISO-8601 date such as 2027-01-31T00:00:00Z"
      )
    }
    return date
  }
}
