import Foundation

/// Finds the exact bytes of each element of one array in a JSON document.
///
/// Adapters decode a page with `Codable` for the typed fields and use this to
/// keep each key's `raw` object byte for byte. It is a structural scan (strings,
/// escapes, nesting), not a validator: it runs only on bodies `JSONDecoder`
/// has already accepted.
enum JSONSlicer {
  /// The byte ranges of the elements of the array stored under `key` in the
  /// top-level object, or nil when there is no such array.
  static func elements(ofArray key: String, in data: Data) -> [Range<Int>]? {
    data.withUnsafeBytes { buffer -> [Range<Int>]? in
      let bytes = buffer.bindMemory(to: UInt8.self)
      let needle = Array(key.utf8)
      var index = 0
      let count = bytes.count
      func skipSpace() {
        while index < count,
          bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D
            || bytes[index] == 0x09
        {
          index += 1
        }
      }
      // Moves past the string starting at `index` (which holds the quote).
      func skipString() {
        index += 1
        while index < count {
          let byte = bytes[index]
          if byte == 0x5C {
            index += 2
          } else {
            index += 1
            if byte == 0x22 { return }
          }
        }
      }
      // Moves past one value of any type.
      func skipValue() {
        skipSpace()
        guard index < count else { return }
        let first = bytes[index]
        if first == 0x22 {
          skipString()
          return
        }
        if first == 0x7B || first == 0x5B {
          var depth = 0
          while index < count {
            let byte = bytes[index]
            if byte == 0x22 {
              skipString()
              continue
            }
            if byte == 0x7B || byte == 0x5B { depth += 1 }
            if byte == 0x7D || byte == 0x5D {
              depth -= 1
              if depth == 0 {
                index += 1
                return
              }
            }
            index += 1
          }
          return
        }
        while index < count {
          let byte = bytes[index]
          if byte == 0x2C || byte == 0x7D || byte == 0x5D || byte == 0x20 || byte == 0x0A
            || byte == 0x0D || byte == 0x09
          {
            return
          }
          index += 1
        }
      }

      skipSpace()
      guard index < count, bytes[index] == 0x7B else { return nil }
      index += 1
      while index < count {
        skipSpace()
        guard index < count, bytes[index] == 0x22 else { return nil }
        let nameStart = index + 1
        skipString()
        let nameEnd = index - 1
        let isKey =
          nameEnd - nameStart == needle.count
          && needle.indices.allSatisfy { bytes[nameStart + $0] == needle[$0] }
        skipSpace()
        guard index < count, bytes[index] == 0x3A else { return nil }
        index += 1
        skipSpace()
        if isKey {
          guard index < count, bytes[index] == 0x5B else { return nil }
          index += 1
          var ranges: [Range<Int>] = []
          while true {
            skipSpace()
            guard index < count else { return nil }
            if bytes[index] == 0x5D { return ranges }
            let start = index
            skipValue()
            ranges.append(start..<index)
            skipSpace()
            guard index < count else { return nil }
            if bytes[index] == 0x2C { index += 1 }
          }
        }
        skipValue()
        skipSpace()
        guard index < count else { return nil }
        if bytes[index] == 0x2C {
          index += 1
        } else {
          return nil
        }
      }
      return nil
    }
  }
}
