#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A provider base URL taken apart by hand, byte by byte, before anything is sent.
///
/// keyctl sends an admin credential to this address, so the rules are strict and
/// decided here rather than by a URL parser's leniency: `http`/`https` only (in any
/// case), no user name or password, no query, no fragment, a port of 1–65535, a
/// host made of plain labels or an IP literal, and plain `http` only for a host
/// that is loopback by its spelling — `localhost`, a dotted-quad IPv4 address in
/// 127.0.0.0/8 or the IPv6 address `::1`. A prefix test would let
/// `http://127.attacker.example` through; parsing does not.
public struct ParsedBaseURL: Sendable, Equatable {
  /// `http` or `https`, lower-cased (URLSession on Linux refuses `HTTP`).
  public let scheme: String
  /// The host, lower-cased; an IPv6 literal in brackets and in its canonical form.
  public let host: String
  /// The port the URL names, if any.
  public let port: Int?
  /// The path, empty or starting with `/`, as given.
  public let path: String
  /// Whether the host is the local machine by its spelling alone (no name lookup).
  public let isLoopback: Bool

  /// The normalised URL: lower-case scheme and host, decimal port, the path as given.
  public var text: String {
    scheme + "://" + host + (port.map { ":\($0)" } ?? "") + path
  }

  /// Why a text is not a usable base URL; `description` completes the sentence
  /// "KEYCTL_FAL_BASE_URL '…' …".
  public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
    /// A space, tab, newline or other control character.
    case controlCharacter
    /// A character outside ASCII.
    case nonASCII
    /// No `scheme://` at the start.
    case notAbsolute
    /// A scheme other than http or https.
    case scheme(String)
    /// `user:password@` before the host.
    case userinfo
    /// A `?…` part.
    case query
    /// A `#…` part.
    case fragment
    /// Nothing between `://` and the port or path.
    case noHost
    /// A host that is neither a name of plain labels nor an IP literal.
    case host(String)
    /// A numeric host that is not a dotted-quad IPv4 address (`127.1`, `0x7f.0.0.1`).
    case ipv4(String)
    /// A bracketed host that is not an IPv6 address (or carries a zone id).
    case ipv6(String)
    /// A port that is not a number from 1 to 65535.
    case port(String)
    /// A path character a URL cannot hold unencoded.
    case path(String)
    /// Plain http to a host that is not loopback.
    case plainHTTP

    /// The rest of the sentence that names the variable and the value.
    public var description: String {
      switch self {
      case .controlCharacter:
        "contains a space or a control character"
      case .nonASCII:
        "contains a character outside ASCII (write an international host name in its xn-- form)"
      case .notAbsolute:
        "is not an absolute http:// or https:// URL"
      case .scheme(let scheme):
        "uses the scheme '\(scheme)'; keyctl speaks only https:// (and http:// to loopback hosts)"
      case .userinfo:
        "holds a user name or password; keyctl takes credentials only from the environment and "
          + "never sends them in a URL"
      case .query:
        "has a query ('?…'); a base URL is a scheme, a host, an optional port and a path"
      case .fragment:
        "has a fragment ('#…'); a base URL is a scheme, a host, an optional port and a path"
      case .noHost:
        "has no host"
      case .host(let host):
        "has an invalid host '\(host)'"
      case .ipv4(let host):
        "has an invalid IPv4 address '\(host)' (write its four parts in decimal, e.g. 127.0.0.1)"
      case .ipv6(let host):
        "has an invalid IPv6 address '\(host)' (zone ids such as %25eth0 are not accepted)"
      case .port(let port):
        "has an invalid port '\(port)' (expected a number from 1 to 65535)"
      case .path(let character):
        "has the character '\(character)' in its path; percent-encode it"
      case .plainHTTP:
        "must use https:// (plain http:// is accepted only for localhost, 127.0.0.0/8 and [::1], "
          + "so credentials never cross a network unencrypted)"
      }
    }
  }

  /// Parses `text` or says what is wrong with it.
  public static func parse(_ text: String) throws(Problem) -> ParsedBaseURL {
    for scalar in text.unicodeScalars {
      if scalar.value < 0x21 || scalar.value == 0x7F { throw .controlCharacter }
      if scalar.value > 0x7E { throw .nonASCII }
    }
    let bytes = Array(text.utf8)
    guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0,
      bytes.count >= colon + 3, bytes[colon + 1] == slash, bytes[colon + 2] == slash,
      bytes[..<colon].allSatisfy(isSchemeByte), isLetter(bytes[0])
    else { throw .notAbsolute }
    let scheme = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
    guard scheme == "http" || scheme == "https" else {
      throw .scheme(String(decoding: bytes[..<colon], as: UTF8.self))
    }
    let rest = bytes[(colon + 3)...]
    if rest.contains(UInt8(ascii: "#")) { throw .fragment }
    if rest.contains(UInt8(ascii: "?")) { throw .query }
    let authorityEnd = rest.firstIndex(of: slash) ?? rest.endIndex
    let authority = rest[..<authorityEnd]
    if authority.contains(UInt8(ascii: "@")) { throw .userinfo }
    let (host, isLoopback, portText) = try parseHostAndPort(authority)
    var port: Int?
    if let portText {
      guard (1...5).contains(portText.count), portText.allSatisfy(isDigit),
        let value = Int(String(decoding: portText, as: UTF8.self)), (1...65535).contains(value)
      else { throw .port(String(decoding: portText, as: UTF8.self)) }
      port = value
    }
    let path = rest[authorityEnd...]
    try checkPath(path)
    if scheme == "http", !isLoopback { throw .plainHTTP }
    return ParsedBaseURL(
      scheme: scheme, host: host, port: port, path: String(decoding: path, as: UTF8.self),
      isLoopback: isLoopback)
  }

  /// The text as it may be shown in an error: a user name and password replaced
  /// by `…`, characters that could drive a terminal written as `\u{…}`, and at
  /// most 200 characters.
  public static func displayed(_ text: String) -> String {
    var shown = Substring(text)
    if let colon = shown.firstIndex(of: ":"), shown[colon...].hasPrefix("://") {
      let start = shown.index(colon, offsetBy: 3)
      let authorityEnd = shown[start...].firstIndex { "/?#".contains($0) } ?? shown.endIndex
      if let at = shown[start..<authorityEnd].lastIndex(of: "@") {
        shown.replaceSubrange(start...at, with: "…@")
      }
    }
    var result = ""
    for scalar in shown.unicodeScalars {
      if (0x20..<0x7F).contains(scalar.value) || scalar == "…" {
        result.unicodeScalars.append(scalar)
      } else {
        result += "\\u{" + String(scalar.value, radix: 16) + "}"
      }
    }
    return result.count > 200 ? String(result.prefix(200)) + "…" : result
  }

  // MARK: - Private

  /// `/`, which ends the authority.
  private static let slash = UInt8(ascii: "/")

  /// An ASCII letter, either case.
  private static func isLetter(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
  }

  /// An ASCII digit.
  private static func isDigit(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
  }

  /// A byte RFC 3986 allows in a scheme.
  private static func isSchemeByte(_ byte: UInt8) -> Bool {
    isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
      || byte == UInt8(ascii: ".")
  }

  /// The host (normalised), whether it is loopback, and the port's text when a
  /// `:` follows the host.
  private static func parseHostAndPort(_ authority: ArraySlice<UInt8>) throws(Problem) -> (
    String, Bool, ArraySlice<UInt8>?
  ) {
    if authority.first == UInt8(ascii: "[") {
      guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else {
        throw .ipv6(String(decoding: authority, as: UTF8.self))
      }
      let literal = String(decoding: authority[(authority.startIndex + 1)..<close], as: UTF8.self)
      let after = authority[(close + 1)...]
      guard after.isEmpty || after.first == UInt8(ascii: ":") else {
        throw .host(String(decoding: authority, as: UTF8.self))
      }
      guard let (canonical, loopback) = ipv6(literal) else { throw .ipv6(literal) }
      return ("[" + canonical + "]", loopback, after.isEmpty ? nil : after.dropFirst())
    }
    var hostBytes = authority
    var portText: ArraySlice<UInt8>?
    if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
      hostBytes = authority[..<colon]
      portText = authority[(colon + 1)...]
    }
    let host = String(decoding: hostBytes, as: UTF8.self).lowercased()
    guard !host.isEmpty else { throw .noHost }
    let labels = host.split(separator: ".", omittingEmptySubsequences: false)
    let labelsValid = labels.allSatisfy { label in
      !label.isEmpty && label.count <= 63
        && label.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == 0x2D || $0 == 0x5F }
    }
    guard labelsValid, host.utf8.count <= 253 else { throw .host(host) }
    // A last label that is a number (or hex) makes the host an IPv4 address to
    // every resolver, so it must be one in full dotted-quad form.
    if let last = labels.last, last.utf8.allSatisfy(isDigit) || last.hasPrefix("0x") {
      guard let firstOctet = ipv4FirstOctet(host) else { throw .ipv4(host) }
      return (host, firstOctet == 127, portText)
    }
    return (host, host == "localhost", portText)
  }

  /// The first octet of a strict dotted-quad IPv4 address (`inet_pton` refuses
  /// `127.1`, `0x7f.0.0.1` and leading zeros), or nil.
  private static func ipv4FirstOctet(_ host: String) -> UInt8? {
    var address = in_addr()
    let parsed = host.withCString { inet_pton(AF_INET, $0, &address) }
    guard parsed == 1 else { return nil }
    return withUnsafeBytes(of: &address) { $0.first }
  }

  /// The canonical form of an IPv6 literal and whether it is `::1`, or nil.
  private static func ipv6(_ literal: String) -> (String, Bool)? {
    guard !literal.contains("%") else { return nil }
    var address = in6_addr()
    let parsed = literal.withCString { inet_pton(AF_INET6, $0, &address) }
    guard parsed == 1 else { return nil }
    let bytes = withUnsafeBytes(of: &address) { Array($0) }
    let loopback = bytes.count == 16 && bytes.dropLast().allSatisfy { $0 == 0 } && bytes.last == 1
    var buffer = [CChar](repeating: 0, count: 64)
    let written = buffer.withUnsafeMutableBufferPointer { output in
      inet_ntop(AF_INET6, &address, output.baseAddress, socklen_t(output.count))
    }
    guard written != nil else { return nil }
    let end = buffer.firstIndex(of: 0) ?? buffer.endIndex
    let canonical = String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return (canonical.lowercased(), loopback)
  }

  /// Refuses path characters RFC 3986 does not allow unencoded, and `%` not
  /// followed by two hex digits.
  private static func checkPath(_ path: ArraySlice<UInt8>) throws(Problem) {
    let allowed = Set("-._~!$&'()*+,;=:@/".utf8)
    var index = path.startIndex
    while index < path.endIndex {
      let byte = path[index]
      if byte == UInt8(ascii: "%") {
        let hex = path[(index + 1)...].prefix(2)
        guard hex.count == 2, hex.allSatisfy({ isDigit($0) || ("a"..."f").contains(lower($0)) })
        else { throw .path("%") }
        index += 3
        continue
      }
      guard isLetter(byte) || isDigit(byte) || allowed.contains(byte) else {
        throw .path(String(decoding: [byte], as: UTF8.self))
      }
      index += 1
    }
  }

  /// The byte as a lower-case character (for hex digits).
  private static func lower(_ byte: UInt8) -> Character {
    Character(Unicode.Scalar(byte | 0x20))
  }
}
