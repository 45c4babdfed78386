import Foundation
import Testing

/// OpenRouter's counters in the simulator's stats.
private func openRouterStats(_ sim: Simulator) async throws -> [String: Int] {
  let stats = try await sim.stats()
  let providers = stats["by_provider"] as? [String: Any]
  return (providers?["openrouter"] as? [String: Int]) ?? [:]
}

@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"), .serialized)
struct EndToEndConcurrentPagingTests {
  /// 1,234 seeded keys (about a thousand in the default workspace, over
  /// ten pages), each answer after 20–60 ms, so they overtake each other.
  static let arguments = ["--openrouter-keys", "1234", "--delay-ms", "20", "--jitter-ms", "40"]
  static let listing = [
    "list", "-p", "openrouter", "-o", "ndjson", "--include-disabled",
    "--include-expired",
  ]

  /// Several pages in flight print byte for byte what one page at a time
  /// prints, over at most W connections, with at most W requests at once
  /// and at most W − 1 more requests than pages.
  @Test(arguments: [nil, 2, 7] as [Int?])
  func theOutputIsByteIdenticalToOnePageAtATime(width: Int?) async throws {
    let sim = try await Simulator.start(Self.arguments)
    let environment = sim.environment(["openrouter"])
    let sequential = try await Keyctl.run(
      Self.listing + ["--concurrency", "1"], environment: environment)
    #expect(sequential.status == 0, "\(sequential.stderr)")
    // The default workspace's share of the seeded keys, in pages of 100.
    let keys = try sequential.lines().count
    #expect(keys > 500)
    let pages = try await openRouterStats(sim)["requests"] ?? 0
    #expect(pages == keys / 100 + 1)

    try await sim.reset()
    let window = width ?? 4
    let concurrent = try await Keyctl.run(
      Self.listing + (width.map { ["--concurrency", String($0)] } ?? []), environment: environment)
    #expect(concurrent.status == 0, "\(concurrent.stderr)")
    #expect(concurrent.stdout == sequential.stdout)
    #expect(concurrent.stderr == sequential.stderr)
    let stats = try await openRouterStats(sim)
    // At most W at once (the session's per-host limit is W). Over the whole run
    // FoundationNetworking's libcurl sometimes closes an idle kept-alive connection
    // and opens one later (seen at W = 7 under load): one more in the total.
    #expect((stats["connections"] ?? 0) <= window + 1, "\(stats)")
    #expect((stats["max_in_flight"] ?? 0) <= window, "\(stats)")
    #expect((stats["max_in_flight"] ?? 0) > 1, "\(stats)")
    #expect((stats["requests"] ?? 0) <= pages + window - 1, "\(stats)")
  }

  /// `audit` lists through the same window: the same findings as one page at a
  /// time, with more than one request in flight.
  @Test func anAuditThroughTheWindowFindsTheSame() async throws {
    let sim = try await Simulator.start(Self.arguments)
    let environment = sim.environment(["openrouter"])
    let audit = ["audit", "-p", "openrouter", "-o", "ndjson", "--as-of", "2026-06-01"]
    let sequential = try await Keyctl.run(audit + ["--concurrency", "1"], environment: environment)
    #expect(sequential.status == 9, "\(sequential.stderr)")
    #expect((try await openRouterStats(sim)["max_in_flight"] ?? 0) == 1)
    try await sim.reset()
    let concurrent = try await Keyctl.run(audit, environment: environment)
    #expect(concurrent.status == 9, "\(concurrent.stderr)")
    #expect(concurrent.stdout == sequential.stdout)
    #expect(try concurrent.lines().count > 10)
    let stats = try await openRouterStats(sim)
    #expect((stats["max_in_flight"] ?? 0) > 1, "\(stats)")
    #expect((stats["max_in_flight"] ?? 0) <= 4, "\(stats)")
  }

  /// `--limit` stops inside the window; the cursor resumes at the first key
  /// not printed, and the two parts are the whole listing.
  @Test func aCursorTakenMidWindowResumesExactly() async throws {
    let sim = try await Simulator.start(Self.arguments)
    let environment = sim.environment(["openrouter"])
    let whole = try await Keyctl.run(
      Self.listing + ["--concurrency", "1"], environment: environment)
    let first = try await Keyctl.run(
      Self.listing + ["--limit", "250", "--concurrency", "6"], environment: environment)
    #expect(first.status == 0, "\(first.stderr)")
    let cursor = try #require(
      first.stderr.split(separator: "\n").first { $0.hasPrefix("next_cursor: ") }?
        .dropFirst("next_cursor: ".count))
    let rest = try await Keyctl.run(
      Self.listing + ["--cursor", String(cursor), "--concurrency", "6"], environment: environment)
    #expect(rest.status == 0, "\(rest.stderr)")
    #expect(try first.lines().count == 250)
    #expect(first.stdout + rest.stdout == whole.stdout)
  }

  /// A sequential provider keeps to one connection, whatever the window.
  @Test func cursorPagingKeepsOneConnection() async throws {
    let sim = try await Simulator.start(["--fal-keys", "450", "--delay-ms", "5"])
    let result = try await Keyctl.run(
      ["list", "-p", "fal", "-o", "ndjson", "--concurrency", "8"],
      environment: sim.environment(["fal"]))
    #expect(result.status == 0, "\(result.stderr)")
    let stats = try await sim.stats()
    let fal = (stats["by_provider"] as? [String: Any])?["fal"] as? [String: Int]
    #expect(fal?["connections"] == 1, "\(stats)")
    #expect(fal?["max_in_flight"] == 1, "\(stats)")
  }
}
