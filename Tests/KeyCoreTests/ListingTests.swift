import Foundation
import Testing

@testable import KeyCore

/// An in-memory provider: `count` keys in pages of `pageSize`, optionally slow or failing.
struct StubProvider: KeyProvider {
  let id: ProviderID
  let count: Int
  var pageSize = 10
  var delay: Double = 0
  var failure: KeyError?
  var gauge: Gauge?

  func page(at position: PagePosition, options: ListOptions) async throws -> Page {
    gauge?.enter()
    defer { gauge?.leave() }
    if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
    if let failure { throw failure }
    let start: Int
    switch position {
    case .start: start = 0
    case .token(let text): start = Int(text) ?? 0
    }
    let end = min(count, start + pageSize)
    let keys = (start..<end).map {
      ApiKey(
        provider: id, id: "\(id.rawValue)-\($0)", name: "key \($0)", createdAt: nil, raw: .null)
    }
    return Page(keys: keys, next: end < count ? .token(String(end)) : nil)
  }
}

/// Counts how many page requests are in flight at once.
final class Gauge: @unchecked Sendable {
  private let lock = NSLock()
  private var current = 0
  private(set) var peak = 0

  func enter() {
    lock.withLock {
      current += 1
      peak = max(peak, current)
    }
  }

  func leave() {
    lock.withLock { current -= 1 }
  }
}

@Suite struct ListingTests {
  func run(_ request: ListingRequest) async throws -> ([String], ListingResult) {
    var ids: [String] = []
    let result = try await Listing.run(request) { _, keys in ids += keys.map(\.id) }
    return (ids, result)
  }

  @Test func deliversProvidersInFixedOrderWhateverAnswersFirst() async throws {
    let providers: [any KeyProvider] = [
      StubProvider(id: .fal, count: 3, delay: 0.05), StubProvider(id: .px0, count: 2),
      StubProvider(id: .openrouter, count: 2, delay: 0.01),
    ]
    let (ids, result) = try await run(ListingRequest(providers: providers, options: ListOptions()))
    #expect(ids == ["fal-0", "fal-1", "fal-2", "px0-0", "px0-1", "openrouter-0", "openrouter-1"])
    #expect(result.nextCursor == nil)
    #expect(result.errors.isEmpty)
  }

  @Test func providersAreFetchedConcurrently() async throws {
    let gauge = Gauge()
    let providers: [any KeyProvider] = ProviderID.allCases.map {
      StubProvider(id: $0, count: 1, delay: 0.3, gauge: gauge)
    }
    _ = try await run(ListingRequest(providers: providers, options: ListOptions()))
    // Every provider's request was in flight at the same moment, not one after another.
    #expect(gauge.peak == ProviderID.allCases.count)
  }

  @Test(arguments: [1, 3, 7, 10, 11, 26])
  func limitAndCursorResumeWithNoGapsOrDuplicates(limit: Int) async throws {
    let providers: [any KeyProvider] = [
      StubProvider(id: .fal, count: 13, pageSize: 5), StubProvider(id: .cartesia, count: 0),
      StubProvider(id: .openrouter, count: 9, pageSize: 4),
    ]
    var all: [String] = []
    var cursor: PageCursor?
    var calls = 0
    repeat {
      let (ids, result) = try await run(
        ListingRequest(providers: providers, options: ListOptions(), limit: limit, cursor: cursor))
      #expect(ids.count <= limit)
      all += ids
      cursor = result.nextCursor
      if let token = cursor?.encoded() {
        cursor = try PageCursor.decode(
          token, providers: [.fal, .cartesia, .openrouter], filter: ListOptions().fingerprint)
      }
      calls += 1
    } while cursor != nil && calls < 100
    let expected = (0..<13).map { "fal-\($0)" } + (0..<9).map { "openrouter-\($0)" }
    #expect(all == expected)
  }

  @Test func aFailingProviderIsReportedAndTheOthersStillDelivered() async throws {
    let failure = KeyError(.server, "px0 answered HTTP 500", provider: .px0, status: 500)
    let providers: [any KeyProvider] = [
      StubProvider(id: .fal, count: 2), StubProvider(id: .px0, count: 2, failure: failure),
      StubProvider(id: .cartesia, count: 1),
    ]
    let (ids, result) = try await run(ListingRequest(providers: providers, options: ListOptions()))
    #expect(ids == ["fal-0", "fal-1", "cartesia-0"])
    #expect(result.errors == [failure])
  }

  @Test func theFilterAppliesBeforeTheLimit() async throws {
    let providers: [any KeyProvider] = [StubProvider(id: .fal, count: 30)]
    let (ids, result) = try await run(
      ListingRequest(
        providers: providers, options: ListOptions(), limit: 2,
        keep: { $0.name?.hasSuffix("5") == true }))
    #expect(ids == ["fal-5", "fal-15"])
    #expect(result.nextCursor != nil)
  }

  /// `nameContains` is applied by the listing: several values are OR, case
  /// is ignored, a key without a name never matches, and the filter runs
  /// before `limit` counts keys.
  @Test func theNameFilterKeepsKeysMatchingAnyValue() async throws {
    var options = ListOptions()
    options.nameContains = ["KEY 1", "ey 25"]
    let providers: [any KeyProvider] = [
      StubProvider(id: .fal, count: 30), StubProvider(id: .px0, count: 12),
    ]
    let (ids, _) = try await run(ListingRequest(providers: providers, options: options))
    #expect(
      ids == [
        "fal-1", "fal-10", "fal-11", "fal-12", "fal-13", "fal-14", "fal-15", "fal-16", "fal-17",
        "fal-18", "fal-19", "fal-25", "px0-1", "px0-10", "px0-11",
      ])
    let (limited, result) = try await run(
      ListingRequest(providers: providers, options: options, limit: 3))
    #expect(limited == ["fal-1", "fal-10", "fal-11"])
    // The cursor is bound to the name filter: other values, or none, are refused.
    let token = try #require(result.nextCursor).encoded()
    let resumed = try PageCursor.decode(
      token, providers: [.fal, .px0], filter: options.fingerprint)
    var other = options
    other.nameContains = ["key 1"]
    for filter in [ListOptions().fingerprint, other.fingerprint] {
      let error = #expect(throws: KeyError.self) {
        try PageCursor.decode(token, providers: [.fal, .px0], filter: filter)
      }
      #expect(error?.kind == .usage)
    }
    let (rest, _) = try await run(
      ListingRequest(providers: providers, options: options, cursor: resumed))
    #expect(limited + rest == ids)
  }

  @Test func aNameFilterNeverMatchesAKeyWithoutAName() {
    let filter = NameFilter([""])
    let unnamed = ApiKey(provider: .fal, id: "a", name: nil, createdAt: nil, raw: .null)
    let named = ApiKey(provider: .fal, id: "b", name: "Ünïcode — TEST", createdAt: nil, raw: .null)
    #expect(filter?.matches(unnamed) == false)
    #expect(filter?.matches(named) == true)
    #expect(NameFilter(["ünïcode — test"])?.matches(named) == true)
    #expect(NameFilter([]) == nil)
  }

  @Test func aWriterFailureStopsEverything() async throws {
    struct Closed: Error {}
    let providers: [any KeyProvider] = [
      StubProvider(id: .fal, count: 50), StubProvider(id: .px0, count: 5),
    ]
    await #expect(throws: Closed.self) {
      _ = try await Listing.run(ListingRequest(providers: providers, options: ListOptions())) {
        _, _ in
        throw Closed()
      }
    }
  }
}

@Suite struct PageSequenceTests {
  /// Serves the same keys at every position: a server whose offset never advances.
  struct Stuck: KeyProvider {
    let id = ProviderID.openrouter
    func page(at position: PagePosition, options: ListOptions) async throws -> Page {
      let offset = Int({ if case .token(let t) = position { t } else { "0" } }()) ?? 0
      let keys = (0..<3).map {
        ApiKey(provider: id, id: "k\($0)", name: nil, createdAt: nil, raw: .null)
      }
      return Page(keys: keys, next: .token(String(offset + 3)))
    }
  }

  @Test func aPageOfAlreadySeenKeysStops() async throws {
    let error = await #expect(throws: KeyError.self) { _ = try await collect(Stuck()) }
    #expect(error?.kind == .badResponse)
  }

  @Test func theCeilingStopsAServerThatNeverEnds() async throws {
    var pages = 0
    let error = await #expect(throws: KeyError.self) {
      for try await _ in PageSequence(
        provider: StubProvider(id: .fal, count: 1_000_000, pageSize: 1), options: ListOptions(),
        maxPages: 5)
      {
        pages += 1
      }
    }
    #expect(pages == 5)
    #expect(error?.message.contains("past 5") == true)
  }
}
