import Foundation
import Testing

@testable import KeyCore

/// The pieces the real transport bounds a server with: the body limit, the two
/// clocks and the redirect rule; and the errors `ProviderClient` makes of them.
@Suite struct TransportHardeningTests {
  // MARK: - BoundedBody

  @Test func aBodyIsKeptUpToItsLimitAndDroppedPastIt() {
    var body = BoundedBody(limit: 10)
    let first = body.append(Data(repeating: 1, count: 4))
    let second = body.append(Data(repeating: 2, count: 6))
    #expect(first && second)
    #expect(body.data.count == 10)
    let third = body.append(Data([3]))
    #expect(!third)
    #expect(body.data.isEmpty, "a refused body must let go of what it held")
  }

  @Test(arguments: [
    (Int64(-1), false), (Int64(0), false), (Int64(16 << 20), false), (Int64(16 << 20) + 1, true),
    (Int64(2) << 30, true), (Int64.max, true),
  ])
  func aDeclaredLengthOverTheLimitIsRefused(_ length: Int64, _ refused: Bool) {
    #expect(BoundedBody(limit: 16 << 20).refuses(declaredLength: length) == refused)
  }

  @Test func aHugeChunkCannotOverflowTheCount() {
    var body = BoundedBody(limit: Int.max - 1)
    let kept = body.append(Data([1]))
    #expect(kept)
    #expect(body.data.count == 1)
  }

  // MARK: - ExchangeClock

  private static let second: UInt64 = 1_000_000_000

  @Test func silenceIsCountedFromTheLastByteAndTheDeadlineFromTheStart() {
    var clock = ExchangeClock(started: 100 * Self.second, timeout: 2, maxTime: 5)
    #expect(clock.verdict(at: 100 * Self.second) == .checkAt(102 * Self.second))
    #expect(clock.verdict(at: 102 * Self.second) == .silent)
    // A byte a second keeps silence away, but not the deadline.
    for tick in 1...4 {
      clock.lastActivity = (100 + UInt64(tick)) * Self.second
      #expect(clock.verdict(at: (100 + UInt64(tick)) * Self.second) != .silent)
    }
    #expect(clock.verdict(at: 104 * Self.second) == .checkAt(105 * Self.second))
    clock.lastActivity = 105 * Self.second
    #expect(clock.verdict(at: 105 * Self.second) == .overDeadline)
  }

  @Test func hugeSecondsSaturateInsteadOfOverflowing() {
    #expect(ExchangeClock.adding(1e300, to: 5) == UInt64.max)
    #expect(ExchangeClock.adding(.infinity, to: 5) == UInt64.max)
    #expect(ExchangeClock.adding(86400, to: UInt64.max - 10) == UInt64.max)
    #expect(ExchangeClock.adding(0.001, to: 0) == 1_000_000)
    let clock = ExchangeClock(started: UInt64.max - 1, timeout: 86400, maxTime: 86400)
    #expect(clock.verdict(at: UInt64.max - 1) == .checkAt(UInt64.max))
  }

  // MARK: - RedirectRule

  @Test(arguments: [
    ("GET", "http://127.0.0.1:8000/fal/v1/keys", "http://127.0.0.1:8000/new/keys", true),
    ("get", "HTTP://LOCALHOST:8000/a", "http://localhost:8000/b", true),
    ("GET", "https://api.fal.ai/v1/keys", "https://api.fal.ai:443/v2/keys", true),
    ("GET", "http://127.0.0.1/a", "http://127.0.0.1:80/b", true),
    ("GET", "http://127.0.0.1:8000/a", "http://127.0.0.1:8001/a", false),
    ("GET", "http://127.0.0.1:8000/a", "http://localhost:8000/a", false),
    ("GET", "http://127.0.0.1:8000/a", "https://127.0.0.1:8000/a", false),
    ("GET", "https://api.fal.ai/v1", "https://api.fal.ai.evil.example/v1", false),
    ("POST", "http://127.0.0.1:8000/fal/v1/keys", "http://127.0.0.1:8000/fal/v1/keys", false),
    ("PATCH", "https://openrouter.ai/api/v1/keys/x", "https://openrouter.ai/api/v1/keys/x", false),
    ("DELETE", "https://openrouter.ai/api/v1/keys/x", "https://openrouter.ai/api/v1/keys/y", false),
    ("PUT", "http://localhost:8000/v1/api-keys/1", "http://localhost:8000/v1/api-keys/1", false),
  ])
  func onlyAGetFollowsAndOnlyWithinItsOrigin(
    _ method: String, _ from: String, _ to: String, _ follows: Bool
  ) {
    #expect(
      RedirectRule.follows(method: method, from: URL(string: from), to: URL(string: to)) == follows)
  }

  @Test func aRedirectWithoutAMethodOrURLIsNotFollowed() {
    let url = URL(string: "http://127.0.0.1:8000/a")
    #expect(!RedirectRule.follows(method: nil, from: url, to: url))
    #expect(!RedirectRule.follows(method: "GET", from: nil, to: url))
    #expect(!RedirectRule.follows(method: "GET", from: url, to: nil))
    #expect(
      !RedirectRule.follows(method: "GET", from: url, to: URL(string: "ftp://127.0.0.1:8000/")))
  }

  // MARK: - The errors ProviderClient makes of them

  private let env = [
    "FAL_ADMIN_KEY": "adm_id:adm-secret-value", "KEYCTL_FAL_BASE_URL": "https://fal.test/v1",
  ]

  private func fal(_ transport: MockTransport, retries: Int = 0) throws -> any KeyProvider {
    try ProviderRegistry(environment: env, settings: testSettings(transport, retries: retries))
      .makeWithoutRunning(.fal)
  }

  private func listError(_ steps: [MockTransport.Step], retries: Int = 0) async throws -> KeyError {
    let transport = MockTransport(steps)
    let provider = try fal(transport, retries: retries)
    let error = try await #require(throws: KeyError.self) { _ = try await collect(provider) }
    #expect(transport.unusedSteps.isEmpty)
    return error
  }

  private func createError(_ steps: [MockTransport.Step]) async throws -> KeyError {
    let transport = MockTransport(steps)
    let provider = try fal(transport, retries: 5)
    let error = try await #require(throws: KeyError.self) {
      _ = try await provider.create(CreateRequest(name: "ci"))
    }
    #expect(transport.requests.count == 1, "a create is sent once")
    return error
  }

  /// Too large is not worth a retry: the same server would send the same flood.
  @Test func aBodyOverTheLimitIsABadResponseAndNotRetried() async throws {
    let error = try await listError(
      [.failure(.tooLarge(limit: 16 << 20, status: 200))], retries: 3)
    #expect(error.kind == .badResponse)
    #expect(error.exitCode == 6)
    #expect(error.status == 200)
    #expect(
      error.message == "fal answered with more than 16 MiB (HTTP 200); keyctl stopped reading")
  }

  /// The deadline is a timeout like the silence one: a listing retries it.
  @Test func aMissedDeadlineIsANetworkErrorThatAListingRetries() async throws {
    let page = #"{"keys":[],"next_cursor":null,"has_more":false}"#
    let transport = MockTransport([
      .failure(.deadlineExceeded), .json("GET", "/v1/keys", query: ["limit": "100"], body: page),
    ])
    _ = try await collect(try fal(transport, retries: 1))
    #expect(transport.unusedSteps.isEmpty)

    let error = try await listError([.failure(.deadlineExceeded)])
    #expect(error.kind == .network)
    #expect(error.exitCode == 6)
    #expect(error.message.contains("did not finish answering within 300 s (--max-time)"))
    #expect(error.hint?.contains("--max-time") == true)
  }

  @Test func aCreateThatHitsALimitMayHaveCreatedTheKey() async throws {
    for failure in [TransportFailure.tooLarge(limit: 16 << 20, status: 201), .deadlineExceeded] {
      let error = try await createError([.failure(failure)])
      #expect(error.exitCode == 6)
      #expect(error.hint?.contains("the key may exist") == true, "\(failure)")
    }
  }

  @Test(arguments: [301, 302, 303, 307, 308, 300])
  func aRedirectWithoutLocationSaysSo(_ status: Int) async throws {
    let error = try await listError([
      .json("GET", "/v1/keys", query: ["limit": "100"], status: status, headers: [:], body: "")
    ])
    #expect(error.exitCode == 6)
    #expect(error.status == status)
    #expect(error.message.contains("without a Location header"), "\(error.message)")
    #expect(!error.message.contains("changes scheme"))
  }

  /// A create answered with any redirect is sent once, and the user is told the
  /// key may exist; same origin or not.
  @Test(arguments: [
    (307, "https://fal.test/v1/keys"), (308, "/v1/keys"), (302, "https://fal.test/v1/keys"),
    (301, "https://elsewhere.example/v1/keys"),
  ])
  func aRedirectedCreateIsNotRepeated(_ status: Int, _ location: String) async throws {
    let error = try await createError([
      .json("POST", "/v1/keys", status: status, headers: ["Location": location], body: "")
    ])
    #expect(error.exitCode == 6)
    #expect(error.status == status)
    #expect(error.message.contains("answered the POST with a redirect (HTTP \(status))"))
    #expect(error.message.contains("sent once"))
    #expect(error.hint?.contains("the key may exist") == true)
  }

  /// A GET redirect the transport handed back: across origins it is the
  /// credential rule; within the origin it is a 3xx URLSession does not follow.
  @Test func aGetRedirectSaysWhyItWasNotFollowed() async throws {
    let away = try await listError([
      .json(
        "GET", "/v1/keys", query: ["limit": "100"], status: 302,
        headers: ["Location": "https://evil.example/v1/keys"], body: "")
    ])
    #expect(away.message.contains("changes scheme, host or port"))
    let here = try await listError([
      .json(
        "GET", "/v1/keys", query: ["limit": "100"], status: 300,
        headers: ["Location": "/v1/other"], body: "")
    ])
    #expect(here.message.contains("HTTP 300 (a redirect to /v1/other keyctl does not follow)"))
  }
}
