/// Removes secrets from any text keyctl might print.
///
/// Built from the credentials in use, it replaces each of them (and the
/// secret half of a fal `id:secret` pair) wherever it appears, including in a
/// body a misbehaving server echoed back. Matching ignores the case of ASCII
/// letters, so a server that upper-cases what it echoes leaks nothing either.
///
/// It works on UTF-8 bytes, without Foundation, so that it can also check a
/// whole response body in one pass before anything is decoded from it.
public struct Redactor: Sendable {
  /// What a secret is replaced with.
  public static let mask = "[REDACTED]"
  /// The secrets as lower-cased UTF-8, longest first (so a whole `id:secret`
  /// is masked as one, not as its id and a mask).
  private let secrets: [[UInt8]]

  /// Creates a redactor for these secrets; short fragments are ignored so that
  /// ordinary words are never masked.
  public init(secrets: [String]) {
    var parts: Set<[UInt8]> = []
    for secret in secrets where !secret.isEmpty {
      parts.insert(Self.folded(secret.utf8))
      if let colon = secret.firstIndex(of: ":") {
        parts.insert(Self.folded(secret[secret.index(after: colon)...].utf8))
      }
    }
    self.secrets = parts.filter { $0.count >= 6 }.sorted {
      $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1)
    }
  }

  /// A redactor that masks nothing.
  public static let none = Redactor(secrets: [])

  /// Whether there is anything to mask at all.
  public var isEmpty: Bool { secrets.isEmpty }

  /// The length in bytes of the longest secret: text cut anywhere can hold at
  /// most this many bytes of a secret it no longer shows whole.
  public var longestSecret: Int { secrets.first?.count ?? 0 }

  /// The text with every known secret masked.
  public func redact(_ text: String) -> String {
    guard !secrets.isEmpty else { return text }
    var text = text
    return text.withUTF8 { utf8 in
      guard occurs(in: UnsafeRawBufferPointer(utf8)) else { return nil }
      var output: [UInt8] = []
      output.reserveCapacity(utf8.count)
      var index = 0
      while index < utf8.count {
        if let length = match(UnsafeRawBufferPointer(utf8), at: index) {
          output += Self.mask.utf8
          index += length
        } else {
          output.append(utf8[index])
          index += 1
        }
      }
      return String(decoding: output, as: UTF8.self)
    } ?? text
  }

  /// Whether any secret occurs in these bytes: the check a whole response body
  /// gets once, so that nothing read from a clean body needs redacting.
  public func occurs(in bytes: UnsafeRawBufferPointer) -> Bool {
    guard let shortest = secrets.last?.count, bytes.count >= shortest else { return false }
    for secret in secrets {
      let first = secret[0]
      let firstUpper = Self.upper(first)
      var index = 0
      let last = bytes.count - secret.count
      while index <= last {
        let byte = bytes[index]
        if byte == first || byte == firstUpper, matches(secret, bytes, at: index) { return true }
        index += 1
      }
    }
    return false
  }

  /// Whether any secret occurs in `text`.
  public func occurs(in text: String) -> Bool {
    var text = text
    return text.withUTF8 { occurs(in: UnsafeRawBufferPointer($0)) }
  }

  /// The length of the secret that starts at `index`, if one does.
  private func match(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int? {
    for secret in secrets where index + secret.count <= bytes.count {
      if matches(secret, bytes, at: index) { return secret.count }
    }
    return nil
  }

  private func matches(_ secret: [UInt8], _ bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
    for offset in 0..<secret.count where Self.lower(bytes[index + offset]) != secret[offset] {
      return false
    }
    return true
  }

  private static func folded<S: Sequence<UInt8>>(_ bytes: S) -> [UInt8] {
    bytes.map(lower)
  }

  @inline(__always)
  private static func lower(_ byte: UInt8) -> UInt8 {
    byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
  }

  @inline(__always)
  private static func upper(_ byte: UInt8) -> UInt8 {
    byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
  }
}
