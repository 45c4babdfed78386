import Foundation

/// Everything every provider request shares, decided once per process.
///
/// The command line builds one of these; `ProviderClient` applies it to each
/// request, so adapters never repeat timeouts, retries, logging or User-Agent.
public struct ClientSettings: Sendable {
  /// Where requests go.
  public var transport: any HTTPTransport
  /// Seconds of silence before a request fails (`--timeout`).
  public var timeout: Double = 30
  /// Seconds one attempt may take from start to the body's last byte (`--max-time`).
  public var maxTime: Double = 300
  /// The largest response body accepted, counted after decompression.
  public var maxBodyBytes = HTTPRequest.defaultMaxBodyBytes
  /// The most connections to one provider (`--concurrency`, for the
  /// commands that run requests side by side).
  public var connectionLimit = HTTPRequest.defaultConnectionLimit
  /// When failed safe requests are repeated.
  public var retry = RetryPolicy()
  /// Sent with every request so providers can tell keyctl's traffic apart.
  public var userAgent = "keyctl"
  /// Receives one line per request, response and retry (`--verbose`); already redacted.
  public var log: (@Sendable (String) -> Void)?
  /// Waits between retries; tests replace it to run instantly.
  public var sleep: @Sendable (Double) async throws -> Void = { seconds in
    try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
  }
  /// The clock used for `Retry-After` dates and for deciding whether a key has expired.
  public var now: @Sendable () -> Date = { Date() }

  /// Creates settings around a transport, with the documented defaults.
  public init(transport: any HTTPTransport) {
    self.transport = transport
  }
}
