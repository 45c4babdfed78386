import Foundation

/// Reading what a provider answered: the one strict JSON path, the checks on
/// positions and secrets a server hands back, and the errors when a 2xx
/// answer cannot be read.
extension ProviderClient {
  /// The server-text chokepoint with this client's credentials.
  var serverText: ServerText { ServerText(redactor: redactor) }

  /// The request id a provider put in a header, made fit to print.
  func headerRequestID(_ response: HTTPResponse) -> String? {
    let headers = response.headers
    return serverText.requestID(
      headers["x-request-id"] ?? headers["request-id"] ?? headers["x-fal-request-id"])
  }

  /// Whether a response may be read as JSON: its Content-Type names JSON, or it has none.
  func mayBeJSON(_ response: HTTPResponse) -> Bool {
    response.headers["content-type"].map { $0.lowercased().contains("json") } ?? true
  }

  /// Reads a 2xx JSON answer with `read`, or throws the "cannot read" error
  /// (exit 6): a body that is not strict JSON, or not of the expected shape.
  func read<T>(_ response: HTTPResponse, _ read: (JSONValue) throws(JSONReadError) -> T) throws
    -> T
  {
    if !mayBeJSON(response), let contentType = response.headers["content-type"] {
      throw unreadable(response, reason: "expected JSON but got \(serverText.header(contentType))")
    }
    let document: JSONDocument
    do {
      document = try JSONDocument(parsing: response.body, redactor: redactor)
    } catch {
      throw unreadable(response, reason: error.description)
    }
    do {
      return try read(document.root)
    } catch {
      throw unreadable(response, reason: error.description)
    }
  }

  /// An error for a 2xx body keyctl cannot read, quoting its start (redacted
  /// before it is cut). Never for the answer to a create: see `readCreated`.
  func unreadable(_ response: HTTPResponse, reason: String) -> KeyError {
    KeyError(
      .badResponse,
      "\(provider.displayName) sent a response keyctl cannot read (HTTP \(response.status)): "
        + "\(Untrusted.bounded(reason, limit: 200)). It began: "
        + serverText.excerpt(response.body),
      provider: provider, status: response.status, requestID: headerRequestID(response),
      hint: "Check the base URL points at \(provider.displayName)'s API, or retry later.")
  }

  /// A page position the server sent (fal's `next_cursor`, Cartesia's last
  /// id), checked before keyctl sends it back or wraps it into its own cursor:
  /// 1 to 1024 bytes of printable ASCII holding no credential. Read it with
  /// `unredactedString`, so that an echoed credential is seen, not masked.
  func position(_ token: String, named field: String, in response: HTTPResponse) throws
    -> PagePosition
  {
    let problem: String? =
      if token.isEmpty {
        "it is empty"
      } else if token.utf8.count > 1024 {
        "it is longer than 1024 bytes"
      } else if token.utf8.contains(where: { $0 < 0x20 || $0 > 0x7E }) {
        "it holds characters other than printable ASCII"
      } else if redactor.occurs(in: token) {
        "it holds the credential keyctl sent"
      } else {
        nil
      }
    guard let problem else { return .token(token) }
    throw KeyError(
      .badResponse,
      "\(provider.displayName) sent a \(field) keyctl will not follow (HTTP \(response.status)): "
        + problem,
      provider: provider, status: response.status, requestID: headerRequestID(response),
      hint: "This is a provider bug; try again later.")
  }

  /// Reads the 2xx answer to a create, whose body holds the new key's secret.
  ///
  /// That body is never quoted in an error. When keyctl cannot read it — not
  /// strict JSON, a field missing, or a secret keyctl refuses to print (see
  /// `Untrusted.secretProblem`) — the error says the key was probably created,
  /// names it when its id could be read, and says how to revoke or find it.
  /// `idField` and `secretFields` name where the id and secret sit in the
  /// object `container` (the body itself when nil), for that message only.
  /// `regenerating` is the id of a key whose secret is being replaced (px0's
  /// regenerate): then the message says the old secret may already be dead.
  func readCreated(
    _ response: HTTPResponse, name: String, idField: StaticString,
    secretFields: [StaticString], container: StaticString? = nil, regenerating: String? = nil,
    _ read: (JSONValue) throws(JSONReadError) -> CreatedKey
  ) throws -> CreatedKey {
    if !mayBeJSON(response), let contentType = response.headers["content-type"] {
      throw probablyCreated(
        response, name: name, id: nil, regenerating: regenerating,
        reason: "expected JSON but got \(serverText.header(contentType))")
    }
    let document: JSONDocument
    do {
      document = try JSONDocument(parsing: response.body, redactor: redactor)
    } catch {
      throw probablyCreated(
        response, name: name, id: nil, regenerating: regenerating, reason: error.description)
    }
    // What the answer says the id and the secret are, as far as they can be
    // read: the id to name the key, the secrets so that an id echoing one is masked.
    let object = container.map { try? document.root.member($0) } ?? document.root
    let id = try? object?.optionalString(idField)
    let secrets = secretFields.compactMap { try? object?.member($0)?.unredactedString() }
    // A secret spoilt by a control character still shows whole on either side of it.
    let pieces = secrets.flatMap { secret in
      secret.split { character in
        character.unicodeScalars.contains {
          Untrusted.movesTerminal($0) || $0.properties.isWhitespace
        }
      }.map(String.init)
    }
    let masking = Redactor(secrets: secrets + pieces)
    let created: CreatedKey
    do {
      created = try read(document.root)
    } catch {
      throw probablyCreated(
        response, name: name, id: id.flatMap { Self.nameable($0, masking) },
        regenerating: regenerating, reason: error.description)
    }
    if let problem = Untrusted.secretProblem(created.secret, credentials: redactor) {
      throw probablyCreated(
        response, name: name, id: Self.nameable(created.key.id, masking),
        regenerating: regenerating, reason: problem)
    }
    // Notes go to stderr, where the new secret must never be, whatever field echoed it.
    var checked = created
    let secret = Redactor(secrets: [created.secret] + secrets + pieces)
    checked.key.notes = created.key.notes.map(secret.redact)
    return checked
  }

  /// An id fit to print in a command to paste: at most 128 bytes, holding no
  /// secret (then it is no id to trust anyway), as one shell word.
  private static func nameable(_ id: String, _ secrets: Redactor) -> String? {
    guard id.utf8.count <= 128, !secrets.occurs(in: id), !id.contains(Redactor.mask) else {
      return nil
    }
    return shellWord(id)
  }

  /// The error for a create answer keyctl cannot read: the key was probably
  /// created, and here is how to revoke it (by `id`, a shell word already) or
  /// find it (by name).
  private func probablyCreated(
    _ response: HTTPResponse, name: String, id: String?, regenerating: String? = nil,
    reason: String
  ) -> KeyError {
    let flag = "-p \(provider.rawValue)"
    if let regenerating {
      // The id is the one keyctl asked about (checked, one plain token), not the answer's.
      return KeyError(
        .badResponse,
        "\(provider.displayName) answered the regenerate of key \(regenerating) with HTTP "
          + "\(response.status), but keyctl cannot read the answer: "
          + "\(Untrusted.bounded(reason, limit: 200)). The key's secret was probably replaced, so "
          + "the old one may no longer work; the new one is not shown.",
        provider: provider, status: response.status, requestID: headerRequestID(response),
        hint: "Regenerate it again to get a secret you can read:\n"
          + "  keyctl rotate \(flag) \(regenerating) --in-place")
    }
    var message =
      "\(provider.displayName) answered the create with HTTP \(response.status), but keyctl "
      + "cannot read the answer: \(Untrusted.bounded(reason, limit: 200)). The key was probably "
      + "created"
    let hint: String
    if let id {
      message += " (id \(id)); its secret is not shown"
      hint = "Revoke it, then create a new one:\n  keyctl delete \(flag) \(id)"
    } else {
      message += "; its secret is not shown"
      let search = Self.shellWord(name) ?? "NAME"
      hint =
        "Find it, revoke it with 'keyctl delete \(flag) ID', then create a new one:\n"
        + "  keyctl list \(flag) --name-contains \(search)"
    }
    return KeyError(
      .badResponse, message + ".", provider: provider, status: response.status,
      requestID: headerRequestID(response), hint: hint)
  }

  /// `text` as one shell word a user can paste: bare when it is plain, in
  /// single quotes otherwise; nil when it is empty or not printable ASCII.
  static func shellWord(_ text: String) -> String? {
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
    let plain = text.utf8.allSatisfy { byte in
      switch byte {
      case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x3A, 0x40, 0x2B, 0x3D, 0x2C,
        0x2F:
        true
      default: false
      }
    }
    if plain { return text }
    var quoted = "'"
    for character in text {
      quoted += character == "'" ? "'\\''" : String(character)
    }
    return quoted + "'"
  }
}

extension Untrusted {
  /// The longest secret keyctl prints; real ones are under 200 bytes.
  static let secretLimit = 4096

  /// Why a created key's secret must not be printed, or nil when it may.
  ///
  /// The secret goes to stdout as it is (`-q` for `KEY=$(…)`), so it must be
  /// one plain token: not empty, at most `secretLimit` bytes, without white
  /// space or anything `movesTerminal` flags, and not the credential keyctl sent.
  static func secretProblem(_ secret: String, credentials: Redactor) -> String? {
    if secret.isEmpty { return "the new key's secret is empty" }
    if secret.utf8.count > secretLimit {
      return "the new key's secret is longer than \(secretLimit) bytes"
    }
    if secret.unicodeScalars.contains(where: { movesTerminal($0) }) {
      return "the new key's secret holds control or invisible characters"
    }
    if secret.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
      return "the new key's secret holds white space"
    }
    if credentials.occurs(in: secret) {
      return "the new key's secret holds the credential keyctl sent"
    }
    return nil
  }
}
