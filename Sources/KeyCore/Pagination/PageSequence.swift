/// A page as the paginator hands it out: the keys plus the position it was
/// fetched at, which is what a resumable cursor records.
public struct FetchedPage: Sendable {
  /// The position this page was requested at.
  public var position: PagePosition
  /// The page's keys, without any the listing already returned.
  public var keys: [ApiKey]
  /// The next page's position, or nil at the end.
  public var next: PagePosition?
}

/// Every page of one provider's listing, handed out in order.
///
/// Pages are fetched one at a time, except where the provider can name the
/// next page from the position alone (OpenRouter's offsets) and
/// `options.concurrency` is above 1: then up to that many are asked for at
/// once (`PageWindow`), and handed out exactly as a sequential listing would.
///
/// It stops with an error instead of looping when a provider hands back a
/// position it already gave, when a page holds only keys already seen, when a
/// page brings no new key but says more follow (an empty page with a fresh
/// cursor would otherwise be followed forever), or when the listing runs past
/// `maxPages`. A key repeated next to new ones (an offset
/// listing shifted by a key created meanwhile) is dropped, so every key is
/// returned once.
public struct PageSequence: AsyncSequence, Sendable {
  /// The sequence's element.
  public typealias Element = FetchedPage

  /// The provider to page through.
  public let provider: any KeyProvider
  /// Where to begin.
  public let start: PagePosition
  /// Filters and page size.
  public let options: ListOptions
  /// A ceiling that protects against a server that never ends.
  public let maxPages: Int

  /// Creates the sequence; nothing is fetched until iteration.
  public init(
    provider: any KeyProvider, start: PagePosition = .start, options: ListOptions,
    maxPages: Int = 100_000
  ) {
    self.provider = provider
    self.start = start
    self.options = options
    self.maxPages = maxPages
  }

  /// Makes the iterator.
  public func makeAsyncIterator() -> Iterator {
    Iterator(sequence: self)
  }

  /// Fetches the next page on demand.
  public struct Iterator: AsyncIteratorProtocol {
    private let sequence: PageSequence
    private var position: PagePosition?
    /// Every position fetched so far: a repeat is a loop.
    private var positionsSeen: Set<PagePosition> = []
    /// The ids seen so far, kept whole: two different ids with the same hash must
    /// both be listed (hashes are seeded per process, so a collision would drop
    /// a different key on each run). Compact: a long listing keeps them all.
    private var idsSeen = KeyIDSet()
    /// Pages fetched so far, against `maxPages`.
    private var pages = 0
    /// The pages asked for ahead, for a windowed offset listing; nil when
    /// pages are fetched one at a time.
    private let window: PageWindow?

    /// Starts at the sequence's start position.
    init(sequence: PageSequence) {
      self.sequence = sequence
      self.position = sequence.start
      let width = sequence.options.concurrency
      let windowed =
        width > 1
        && sequence.provider.positionAfterFullPage(
          at: sequence.start, options: sequence.options) != nil
      self.window =
        windowed
        ? PageWindow(provider: sequence.provider, options: sequence.options, width: width) : nil
    }

    /// Returns the next page, or nil after the last one.
    public mutating func next() async throws -> FetchedPage? {
      guard let current = position else { return nil }
      let provider = sequence.provider
      let name = provider.id.displayName
      guard positionsSeen.insert(current).inserted else {
        throw KeyError(
          .badResponse,
          "\(name) returned a page position it had already returned; stopping instead of looping",
          provider: provider.id, hint: "This is a provider bug; try again later.")
      }
      guard pages < sequence.maxPages else {
        throw KeyError(
          .badResponse, "\(name) kept returning pages past \(sequence.maxPages); stopping",
          provider: provider.id)
      }
      pages += 1
      let page: Page
      // The first page alone: most accounts fit in one, and a provider that
      // refuses the call (credentials, a rate limit) is asked once, as before.
      if let window, pages > 1 {
        page = try await window.page(at: current, allowed: sequence.maxPages - pages + 1)
      } else {
        page = try await provider.page(at: current, options: sequence.options)
      }
      // The listing's last page: whatever was asked for beyond it is not needed.
      if page.next == nil { window?.cancelAll() }
      var fresh: [ApiKey] = []
      fresh.reserveCapacity(page.keys.count)
      for key in page.keys where idsSeen.insert(key.id) {
        fresh.append(key)
      }
      if fresh.isEmpty, !page.keys.isEmpty {
        throw KeyError(
          .badResponse,
          "\(name) returned a page of keys it had already returned; stopping instead of looping",
          provider: provider.id, hint: "This is a provider bug; try again later.")
      }
      if page.keys.isEmpty, page.next != nil {
        // A listing only ends on a page that says so; an empty page that says more
        // follow, with a new position each time, could go on without end.
        throw KeyError(
          .badResponse,
          "\(name) returned a page with no keys that says more follow; stopping instead of "
            + "following it (the listing may be incomplete)",
          provider: provider.id, hint: "This is a provider bug; try again later.")
      }
      position = page.next
      return FetchedPage(position: current, keys: fresh, next: page.next)
    }
  }
}
