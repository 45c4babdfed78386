import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The `retry N/M` lines `--verbose` printed.
private func retryLines(_ stderr: String) -> [Substring] {
  stderr.split(separator: "\n").filter { $0.contains(": retry ") }
}

/// Polls `condition` until it holds, for at most `seconds`.
func waitUntil(
  seconds: Double = 120, _ condition: () async throws -> Bool
) async throws -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    if try await condition() { return true }
    try await Task.sleep(nanoseconds: 50_000_000)
  }
  return false
}

/// Requests the simulator has begun answering (counted before any delay fault sleeps).
private func requestsStarted(_ sim: Simulator) async throws -> Int {
  (try await sim.stats())["requests"] as? Int ?? 0
}

/// One redirect the simulator sends and keyctl must refuse.
struct RedirectCase: CustomTestStringConvertible, Sendable {
  let name: String
  let status: Int
  /// The Location; `{A}` is the port keyctl talks to, `{B}` a second simulator's.
  let location: String

  var testDescription: String { "\(status) to \(name)" }
}

@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndRedirectTests {
  static let crossOrigin: [RedirectCase] = [
    RedirectCase(
      name: "another port", status: 302, location: "http://127.0.0.1:{B}/fal/v1/keys"),
    RedirectCase(
      name: "another host and port", status: 301, location: "http://localhost:{B}/fal/v1/keys"),
    RedirectCase(
      name: "another host name, same port", status: 307,
      location: "http://localhost:{A}/fal/v1/keys"),
    RedirectCase(
      name: "another loopback address", status: 308, location: "http://127.0.0.2:{A}/fal/v1/keys"),
    RedirectCase(
      name: "https, same host and port", status: 302, location: "https://127.0.0.1:{A}/fal/v1/keys"),
    RedirectCase(
      name: "https on another port", status: 308, location: "https://127.0.0.1:{B}/fal/v1/keys"),
  ]

  /// The credentials must never reach a host, port or scheme the user did not name:
  /// the 3xx is reported (exit 6) and nothing arrives at the redirect's target.
  @Test(arguments: crossOrigin)
  func aRedirectThatLeavesTheOriginIsRefused(_ redirect: RedirectCase) async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    let target = try await Simulator.start(["--fal-keys", "5"])
    let location = redirect.location.replacingOccurrences(of: "{A}", with: String(sim.port))
      .replacingOccurrences(of: "{B}", with: String(target.port))
    try await sim.fault([
      "provider": "fal", "kind": "redirect", "status": redirect.status, "location": location,
      "keep_query": true, "times": -1,
    ])
    let result = try await Keyctl.run(
      ["list", "-p", "fal", "-o", "json", "-v"], environment: sim.environment(["fal"]))

    // The target first: this control request must be the only connection it ever saw
    // (a followed https redirect would have opened one without logging a request).
    let targetStats = try await target.stats()
    #expect(targetStats["connections"] as? Int == 1, "keyctl connected to the redirect target")
    #expect(try await target.log().isEmpty, "keyctl sent a request to the redirect target")

    #expect(result.status == 6, "\(result.stderr)")
    #expect(result.stderr.contains("redirected to \(location)"), "\(result.stderr)")
    #expect(result.stderr.contains("does not send credentials"), "\(result.stderr)")
    let error = try #require((try result.json()["errors"] as? [[String: Any]])?.first)
    #expect(error["kind"] as? String == "network")
    #expect(error["status"] as? Int == redirect.status)
    let sent = try await sim.log()
    #expect(sent.count == 1, "the redirect was followed back to the same simulator")
    #expect(sent.first?["status"] as? Int == redirect.status)
    expectClean(result)
  }

  /// A provider that moved its API within the same origin (same scheme, host and
  /// port, another path) still lists in full: every page follows the redirect and
  /// carries the credentials there.
  @Test(arguments: [
    ("fal", 301, 250, 3), ("px0", 302, 40, 1), ("cartesia", 307, 230, 3),
    ("openrouter", 308, 200, 3),
  ])
  func aSameOriginRedirectIsFollowedOnEveryPage(
    provider: String, status: Int, expected: Int, pages: Int
  ) async throws {
    let sim = try await Simulator.start(EndToEndListTests.counts)
    let base = sim.baseURL + (Simulator.prefixes[provider] ?? "")
    try await sim.fault([
      "provider": provider, "path": "/old/", "kind": "redirect", "status": status,
      "location": base + (Simulator.listPaths[provider] ?? ""), "keep_query": true, "times": -1,
    ])
    var environment = sim.environment([provider])
    environment["KEYCTL_\(provider.uppercased())_BASE_URL"] = base + "/old"
    // One page at a time, so the requests are exactly the pages (a window asks ahead:
    // EndToEndConcurrentPagingTests).
    let extra =
      provider == "openrouter"
      ? ["--include-disabled", "--include-expired", "--concurrency", "1"] : []
    let result = try await Keyctl.run(
      ["list", "-p", provider, "-o", "json", "-v"] + extra, environment: environment)

    #expect(result.status == 0, "\(result.stderr)")
    let ids = try result.keys().compactMap { $0["id"] as? String }
    #expect(ids.count == expected)
    #expect(Set(ids).count == expected)
    let log = requests(try await sim.log(), provider)
    let redirected = log.filter { ($0["path"] as? String)?.hasPrefix("/old/") == true }
    let followed = log.filter { ($0["path"] as? String)?.hasPrefix("/old/") == false }
    #expect(redirected.count == pages)
    #expect(redirected.allSatisfy { $0["status"] as? Int == status })
    #expect(followed.count == pages)
    #expect(followed.allSatisfy { $0["status"] as? Int == 200 })
    for entry in followed {
      let headers = (entry["headers"] as? [String: String]) ?? [:]
      #expect(
        headers.keys.contains { $0.lowercased() == "authorization" },
        "the followed request lacks credentials")
    }
    expectClean(result)
  }
}

@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndInterruptTests {
  /// What a Ctrl-C must look like: exit 130 (not death by signal), a one-line
  /// note and no crash report, promptly.
  private func expectQuietInterrupt(
    _ finished: FinishedKeyctl, seconds: Double, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let result = finished.result
    #expect(!finished.killedByWatchdog, "keyctl hung after SIGINT", sourceLocation: sourceLocation)
    #expect(
      finished.exitedNormally, "keyctl was killed by signal \(result.status)",
      sourceLocation: sourceLocation)
    #expect(result.status == 130, "\(result.stderr)", sourceLocation: sourceLocation)
    for marker in ["Fatal error", "fatal error", "Stack dump", "backtrace", "Backtrace", "Crash"] {
      #expect(
        !result.stderr.contains(marker), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    }
    #expect(
      result.stderr.contains("interrupted"), "\(result.stderr)", sourceLocation: sourceLocation)
    // The server would answer only after 10 minutes; a generous bound that still
    // tells "cancelled" from "waited it out".
    #expect(
      seconds < 20, "keyctl took \(seconds) s to stop after SIGINT", sourceLocation: sourceLocation)
    expectClean(result, sourceLocation: sourceLocation)
  }

  /// Also when keyctl starts with SIGINT blocked, as children of threads that
  /// block signals (libdispatch's, say) do: it must still see Ctrl-C.
  @Test(arguments: [false, true])
  func ctrlCCancelsInFlightRequestsAndExits130(sigintBlocked: Bool) async throws {
    let sim = try await Simulator.start([
      "--fal-keys", "5", "--px0-keys", "5", "--cartesia-keys", "5", "--openrouter-keys", "5",
    ])
    // Held far longer than a loaded machine can take to run this test, so an
    // answered request can only mean keyctl did not cancel it.
    try await sim.fault(["provider": "*", "kind": "delay", "delay_ms": 600_000, "times": -1])
    let running = try RunningKeyctl(
      ["list", "-o", "json", "-v", "--timeout", "900", "--max-time", "900"],
      environment: sim.environment(), sigintBlocked: sigintBlocked)
    try await Task.sleep(nanoseconds: 500_000_000)
    // Every provider's request is in flight (the simulator is sleeping on each).
    #expect(try await waitUntil { try await requestsStarted(sim) >= 4 })
    let interrupted = Date()
    running.send(SIGINT)
    let finished = await running.finish()
    expectQuietInterrupt(finished, seconds: Date().timeIntervalSince(interrupted))
    #expect(try await sim.log().isEmpty, "no request was answered")
  }

  @Test func ctrlCDuringARetryWaitExits130WithoutRetrying() async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    try await sim.fault([
      "provider": "fal", "kind": "status", "status": 503, "retry_after": "30", "times": -1,
    ])
    let running = try RunningKeyctl(
      ["list", "-p", "fal", "-v"], environment: sim.environment(["fal"]))
    try await Task.sleep(nanoseconds: 500_000_000)
    // The 503 has been sent, so keyctl is in its 30 s backoff.
    #expect(try await waitUntil { try await sim.log().count == 1 })
    try await Task.sleep(nanoseconds: 200_000_000)
    let interrupted = Date()
    running.send(SIGINT)
    let finished = await running.finish()
    expectQuietInterrupt(finished, seconds: Date().timeIntervalSince(interrupted))
    #expect(finished.result.stderr.contains("retry 1/3 in 30.00 s after HTTP 503"))
    #expect(finished.result.stdout.isEmpty)
    #expect(try await sim.log().count == 1, "a retry was sent after Ctrl-C")
  }

  @Test func ctrlCDuringACreateExits130AndTheRequestWasSentOnce() async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    try await sim.fault([
      "provider": "fal", "method": "POST", "kind": "delay", "delay_ms": 600_000, "times": -1,
    ])
    let running = try RunningKeyctl(
      ["create", "-p", "fal", "--name", "ci", "--max-retries", "5", "--timeout", "900"],
      environment: sim.environment(["fal"]))
    try await Task.sleep(nanoseconds: 500_000_000)
    #expect(try await waitUntil { try await requestsStarted(sim) >= 1 })
    let interrupted = Date()
    running.send(SIGINT)
    let finished = await running.finish()
    expectQuietInterrupt(finished, seconds: Date().timeIntervalSince(interrupted))
    #expect(finished.result.stdout.isEmpty)
    #expect(try await requestsStarted(sim) == 1)
  }
}

/// One persistent retryable status, the retry settings, and what must follow.
struct RetryBudgetCase: CustomTestStringConvertible, Sendable {
  let status: Int
  /// `KEYCTL_MAX_RETRIES`, when set.
  let environment: String?
  /// `--max-retries`, when given.
  let flag: String?
  let requests: Int
  let exitCode: Int32

  var testDescription: String {
    "HTTP \(status), KEYCTL_MAX_RETRIES=\(environment ?? "unset"), --max-retries \(flag ?? "absent")"
  }
}

@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndRetryTests {
  /// `retry-after-ms` beats `Retry-After`, and the wait is really taken.
  @Test(
    arguments: [
      ("400", "30", "0.40", 0.4), (nil, "1", "1.00", 1.0),
    ] as [(String?, String, String, Double)])
  func serverRequestedWaitsAreHonoured(
    millis: String?, seconds: String, logged: String, minimum: Double
  ) async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    var rule: [String: Any] = [
      "provider": "fal", "kind": "status", "status": 503, "retry_after": seconds,
    ]
    if let millis { rule["retry_after_ms"] = millis }
    try await sim.fault(rule)
    let started = Date()
    let result = try await Keyctl.run(
      ["list", "-p", "fal", "--json", "-v"], environment: sim.environment(["fal"]))
    let elapsed = Date().timeIntervalSince(started)

    #expect(result.status == 0, "\(result.stderr)")
    #expect(try result.keys().count == 5)
    #expect(result.stderr.contains("retry 1/3 in \(logged) s after HTTP 503"), "\(result.stderr)")
    #expect(retryLines(result.stderr).count == 1)
    #expect(elapsed >= minimum, "keyctl retried before the server's \(minimum) s")
    #expect(requests(try await sim.log(), "fal").count == 2)
    expectClean(result)
  }

  static let budgets: [RetryBudgetCase] = [
    RetryBudgetCase(status: 503, environment: "1", flag: nil, requests: 2, exitCode: 6),
    RetryBudgetCase(status: 429, environment: "1", flag: nil, requests: 2, exitCode: 5),
    RetryBudgetCase(status: 503, environment: "0", flag: nil, requests: 1, exitCode: 6),
    RetryBudgetCase(status: 502, environment: nil, flag: nil, requests: 4, exitCode: 6),
    RetryBudgetCase(status: 504, environment: "5", flag: "0", requests: 1, exitCode: 6),
    RetryBudgetCase(status: 500, environment: "0", flag: "2", requests: 3, exitCode: 6),
  ]

  /// Retries are counted in the simulator's log: exactly 1 + the budget, with
  /// `--max-retries` beating `KEYCTL_MAX_RETRIES`, which beats the default of 3.
  @Test(arguments: budgets)
  func theRetryBudgetIsExact(_ budget: RetryBudgetCase) async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    try await sim.fault([
      "provider": "fal", "kind": "status", "status": budget.status, "retry_after": "0",
      "times": -1,
    ])
    var environment = sim.environment(["fal"])
    environment["KEYCTL_MAX_RETRIES"] = budget.environment
    let flag = budget.flag.map { ["--max-retries", $0] } ?? []
    let result = try await Keyctl.run(
      ["list", "-p", "fal", "--json", "-v"] + flag, environment: environment)

    #expect(result.status == budget.exitCode, "\(result.stderr)")
    #expect(result.stderr.contains("HTTP \(budget.status)"))
    #expect(requests(try await sim.log(), "fal").count == budget.requests)
    let retries = retryLines(result.stderr)
    #expect(retries.count == budget.requests - 1, "\(result.stderr)")
    for (index, line) in retries.enumerated() {
      #expect(line.contains("retry \(index + 1)/\(budget.requests - 1) "), "\(line)")
    }
    expectClean(result)
  }

  @Test func anInvalidRetryBudgetIsAUsageErrorAndNothingIsSent() async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    var environment = sim.environment(["fal"])
    environment["KEYCTL_MAX_RETRIES"] = "lots"
    let result = try await Keyctl.run(["list", "-p", "fal"], environment: environment)
    #expect(result.status == 2)
    #expect(result.stderr.contains("KEYCTL_MAX_RETRIES='lots'"))
    #expect(try await sim.log().isEmpty)
  }

  /// A connection dropped before any answer is retried for a listing (each drop
  /// noted with --verbose), and the listing completes with every key once.
  @Test(arguments: [
    ("fal", 2, 250, 3), ("px0", 1, 40, 1), ("cartesia", 1, 230, 3), ("openrouter", 3, 200, 3),
  ])
  func droppedConnectionsAreRetriedAndTheListingCompletes(
    provider: String, drops: Int, expected: Int, pages: Int
  ) async throws {
    let sim = try await Simulator.start(EndToEndListTests.counts)
    try await sim.fault(["provider": provider, "kind": "drop", "times": drops])
    // One page at a time, so the requests are exactly the pages (a window asks ahead:
    // EndToEndConcurrentPagingTests).
    let extra =
      provider == "openrouter"
      ? ["--include-disabled", "--include-expired", "--concurrency", "1"] : []
    let result = try await Keyctl.run(
      ["list", "-p", provider, "--json", "-v"] + extra, environment: sim.environment([provider]))

    #expect(result.status == 0, "\(result.stderr)")
    let ids = try result.keys().compactMap { $0["id"] as? String }
    #expect(ids.count == expected)
    #expect(Set(ids).count == expected)
    let log = requests(try await sim.log(), provider)
    #expect(log.count == pages + drops)
    #expect(log.prefix(drops).allSatisfy { $0["status"] is NSNull })
    #expect(log.dropFirst(drops).allSatisfy { $0["status"] as? Int == 200 })
    let retries = retryLines(result.stderr)
    #expect(retries.count == drops, "\(result.stderr)")
    for (index, line) in retries.enumerated() {
      #expect(line.contains("retry \(index + 1)/3 "), "\(line)")
    }
    expectClean(result)
  }

  /// A create whose connection drops may have reached the provider: it is sent
  /// once, whatever the retry budget, and the error says how to check.
  @Test func aCreateWhoseConnectionDropsIsSentOnce() async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    try await sim.fault(["provider": "fal", "method": "POST", "kind": "drop", "times": -1])
    let result = try await Keyctl.run(
      ["create", "-p", "fal", "--name", "ci", "--max-retries", "5", "-v"],
      environment: sim.environment(["fal"]))
    #expect(result.status == 6)
    #expect(result.stderr.contains("may exist"))
    #expect(result.stderr.contains("keyctl list -p fal"))
    #expect(retryLines(result.stderr).isEmpty)
    #expect(result.stdout.isEmpty)
    #expect(requests(try await sim.log(), "fal", method: "POST").count == 1)
    expectClean(result)
  }
}
