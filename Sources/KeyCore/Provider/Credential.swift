/// A credential that was read, and where it came from.
public struct Credential: Sendable {
  /// Where it came from, for messages: the variable(s) of the provider's own
  /// (`FAL_KEY`, `FAL_KEY_ID+FAL_KEY_SECRET`), else the config file's source
  /// as `keyctl providers` shows it (`profile staging: credential_file ~/.secrets/fal`).
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

extension Credential {
  /// Whether `name` counts as set: present and not empty once one trailing
  /// line break is trimmed (`FAL_ADMIN_KEY=$'\n'` is as good as unset, so the
  /// next variable is tried). The config resolver picks variables by this rule
  /// too, so that choosing a credential and reading it never disagree.
  static func isSet(_ name: String, in environment: [String: String]) -> Bool {
    guard let value = environment[name] else { return false }
    return !trimmingOneLineBreak(value).isEmpty
  }

  /// The credential the variables `names` hold together (several are joined
  /// with `:`, fal's `FAL_KEY_ID` + `FAL_KEY_SECRET`), each with one trailing
  /// line break trimmed; nil unless every one is set. `source` names it in
  /// messages (default: the variables, joined with `+`).
  ///
  /// Any other control character stays, and `problem` reports it, naming the
  /// variable, before any request.
  static func environment(
    _ names: [String], in environment: [String: String], source: String? = nil
  ) -> Credential? {
    guard !names.isEmpty, names.allSatisfy({ isSet($0, in: environment) }) else { return nil }
    let parts = names.map { name in
      (variable: name, value: trimmingOneLineBreak(environment[name] ?? ""))
    }
    return Credential(
      source: source ?? names.joined(separator: "+"),
      secret: parts.map(\.value).joined(separator: ":"), parts: parts)
  }
}

extension ProviderDescriptor {
  /// The credential in `environment` alone (no config file): the first of
  /// `credentialSources` whose variables are all set, several joined with `:`;
  /// empty values count as unset.
  ///
  /// The same chain `ConfigResolver` walks and the same reading
  /// `CredentialReader` does, so this is a shorthand, not a second rule.
  public func credential(in environment: [String: String]) -> Credential? {
    let resolved = ConfigResolver.resolve(
      configInputs, profile: nil, environment: environment, file: nil)
    guard case .environment(let names)? = resolved.credential?.source else { return nil }
    return Credential.environment(names, in: environment)
  }
}
