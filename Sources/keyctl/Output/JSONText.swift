import Foundation
import KeyCore

/// Appends JSON text to a byte buffer without Foundation's encoders.
///
/// Output is the hot path of a large listing, running while the next page is
/// fetched and competing with it for the CPU: every append here copies whole
/// runs of bytes, and nothing makes a string per field.
struct JSONText {
  var bytes: [UInt8] = []

  /// Appends JSON text that is already correct, such as punctuation or a member name.
  mutating func raw(_ text: StaticString) {
    bytes.append(
      contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  /// Splices a provider's JSON value as it is: a `RawJSON` is only ever made
  /// from strict JSON and is already one line with every terminal-moving
  /// character escaped and every credential masked (see `RawJSON`).
  mutating func value(_ json: RawJSON) {
    json.bytes.withUnsafeBytes { bytes.append(contentsOf: $0) }
  }

  /// Appends a JSON string, or `null` for nil. Quotes, backslashes and every
  /// character that moves a terminal (C0, DEL, C1, bidi and zero-width
  /// characters, U+2028/U+2029) are escaped (see `Untrusted.appendJSONString`),
  /// so a provider's text can neither break the JSON nor act on a terminal.
  mutating func string(_ value: String?) {
    guard let value else {
      raw("null")
      return
    }
    Untrusted.appendJSONString(value, to: &bytes)
  }

  /// Appends a date as an ISO-8601 UTC string, or `null` for nil.
  mutating func date(_ value: Date?) {
    guard let value else {
      raw("null")
      return
    }
    bytes.append(0x22)
    ISO8601.append(value, to: &bytes)
    bytes.append(0x22)
  }

  /// Appends an integer, or `null` for nil.
  mutating func number(_ value: Int?) {
    if let value { bytes += String(value).utf8 } else { raw("null") }
  }

  /// Appends `true` or `false`.
  mutating func bool(_ value: Bool) {
    if value { raw("true") } else { raw("false") }
  }
}
