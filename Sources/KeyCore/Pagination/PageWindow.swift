import Foundation

/// The pages of an offset listing asked for ahead of the one the listing
/// needs next: up to `width` requests in flight, each page still handed out
/// in the listing's order.
///
/// Where the provider can name the page after a full one from its position
/// alone (`KeyProvider.positionAfterFullPage`: OpenRouter's offset plus 100),
/// page N+1 need not wait for page N's answer. Once the listing's first page
/// is in (it is asked for alone), the window asks for the next page and the
/// `width - 1` after it; each time the listing takes a page, the window moves
/// on by one. What goes out stays as polite and exact as a
/// sequential listing:
/// - every page handed out is the one a sequential listing would have asked
///   for next (`page(at:)` gets the position the previous page's own answer
///   named; if that is not the predicted one, everything ahead is dropped and
///   the window starts again there);
/// - once a page proves the end (a short page) or fails, nothing beyond it is
///   asked for, and what is already in flight beyond it is cancelled and never
///   handed out: at most `width - 1` requests more than a sequential listing;
/// - once the provider asks to slow down (429, `Retry-After`: its `Throttle`),
///   a request is started only when none is in flight, for the rest of the listing.
///
/// Owned by one iterator, used from one task at a time; its requests run as
/// tasks of their own, cancelled when it goes away (the listing stopped early:
/// `--limit`, a closed pipe, Ctrl-C).
final class PageWindow {
  /// One page asked for: its place in the chain, where it is, its request.
  private struct Slot {
    let sequence: Int
    let position: PagePosition
    let task: Task<Page, any Error>
  }

  /// Shared with the requests: the first page known to end the listing.
  private final class Horizon: @unchecked Sendable {
    private let lock = NSLock()
    private var end: Int?

    /// The sequence number of the first page that ended or failed, if any yet.
    var value: Int? { lock.withLock { end } }

    /// Records that page `sequence` ended the listing (or failed).
    func mark(_ sequence: Int) {
      lock.withLock { end = min(end ?? sequence, sequence) }
    }
  }

  private let provider: any KeyProvider
  private let options: ListOptions
  private let width: Int
  /// Raised by the client when the provider asks to slow down.
  let throttle = Throttle()
  /// The pages asked for and not yet handed out, in order.
  private var slots: [Slot] = []
  /// The next sequence number; never reused, so a restarted chain cannot
  /// be confused with the one it replaced.
  private var nextSequence = 0
  private var horizon = Horizon()

  /// A window of `width` requests over `provider`'s pages.
  init(provider: any KeyProvider, options: ListOptions, width: Int) {
    self.provider = provider
    self.options = options
    self.width = max(1, width)
  }

  deinit {
    for slot in slots { slot.task.cancel() }
  }

  /// The page at `position` (the one the listing needs next), after starting
  /// requests for the pages predicted to follow it; `allowed` is how many
  /// pages the listing may still fetch, this one included (its page ceiling).
  func page(at position: PagePosition, allowed: Int) async throws -> Page {
    if slots.first?.position != position { restart() }
    fill(from: position, allowed: allowed)
    let head = slots.removeFirst()
    return try await withTaskCancellationHandler {
      try await head.task.value
    } onCancel: {
      head.task.cancel()
    }
  }

  /// Cancels every request still out: the listing has what it needs.
  func cancelAll() {
    for slot in slots { slot.task.cancel() }
    slots.removeAll()
  }

  // MARK: - Private

  /// Drops the chain (a page's answer named another position than predicted).
  private func restart() {
    cancelAll()
    horizon = Horizon()
  }

  /// Starts requests until `width` (1 once throttled) pages are out, none
  /// beyond a page known to end the listing, none beyond `allowed`.
  private func fill(from position: PagePosition, allowed: Int) {
    if let end = horizon.value {
      for slot in slots where slot.sequence > end { slot.task.cancel() }
      slots.removeAll { $0.sequence > end }
    }
    if slots.isEmpty {
      start(position)
    }
    let room = throttle.isRaised ? 1 : width
    while slots.count < min(room, allowed), let last = slots.last {
      if let end = horizon.value, last.sequence >= end { break }
      guard let next = provider.positionAfterFullPage(at: last.position, options: options) else {
        break
      }
      start(next)
    }
  }

  /// Asks for the page at `position` in a task of its own, bound to the throttle.
  private func start(_ position: PagePosition) {
    let sequence = nextSequence
    nextSequence += 1
    let provider = provider
    let options = options
    let throttle = throttle
    let horizon = horizon
    let task = Task<Page, any Error> {
      do {
        let page = try await Throttle.$current.withValue(throttle) {
          try await provider.page(at: position, options: options)
        }
        if page.next == nil { horizon.mark(sequence) }
        return page
      } catch {
        horizon.mark(sequence)
        throw error
      }
    }
    slots.append(Slot(sequence: sequence, position: position, task: task))
  }
}
