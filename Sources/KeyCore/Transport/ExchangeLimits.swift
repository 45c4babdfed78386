import Foundation

/// The bytes of one response body, kept only while they fit under a limit.
///
/// The limit is counted on the bytes as they arrive after decompression, so a
/// small gzip bomb, a 2 GiB body or an endless chunked stream is stopped at the
/// limit instead of filling memory; a declared `Content-Length` over the limit
/// is refused before any of the body is read.
struct BoundedBody {
  /// The largest body kept, in bytes.
  let limit: Int
  /// What arrived so far.
  private(set) var data = Data()

  /// A body that holds at most `limit` bytes.
  init(limit: Int) {
    self.limit = limit
  }

  /// Whether a declared length (`Content-Length`; -1 when unknown) is already too much.
  func refuses(declaredLength: Int64) -> Bool {
    declaredLength > Int64(limit)
  }

  /// Appends a chunk, or returns false (and lets go of everything) when the
  /// body would pass the limit.
  mutating func append(_ chunk: Data) -> Bool {
    guard chunk.count <= limit - data.count else {
      data = Data()
      return false
    }
    data.append(chunk)
    return true
  }
}

/// The two clocks of one request: silence (`--timeout`, reset whenever bytes
/// arrive) and the whole exchange (`--max-time`, from the start of the attempt
/// to the last byte of the body), in nanoseconds of the monotonic clock.
struct ExchangeClock: Equatable {
  /// What the clock says at a moment.
  enum Verdict: Equatable {
    /// Nothing has expired; look again at this time.
    case checkAt(UInt64)
    /// Nothing arrived for `timeout` seconds.
    case silent
    /// The whole exchange took `maxTime` seconds.
    case overDeadline
  }

  /// When the attempt started.
  let started: UInt64
  /// Seconds of silence allowed.
  let timeout: Double
  /// Seconds the whole exchange may take.
  let maxTime: Double
  /// When bytes last arrived (or the start).
  var lastActivity: UInt64

  /// A clock for an attempt that starts at `started`.
  init(started: UInt64, timeout: Double, maxTime: Double) {
    self.started = started
    self.timeout = timeout
    self.maxTime = maxTime
    self.lastActivity = started
  }

  /// The verdict at `now`; the deadline wins when both have passed.
  func verdict(at now: UInt64) -> Verdict {
    let deadline = Self.adding(maxTime, to: started)
    let silence = Self.adding(timeout, to: lastActivity)
    if now >= deadline { return .overDeadline }
    if now >= silence { return .silent }
    return .checkAt(min(deadline, silence))
  }

  /// `base` plus `seconds`, saturating instead of overflowing.
  static func adding(_ seconds: Double, to base: UInt64) -> UInt64 {
    let nanos = seconds * 1_000_000_000
    guard nanos.isFinite, nanos >= 0 else { return nanos < 0 ? base : UInt64.max }
    guard nanos < Double(UInt64.max - base) else { return UInt64.max }
    return base + UInt64(nanos)
  }
}

/// Which redirects a request may follow.
///
/// Only a GET, and only to the same scheme, host and port: the credentials
/// never travel to a host the user did not name, and a request that changes
/// something (a create's POST, a PATCH, a DELETE) is sent exactly once — a 307
/// or 308 would repeat it, a 302 would turn it into a GET.
enum RedirectRule {
  /// Whether a request sent with `method` to `from` may be repeated at `to`.
  static func follows(method: String?, from: URL?, to: URL?) -> Bool {
    guard method?.uppercased() == "GET", let from, let to, let origin = Origin(from) else {
      return false
    }
    return Origin(to) == origin
  }

  /// Scheme, host and effective port, compared without regard to case.
  struct Origin: Equatable {
    /// `http` or `https`.
    let scheme: String
    /// The host, lower-cased.
    let host: String
    /// The port, or the scheme's default.
    let port: Int

    /// The origin of an http or https URL with a host; nil for anything else.
    init?(_ url: URL) {
      guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(),
        !host.isEmpty
      else { return nil }
      let defaultPort: Int
      switch scheme {
      case "http": defaultPort = 80
      case "https": defaultPort = 443
      default: return nil
      }
      self.scheme = scheme
      self.host = host
      self.port = url.port ?? defaultPort
    }
  }
}
