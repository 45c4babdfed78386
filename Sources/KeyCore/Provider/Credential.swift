/// A credential found in the environment, and where it was found.
public struct Credential: Sendable {
  /// The variable(s) it came from, e.g. `FAL_KEY` or `FAL_KEY_ID+FAL_KEY_SECRET`.
  public let source: String
  /// The secret itself; never printed.
  let secret: String
  /// Why the credential cannot be sent, naming its variable; nil when it can.
  ///
  /// A credential goes into an HTTP header, where a CR or LF would end the
  /// header (URLSession then drops the whole header silently, and the
  /// provider's 401 blames the key's scope) and other control or non-ASCII
  /// characters are not sent as typed. So such a credential is refused before
  /// any request, with a message that names the variable, never the secret.
  public let problem: String?

  /// Creates a credential read from one variable, checking what it holds.
  public init(source: String, secret: String) {
    self.init(source: source, secret: secret, parts: [(source, secret)])
  }

  /// Creates a credential joined from several variables, each checked on its own
  /// so that the message names the one at fault.
  init(source: String, secret: String, parts: [(variable: String, value: String)]) {
    self.source = source
    self.secret = secret
    self.problem =
      parts.lazy.compactMap { part in
        Self.unsendable(part.value).map { "\(part.variable) holds \($0)" }
      }.first
  }

  /// A form safe to show: the last four characters of a long secret, else nothing.
  public var masked: String {
    problem != nil ? "(unusable)" : secret.count >= 16 ? "****" + secret.suffix(4) : "****"
  }

  /// What makes `value` unfit for a header (its first offending character's
  /// class), or nil when every character is printable ASCII.
  static func unsendable(_ value: String) -> String? {
    for scalar in value.unicodeScalars {
      switch scalar.value {
      case 0x0A, 0x0D: return "a line break (CR or LF)"
      case 0x00..<0x20, 0x7F: return "a control character"
      case 0x80...: return "a character outside ASCII"
      default: continue
      }
    }
    return nil
  }

  /// `text` without one trailing `\n` or `\r\n`: what `$(cat file)` misses and
  /// `VAR="$(printf 'key\n')"` or a credential file saved by an editor keeps.
  static func trimmingOneLineBreak(_ text: String) -> String {
    var scalars = Substring(text).unicodeScalars
    if scalars.last == "\n" {
      scalars.removeLast()
      if scalars.last == "\r" { scalars.removeLast() }
    }
    return String(scalars)
  }
}

extension ProviderDescriptor {
  /// The credential in `environment`: the first of `credentialSources` whose
  /// variables are all set, several joined with `:`; empty values count as unset.
  ///
  /// One trailing line break is trimmed from each variable; any other control
  /// character stays, and `Credential.problem` reports it before any request.
  public func credential(in environment: [String: String]) -> Credential? {
    func value(_ name: String) -> String? {
      guard let text = environment[name].map(Credential.trimmingOneLineBreak), !text.isEmpty
      else { return nil }
      return text
    }
    for names in credentialSources where !names.isEmpty {
      let parts = names.compactMap { name in value(name).map { (variable: name, value: $0) } }
      guard parts.count == names.count else { continue }
      if parts.count == 1, let part = parts.first {
        return Credential(source: part.variable, secret: part.value)
      }
      return Credential(
        source: names.joined(separator: "+"),
        secret: parts.map(\.value).joined(separator: ":"), parts: parts)
    }
    return nil
  }
}
