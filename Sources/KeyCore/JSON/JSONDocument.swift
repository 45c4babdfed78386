import Foundation

/// One JSON document, checked against RFC 8259 in full before anything is read
/// from it, and kept as a tape: one flat array of nodes in document order.
///
/// This is keyctl's one JSON reading path: every response body an adapter
/// reads (list pages, create answers, error bodies) is parsed here. Strictness
/// is the point: a body that lenient decoders would accept — a trailing comma,
/// an invalid escape, invalid UTF-8, a lone surrogate, a number with a leading
/// zero, `NaN`, a raw control character in a string, text after the value — is
/// refused whole, so nothing keyctl prints was guessed from a broken body.
///
/// The tape makes reading cheap: a node knows its bytes and where the next
/// value starts, so skipping a container is one step, strings are decoded only
/// when asked for (`JSONValue`), and each array element's exact bytes are at
/// hand for `raw` (`JSONValue.raw`).
final class JSONDocument: @unchecked Sendable {
  /// The deepest nesting of arrays and objects accepted; provider bodies use four levels.
  static let maxDepth = 64

  /// The body's bytes, owned by the document. Kept behind a pointer, like
  /// `nodes`, so that reading a value costs no reference counting of arrays:
  /// the document is immutable once made (hence `@unchecked Sendable`).
  let bytes: UnsafeBufferPointer<UInt8>
  /// Every value (and member name) in document order; the root is node 0.
  let nodes: UnsafeBufferPointer<JSONNode>
  /// Masks credentials in every string read from the document and in `raw`.
  let redactor: Redactor
  /// Whether a credential occurs anywhere in the body as plain bytes; when it
  /// does not, only strings holding escapes can spell one.
  let holdsSecret: Bool

  /// Parses `data` strictly; `redactor` masks credentials in what is read from it.
  init(parsing data: Data, redactor: Redactor = .none) throws(JSONSyntaxError) {
    let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: data.count)
    _ = bytes.initialize(from: data)
    var parser = JSONParser(UnsafeBufferPointer(bytes))
    do {
      try parser.parseDocument()
    } catch {
      bytes.deallocate()
      throw error
    }
    let nodes = UnsafeMutableBufferPointer<JSONNode>.allocate(capacity: parser.nodes.count)
    _ = nodes.initialize(from: parser.nodes)
    self.bytes = UnsafeBufferPointer(bytes)
    self.nodes = UnsafeBufferPointer(nodes)
    self.redactor = redactor
    self.holdsSecret = redactor.occurs(in: UnsafeRawBufferPointer(bytes))
  }

  deinit {
    bytes.deallocate()
    nodes.deallocate()
  }

  /// The top-level value.
  var root: JSONValue { JSONValue(document: self, index: 0) }
}

/// What sort of value a tape node holds.
enum JSONKind: UInt8, Sendable {
  /// `{…}`; its members follow it on the tape as name, value, name, value….
  case object
  /// `[…]`; its elements follow it on the tape.
  case array
  /// `"…"`, a value or a member name.
  case string
  /// A number, exactly as spelled.
  case number
  /// `true`.
  case trueValue
  /// `false`.
  case falseValue
  /// `null`.
  case null

  /// How errors name the kind ("expected a string, got a number").
  var described: String {
    switch self {
    case .object: "an object"
    case .array: "an array"
    case .string: "a string"
    case .number: "a number"
    case .trueValue, .falseValue: "a boolean"
    case .null: "null"
    }
  }
}

/// One value of the tape: its kind, its bytes, and where the next value starts.
struct JSONNode: Sendable {
  /// A string holds backslash escapes; a container holds such a string.
  static let escapes: UInt8 = 1
  /// A string holds a raw character `Untrusted.movesTerminal` flags (DEL, C1,
  /// bidi, zero-width, …); a container holds such a string.
  static let unsafe: UInt8 = 2
  /// A container has white space between its tokens (anywhere inside it).
  static let space: UInt8 = 4

  /// What the node holds.
  var kind: JSONKind
  /// `escapes`, `unsafe` and `space`, as they apply.
  var flags: UInt8
  /// The offset of the value's first byte (a quote, bracket, digit or letter).
  var start: UInt32
  /// The offset just past the value's last byte.
  var end: UInt32
  /// The index of the node after this value and everything inside it.
  var next: UInt32
}

/// Why a body is not strict JSON, and where.
struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
  /// What is wrong, e.g. "a trailing comma".
  let reason: String
  /// The byte offset where it was found.
  let offset: Int

  /// "the body is not valid JSON: a trailing comma at byte 42".
  var description: String { "the body is not valid JSON: \(reason) at byte \(offset)" }
}

/// The strict recursive-descent parser that builds a tape.
private struct JSONParser {
  /// The body being parsed.
  let bytes: UnsafeBufferPointer<UInt8>
  /// The next byte to read.
  var index = 0
  /// How many containers are open.
  var depth = 0
  /// The tape so far.
  var nodes: [JSONNode] = []
  /// The flags of everything read so far inside the innermost open container.
  var flags: UInt8 = 0

  /// A parser over `bytes`, with room for a node per dozen bytes (a list page's density).
  init(_ bytes: UnsafeBufferPointer<UInt8>) {
    self.bytes = bytes
    nodes.reserveCapacity(bytes.count / 12 + 4)
  }

  /// Parses one value and nothing after it but white space.
  mutating func parseDocument() throws(JSONSyntaxError) {
    if bytes.isEmpty { throw fail("the body is empty") }
    // Offsets are kept in 32 bits; response bodies are limited far below that.
    if bytes.count >= Int(UInt32.max) { throw fail("a body larger than 4 GiB") }
    skipSpace()
    try parseValue()
    skipSpace()
    if index != bytes.count { throw fail("text after the JSON value") }
  }

  /// The error for `reason` at the current position.
  private func fail(_ reason: String) -> JSONSyntaxError {
    JSONSyntaxError(reason: reason, offset: index)
  }

  /// The next byte, nil at the end of the body.
  private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

  /// Skips white space; true when there was some.
  @discardableResult
  private mutating func skipSpace() -> Bool {
    let start = index
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x0A, 0x0D, 0x09: index += 1
      default: return index != start
      }
    }
    return index != start
  }

  /// Skips white space inside a container, noting that there was some.
  private mutating func skipInnerSpace() {
    if skipSpace() { flags |= JSONNode.space }
  }

  /// Parses the value starting at `index`, whatever its kind.
  private mutating func parseValue() throws(JSONSyntaxError) {
    guard let byte = current else { throw fail("the body ends where a value should be") }
    switch byte {
    case 0x7B: try parseContainer(.object)
    case 0x5B: try parseContainer(.array)
    case 0x22: try parseString()
    case 0x74: try parseLiteral("true", .trueValue)
    case 0x66: try parseLiteral("false", .falseValue)
    case 0x6E: try parseLiteral("null", .null)
    case 0x2D, 0x30...0x39: try parseNumber()
    default: throw fail(describeUnexpected(byte))
    }
  }

  /// What a byte that starts no value usually means, so the error says what is wrong.
  private func describeUnexpected(_ byte: UInt8) -> String {
    switch byte {
    case 0x4E, 0x49: "a value JSON does not have (NaN or Infinity)"
    case 0x27: "a single-quoted string"
    case 0x2B: "a number with a plus sign"
    case 0x2E: "a number without a digit before its decimal point"
    case 0x2F: "a comment"
    case 0x7D, 0x5D: "a missing value (or a trailing comma)"
    case 0x2C: "a missing value"
    default: "an unexpected character"
    }
  }

  /// Enters a container: appends its node and starts collecting its flags;
  /// returns the node and the flags collected so far outside it.
  private mutating func open(_ kind: JSONKind) throws(JSONSyntaxError) -> (Int, UInt8) {
    depth += 1
    if depth > JSONDocument.maxDepth {
      throw fail("nesting deeper than \(JSONDocument.maxDepth) levels")
    }
    let node = nodes.count
    nodes.append(JSONNode(kind: kind, flags: 0, start: UInt32(index), end: 0, next: 0))
    index += 1
    let outer = flags
    flags = 0
    return (node, outer)
  }

  /// Leaves a container: completes its node and hands its flags outward.
  private mutating func close(_ node: Int, outer: UInt8) {
    index += 1
    nodes[node].end = UInt32(index)
    nodes[node].next = UInt32(nodes.count)
    nodes[node].flags = flags
    flags |= outer
    depth -= 1
  }

  /// Parses an object or an array, refusing trailing and missing commas.
  private mutating func parseContainer(_ kind: JSONKind) throws(JSONSyntaxError) {
    let (node, outer) = try open(kind)
    let closing: UInt8 = kind == .object ? 0x7D : 0x5D
    skipInnerSpace()
    if current == closing {
      close(node, outer: outer)
      return
    }
    while true {
      if kind == .object {
        guard current == 0x22 else {
          throw fail(current == closing ? "a trailing comma" : "a member name that is not a string")
        }
        try parseString()
        skipInnerSpace()
        guard current == 0x3A else { throw fail("a member name without ':'") }
        index += 1
        skipInnerSpace()
      } else if current == closing {
        throw fail("a trailing comma")
      }
      try parseValue()
      skipInnerSpace()
      switch current {
      case 0x2C:
        index += 1
        skipInnerSpace()
      case closing:
        close(node, outer: outer)
        return
      case nil:
        throw fail("the body ends inside \(kind.described)")
      default:
        throw fail(kind == .object ? "a missing ',' or '}'" : "a missing ',' or ']'")
      }
    }
  }

  /// Parses `true`, `false` or `null`, spelled exactly.
  private mutating func parseLiteral(_ word: StaticString, _ kind: JSONKind) throws(JSONSyntaxError)
  {
    let count = word.utf8CodeUnitCount
    guard bytes.count - index >= count else { throw fail("an unexpected character") }
    for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
      throw fail("an unexpected character")
    }
    append(kind, from: index, to: index + count, flags: 0)
    index += count
  }

  /// Appends a node for a scalar value (or a member name).
  private mutating func append(_ kind: JSONKind, from start: Int, to end: Int, flags: UInt8) {
    nodes.append(
      JSONNode(
        kind: kind, flags: flags, start: UInt32(start), end: UInt32(end),
        next: UInt32(nodes.count + 1)))
  }

  /// Whether `byte` is an ASCII digit.
  private func isDigit(_ byte: UInt8?) -> Bool {
    guard let byte else { return false }
    return byte >= 0x30 && byte <= 0x39
  }

  /// Moves past a run of digits.
  private mutating func skipDigits() {
    while isDigit(current) { index += 1 }
  }

  /// Parses a number as RFC 8259 spells it (no leading zeros, no bare
  /// point, no empty exponent), within a double's range.
  private mutating func parseNumber() throws(JSONSyntaxError) {
    let start = index
    if current == 0x2D { index += 1 }
    guard isDigit(current) else { throw fail("a number without digits") }
    if current == 0x30 {
      index += 1
      if isDigit(current) { throw fail("a number with a leading zero") }
    } else {
      skipDigits()
    }
    if current == 0x2E {
      index += 1
      guard isDigit(current) else { throw fail("a number without digits after its decimal point") }
      skipDigits()
    }
    var exponent = false
    if current == 0x65 || current == 0x45 {
      exponent = true
      index += 1
      if current == 0x2B || current == 0x2D { index += 1 }
      guard isDigit(current) else { throw fail("a number with an empty exponent") }
      skipDigits()
    }
    // RFC 8259 lets a reader limit the range of numbers: keyctl takes what a
    // double holds, so every consumer of its output can read `raw` back (many
    // refuse 1e400). Only an exponent or hundreds of digits can exceed it.
    if exponent || index - start > 300 {
      let text = String(
        decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
      guard let value = Double(text), value.isFinite else {
        throw fail("a number beyond the range of a double")
      }
    }
    append(.number, from: start, to: index, flags: 0)
  }

  /// Parses a string: valid UTF-8, valid escapes, no raw control character;
  /// notes escapes and raw terminal-moving characters in its flags.
  private mutating func parseString() throws(JSONSyntaxError) {
    let start = index
    index += 1
    var own: UInt8 = 0
    while index < bytes.count {
      let byte = bytes[index]
      if byte >= 0x20, byte < 0x7F, byte != 0x22, byte != 0x5C {
        index += 1
        continue
      }
      switch byte {
      case 0x22:
        index += 1
        append(.string, from: start, to: index, flags: own)
        flags |= own
        return
      case 0x5C:
        own |= JSONNode.escapes
        try parseEscape()
      case 0..<0x20:
        throw fail("a raw control character in a string")
      case 0x7F:
        own |= JSONNode.unsafe
        index += 1
      default:
        let (scalar, length) = try scalarAt(index)
        if Untrusted.movesTerminal(scalar) { own |= JSONNode.unsafe }
        index += length
      }
    }
    throw fail("a string that is not closed")
  }

  /// Checks the escape at `index` (a backslash) and moves past it.
  private mutating func parseEscape() throws(JSONSyntaxError) {
    guard index + 1 < bytes.count else { throw fail("a string that is not closed") }
    switch bytes[index + 1] {
    case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
      index += 2
    case 0x75:
      let unit = try hex4(at: index + 2)
      index += 6
      if (0xDC00..<0xE000).contains(unit) { throw fail("a lone surrogate escape") }
      if (0xD800..<0xDC00).contains(unit) {
        guard index + 1 < bytes.count, bytes[index] == 0x5C, bytes[index + 1] == 0x75,
          (0xDC00..<0xE000).contains(try hex4(at: index + 2))
        else { throw fail("a lone surrogate escape") }
        index += 6
      }
    default:
      throw fail("an invalid escape")
    }
  }

  /// The four hex digits of a `\u` escape at `position`.
  private func hex4(at position: Int) throws(JSONSyntaxError) -> UInt32 {
    guard position + 4 <= bytes.count else { throw fail("a \\u escape without four hex digits") }
    var value: UInt32 = 0
    for offset in 0..<4 {
      guard let digit = JSONEscapes.hexValue(bytes[position + offset]) else {
        throw fail("a \\u escape without four hex digits")
      }
      value = value << 4 | digit
    }
    return value
  }

  /// The scalar of the UTF-8 sequence at `position` (a lead byte above 0x7F)
  /// and its length, refusing overlong forms, surrogates and values above U+10FFFF.
  private func scalarAt(_ position: Int) throws(JSONSyntaxError) -> (UInt32, Int) {
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
    default: throw fail("invalid UTF-8")
    }
    guard position + length <= bytes.count else { throw fail("invalid UTF-8") }
    let second = bytes[position + 1]
    guard second >= low, second <= high else { throw fail("invalid UTF-8") }
    var scalar = UInt32(lead) & (0xFF >> (length + 1))
    scalar = scalar << 6 | UInt32(second & 0x3F)
    for offset in 2..<length {
      let byte = bytes[position + offset]
      guard byte & 0xC0 == 0x80 else { throw fail("invalid UTF-8") }
      scalar = scalar << 6 | UInt32(byte & 0x3F)
    }
    return (scalar, length)
  }
}

/// Decoding JSON string contents (the part between the quotes).
enum JSONEscapes {
  /// The value of one hex digit, or nil.
  static func hexValue(_ byte: UInt8) -> UInt32? {
    switch byte {
    case 0x30...0x39: UInt32(byte - 0x30)
    case 0x41...0x46: UInt32(byte - 0x41 + 10)
    case 0x61...0x66: UInt32(byte - 0x61 + 10)
    default: nil
    }
  }

  /// The text of string content the parser has checked; any escape it could
  /// not have passed decodes to U+FFFD rather than trapping.
  static func unescape(_ content: Slice<UnsafeBufferPointer<UInt8>>) -> String {
    var utf8: [UInt8] = []
    utf8.reserveCapacity(content.count)
    var position = content.startIndex
    let end = content.endIndex
    func hex4(_ at: Int) -> UInt32? {
      guard at + 4 <= end else { return nil }
      var value: UInt32 = 0
      for offset in 0..<4 {
        guard let digit = hexValue(content[at + offset]) else { return nil }
        value = value << 4 | digit
      }
      return value
    }
    while position < end {
      let byte = content[position]
      guard byte == 0x5C, position + 1 < end else {
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
        var value = hex4(position) ?? 0xFFFD
        position += 4
        if (0xD800..<0xDC00).contains(value), position + 6 <= end, content[position] == 0x5C,
          content[position + 1] == 0x75, let low = hex4(position + 2),
          (0xDC00..<0xE000).contains(low)
        {
          position += 6
          value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        UTF8.encode(scalar) { utf8.append($0) }
      default: utf8.append(kind)  // \" \\ \/
      }
    }
    return String(decoding: utf8, as: UTF8.self)
  }
}
