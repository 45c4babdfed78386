import Foundation

/// Finds the exact bytes of values inside a JSON document.
///
/// Adapters decode a body with `Codable` for the typed fields and use this to
/// keep `raw` byte for byte: each element of a page's array, or one member
/// object (OpenRouter's `data`). It is a structural scan (strings, escapes,
/// nesting), not a validator: it runs only on bodies `JSONDecoder` accepted.
enum JSONSlicer {
  /// The byte ranges of the elements of the array stored under `key` in the
  /// top-level object, or nil when there is no such array.
  static func elements(ofArray key: String, in data: Data) -> [Range<Int>]? {
    var scanner = Scanner(Array(data))
    guard let start = scanner.seekMember(key), scanner.byte(at: start) == 0x5B else { return nil }
    scanner.index = start + 1
    var ranges: [Range<Int>] = []
    while true {
      scanner.skipSpace()
      guard let byte = scanner.current else { return nil }
      if byte == 0x5D { return ranges }
      let element = scanner.index
      scanner.skipValue()
      ranges.append(element..<scanner.index)
      scanner.skipSpace()
      if scanner.current == 0x2C { scanner.index += 1 }
    }
  }

  /// The exact bytes of the value stored under `key` in the top-level object.
  static func value(forKey key: String, in data: Data) -> Data? {
    var scanner = Scanner(Array(data))
    guard let start = scanner.seekMember(key) else { return nil }
    scanner.skipValue()
    return Data(scanner.bytes[start..<scanner.index])
  }

  /// A cursor over the bytes with the few moves the lookups need.
  private struct Scanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) {
      self.bytes = bytes
    }

    var current: UInt8? { byte(at: index) }

    func byte(at position: Int) -> UInt8? {
      position < bytes.count ? bytes[position] : nil
    }

    mutating func skipSpace() {
      while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
        index += 1
      }
    }

    /// Moves past the string whose opening quote is at `index`.
    mutating func skipString() {
      index += 1
      while let byte = current {
        index += byte == 0x5C ? 2 : 1
        if byte == 0x22 { return }
      }
    }

    /// Moves past one value of any type: it ends at the first comma, space or
    /// closing bracket outside any string or container it opened.
    mutating func skipValue() {
      var depth = 0
      while let byte = current {
        switch byte {
        case 0x22:
          skipString()
        case 0x7B, 0x5B:
          depth += 1
          index += 1
        case 0x7D, 0x5D:
          guard depth > 0 else { return }
          depth -= 1
          index += 1
          if depth == 0 { return }
        case 0x2C, 0x20, 0x0A, 0x0D, 0x09:
          if depth == 0 { return }
          index += 1
        default:
          index += 1
        }
      }
    }

    /// Positions at the value of the top-level member `key`; returns its start.
    mutating func seekMember(_ key: String) -> Int? {
      let needle = Array(key.utf8)
      skipSpace()
      guard current == 0x7B else { return nil }
      index += 1
      while true {
        skipSpace()
        guard current == 0x22 else { return nil }
        let nameStart = index + 1
        skipString()
        let isKey = index - 1 >= nameStart && bytes[nameStart..<index - 1].elementsEqual(needle)
        skipSpace()
        guard current == 0x3A else { return nil }
        index += 1
        skipSpace()
        if isKey { return index }
        skipValue()
        skipSpace()
        guard current == 0x2C else { return nil }
        index += 1
      }
    }
  }
}
