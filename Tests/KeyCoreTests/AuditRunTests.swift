import Foundation
import Testing

@testable import KeyCore

/// `--as-of 2026-04-03`, midnight UTC.
private let asOf = Date(timeIntervalSince1970: 1_775_174_400)
private let day: TimeInterval = 86_400

/// The options each provider was asked to list with.
private final class OptionsLog: @unchecked Sendable {
  private let lock = NSLock()
  private var seen: [ProviderID: [ListOptions]] = [:]

  func record(_ id: ProviderID, _ options: ListOptions) {
    lock.withLock { seen[id, default: []].append(options) }
  }

  func options(of id: ProviderID) -> [ListOptions] {
    lock.withLock { seen[id] ?? [] }
  }
}

/// A provider whose pages hold keys created `ages` days before `asOf`, page
/// by page; it fails at page `failAt` when that is set.
private struct AgedProvider: KeyProvider {
  let id: ProviderID
  let pages: [[Double]]
  var failAt: Int?
  var log: OptionsLog?

  func page(at position: PagePosition, options: ListOptions) async throws -> Page {
    log?.record(id, options)
    let index: Int
    switch position {
    case .start: index = 0
    case .token(let text): index = Int(text) ?? 0
    }
    if index == failAt {
      throw KeyError(.server, "\(id) answered HTTP 500", provider: id, status: 500)
    }
    let keys = pages[index].enumerated().map { offset, age in
      ApiKey(
        provider: id, id: "\(id.rawValue)-\(index)-\(offset)", name: "k",
        createdAt: asOf.addingTimeInterval(-age * day), raw: .null)
    }
    return Page(keys: keys, next: index + 1 < pages.count ? .token(String(index + 1)) : nil)
  }
}

@Suite struct AuditRunTests {
  /// The audit lists with the filters its rules need: OpenRouter's disabled
  /// and expired keys (what `disabled` and `expired` look for), fal without
  /// `expand=creator_info` (no rule reads it), no name filter; the workspace
  /// is passed on.
  @Test func theListingIncludesDisabledAndExpiredKeysAndNothingElse() async throws {
    let log = OptionsLog()
    let providers: [any KeyProvider] = [
      AgedProvider(id: .fal, pages: [[1]], log: log),
      AgedProvider(id: .openrouter, pages: [[1], [2]], log: log),
    ]
    let workspace = "6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
    _ = try await Audit.run(
      AuditRequest(providers: providers, asOf: asOf, workspaceID: workspace)
    ) { _ in }
    let asked = log.options(of: .fal) + log.options(of: .openrouter)
    #expect(asked.count == 3)
    for options in asked {
      #expect(options.includeDisabled && options.includeExpired)
      #expect(!options.expandCreator)
      #expect(options.nameContains.isEmpty && options.query == nil)
      #expect(options.workspaceID == workspace)
    }
  }

  /// Each page's findings are handed over as that page arrives, with the
  /// page's keys; nothing is held back for the end.
  @Test func findingsAreDeliveredPageByPage() async throws {
    let providers: [any KeyProvider] = [
      AgedProvider(id: .fal, pages: [[100, 10, 91], [89, 365]]),
      AgedProvider(id: .cartesia, pages: [[5]]),
    ]
    var batches: [(ProviderID, Int, [String])] = []
    let result = try await Audit.run(AuditRequest(providers: providers, asOf: asOf)) { batch in
      batches.append((batch.provider, batch.keys.count, batch.findings.map(\.id)))
    }
    #expect(batches.map(\.0) == [.fal, .fal, .cartesia])
    #expect(batches.map(\.1) == [3, 2, 1])
    #expect(batches.map(\.2) == [["fal-0-0", "fal-0-2"], ["fal-1-1"], []])
    #expect(result.findings == 3)
    #expect(result.checked == [.fal: 5, .cartesia: 1])
    #expect(result.errors.isEmpty)
  }

  /// `checked` counts a failed provider's keys up to its failure, and 0 for
  /// one that failed at once; the others are checked in full.
  @Test func checkedCountsAFailedProvidersKeysBeforeItFailed() async throws {
    let providers: [any KeyProvider] = [
      AgedProvider(id: .fal, pages: [[100, 100], [100], [100]], failAt: 2),
      AgedProvider(id: .px0, pages: [[100]], failAt: 0),
      AgedProvider(id: .cartesia, pages: [[100, 1]]),
    ]
    let result = try await Audit.run(AuditRequest(providers: providers, asOf: asOf)) { _ in }
    #expect(result.checked == [.fal: 3, .px0: 0, .cartesia: 2])
    #expect(result.findings == 4)
    #expect(result.errors.map(\.provider) == [.fal, .px0])
  }

  /// The thresholds and rules of the request are the ones applied.
  @Test func thresholdsAndRulesAreApplied() async throws {
    let providers: [any KeyProvider] = [AgedProvider(id: .fal, pages: [[10, 5, 2]])]
    var findings: [Finding] = []
    let request = AuditRequest(
      providers: providers, asOf: asOf, thresholds: AuditThresholds(maxAgeDays: 4))
    _ = try await Audit.run(request) { findings += $0.findings }
    #expect(findings.map(\.id) == ["fal-0-0", "fal-0-1"])
    var none = request
    none.rules = [.expired, .unused]
    let result = try await Audit.run(none) { _ in }
    #expect(result.findings == 0)
    #expect(result.checked == [.fal: 3])
  }

  /// A writer that cannot write (a closed pipe) stops the audit: its error
  /// comes back, not a provider's.
  @Test func aDeliveryFailureStopsTheAudit() async {
    struct Closed: Error {}
    let providers: [any KeyProvider] = [AgedProvider(id: .fal, pages: [[100], [100], [100]])]
    var calls = 0
    await #expect(throws: Closed.self) {
      _ = try await Audit.run(AuditRequest(providers: providers, asOf: asOf)) { _ in
        calls += 1
        throw Closed()
      }
    }
    #expect(calls == 1)
  }

  @Test func findingsExitCodeIsNine() {
    #expect(Audit.findingsExitCode == 9)
    #expect(!KeyError.Kind.allCases.contains { KeyError($0, "").exitCode == 9 })
  }
}
