import Foundation

/// Appends JSON text to a byte buffer without Foundation's encoders.
///
/// Output is the hot path of a large listing; writing bytes directly lets
/// `raw` be spliced in verbatim and costs a fraction of `JSONEncoder`.
struct JSONText {
  var bytes: [UInt8] = []

  mutating func raw(_ text: String) {
    bytes += text.utf8
  }

  mutating func raw<C: Collection>(bytes other: C) where C.Element == UInt8 {
    bytes += other
  }

  /// Splices a provider's JSON value, byte for byte unless it holds control
  /// bytes: whitespace (a pretty-printing provider) becomes a space so an ndjson
  /// record stays on one line, and any other control byte (only legal nowhere,
  /// but tolerated by lenient decoders) becomes a `\u00XX` escape, so a provider
  /// can neither break the output's JSON nor send escape codes to a terminal.
  mutating func value(_ json: Data) {
    guard json.contains(where: { $0 < 0x20 }) else {
      bytes += json
      return
    }
    for byte in json {
      switch byte {
      case 0x09, 0x0A, 0x0D: bytes.append(0x20)
      case 0..<0x20: escape(byte)
      default: bytes.append(byte)
      }
    }
  }

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

  private mutating func escape(_ byte: UInt8) {
    switch byte {
    case 0x22: bytes += [0x5C, 0x22]
    case 0x5C: bytes += [0x5C, 0x5C]
    case 0x0A: bytes += [0x5C, 0x6E]
    case 0x0D: bytes += [0x5C, 0x72]
    case 0x09: bytes += [0x5C, 0x74]
    default:
      let hex = Array("0123456789abcdef".utf8)
      bytes += [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
    }
  }

  mutating func number(_ value: Int?) {
    raw(value.map(String.init) ?? "null")
  }
}
