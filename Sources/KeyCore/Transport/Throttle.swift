import Foundation

/// A flag a provider raises by asking keyctl to slow down: an answer of 429,
/// or any answer carrying `Retry-After` (or `retry-after-ms`).
///
/// Work that runs several requests at once (offset paging, a bulk delete)
/// makes one, binds it to its requests with `Throttle.$current`, and reads it
/// before starting another request: once raised, it runs one at a time for the
/// rest of the run. A task-local keeps the seam out of every signature: the
/// client that sees the answer and the scheduler that starts requests need not
/// know each other, and requests run outside such work raise nothing.
public final class Throttle: @unchecked Sendable {
  /// Guards `raised`; requests in flight raise it from any thread.
  private let lock = NSLock()
  private var raised = false

  /// The throttle of the work the current task's requests belong to, if any.
  @TaskLocal public static var current: Throttle?

  /// Creates a flag that is not raised.
  public init() {}

  /// Whether a provider has asked to slow down since this flag was made.
  public var isRaised: Bool { lock.withLock { raised } }

  /// Records that a provider asked to slow down; it stays raised.
  public func raise() { lock.withLock { raised = true } }

  /// Whether an answer asks the client to slow down: a 429, or a wait the
  /// server names, whatever the status.
  static func asksToSlowDown(_ response: HTTPResponse) -> Bool {
    response.status == 429 || response.headers["retry-after"] != nil
      || response.headers["retry-after-ms"] != nil
  }
}
