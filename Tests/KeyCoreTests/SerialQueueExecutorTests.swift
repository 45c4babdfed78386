import Dispatch
import Foundation
import Testing

@testable import KeyCore

/// A provider that records, for every page it serves, whether it ran on `queue`.
private final class QueueRecordingProvider: KeyProvider, @unchecked Sendable {
  let id = ProviderID.fal
  let queueExecutor: SerialQueueExecutor
  private let key = DispatchSpecificKey<Bool>()
  private let lock = NSLock()
  private var onQueue: [Bool] = []

  init() {
    queueExecutor = SerialQueueExecutor(queue: DispatchQueue(label: "test.provider"))
    queueExecutor.queue.setSpecific(key: key, value: true)
  }

  var executor: (any TaskExecutor)? { queueExecutor }

  var pagesOnQueue: [Bool] { lock.withLock { onQueue } }

  func page(at position: PagePosition, options: ListOptions) async throws -> Page {
    // Resumed from another thread, as a response would be.
    await withCheckedContinuation { continuation in
      DispatchQueue.global().async { continuation.resume() }
    }
    let here = DispatchQueue.getSpecific(key: key) ?? false
    lock.withLock { onQueue.append(here) }
    let index = position == .start ? 0 : 1
    let key = ApiKey(provider: id, id: "k\(index)", name: nil, createdAt: nil, raw: .null)
    return Page(keys: [key], next: index == 0 ? .token("1") : nil)
  }

  func create(_ request: CreateRequest) async throws -> CreatedKey {
    throw KeyError(.unsupported, "test")
  }
}

@Suite struct SerialQueueExecutorTests {
  @Test func aListingFetchesOnTheProvidersExecutorAfterEveryResumption() async throws {
    let provider = QueueRecordingProvider()
    var ids: [String] = []
    _ = try await Listing.run(ListingRequest(providers: [provider], options: ListOptions())) {
      _, keys in ids += keys.map(\.id)
    }
    #expect(ids == ["k0", "k1"])
    #expect(provider.pagesOnQueue == [true, true])
  }

  @Test func aTaskWithoutThePreferenceDoesNotRunThere() async {
    let executor = SerialQueueExecutor(queue: DispatchQueue(label: "test.other"))
    let key = DispatchSpecificKey<Bool>()
    executor.queue.setSpecific(key: key, value: true)
    await withCheckedContinuation { continuation in
      DispatchQueue.global().async { continuation.resume() }
    }
    #expect(DispatchQueue.getSpecific(key: key) == nil)
  }

  @Test func theTransportHasOneExecutorPerConnectionGroup() throws {
    let transport = URLSessionTransport()
    let fal = try #require(transport.executor(for: "fal"))
    let again = try #require(transport.executor(for: "fal"))
    let px0 = try #require(transport.executor(for: "px0"))
    #expect(fal === again)
    #expect(fal !== px0)
  }
}
