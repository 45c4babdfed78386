import Foundation

/// keyctl's one JSON writing path: appends JSON text to a byte buffer without
/// Foundation's encoders.
///
/// Everything keyctl writes as JSON goes through here: listings, created keys
/// and `keyctl providers` on stdout, request bodies (`object`), and the
/// cursor. Foundation's `JSONEncoder` goes through the locale and escapes
/// differently from keyctl's output; one writer means one escaping rule.
///
/// Output is the hot path of a large listing, running while the next page is
/// fetched and competing with it for the CPU: every append here copies whole
/// runs of bytes, and nothing makes a string per field. The appends are
/// inlinable so that the command line's writers pay no call across modules.
public struct JSONText: Sendable {
  /// The JSON written so far.
  public var bytes: [UInt8] = []

  /// Starts an empty text.
  public init() {}

  /// Appends JSON text that is already correct, such as punctuation or a member name.
  @inlinable
  public mutating func raw(_ text: StaticString) {
    bytes.append(
      contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  /// Splices a provider's JSON value as it is: a `RawJSON` is only ever made
  /// from strict JSON and is already one line with every terminal-moving
  /// character escaped and every credential masked (see `RawJSON`).
  @inlinable
  public mutating func value(_ json: RawJSON) {
    json.bytes.withUnsafeBytes { bytes.append(contentsOf: $0) }
  }

  /// Appends a JSON string, or `null` for nil. Quotes, backslashes and every
  /// character that moves a terminal (C0, DEL, C1, bidi and zero-width
  /// characters, U+2028/U+2029) are escaped (see `Untrusted.appendJSONString`),
  /// so a provider's text can neither break the JSON nor act on a terminal.
  @inlinable
  public mutating func string(_ value: String?) {
    guard let value else {
      raw("null")
      return
    }
    Untrusted.appendJSONString(value, to: &bytes)
  }

  /// Appends a date as an ISO-8601 UTC string, or `null` for nil.
  @inlinable
  public mutating func date(_ value: Date?) {
    guard let value else {
      raw("null")
      return
    }
    bytes.append(0x22)
    ISO8601.append(value, to: &bytes)
    bytes.append(0x22)
  }

  /// Appends an integer, or `null` for nil.
  @inlinable
  public mutating func number(_ value: Int?) {
    if let value { bytes += String(value).utf8 } else { raw("null") }
  }

  /// Appends a number the way Swift spells it, without a `.0` for a whole
  /// number (`12.5`, `100`, `1e+20`: what `JSONEncoder` wrote for request
  /// bodies); `null` for nil or a value JSON cannot hold (infinite, NaN).
  public mutating func number(_ value: Double?) {
    guard let value, value.isFinite else {
      raw("null")
      return
    }
    var text = value.description
    if text.hasSuffix(".0") { text.removeLast(2) }
    bytes += text.utf8
  }

  /// Appends `true` or `false`.
  @inlinable
  public mutating func bool(_ value: Bool) {
    if value { raw("true") } else { raw("false") }
  }
}

/// A value of a JSON object written by `JSONText.object`: what request bodies hold.
enum JSONMember: Sendable, Equatable {
  /// A string.
  case string(String)
  /// A number.
  case number(Double)
  /// `true` or `false`.
  case bool(Bool)
  /// An array of strings.
  case strings([String])
  /// `null`: an explicit "no value" (OpenRouter's `limit: null` removes a limit).
  case null
}

extension JSONText {
  /// Appends an object of `members` in the byte order of their names, leaving
  /// out every member whose value is nil.
  ///
  /// This is how request bodies are written: sorted names make a body the
  /// same bytes whatever order the code lists them in, and a member left out
  /// lets the provider apply its own default, where `null` would set nothing
  /// explicitly (use `.null` for that).
  mutating func object(_ members: [(name: String, value: JSONMember?)]) {
    let present = members.compactMap { member in member.value.map { (member.name, $0) } }
      .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
    bytes.append(0x7B)
    for (index, (name, value)) in present.enumerated() {
      if index > 0 { bytes.append(0x2C) }
      string(name)
      bytes.append(0x3A)
      switch value {
      case .string(let text): string(text)
      case .number(let number): self.number(number)
      case .bool(let flag): bool(flag)
      case .null: raw("null")
      case .strings(let texts):
        bytes.append(0x5B)
        for (position, text) in texts.enumerated() {
          if position > 0 { bytes.append(0x2C) }
          string(text)
        }
        bytes.append(0x5D)
      }
    }
    bytes.append(0x7D)
  }

  /// The body of a request: `object(members)` as `Data`.
  static func body(_ members: [(name: String, value: JSONMember?)]) -> Data {
    var json = JSONText()
    json.object(members)
    return Data(json.bytes)
  }
}
