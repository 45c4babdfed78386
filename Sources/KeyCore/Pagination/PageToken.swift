/// The bounds of every number and token a page position may carry, checked in
/// one place when a `--cursor` is decoded and when an adapter reads a position.
///
/// A cursor is user input (it can be edited or crafted) and wraps what servers
/// sent; nothing in it may reach arithmetic or a URL unchecked.
enum PageToken {
  /// The longest provider token (fal cursor, Cartesia id) keyctl carries, in bytes.
  static let maxLength = 1024

  /// The largest OpenRouter offset keyctl pages to: far beyond any account's
  /// number of keys, and far enough from `Int.max` that adding a page can never overflow.
  static let maxOffset = 1_000_000_000

  /// The most keys a cursor may skip on the page it resumes. A page is at most
  /// 16 MiB, so it cannot hold more keys than that many bytes.
  static let maxSkip = 16 * 1024 * 1024

  /// Whether `token` is a position `provider` could have handed out: printable
  /// ASCII of at most `maxLength` bytes, an offset in range for OpenRouter, and
  /// nothing for px0, which has a single page.
  static func isAcceptable(_ token: String, for provider: ProviderID) -> Bool {
    switch provider.capabilities.paging {
    case .none: return false
    case .offset: return offset(token) != nil
    case .cursor, .startingAfter:
      let bytes = token.utf8
      return !bytes.isEmpty && bytes.count <= maxLength
        && bytes.allSatisfy { (0x20...0x7E).contains($0) }
    }
  }

  /// The OpenRouter offset `token` spells: decimal digits, no sign and no
  /// leading zero, at most `maxOffset`; nil for anything else.
  static func offset(_ token: String) -> Int? {
    decimal(Substring(token), maximum: maxOffset)
  }

  /// A strict non-negative decimal up to `maximum`: digits only (no sign, no
  /// spaces, no leading zeros), computed without ever overflowing.
  static func decimal(_ text: Substring, maximum: Int) -> Int? {
    let digits = text.utf8
    guard let first = digits.first, !(first == UInt8(ascii: "0") && digits.count > 1) else {
      return nil
    }
    var value = 0
    for byte in digits {
      guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
      let digit = Int(byte - UInt8(ascii: "0"))
      // value * 10 + digit <= maximum, asked without computing it.
      guard digit <= maximum, value <= (maximum - digit) / 10 else { return nil }
      value = value * 10 + digit
    }
    return value
  }
}
