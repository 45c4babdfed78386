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
  /// The secrets that hold no shorter one: enough to tell whether any occurs,
  /// so a body is scanned once per credential, not once per part of it.
  private let searched: [[UInt8]]

  /// Creates a redactor for these secrets; short fragments are ignored so that
  /// ordinary words are never masked. Each secret is also masked as a URL
  /// (percent-encoded, as in a Location) and as JSON text spells it (`\/`).
  public init(secrets: [String]) {
    var parts: Set<[UInt8]> = []
    for secret in secrets where !secret.isEmpty {
      var forms = [Array(secret.utf8)]
      if let colon = secret.firstIndex(of: ":") {
        forms.append(Array(secret[secret.index(after: colon)...].utf8))
      }
      for form in forms {
        parts.insert(Self.folded(form))
        parts.insert(Self.folded(Self.percentEncoded(form)))
        parts.insert(Self.folded(form.flatMap { $0 == 0x2F ? [0x5C, 0x2F] : [$0] }))
      }
    }
    let secrets = parts.filter { $0.count >= 6 }.sorted {
      $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1)
    }
    self.secrets = secrets
    searched = secrets.filter { secret in
      !secrets.contains { other in other.count < secret.count && Self.contains(secret, other) }
    }
  }

  /// `bytes` with everything but RFC 3986's unreserved characters as `%XX`.
  private static func percentEncoded(_ bytes: [UInt8]) -> [UInt8] {
    let hex = Array("0123456789ABCDEF".utf8)
    return bytes.flatMap { byte -> [UInt8] in
      switch byte {
      case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: [byte]
      default: [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
      }
    }
  }

  /// Whether `part` occurs in `text`; used once per secret at init.
  private static func contains(_ text: [UInt8], _ part: [UInt8]) -> Bool {
    guard part.count <= text.count else { return false }
    return (0...(text.count - part.count)).contains { start in
      text[start..<start + part.count].elementsEqual(part)
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
    for secret in searched where Self.find(secret, in: bytes) {
      return true
    }
    return false
  }

  /// Whether the folded `needle` occurs in `bytes`, ASCII letters in any case.
  ///
  /// Sixteen positions at a time: a position is a candidate only when both the
  /// needle's first and its last byte match there (letters compared with bit
  /// 0x20 set, which folds case and lets a few non-letters through), and only
  /// candidates are compared in full. A listing checks every page this way, so
  /// it must cost little next to reading the page.
  private static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Bool {
    guard let first = needle.first, let final = needle.last, let base = bytes.baseAddress,
      bytes.count >= needle.count
    else { return false }
    let lastStart = bytes.count - needle.count
    let firstIsLetter = first >= 0x61 && first <= 0x7A
    let finalIsLetter = final >= 0x61 && final <= 0x7A
    let caseBit = SIMD16<UInt8>(repeating: 0x20)
    let noBit = SIMD16<UInt8>(repeating: 0)
    let firstFold = firstIsLetter ? caseBit : noBit
    let finalFold = finalIsLetter ? caseBit : noBit
    let firstWanted = SIMD16<UInt8>(repeating: first)
    let finalWanted = SIMD16<UInt8>(repeating: final)
    var start = 0
    while start + 15 <= lastStart {
      let heads = base.loadUnaligned(fromByteOffset: start, as: SIMD16<UInt8>.self)
      let tails = base.loadUnaligned(
        fromByteOffset: start + needle.count - 1, as: SIMD16<UInt8>.self)
      let candidates = (heads | firstFold .== firstWanted) .& (tails | finalFold .== finalWanted)
      if any(candidates) {
        for lane in 0..<16 where candidates[lane] && matches(needle, base, at: start + lane) {
          return true
        }
      }
      start += 16
    }
    while start <= lastStart {
      if matches(needle, base, at: start) { return true }
      start += 1
    }
    return false
  }

  @inline(__always)
  private static func matches(_ needle: [UInt8], _ base: UnsafeRawPointer, at start: Int) -> Bool {
    for offset in 0..<needle.count
    where lower(base.load(fromByteOffset: start + offset, as: UInt8.self)) != needle[offset] {
      return false
    }
    return true
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

  /// Whether `secret` (folded) starts at `index`, ignoring the case of ASCII letters.
  private func matches(_ secret: [UInt8], _ bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
    for offset in 0..<secret.count where Self.lower(bytes[index + offset]) != secret[offset] {
      return false
    }
    return true
  }

  /// The bytes with ASCII letters in lower case.
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
