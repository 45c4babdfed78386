import KeyCore

/// Runs numbered jobs with at most `width` in flight and hands their results
/// over in input order, each as soon as every earlier one is done.
///
/// A bulk delete needs both: a bound on what it asks of a provider at once
/// (rate limits, and a failure must not be multiplied by thousands of requests
/// already sent), and output a script can read in the order it gave the keys,
/// streaming rather than all at the end. Once a provider answers one of the
/// jobs' requests with 429 or `Retry-After` (the run's `Throttle`, raised by
/// the client that saw it), no job starts while another is in flight: the run
/// goes on one at a time, as politely as a sequential loop. Once the task is
/// cancelled (Ctrl-C) no further job starts: the jobs in flight see the
/// cancellation themselves, and every job never started gets `skipped` — so
/// every index is delivered exactly once, in order, whatever happens.
enum Window {
  /// Runs `job(0..<count)` and calls `deliver` with each result in order.
  ///
  /// `deliver` runs on the calling task, one result at a time; if it throws
  /// (stdout is gone), no further job starts, the running ones are cancelled
  /// and the error is rethrown. `throttle` is the flag the jobs' requests
  /// raise (bound to them as `Throttle.current`); tests pass their own.
  static func run<Result: Sendable>(
    count: Int, width: Int, throttle: Throttle = Throttle(),
    job: @escaping @Sendable (Int) async -> Result,
    skipped: (Int) -> Result, deliver: (Int, Result) throws -> Void
  ) async throws {
    try await withThrowingTaskGroup(of: (Int, Result).self) { group in
      var started = 0
      var running = 0
      var delivered = 0
      var done: [Int: Result] = [:]
      /// Starts jobs while the window, narrowed to one once throttled, has room.
      func fill() {
        while started < count, !Task.isCancelled,
          running < (throttle.isRaised ? 1 : max(1, width))
        {
          let index = started
          group.addTask {
            (index, await Throttle.$current.withValue(throttle) { await job(index) })
          }
          started += 1
          running += 1
        }
      }
      fill()
      while let (index, result) = try await group.next() {
        running -= 1
        done[index] = result
        while let ready = done.removeValue(forKey: delivered) {
          try deliver(delivered, ready)
          delivered += 1
        }
        fill()
      }
      for index in started..<count { try deliver(index, skipped(index)) }
    }
  }
}
