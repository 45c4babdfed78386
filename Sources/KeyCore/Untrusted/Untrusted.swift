/// The one place that decides which characters of untrusted text may reach a
/// terminal or keyctl's JSON output, and how the others are made harmless.
///
/// Everything a server sends (names, ids, messages, request ids, headers,
/// excerpts, `raw`) can hold characters that move the cursor, recolour the
/// terminal, reorder what is shown (bidi controls) or hide text (zero-width
/// characters). Human text gets them `blank`ed; JSON output gets them escaped
/// as `\uXXXX` (`appendJSONString`), so a script still sees every character
/// while the JSON text itself carries none of them raw.
public enum Untrusted {
  /// Whether a scalar can move or restyle a terminal, or hide or reorder text:
  /// C0 controls, DEL, C1 controls, the line and paragraph separators
  /// U+2028/U+2029, and every Unicode format character (general category Cf:
  /// the bidi controls U+200E/U+200F, U+202A–U+202E, U+2066–U+2069 and U+061C,
  /// the zero-width characters U+200B–U+200D, U+2060 and U+FEFF, tag characters,
  /// the soft hyphen and the rest of the category).
  ///
  /// The table is written out (Unicode 15 Cf) rather than asked of the Unicode
  /// tables at run time, so the answer never depends on the library's version
  /// and the common case (ASCII, Latin, CJK, emoji) costs two comparisons.
  @inline(__always)
  public static func movesTerminal(_ value: UInt32) -> Bool {
    if value < 0xA0 { return value < 0x20 || value >= 0x7F }
    if value < 0x0600 { return value == 0xAD }
    if value < 0x2000 {
      return (0x0600...0x0605).contains(value) || value == 0x061C || value == 0x06DD
        || value == 0x070F || value == 0x0890 || value == 0x0891 || value == 0x08E2
        || value == 0x180E
    }
    if value <= 0x206F {
      return (0x200B...0x200F).contains(value) || (0x2028...0x202E).contains(value)
        || (0x2060...0x2064).contains(value) || value >= 0x2066
    }
    if value < 0xFEFF { return false }
    if value <= 0xFFFB { return value == 0xFEFF || value >= 0xFFF9 }
    if value < 0x1_10BD { return false }
    return value == 0x1_10BD || value == 0x1_10CD || (0x1_3430...0x1_343F).contains(value)
      || (0x1_BCA0...0x1_BCA3).contains(value) || (0x1_D173...0x1_D17A).contains(value)
      || value == 0xE_0001 || (0xE_0020...0xE_007F).contains(value)
  }

  /// `movesTerminal` for a scalar.
  @inline(__always)
  public static func movesTerminal(_ scalar: Unicode.Scalar) -> Bool {
    movesTerminal(scalar.value)
  }

  /// Whether any scalar of `text` moves a terminal.
  public static func holdsTerminalControls(_ text: String) -> Bool {
    text.unicodeScalars.contains { movesTerminal($0) }
  }

  /// Text fit for a person's terminal (errors, tables, `-v` lines, notes):
  /// every character `movesTerminal` flags becomes a space, runs of spaces
  /// become one, and leading and trailing spaces go.
  public static func blank(_ text: String) -> String {
    // Most text is printable ASCII without double spaces: returned as it is.
    var clean = true
    var previousSpace = true
    for byte in text.utf8 {
      if byte < 0x20 || byte >= 0x7F || (byte == 0x20 && previousSpace) {
        clean = false
        break
      }
      previousSpace = byte == 0x20
    }
    if clean, !previousSpace || text.isEmpty { return text }
    var result = String.UnicodeScalarView()
    var pendingSpace = false
    for scalar in text.unicodeScalars {
      if scalar == " " || movesTerminal(scalar) {
        pendingSpace = !result.isEmpty
        continue
      }
      if pendingSpace {
        result.append(" ")
        pendingSpace = false
      }
      result.append(scalar)
    }
    return String(result)
  }

  /// `blank`, then at most `limit` characters, with `…` when something was cut.
  public static func bounded(_ text: String, limit: Int) -> String {
    let flat = blank(text)
    guard flat.count > limit else { return flat }
    return String(flat.prefix(max(0, limit))) + "…"
  }

  /// Appends `text` as a JSON string literal: `"` and `\` escaped, `\n`, `\r`,
  /// `\t` as themselves, and every other character `movesTerminal` flags as
  /// `\uXXXX` (a surrogate pair above U+FFFF), so the JSON stays one line that
  /// no terminal acts on while decoding to exactly `text`.
  public static func appendJSONString(_ text: String, to output: inout [UInt8]) {
    var text = text
    text.withUTF8 { appendJSONString(utf8: $0, to: &output) }
  }

  /// `appendJSONString` over UTF-8 bytes already known to be valid.
  public static func appendJSONString(utf8: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
    output.append(0x22)
    appendJSONStringContent(utf8: utf8, to: &output)
    output.append(0x22)
  }

  /// The content of a JSON string literal (without the quotes) for valid UTF-8
  /// text: runs that need no escape (almost all text) are copied whole.
  static func appendJSONStringContent(
    utf8: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]
  ) {
    var start = 0
    var index = 0
    let count = utf8.count
    while index < count {
      let byte = utf8[index]
      if byte >= 0x20, byte < 0x7F, byte != 0x22, byte != 0x5C {
        index += 1
        continue
      }
      if byte < 0x80 {
        output += UnsafeBufferPointer(rebasing: utf8[start..<index])
        appendEscape(UInt32(byte), to: &output)
        index += 1
        start = index
        continue
      }
      let (scalar, length) = decodeScalar(utf8, at: index)
      if movesTerminal(scalar) {
        output += UnsafeBufferPointer(rebasing: utf8[start..<index])
        appendEscape(scalar, to: &output)
        start = index + length
      }
      index += length
    }
    output += UnsafeBufferPointer(rebasing: utf8[start..<count])
  }

  /// Appends the JSON escape of one scalar: the short forms JSON has, else `\uXXXX`.
  static func appendEscape(_ scalar: UInt32, to output: inout [UInt8]) {
    switch scalar {
    case 0x22: output += [0x5C, 0x22]
    case 0x5C: output += [0x5C, 0x5C]
    case 0x0A: output += [0x5C, 0x6E]
    case 0x0D: output += [0x5C, 0x72]
    case 0x09: output += [0x5C, 0x74]
    case 0x1_0000...:
      let offset = scalar - 0x1_0000
      appendUnicodeEscape(0xD800 + (offset >> 10), to: &output)
      appendUnicodeEscape(0xDC00 + (offset & 0x3FF), to: &output)
    default: appendUnicodeEscape(scalar, to: &output)
    }
  }

  /// Appends `\u` and four lower-case hex digits of one UTF-16 unit.
  private static func appendUnicodeEscape(_ unit: UInt32, to output: inout [UInt8]) {
    let hex: StaticString = "0123456789abcdef"
    output += [0x5C, 0x75]
    for shift in [12, 8, 4, 0] as [UInt32] {
      output.append(hex.utf8Start[Int((unit >> shift) & 0xF)])
    }
  }

  /// The scalar starting at `index` of valid UTF-8 and its length in bytes.
  @inline(__always)
  static func decodeScalar(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> (UInt32, Int) {
    let lead = UInt32(utf8[index])
    if lead < 0x80 { return (lead, 1) }
    func continuation(_ offset: Int) -> UInt32 {
      index + offset < utf8.count ? UInt32(utf8[index + offset] & 0x3F) : 0
    }
    if lead < 0xE0 { return ((lead & 0x1F) << 6 | continuation(1), 2) }
    if lead < 0xF0 {
      return ((lead & 0x0F) << 12 | continuation(1) << 6 | continuation(2), 3)
    }
    return (
      (lead & 0x07) << 18 | continuation(1) << 12 | continuation(2) << 6 | continuation(3), 4
    )
  }
}
