import Foundation

/// What an adapter reads out of its provider's error body.
struct ProviderErrorBody: Sendable {
  var message: String?
  var requestID: String?
}

/// Sends one provider's requests: base URL, auth and extra headers, retries,
/// verbose logging, redaction and the mapping of failures to `KeyError`.
///
/// This is the single place those things happen; an adapter only names the
/// path, the query and how to read its provider's error body.
struct ProviderClient: Sendable {
  let provider: ProviderID
  let baseURL: URL
  /// Headers every request carries (auth first); values may be secret and are never logged.
  let headers: [(name: String, value: String)]
  let settings: ClientSettings
  let redactor: Redactor
  /// What to tell the user when the provider refuses the credentials.
  let authHint: String
  let parseError: @Sendable (Data) -> ProviderErrorBody?
  /// The header that carries an idempotency key on the changes that are
  /// retried (fal's `Idempotency-Key`), or nil when the provider takes none.
  let idempotencyKeyHeader: String?

  /// Sends a GET, retried per the policy.
  func get(_ path: String, query: [(String, String)] = []) async throws -> HTTPResponse {
    try await send("GET", path, query: query, body: nil, idempotent: true)
  }

  /// Sends a JSON POST exactly once: a create must never be repeated.
  func post(_ path: String, json body: Data) async throws -> HTTPResponse {
    try await send("POST", path, query: [], body: body, idempotent: false)
  }

  /// Sends a JSON PUT, retried like a GET: it sets fields to values, so
  /// arriving twice leaves the key as arriving once does.
  func put(_ path: String, json body: Data) async throws -> HTTPResponse {
    try await send("PUT", path, query: [], body: body, idempotent: true)
  }

  /// Sends a JSON PATCH, retried like a GET: keyctl's patches set fields to
  /// values (never increment), so repeating one is harmless.
  func patch(_ path: String, json body: Data) async throws -> HTTPResponse {
    try await send("PATCH", path, query: [], body: body, idempotent: true)
  }

  /// Sends a DELETE, retried like a GET: deleting a deleted key changes nothing.
  func delete(_ path: String) async throws -> HTTPResponse {
    try await send("DELETE", path, query: [], body: nil, idempotent: true)
  }

  /// Sends one request, repeating it per the retry policy when `idempotent`.
  ///
  /// The request is built once, so every attempt carries the same headers: an
  /// idempotent change (PUT, PATCH, DELETE) to a provider that takes an
  /// idempotency key gets one fresh key here, and its retries repeat it, so
  /// the provider can tell a retry from a second request.
  func send(
    _ method: String, _ path: String, query: [(String, String)], body: Data?, idempotent: Bool
  ) async throws -> HTTPResponse {
    let url = try makeURL(path, query: query)
    var requestHeaders = headers
    requestHeaders.append(("User-Agent", settings.userAgent))
    requestHeaders.append(("Accept", "application/json"))
    if body != nil { requestHeaders.append(("Content-Type", "application/json")) }
    if idempotent, method != "GET", let name = idempotencyKeyHeader {
      requestHeaders.append((name, Self.newIdempotencyKey()))
    }
    let request = HTTPRequest(
      method: method, url: url, headers: requestHeaders, body: body, timeout: settings.timeout,
      maxTime: settings.maxTime, maxBodyBytes: settings.maxBodyBytes,
      connectionGroup: provider.rawValue, connectionLimit: settings.connectionLimit)
    let retries = idempotent ? max(0, settings.retry.maxRetries) : 0
    var attempt = 0
    while true {
      try checkCancelled()
      log("> \(method) \(url.absoluteString)")
      let started = Date()
      let response: HTTPResponse
      do {
        response = try await settings.transport.send(request)
      } catch let failure as TransportFailure {
        let error = networkError(failure, idempotent: idempotent)
        guard attempt < retries, error.kind == .network else { throw error }
        let wait = settings.retry.delay(attempt: attempt, headers: [:], now: settings.now()) ?? 0
        try await pause(wait, attempt: &attempt, reason: error.message)
        continue
      }
      let millis = Int(Date().timeIntervalSince(started) * 1000)
      log(
        "< \(response.status) \(method) \(url.path(percentEncoded: true)) (\(response.body.count) bytes, \(millis) ms)"
      )
      // Concurrent work (offset paging, bulk deletes) runs one request at a time from here on.
      if Throttle.asksToSlowDown(response) { Throttle.current?.raise() }
      if (200..<300).contains(response.status) { return response }
      // A server asking for a longer wait than keyctl honours gets no retry: its error is reported.
      if attempt < retries, RetryPolicy.retryableStatuses.contains(response.status),
        let wait = settings.retry.delay(
          attempt: attempt, headers: response.headers, now: settings.now())
      {
        try await pause(wait, attempt: &attempt, reason: "HTTP \(response.status)")
        continue
      }
      throw httpError(response, to: request, idempotent: idempotent, attempts: attempt + 1)
    }
  }

  /// `collection/ID` plus `suffix`, the id percent-encoded as exactly one path
  /// segment (`/` becomes `%2F`, `?` `%3F`): an id is data, and pasted into a
  /// path it could climb to another route or add a query. The path is never
  /// built any other way. An empty id, `.` or `..` would name the collection or
  /// its parent even encoded, so they are refused (exit 2) without a request.
  func path(_ collection: String, id: String, _ suffix: String = "") throws -> String {
    guard !id.isEmpty, id != ".", id != ".." else {
      throw KeyError(
        .usage, "invalid key id \(KeyID.shown(id)) for \(provider.rawValue): it names no key",
        provider: provider)
    }
    return collection + "/" + Self.percentEncode(id) + suffix
  }

  /// A key no other request has: a random UUID, lower-case (the form
  /// idempotency keys are usually shown in), made without the locale.
  static func newIdempotencyKey() -> String {
    UUID().uuidString.lowercased()
  }

  // MARK: - Private

  private func makeURL(_ path: String, query: [(String, String)]) throws -> URL {
    var text = baseURL.absoluteString
    while text.hasSuffix("/") { text.removeLast() }
    text += path
    if !query.isEmpty {
      text +=
        "?"
        + query.map { Self.percentEncode($0.0) + "=" + Self.percentEncode($0.1) }.joined(
          separator: "&")
    }
    guard let url = URL(string: text) else {
      throw KeyError(.usage, "cannot build a URL from base URL \(baseURL.absoluteString)")
    }
    return url
  }

  private static let unreserved = Set(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

  static func percentEncode(_ text: String) -> String {
    var result = ""
    for byte in text.utf8 {
      if unreserved.contains(byte) {
        result.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
      }
    }
    return result
  }

  private func checkCancelled() throws {
    if Task.isCancelled { throw KeyError(.interrupted, "interrupted", provider: provider) }
  }

  /// Builds the line only when `--verbose` asked for it; redacted, then blanked.
  private func log(_ line: @autoclosure () -> String) {
    guard let log = settings.log else { return }
    log(Untrusted.blank(redactor.redact("\(provider.rawValue): \(line())")))
  }

  private func pause(_ wait: Double, attempt: inout Int, reason: String) async throws {
    attempt += 1
    log(
      "retry \(attempt)/\(settings.retry.maxRetries) in \(Self.twoDecimals(wait)) s after \(reason)"
    )
    do {
      try await settings.sleep(wait)
    } catch {
      throw KeyError(.interrupted, "interrupted", provider: provider)
    }
  }

  private func networkError(_ failure: TransportFailure, idempotent: Bool) -> KeyError {
    let what: String
    switch failure {
    case .cancelled:
      return KeyError(
        .interrupted, "interrupted", provider: provider,
        hint: idempotent ? nil : Self.mayHaveHappened(provider))
    case .tooLarge(let limit, let status):
      // Not worth repeating: the same server would send the same flood.
      return KeyError(
        .badResponse,
        "\(provider.displayName) answered with more than \(Self.size(limit))"
          + (status.map { " (HTTP \($0))" } ?? "") + "; keyctl stopped reading",
        provider: provider, status: status,
        hint: idempotent
          ? "Check the base URL points at \(provider.displayName)'s API."
          : Self.mayHaveHappened(provider))
    case .timedOut: what = "no answer within \(Self.seconds(settings.timeout))"
    case .deadlineExceeded:
      return KeyError(
        .network,
        "\(provider.displayName) did not finish answering within "
          + "\(Self.seconds(settings.maxTime)) (--max-time)",
        provider: provider,
        hint: idempotent
          ? "Check the network and the base URL, or raise --max-time."
          : Self.mayHaveHappened(provider))
    case .connection(let reason): what = reason
    }
    return KeyError(
      .network, "\(provider.displayName) could not be reached at \(baseURL.host ?? "?"): \(what)",
      provider: provider,
      hint: idempotent
        ? "Check the network and the base URL, or raise --timeout."
        : Self.mayHaveHappened(provider))
  }

  /// The error for a 3xx keyctl did not follow: one without a `Location`, one
  /// answering a request that changes something (followed by no redirect, so
  /// it is sent once), one leaving the origin, or one URLSession does not follow.
  private func redirectError(_ response: HTTPResponse, to request: HTTPRequest, idempotent: Bool)
    -> KeyError
  {
    let status = response.status
    let name = provider.displayName
    let mayExist = idempotent ? nil : Self.mayHaveHappened(provider)
    func refused(_ message: String, hint: String) -> KeyError {
      KeyError(.network, message, provider: provider, status: status, hint: mayExist ?? hint)
    }
    guard let location = response.headers["location"], !location.isEmpty else {
      return refused(
        "\(name) answered HTTP \(status), a redirect without a Location header, so there is "
          + "nowhere to follow it", hint: "Check the base URL points at \(name)'s API.")
    }
    let target = serverText.header(location)
    let moved = "Point the base URL at the final address."
    if request.method != "GET" {
      return refused(
        "\(name) answered the \(request.method) with a redirect (HTTP \(status)) to \(target); "
          + "keyctl follows no redirect for a request that changes something, so it was sent once",
        hint: moved)
    }
    let destination = URL(string: location, relativeTo: request.url)
    if RedirectRule.follows(method: "GET", from: request.url, to: destination) {
      return refused(
        "\(name) answered HTTP \(status) (a redirect to \(target) keyctl does not follow)",
        hint: moved)
    }
    return refused(
      "\(name) redirected to \(target); keyctl does not send credentials across "
        + "a redirect that changes scheme, host or port", hint: moved)
  }

  private func httpError(
    _ response: HTTPResponse, to request: HTTPRequest, idempotent: Bool, attempts: Int
  ) -> KeyError {
    let status = response.status
    if (300..<400).contains(status) {
      return redirectError(response, to: request, idempotent: idempotent)
    }
    // Everything quoted from the server passes the one chokepoint: redacted,
    // blanked, bounded (a message at 300 characters, a request id at 128).
    let parsed = parseError(response.body)
    let requestID = serverText.requestID(parsed?.requestID) ?? headerRequestID(response)
    var message = parsed?.message.map(serverText.message) ?? serverText.excerpt(response.body)
    if message.isEmpty { message = "(empty body)" }
    let kind = KeyError.kind(forStatus: status)
    let hint = statusHint(kind, status: status, idempotent: idempotent, attempts: attempts)
    return KeyError(
      kind, "\(provider.displayName) answered HTTP \(status): \(message)", provider: provider,
      status: status, requestID: requestID, hint: hint)
  }

  /// The hint for a request that may have reached the provider and must not be repeated blindly.
  static func mayHaveHappened(_ provider: ProviderID) -> String {
    "The request may have reached \(provider.displayName), so the key may exist: check with "
      + "'keyctl list -p \(provider.rawValue)' before creating it again."
  }

  /// "16 MiB" for a whole number of mebibytes, else the bytes.
  private static func size(_ bytes: Int) -> String {
    bytes > 0 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
  }

  private static func seconds(_ value: Double) -> String {
    value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
