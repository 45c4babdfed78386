import Foundation

/// When and how long to wait before repeating a request.
///
/// Exponential backoff with full jitter (a random wait between zero and
/// `base * 2^attempt`, capped), so that many keyctl processes in CI do not retry
/// in step; a server's `Retry-After` or `retry-after-ms` wins when it is sent.
public struct RetryPolicy: Sendable, Equatable {
  /// Retries after the first attempt; 0 disables retrying.
  public var maxRetries: Int
  /// Seconds of the first backoff window.
  public var baseDelay: Double
  /// The longest backoff window in seconds.
  public var maxDelay: Double
  /// The longest server-requested wait keyctl honours; beyond it the error is reported instead.
  public var maxServerDelay: Double

  /// Creates a policy; the defaults are the documented ones.
  public init(
    maxRetries: Int = 3, baseDelay: Double = 0.5, maxDelay: Double = 20, maxServerDelay: Double = 60
  ) {
    self.maxRetries = maxRetries
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
    self.maxServerDelay = maxServerDelay
  }

  /// Statuses worth repeating a safe request for.
  public static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]

  /// The wait before retry number `attempt` (0-based), or nil when the server
  /// asked for longer than keyctl will wait.
  public func delay(
    attempt: Int, headers: [String: String], now: Date = Date(),
    random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }
  ) -> Double? {
    if let serverDelay = Self.serverDelay(headers: headers, now: now) {
      return serverDelay <= maxServerDelay ? serverDelay : nil
    }
    let window = min(maxDelay, baseDelay * pow(2, Double(attempt)))
    return random(0...window)
  }

  /// The wait a response asks for through `retry-after-ms` or `Retry-After`
  /// (seconds or an HTTP date).
  static func serverDelay(headers: [String: String], now: Date) -> Double? {
    if let millis = headers["retry-after-ms"].flatMap({
      Double($0.trimmingCharacters(in: .whitespaces))
    }),
      millis.isFinite, millis >= 0
    {
      return millis / 1000
    }
    guard let value = headers["retry-after"]?.trimmingCharacters(in: .whitespaces) else {
      return nil
    }
    // Infinity or NaN ("inf", "1e999") is no wait at all; it must not reach the sleep.
    if let seconds = Double(value) { return seconds.isFinite && seconds >= 0 ? seconds : nil }
    guard let date = HTTPDate.parse(value, now: now) else { return nil }
    return max(0, date.timeIntervalSince(now))
  }
}
