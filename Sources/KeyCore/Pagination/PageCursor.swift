/// keyctl's own opaque `next_cursor`: where every provider of one listing stands.
///
/// One token covers all providers of the call, so `--cursor` resumes each of
/// them exactly where the last output stopped. It is base64url (unpadded) of a
/// small JSON document,
/// `{"f":FILTER,"p":{"fal":["a",SKIP,SIZE,TOKEN],"px0":["d"],…},"v":1}`
/// (`"a"`: resume at TOKEN, or at the start when there is none; `"d"`: done),
/// the layout of every cursor keyctl has printed.
///
/// It is written and read by hand: Foundation's JSON classes go through ICU and
/// the locale (a bogus `LANG` crashed the encoder), and a cursor is user input
/// (edited, truncated, crafted), so the reader accepts exactly this layout and
/// range-checks every number and token before anything uses it. A token that
/// fails, or was made for another set of providers or filters, is a usage error.
public struct PageCursor: Sendable, Equatable {
  /// Where one provider stands.
  public enum State: Sendable, Equatable {
    /// Resume at `position`, skipping the first `skip` keys of that page; `pageSize` is the
    /// size the page was fetched with, because fal's position only means something with it.
    case at(PagePosition, skip: Int, pageSize: Int?)
    /// This provider has nothing left.
    case done
  }

  /// The state of every provider in the listing.
  public var states: [ProviderID: State]
  /// A fingerprint of the provider-side filters, so a cursor is not reused with other filters.
  public var filter: String

  /// The longest `--cursor` accepted, in characters: four providers' longest
  /// tokens, escaped and base64-encoded, fit with room to spare.
  static let maxEncodedLength = 16 * 1024

  /// Creates a cursor.
  public init(states: [ProviderID: State], filter: String) {
    self.states = states
    self.filter = filter
  }

  /// The opaque token printed as `next_cursor`.
  public func encoded() -> String {
    var json: [UInt8] = []
    json += Array("{\"f\":".utf8)
    CursorJSON.appendString(filter, to: &json)
    json += Array(",\"p\":{".utf8)
    // Sorted by name, so the same state always gives the same token.
    let entries = states.sorted {
      $0.key.rawValue.utf8.lexicographicallyPrecedes($1.key.rawValue.utf8)
    }
    for (index, (provider, state)) in entries.enumerated() {
      if index > 0 { json.append(UInt8(ascii: ",")) }
      CursorJSON.appendString(provider.rawValue, to: &json)
      switch state {
      case .done:
        json += Array(":[\"d\"]".utf8)
      case .at(let position, let skip, let pageSize):
        json += Array(":[\"a\",\(skip),\(pageSize ?? 0)".utf8)
        if case .token(let token) = position {
          json.append(UInt8(ascii: ","))
          CursorJSON.appendString(token, to: &json)
        }
        json.append(UInt8(ascii: "]"))
      }
    }
    json += Array("},\"v\":1}".utf8)
    return Base64URL.encode(json)
  }

  /// Decodes a token, checking it belongs to this listing.
  public static func decode(_ token: String, providers: [ProviderID], filter: String) throws
    -> PageCursor
  {
    let shown = String(token.prefix(24)) + (token.count > 24 ? "…" : "")
    let corrupt = KeyError.usage(
      "--cursor '\(shown)' is not a cursor keyctl made (it may be truncated or edited)",
      help: "keyctl list --help")
    guard token.utf8.count <= maxEncodedLength, let bytes = Base64URL.decode(token),
      let cursor = read(bytes)
    else { throw corrupt }
    let made = cursor.states.keys.sorted()
    guard made == providers.sorted() else {
      throw KeyError.usage(
        "--cursor was made for provider(s) \(made.map(\.rawValue).joined(separator: ",")) but "
          + "this call lists \(providers.sorted().map(\.rawValue).joined(separator: ","))",
        help: "keyctl list --help")
    }
    guard cursor.filter == filter else {
      throw KeyError.usage(
        "--cursor was made with other provider filters; repeat the call with the same filter "
          + "options as the call that printed it", help: "keyctl list --help")
    }
    return cursor
  }

  /// The cursor a decoded document describes, or nil when anything in it is
  /// not what `encoded()` writes or is out of range.
  private static func read(_ bytes: [UInt8]) -> PageCursor? {
    var reader = CursorJSON.Reader(bytes: bytes)
    guard case .object(let document)? = reader.document(),
      Set(document.map(\.key)) == ["f", "p", "v"],
      case .integer(1)? = document.first(where: { $0.key == "v" })?.value,
      case .string(let filter)? = document.first(where: { $0.key == "f" })?.value,
      filter.utf8.count <= 64,
      case .object(let entries)? = document.first(where: { $0.key == "p" })?.value
    else { return nil }
    var states: [ProviderID: State] = [:]
    for (name, value) in entries {
      let provider = ProviderID(rawValue: name)
      guard ProviderRegistry.descriptor(for: provider) != nil, case .array(let entry) = value,
        let state = state(entry, for: provider)
      else { return nil }
      states[provider] = state
    }
    return PageCursor(states: states, filter: filter)
  }

  /// One provider's entry, range-checked against what that provider can have handed out.
  private static func state(_ entry: [CursorJSON.Value], for provider: ProviderID) -> State? {
    switch entry.first {
    case .string("d")? where entry.count == 1:
      return .done
    case .string("a")? where entry.count == 3 || entry.count == 4:
      guard case .integer(let skip) = entry[1], (0...PageToken.maxSkip).contains(skip),
        case .integer(let size) = entry[2]
      else { return nil }
      // 0 stands for "no page size"; else it must be one the provider serves.
      let sizes = provider.capabilities.maxPageSize.map { 0...$0 } ?? 0...0
      guard sizes.contains(size) else { return nil }
      var position = PagePosition.start
      if entry.count == 4 {
        guard case .string(let token) = entry[3], PageToken.isAcceptable(token, for: provider)
        else { return nil }
        position = .token(token)
      }
      return .at(position, skip: skip, pageSize: size > 0 ? size : nil)
    default:
      return nil
    }
  }
}

/// The little JSON a cursor is made of, written and read without Foundation.
enum CursorJSON {
  /// The values a cursor holds: no floats, booleans or nulls.
  enum Value: Equatable {
    /// An object's members in document order.
    case object([(key: String, value: Value)])
    /// An array's elements.
    case array([Value])
    /// A string, unescaped.
    case string(String)
    /// A whole number that fits in `Int`.
    case integer(Int)

    /// Compares values, objects member by member in order.
    static func == (lhs: Value, rhs: Value) -> Bool {
      switch (lhs, rhs) {
      case (.object(let a), .object(let b)):
        a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
      case (.array(let a), .array(let b)): a == b
      case (.string(let a), .string(let b)): a == b
      case (.integer(let a), .integer(let b)): a == b
      default: false
      }
    }
  }

  /// Appends `text` as a JSON string; anything outside printable ASCII is
  /// escaped, so a cursor is plain ASCII whatever a server put in its token.
  static func appendString(_ text: String, to json: inout [UInt8]) {
    json.append(UInt8(ascii: "\""))
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": json += Array("\\\"".utf8)
      case "\\": json += Array("\\\\".utf8)
      case " "..."~": json.append(UInt8(scalar.value))
      default:
        // UTF-16 code units, as JSON's \u escapes are.
        for unit in String(scalar).utf16 { json += Array("\\u".utf8) + hex4(unit) }
      }
    }
    json.append(UInt8(ascii: "\""))
  }

  /// Four lower-case hex digits.
  private static func hex4(_ unit: UInt16) -> [UInt8] {
    let digits = Array("0123456789abcdef".utf8)
    return [12, 8, 4, 0].map { digits[Int((unit >> $0) & 0xF)] }
  }

  /// A strict reader of one document: RFC 8259 syntax for objects, arrays,
  /// strings and integers only; duplicate member names, fractions, exponents,
  /// leading zeros, numbers beyond `Int`, lone surrogates, invalid UTF-8 and
  /// nesting deeper than a cursor's are all refused (nil), never trapped on.
  struct Reader {
    /// The document's bytes.
    let bytes: [UInt8]
    /// The next byte to read.
    private var index = 0

    /// Starts at the first byte.
    init(bytes: [UInt8]) {
      self.bytes = bytes
    }

    /// The whole document as one value, or nil when it is not one valid value.
    mutating func document() -> Value? {
      skipSpace()
      guard let value = value(depth: 0) else { return nil }
      skipSpace()
      return index == bytes.count ? value : nil
    }

    /// The byte at the current position, if any.
    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Skips JSON whitespace.
    private mutating func skipSpace() {
      while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
        index += 1
      }
    }

    /// Consumes `byte` if it is next.
    private mutating func take(_ byte: UInt8) -> Bool {
      guard current == byte else { return false }
      index += 1
      return true
    }

    /// A value; a cursor's containers nest three deep (document, providers, entry).
    private mutating func value(depth: Int) -> Value? {
      guard let byte = current else { return nil }
      switch byte {
      case UInt8(ascii: "{"): return depth < 3 ? object(depth: depth) : nil
      case UInt8(ascii: "["): return depth < 3 ? array(depth: depth) : nil
      case UInt8(ascii: "\""): return string().map(Value.string)
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return integer().map(Value.integer)
      default: return nil
      }
    }

    /// `{ "name": value, … }` with distinct names.
    private mutating func object(depth: Int) -> Value? {
      index += 1
      var members: [(key: String, value: Value)] = []
      skipSpace()
      if take(UInt8(ascii: "}")) { return .object(members) }
      repeat {
        skipSpace()
        guard current == UInt8(ascii: "\""), let key = string(),
          !members.contains(where: { $0.key == key })
        else { return nil }
        skipSpace()
        guard take(UInt8(ascii: ":")) else { return nil }
        skipSpace()
        guard let member = value(depth: depth + 1) else { return nil }
        members.append((key, member))
        skipSpace()
      } while take(UInt8(ascii: ","))
      return take(UInt8(ascii: "}")) ? .object(members) : nil
    }

    /// `[ value, … ]`.
    private mutating func array(depth: Int) -> Value? {
      index += 1
      var elements: [Value] = []
      skipSpace()
      if take(UInt8(ascii: "]")) { return .array(elements) }
      repeat {
        skipSpace()
        guard let element = value(depth: depth + 1) else { return nil }
        elements.append(element)
        skipSpace()
      } while take(UInt8(ascii: ","))
      return take(UInt8(ascii: "]")) ? .array(elements) : nil
    }

    /// A non-negative integer without leading zeros, fraction or exponent.
    private mutating func integer() -> Int? {
      let start = index
      while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
        index += 1
      }
      if let byte = current, byte == UInt8(ascii: ".") || byte | 0x20 == UInt8(ascii: "e") {
        return nil
      }
      let digits = String(decoding: bytes[start..<index], as: UTF8.self)
      return PageToken.decimal(Substring(digits), maximum: Int.max)
    }

    /// A string, its escapes decoded; nil on a raw control character, a bad
    /// escape, a lone surrogate or invalid UTF-8.
    private mutating func string() -> String? {
      index += 1
      var text: [UInt8] = []
      while let byte = current {
        index += 1
        switch byte {
        case UInt8(ascii: "\""):
          let decoded = String(decoding: text, as: UTF8.self)
          // Decoding repairs invalid UTF-8; a repair shows as a difference.
          return Array(decoded.utf8) == text ? decoded : nil
        case UInt8(ascii: "\\"):
          guard let escaped = escape() else { return nil }
          text += Array(String(escaped).utf8)
        case 0..<0x20:
          return nil
        default:
          text.append(byte)
        }
      }
      return nil
    }

    /// The character after a backslash.
    private mutating func escape() -> Unicode.Scalar? {
      guard let byte = current else { return nil }
      index += 1
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(byte)
      case UInt8(ascii: "b"): return "\u{08}"
      case UInt8(ascii: "f"): return "\u{0C}"
      case UInt8(ascii: "n"): return "\n"
      case UInt8(ascii: "r"): return "\r"
      case UInt8(ascii: "t"): return "\t"
      case UInt8(ascii: "u"):
        guard let unit = hexUnit() else { return nil }
        if (0xD800..<0xDC00).contains(unit) {
          guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hexUnit(),
            (0xDC00..<0xE000).contains(low)
          else { return nil }
          return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(unit)  // nil for a lone low surrogate
      default: return nil
      }
    }

    /// Four hex digits as a UTF-16 code unit.
    private mutating func hexUnit() -> UInt32? {
      var unit: UInt32 = 0
      for _ in 0..<4 {
        guard let byte = current, let digit = Self.hexValue(byte) else { return nil }
        unit = unit << 4 | digit
        index += 1
      }
      return unit
    }

    /// The value of one hex digit, either case.
    private static func hexValue(_ byte: UInt8) -> UInt32? {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
      default: nil
      }
    }
  }
}

/// Base64 with the URL-safe alphabet (`-`, `_`) and no padding, so a cursor
/// needs no quoting in a shell or a URL; written by hand like the rest of it.
enum Base64URL {
  /// The 64 digits in order.
  private static let alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

  /// `bytes` in base64url, without `=` padding.
  static func encode(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var index = 0
    while index < bytes.count {
      let count = min(3, bytes.count - index)
      var group = UInt32(bytes[index]) << 16
      if count > 1 { group |= UInt32(bytes[index + 1]) << 8 }
      if count > 2 { group |= UInt32(bytes[index + 2]) }
      for digit in 0...count { out.append(alphabet[Int((group >> (18 - 6 * digit)) & 63)]) }
      index += 3
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// The bytes `text` encodes, or nil when it is not base64url: another
  /// character, a length no encoding has, or padding in the middle. Trailing
  /// `=` padding and the standard alphabet's `+` and `/` are accepted too.
  static func decode(_ text: String) -> [UInt8]? {
    var digits: [UInt32] = []
    digits.reserveCapacity(text.utf8.count)
    var padding = 0
    for byte in text.utf8 {
      if byte == UInt8(ascii: "=") {
        padding += 1
        continue
      }
      guard padding == 0, let value = value(of: byte) else { return nil }
      digits.append(value)
    }
    guard digits.count % 4 != 1, padding == 0 || (digits.count + padding) % 4 == 0, padding <= 2
    else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(digits.count * 3 / 4)
    var index = 0
    while index < digits.count {
      let count = min(4, digits.count - index)
      var group: UInt32 = 0
      for offset in 0..<4 { group = group << 6 | (offset < count ? digits[index + offset] : 0) }
      for byte in 0..<(count - 1) { out.append(UInt8((group >> (16 - 8 * byte)) & 0xFF)) }
      index += 4
    }
    return out
  }

  /// The value of one digit of either alphabet.
  private static func value(of byte: UInt8) -> UInt32? {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(byte - UInt8(ascii: "A"))
    case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(byte - UInt8(ascii: "a") + 26)
    case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0") + 52)
    case UInt8(ascii: "-"), UInt8(ascii: "+"): 62
    case UInt8(ascii: "_"), UInt8(ascii: "/"): 63
    default: nil
    }
  }
}
