import Foundation
import KeyCore
import Testing

@testable import keyctl

/// OpenRouter answering deletes after a short wait, and 429 (`Retry-After: 0`)
/// to the first delete of `throttled`; it notes how many deletes were in
/// flight as each started, and whether the throttled delete had been retried
/// by then (the client raises the throttle before it retries, so a delete
/// started later was started by a window that knew).
final class ThrottlingDeletes: HTTPTransport, @unchecked Sendable {
  /// The id whose first delete is answered 429.
  let throttled: String
  /// The first this many deletes wait (up to 5 s) until this many are in
  /// flight, so a loaded machine cannot finish one before the window is full.
  let gate: Int
  private let lock = NSLock()
  private var running = 0
  private var peak = 0
  private var retried = false
  private var starts: [(id: String, inFlight: Int, afterThrottle: Bool)] = []

  /// Answers 429 to the first delete of `throttled`; see `gate`.
  init(throttled: String, gate: Int) {
    self.throttled = throttled
    self.gate = gate
  }

  /// Every delete sent: its id, the deletes in flight as it started (itself
  /// included), and whether the throttled delete's retry had started before it.
  var sent: [(id: String, inFlight: Int, afterThrottle: Bool)] { lock.withLock { starts } }
  /// The most deletes in flight at once.
  var mostInFlight: Int { lock.withLock { peak } }

  func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    let id = String(request.url.lastPathComponent)
    let (first, gated) = lock.withLock { () -> (Bool, Bool) in
      let first = !starts.contains { $0.id == id }
      running += 1
      peak = max(peak, running)
      starts.append((id, running, retried))
      if id == throttled, !first { retried = true }
      return (first, starts.count <= gate)
    }
    defer { lock.withLock { running -= 1 } }
    let deadline = Date().addingTimeInterval(5)
    while gated, lock.withLock({ peak < gate }), Date() < deadline {
      try await Task.sleep(nanoseconds: 1_000_000)
    }
    try await Task.sleep(nanoseconds: 3_000_000)
    let json = ["Content-Type": "application/json"]
    if id == throttled, first {
      return HTTPResponse(
        status: 429, headers: json.merging(["Retry-After": "0"]) { $1 },
        body: Data(#"{"error":{"code":429,"message":"Rate limit exceeded"}}"#.utf8))
    }
    return HTTPResponse(status: 200, headers: json, body: Data(#"{"deleted":true}"#.utf8))
  }
}

@Suite struct DeleteThrottleTests {
  /// Up to N deletes run at once until OpenRouter answers one with 429; from
  /// then on (the throttled key retried as always) a delete starts only when
  /// no other is in flight, and every key is still deleted, in input order.
  /// (Without the throttle nearly every later delete would share the window.)
  @Test(arguments: [4, 8])
  func a429LeavesOneDeleteInFlight(width: Int) async throws {
    let transport = ThrottlingDeletes(throttled: "k6", gate: width)
    let ids = (1...30).map { "k\($0)" }
    let outcome = await TestCLI.run(
      ["delete", "-p", "openrouter", "--yes", "-o", "ndjson", "--concurrency", String(width)] + ids,
      environment: [
        "OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-management-0123456789",
        "KEYCTL_OPENROUTER_BASE_URL": "https://openrouter.test/api/v1",
      ], transport: transport)
    #expect(outcome.code == 0, "\(outcome.stderr)")
    let lines = try JSONOutput.lines(outcome.stdout)
    #expect(lines.map { $0["id"] as? String } == ids)
    #expect(lines.allSatisfy { $0["result"] as? String == "deleted" })
    #expect(transport.mostInFlight == width)
    // Deletes sent after the throttled one's retry went alone, except those
    // the window had started before the 429 and that reached the transport
    // late (at most width - 1 besides the throttled one).
    let later = transport.sent.filter { $0.afterThrottle && $0.id != "k6" }
    let crowded = later.filter { $0.inFlight > 1 }
    #expect(crowded.count <= width - 1, "\(crowded.map(\.id))")
    #expect(later.count - crowded.count >= 30 - 6 - 2 * width)
  }
}
