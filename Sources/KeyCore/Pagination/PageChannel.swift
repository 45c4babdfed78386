/// A hand-off of pages from one provider's fetching task to the writer.
///
/// With a small capacity the fetcher waits for the writer, so streaming a huge
/// listing keeps only a few pages in memory; with an unbounded one a provider
/// further down the output order keeps fetching while earlier ones are written,
/// which is what makes a fan-out take as long as its slowest provider.
actor PageChannel {
  private let capacity: Int
  private var buffer: [FetchedPage] = []
  private var head = 0
  private var ending: Result<Void, any Error>?
  private var closed = false
  private var receiver: CheckedContinuation<FetchedPage?, any Error>?
  private var sender: CheckedContinuation<Void, Never>?

  init(capacity: Int) {
    self.capacity = max(1, capacity)
  }

  /// Hands a page over, waiting while the buffer is full; false once the reader has gone.
  func send(_ page: FetchedPage) async -> Bool {
    if closed { return false }
    if let waiting = receiver {
      receiver = nil
      waiting.resume(returning: page)
      return true
    }
    buffer.append(page)
    if buffer.count - head >= capacity {
      await withCheckedContinuation { sender = $0 }
    }
    return !closed
  }

  /// Marks the end of the pages, with the error that ended them if any.
  func finish(_ error: (any Error)?) {
    guard ending == nil else { return }
    ending = error.map { .failure($0) } ?? .success(())
    if let waiting = receiver {
      receiver = nil
      deliverEnding(to: waiting)
    }
  }

  /// The next page, nil at the end, or the error that ended the listing.
  func receive() async throws -> FetchedPage? {
    if head < buffer.count {
      let page = buffer[head]
      head += 1
      if head == buffer.count {
        buffer.removeAll(keepingCapacity: true)
        head = 0
      }
      if let waiting = sender {
        sender = nil
        waiting.resume()
      }
      return page
    }
    if let ending {
      if case .failure(let error) = ending { throw error }
      return nil
    }
    return try await withCheckedThrowingContinuation { receiver = $0 }
  }

  /// The reader stops listening: a waiting sender is released and told to stop.
  func close() {
    closed = true
    buffer.removeAll()
    head = 0
    sender?.resume()
    sender = nil
  }

  private func deliverEnding(to continuation: CheckedContinuation<FetchedPage?, any Error>) {
    if case .failure(let error) = ending {
      continuation.resume(throwing: error)
    } else {
      continuation.resume(returning: nil)
    }
  }
}
