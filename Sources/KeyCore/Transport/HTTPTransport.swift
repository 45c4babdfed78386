import Foundation

/// One HTTP request, as the transport seam sees it.
public struct HTTPRequest: Sendable {
  /// `GET`, `POST`, …
  public var method: String
  /// The absolute URL.
  public var url: URL
  /// Header fields in the order they are sent.
  public var headers: [(name: String, value: String)]
  /// The request body, if any.
  public var body: Data?
  /// Seconds of silence after which the request fails (`--timeout`).
  public var timeout: Double
  /// Seconds the whole exchange may take, reading the body included (`--max-time`):
  /// a server that trickles bytes never trips the silence timeout, so this is what
  /// stops it.
  public var maxTime: Double
  /// The largest response body accepted, in bytes after decompression.
  public var maxBodyBytes: Int
  /// Requests of one group share kept-alive connections, and no others: keyctl
  /// names the provider, so each provider pages over a connection of its own.
  public var connectionGroup: String
  /// The most connections the group may hold open at once (the call's
  /// `--concurrency`): a window of W requests then never uses more than W
  /// connections, even when a finished request's connection is not yet back
  /// in the pool as the next one starts. Fixed by the group's first request.
  public var connectionLimit: Int

  /// Creates a request.
  public init(
    method: String, url: URL, headers: [(name: String, value: String)] = [], body: Data? = nil,
    timeout: Double = 30, maxTime: Double = 300,
    maxBodyBytes: Int = HTTPRequest.defaultMaxBodyBytes, connectionGroup: String = "",
    connectionLimit: Int = HTTPRequest.defaultConnectionLimit
  ) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
    self.timeout = timeout
    self.maxTime = maxTime
    self.maxBodyBytes = maxBodyBytes
    self.connectionGroup = connectionGroup
    self.connectionLimit = connectionLimit
  }

  /// 16 MiB: far more than any page of keys, far less than what hurts a CI runner.
  public static let defaultMaxBodyBytes = 16 << 20

  /// The most requests keyctl runs at once to one provider (`--concurrency`
  /// goes up to this, and so does a connection limit).
  public static let maxConcurrency = 64

  /// The connections a group may use when the call names no window.
  public static let defaultConnectionLimit = 4

  /// The value of a header, matched without regard to case.
  public func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }
}

/// One HTTP response: status, headers (names lower-cased) and the whole body.
public struct HTTPResponse: Sendable {
  /// The HTTP status code.
  public var status: Int
  /// Header fields keyed by lower-cased name.
  public var headers: [String: String]
  /// The body bytes.
  public var body: Data

  /// Creates a response; header names are lower-cased here so lookups need not care.
  public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
    self.status = status
    self.headers = Dictionary(
      headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    self.body = body
  }
}

/// Why a request got no HTTP response at all.
public enum TransportFailure: Error, Sendable, Equatable {
  /// No byte arrived within the timeout.
  case timedOut
  /// The exchange was still going at its whole-request deadline (`--max-time`).
  case deadlineExceeded
  /// The response body was larger than the limit (a declared length, or the
  /// bytes counted after decompression); `status` is the response's, when it arrived.
  case tooLarge(limit: Int, status: Int?)
  /// The connection could not be made or was dropped; the text says how.
  case connection(String)
  /// The caller cancelled the request (Ctrl-C).
  case cancelled
}

/// The seam between keyctl and the network: one async call.
///
/// The real implementation wraps `URLSession`; tests substitute a mock that
/// fails loudly on any request they did not expect. Everything that must happen
/// to every request (auth, User-Agent, retries, logging, redaction) wraps this
/// once in `ProviderClient` rather than in each adapter.
public protocol HTTPTransport: Sendable {
  /// Sends a request and returns whatever status the server answered with.
  /// Throws `TransportFailure` when no response arrived.
  func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
