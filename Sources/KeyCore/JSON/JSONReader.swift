/// A strict one-pass JSON reader for the hot path of a listing: it checks the
/// whole document against the JSON grammar (strings as UTF-8 too) while
/// handing out the few members an adapter needs and the byte range of each
/// array element, for `raw`.
///
/// It only ever agrees with `JSONDecoder` or declines: on anything malformed or
/// merely unusual (a duplicate member the caller reads, an escaped member name,
/// deep nesting, a number with an exponent or many digits, a lone surrogate)
/// it throws `Decline`, and the adapter decodes the same bytes with
/// `JSONDecoder`, whose errors say exactly what is wrong. So a page is read the
/// same either way; this way costs a fraction of the allocations.
struct JSONReader {
  /// The reader will not vouch for this document; decode it the general way.
  struct Decline: Error {}

  private let bytes: UnsafeRawBufferPointer
  /// The position of the next unread byte.
  private(set) var index = 0
  private var depth = 0

  /// Reads `bytes`, which must stay valid while the reader is used.
  init(_ bytes: UnsafeRawBufferPointer) {
    self.bytes = bytes
  }

  /// Expects `{` as the next value and enters the object.
  mutating func beginObject() throws(Decline) {
    skipSpace()
    try expect(0x7B)
    depth += 1
    if depth > 32 { throw Decline() }
  }

  /// Expects `[` as the next value and enters the array.
  mutating func beginArray() throws(Decline) {
    skipSpace()
    try expect(0x5B)
    depth += 1
    if depth > 32 { throw Decline() }
  }

  /// Moves to the next member of the object just entered and returns its name
  /// (without quotes), positioned at its value; nil after the closing brace.
  /// `count` counts the members read so far and must start at 0.
  mutating func nextMember(_ count: inout Int) throws(Decline) -> UnsafeRawBufferPointer? {
    skipSpace()
    if peek() == 0x7D {
      index += 1
      depth -= 1
      return nil
    }
    if count > 0 {
      try expect(0x2C)
      skipSpace()
    }
    count += 1
    guard peek() == 0x22 else { throw Decline() }
    let start = index + 1
    let hasEscapes = try skipString()
    if hasEscapes { throw Decline() }
    let name = UnsafeRawBufferPointer(rebasing: bytes[start..<index - 1])
    skipSpace()
    try expect(0x3A)
    skipSpace()
    return name
  }

  /// Moves to the next element of the array just entered: true when there is
  /// one (positioned at it), false after the closing bracket.
  mutating func nextElement(_ count: inout Int) throws(Decline) -> Bool {
    skipSpace()
    if peek() == 0x5D {
      index += 1
      depth -= 1
      return false
    }
    if count > 0 {
      try expect(0x2C)
      skipSpace()
    }
    count += 1
    return true
  }

  /// Reads a string value.
  mutating func string() throws(Decline) -> String {
    guard peek() == 0x22 else { throw Decline() }
    let start = index + 1
    let hasEscapes = try skipString()
    let content = UnsafeRawBufferPointer(rebasing: bytes[start..<index - 1])
    return hasEscapes ? try Self.unescape(content) : String(decoding: content, as: UTF8.self)
  }

  /// Reads a string or `null`.
  mutating func optionalString() throws(Decline) -> String? {
    if try literalNull() { return nil }
    return try string()
  }

  /// Reads `true`, `false` or `null`.
  mutating func optionalBool() throws(Decline) -> Bool? {
    if try literalNull() { return nil }
    if matches("true") {
      index += 4
      return true
    }
    if matches("false") {
      index += 5
      return false
    }
    throw Decline()
  }

  /// Moves past one value of any type, checking it.
  mutating func skipValue() throws(Decline) {
    switch peek() {
    case 0x22:
      _ = try skipString()
    case 0x7B:
      try beginObject()
      var count = 0
      while try nextMember(&count) != nil { try skipValue() }
    case 0x5B:
      try beginArray()
      var count = 0
      while try nextElement(&count) { try skipValue() }
    case 0x74, 0x66, 0x6E:
      if matches("true") || matches("null") {
        index += 4
      } else if matches("false") {
        index += 5
      } else {
        throw Decline()
      }
    default:
      try skipNumber()
    }
  }

  /// Checks that nothing but white space follows the top-level value.
  mutating func end() throws(Decline) {
    skipSpace()
    if index != bytes.count || depth != 0 { throw Decline() }
  }

  // MARK: - Private

  private func peek() -> UInt8? {
    index < bytes.count ? bytes[index] : nil
  }

  private mutating func expect(_ byte: UInt8) throws(Decline) {
    guard peek() == byte else { throw Decline() }
    index += 1
  }

  private mutating func skipSpace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x0A, 0x0D, 0x09: index += 1
      default: return
      }
    }
  }

  private func matches(_ word: StaticString) -> Bool {
    let count = word.utf8CodeUnitCount
    guard bytes.count - index >= count else { return false }
    let pointer = word.utf8Start
    for offset in 0..<count where bytes[index + offset] != pointer[offset] { return false }
    return true
  }

  private mutating func literalNull() throws(Decline) -> Bool {
    guard matches("null") else { return false }
    index += 4
    return true
  }

  /// A number as JSON spells it; anything JSONDecoder might read differently
  /// (an exponent, more than 15 digits) is declined.
  private mutating func skipNumber() throws(Decline) {
    let start = index
    if peek() == 0x2D { index += 1 }
    guard let first = peek(), first >= 0x30, first <= 0x39 else { throw Decline() }
    index += 1
    if first != 0x30 { skipDigits() }
    if peek() == 0x2E {
      index += 1
      guard let digit = peek(), digit >= 0x30, digit <= 0x39 else { throw Decline() }
      skipDigits()
    }
    if peek() == 0x65 || peek() == 0x45 || index - start > 16 { throw Decline() }
  }

  private mutating func skipDigits() {
    while let byte = peek(), byte >= 0x30, byte <= 0x39 { index += 1 }
  }

  /// Moves past the string whose opening quote is at `index`, checking its
  /// escapes and UTF-8; true when it holds escapes.
  private mutating func skipString() throws(Decline) -> Bool {
    index += 1
    var escaped = false
    while index < bytes.count {
      let byte = bytes[index]
      switch byte {
      case 0x22:
        index += 1
        return escaped
      case 0x5C:
        escaped = true
        guard index + 1 < bytes.count else { throw Decline() }
        switch bytes[index + 1] {
        case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: index += 2
        case 0x75:
          guard index + 5 < bytes.count else { throw Decline() }
          for offset in 2...5 where Self.hexValue(bytes[index + offset]) == nil {
            throw Decline()
          }
          index += 6
        default: throw Decline()
        }
      case 0..<0x20:
        throw Decline()
      case 0x20..<0x80:
        index += 1
      default:
        index += try utf8Length(at: index)
      }
    }
    throw Decline()
  }

  /// The length of the valid UTF-8 sequence starting at `position` (a lead byte above 0x7F).
  private func utf8Length(at position: Int) throws(Decline) -> Int {
    let lead = bytes[position]
    let length: Int
    var low: UInt8 = 0x80
    var high: UInt8 = 0xBF
    switch lead {
    case 0xC2...0xDF: length = 2
    case 0xE0:
      length = 3
      low = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: length = 3
    case 0xED:
      length = 3
      high = 0x9F
    case 0xF0:
      length = 4
      low = 0x90
    case 0xF1...0xF3: length = 4
    case 0xF4:
      length = 4
      high = 0x8F
    default: throw Decline()
    }
    guard position + length <= bytes.count else { throw Decline() }
    let second = bytes[position + 1]
    guard second >= low, second <= high else { throw Decline() }
    for offset in 2..<length where bytes[position + offset] & 0xC0 != 0x80 { throw Decline() }
    return length
  }

  private static func hexValue(_ byte: UInt8) -> UInt32? {
    switch byte {
    case 0x30...0x39: UInt32(byte - 0x30)
    case 0x41...0x46: UInt32(byte - 0x41 + 10)
    case 0x61...0x66: UInt32(byte - 0x61 + 10)
    default: nil
    }
  }

  /// The text of a string's content that `skipString` checked; a lone surrogate is declined.
  private static func unescape(_ content: UnsafeRawBufferPointer) throws(Decline) -> String {
    var utf8: [UInt8] = []
    utf8.reserveCapacity(content.count)
    func hex4(_ at: Int) -> UInt32 {
      (0..<4).reduce(0) { $0 << 4 | (hexValue(content[at + $1]) ?? 0) }
    }
    var position = 0
    while position < content.count {
      let byte = content[position]
      guard byte == 0x5C else {
        utf8.append(byte)
        position += 1
        continue
      }
      let kind = content[position + 1]
      position += 2
      switch kind {
      case 0x62: utf8.append(0x08)
      case 0x66: utf8.append(0x0C)
      case 0x6E: utf8.append(0x0A)
      case 0x72: utf8.append(0x0D)
      case 0x74: utf8.append(0x09)
      case 0x75:
        var value = hex4(position)
        position += 4
        if (0xD800..<0xDC00).contains(value) {
          guard position + 6 <= content.count, content[position] == 0x5C,
            content[position + 1] == 0x75
          else { throw Decline() }
          let low = hex4(position + 2)
          guard (0xDC00..<0xE000).contains(low) else { throw Decline() }
          position += 6
          value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(value) {
          throw Decline()
        }
        guard let scalar = Unicode.Scalar(value) else { throw Decline() }
        UTF8.encode(scalar) { utf8.append($0) }
      default: utf8.append(kind)  // \" \\ \/
      }
    }
    return String(decoding: utf8, as: UTF8.self)
  }
}
