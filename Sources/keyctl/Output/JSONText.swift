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

  /// Splices a provider's JSON value, byte for byte unless it holds control
  /// bytes: whitespace (a pretty-printing provider) becomes a space so an ndjson
  /// record stays on one line, and any other control byte (only legal nowhere,
  /// but tolerated by lenient decoders) becomes a `\u00XX` escape, so a provider
  /// can neither break the output's JSON nor send escape codes to a terminal.
  mutating func value(_ json: Data) {
    json.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
      guard buffer.contains(where: { $0 < 0x20 }) else {
        bytes.append(contentsOf: buffer)
        return
      }
      for byte in buffer {
        switch byte {
        case 0x09, 0x0A, 0x0D: bytes.append(0x20)
        case 0..<0x20: escape(byte)
        default: bytes.append(byte)
        }
      }
    }
  }

  /// Appends a JSON string, or `null` for nil.
  mutating func string(_ value: String?) {
    guard var value else {
      raw("null")
      return
    }
    bytes.append(0x22)
    value.withUTF8 { utf8 in
      // Runs that need no escape (almost every string) are copied whole.
      var start = 0
      for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
        bytes += UnsafeBufferPointer(rebasing: utf8[start..<index])
        escape(byte)
        start = index + 1
      }
      bytes += UnsafeBufferPointer(rebasing: utf8[start...])
    }
    bytes.append(0x22)
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

  private mutating func escape(_ byte: UInt8) {
    switch byte {
    case 0x22: raw("\\\"")
    case 0x5C: raw("\\\\")
    case 0x0A: raw("\\n")
    case 0x0D: raw("\\r")
    case 0x09: raw("\\t")
    default:
      let hex: StaticString = "0123456789abcdef"
      raw("\\u00")
      bytes.append(hex.utf8Start[Int(byte >> 4)])
      bytes.append(hex.utf8Start[Int(byte & 0xF)])
    }
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
