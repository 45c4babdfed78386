import Foundation

/// keyctl's own opaque `next_cursor`: where every provider of one listing stands.
///
/// One token covers all providers of the call, so `--cursor` resumes each of
/// them exactly where the last output stopped. It is base64url (unpadded) of a
/// small JSON document,
/// `{"f":FILTER,"p":{"fal":["a",SKIP,SIZE,TOKEN],"px0":["d"],…},"v":1}`
/// (`"a"`: resume at TOKEN, or at the start when there is none; `"d"`: done),
/// the layout of every cursor keyctl has printed.
///
/// It is written with keyctl's one JSON writer (`JSONText`) and read with its
/// one strict reader (`JSONDocument`), never with Foundation's JSON classes,
/// which go through ICU and the locale (a bogus `LANG` crashed the encoder). A
/// cursor is user input (edited, truncated, crafted), so the reader accepts
/// exactly this layout and range-checks every number and token before anything
/// uses it. A token that fails, or was made for another set of providers or
/// other filters (`ListOptions.fingerprint`), is a usage error.
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
  /// A fingerprint of the listing's filters (`ListOptions.fingerprint`), so a
  /// cursor is not reused with other filters.
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
    var json = JSONText()
    json.raw("{\"f\":")
    json.string(filter)
    json.raw(",\"p\":{")
    // Sorted by name, so the same state always gives the same token.
    let entries = states.sorted {
      $0.key.rawValue.utf8.lexicographicallyPrecedes($1.key.rawValue.utf8)
    }
    for (index, (provider, state)) in entries.enumerated() {
      if index > 0 { json.raw(",") }
      json.string(provider.rawValue)
      switch state {
      case .done:
        json.raw(":[\"d\"]")
      case .at(let position, let skip, let pageSize):
        json.raw(":[\"a\",")
        json.number(skip)
        json.raw(",")
        json.number(pageSize ?? 0)
        if case .token(let token) = position {
          json.raw(",")
          json.string(token)
        }
        json.raw("]")
      }
    }
    json.raw("},\"v\":1}")
    return Base64URL.encode(json.bytes)
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
        "--cursor was made with other filters; repeat the call with the same filter options "
          + "(provider filters and --name-contains) as the call that printed it",
        help: "keyctl list --help")
    }
    return cursor
  }

  /// The cursor a decoded document describes, or nil when anything in it is
  /// not what `encoded()` writes or is out of range.
  private static func read(_ bytes: [UInt8]) -> PageCursor? {
    guard let document = try? JSONDocument(parsing: Data(bytes)) else { return nil }
    let root = document.root
    guard let names = try? root.memberNames(), names.count == 3, Set(names) == ["f", "p", "v"],
      let version = try? root.required("v"), integer(version) == 1,
      let filter = try? root.required("f").string(), filter.utf8.count <= 64,
      let entries = try? root.required("p").members()
    else { return nil }
    var states: [ProviderID: State] = [:]
    for (name, value) in entries {
      let provider = ProviderID(rawValue: name)
      guard ProviderRegistry.descriptor(for: provider) != nil, states[provider] == nil,
        let entry = try? value.elements(), let state = state(Array(entry), for: provider)
      else { return nil }
      states[provider] = state
    }
    return PageCursor(states: states, filter: filter)
  }

  /// One provider's entry, range-checked against what that provider can have handed out.
  private static func state(_ entry: [JSONValue], for provider: ProviderID) -> State? {
    switch (entry.first.flatMap { try? $0.string() }, entry.count) {
    case ("d"?, 1):
      return .done
    case ("a"?, 3), ("a"?, 4):
      guard let skip = integer(entry[1]), (0...PageToken.maxSkip).contains(skip),
        let size = integer(entry[2])
      else { return nil }
      // 0 stands for "no page size"; else it must be one the provider serves.
      let sizes = provider.capabilities.maxPageSize.map { 0...$0 } ?? 0...0
      guard sizes.contains(size) else { return nil }
      var position = PagePosition.start
      if entry.count == 4 {
        guard let token = try? entry[3].string(), PageToken.isAcceptable(token, for: provider)
        else { return nil }
        position = .token(token)
      }
      return .at(position, skip: skip, pageSize: size > 0 ? size : nil)
    default:
      return nil
    }
  }

  /// A non-negative whole number as `encoded()` writes it: digits only (no
  /// sign, fraction or exponent; JSON itself has no leading zeros), within `Int`.
  private static func integer(_ value: JSONValue) -> Int? {
    guard value.kind == .number, let first = value.document.bytes[value.range].first,
      (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
    else { return nil }
    return try? value.int()
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
