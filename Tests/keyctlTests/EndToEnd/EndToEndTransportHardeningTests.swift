import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Whether this machine can listen on ::1 (a container may have IPv6 switched off).
private let ipv6LoopbackAvailable: Bool = {
  #if canImport(Glibc)
    let stream = Int32(SOCK_STREAM.rawValue)
  #else
    let stream = SOCK_STREAM
  #endif
  let descriptor = socket(AF_INET6, stream, 0)
  guard descriptor >= 0 else { return false }
  defer { close(descriptor) }
  var address = sockaddr_in6()
  address.sin6_family = sa_family_t(AF_INET6)
  address.sin6_addr = in6addr_loopback
  return withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
    }
  }
}()

/// Connections the simulator accepted, the stats request that asks included.
private func connections(_ sim: Simulator) async throws -> Int {
  (try await sim.stats())["connections"] as? Int ?? -1
}

/// What a measured run of keyctl produced, with its peak memory.
private struct MeasuredRun {
  let result: RunResult
  /// The child's peak resident set size in KiB (`ru_maxrss` from `wait4`).
  let peakKiB: Int
  let seconds: Double
}

/// Runs keyctl as the child of a small python3 parent that reports the child's
/// `ru_maxrss`, so a test can bound the memory a hostile answer costs.
private func runMeasured(_ arguments: [String], environment: [String: String]) async throws
  -> MeasuredRun
{
  let python = try #require(Simulator.python)
  let report = FileManager.default.temporaryDirectory
    .appendingPathComponent("keyctl-rss-\(UUID().uuidString)")
  defer { try? FileManager.default.removeItem(at: report) }
  let script = """
    import os, sys
    pid = os.fork()
    if pid == 0:
        os.execv(sys.argv[2], sys.argv[2:])
    _, status, usage = os.wait4(pid, 0)
    with open(sys.argv[1], "w") as f:
        f.write(str(usage.ru_maxrss))
    sys.exit(os.waitstatus_to_exitcode(status) % 256)
    """
  let started = Date()
  let result = try await offThePool {
    Result {
      try Keyctl.runBlocking(
        executable: URL(fileURLWithPath: python),
        ["-c", script, report.path, Keyctl.binary.path] + arguments, environment: environment)
    }
  }.get()
  let seconds = Date().timeIntervalSince(started)
  let peak = Int(try String(contentsOf: report, encoding: .utf8)) ?? -1
  return MeasuredRun(result: result, peakKiB: peak, seconds: seconds)
}

/// A base URL keyctl must refuse before it connects anywhere.
struct RefusedBaseURL: CustomTestStringConvertible, Sendable {
  /// The URL; `{P}` is the simulator's port, so a keyctl that sent anything
  /// would be caught by the simulator's connection count.
  let template: String
  /// What the error must say.
  let reason: String

  var testDescription: String { template }
}

@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndBaseURLTests {
  static let refused: [RefusedBaseURL] = [
    RefusedBaseURL(template: "http://127.attacker.example:{P}/fal/v1", reason: "must use https://"),
    RefusedBaseURL(
      template: "http://localhost.attacker.example:{P}/fal/v1", reason: "must use https://"),
    RefusedBaseURL(template: "http://127.0.0.1.nip.io:{P}/fal/v1", reason: "must use https://"),
    RefusedBaseURL(template: "http://sub.localhost:{P}/fal/v1", reason: "must use https://"),
    RefusedBaseURL(template: "http://[::ffff:127.0.0.1]:{P}/fal/v1", reason: "must use https://"),
    RefusedBaseURL(template: "http://127.1:{P}/fal/v1", reason: "invalid IPv4 address '127.1'"),
    RefusedBaseURL(template: "http://0x7f.0.0.1:{P}/fal/v1", reason: "invalid IPv4 address"),
    RefusedBaseURL(template: "http://2130706433:{P}/fal/v1", reason: "invalid IPv4 address"),
    RefusedBaseURL(template: "http://127.0.0.01:{P}/fal/v1", reason: "invalid IPv4 address"),
    RefusedBaseURL(
      template: "http://ci:hunter2secret@127.0.0.1:{P}/fal/v1", reason: "user name or password"),
    RefusedBaseURL(template: "http://@127.0.0.1:{P}/fal/v1", reason: "user name or password"),
    RefusedBaseURL(template: "http://127.0.0.1:{P}/fal/v1?q", reason: "has a query"),
    RefusedBaseURL(template: "http://127.0.0.1:{P}/fal/v1#f", reason: "has a fragment"),
    RefusedBaseURL(template: "http://127.0.0.1:0/fal/v1", reason: "invalid port '0'"),
    RefusedBaseURL(template: "http://127.0.0.1:65536/fal/v1", reason: "invalid port '65536'"),
    RefusedBaseURL(template: "http://127.0.0.1:/fal/v1", reason: "invalid port ''"),
    RefusedBaseURL(template: "http://[::1%25lo]:{P}/fal/v1", reason: "invalid IPv6 address"),
    RefusedBaseURL(template: "http://:{P}/fal/v1", reason: "has no host"),
    RefusedBaseURL(template: "http://127.0.0.1:{P}/fal/v1 ", reason: "space or a control"),
    RefusedBaseURL(template: "http://127.0.0.1:{P}/fal/v1\n", reason: "space or a control"),
    RefusedBaseURL(template: "ftp://127.0.0.1:{P}/fal/v1", reason: "scheme 'ftp'"),
    RefusedBaseURL(template: "127.0.0.1:{P}/fal/v1", reason: "not an absolute"),
  ]

  /// Each is a usage error naming the variable, and the simulator (which every
  /// one of these would reach if keyctl sent it) sees no connection.
  @Test(arguments: refused)
  func aRefusedBaseURLIsAUsageErrorBeforeAnyConnection(_ refused: RefusedBaseURL) async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    let url = refused.template.replacingOccurrences(of: "{P}", with: String(sim.port))
    var environment = sim.environment(["fal"])
    environment["KEYCTL_FAL_BASE_URL"] = url
    let list = try await Keyctl.run(["list", "-p", "fal", "-o", "json"], environment: environment)
    #expect(list.status == 2, "\(list.stderr)")
    #expect(list.stderr.contains("KEYCTL_FAL_BASE_URL '"), "\(list.stderr)")
    #expect(list.stderr.contains(refused.reason), "\(list.stderr)")
    #expect(list.stdout.isEmpty)

    let create = try await Keyctl.run(
      ["create", "-p", "fal", "--name", "ci", "--base-url", url],
      environment: sim.environment(["fal"]))
    #expect(create.status == 2, "\(create.stderr)")
    #expect(create.stderr.contains("--base-url '"), "\(create.stderr)")
    #expect(create.stderr.contains(refused.reason), "\(create.stderr)")

    #expect(try await connections(sim) == 1, "keyctl connected to the simulator")
    for run in [list, create] {
      #expect(!run.allOutput.contains("hunter2secret"), "the URL's password was printed")
      let firstLine = run.stderr.split(separator: "\n").first ?? ""
      #expect(
        firstLine.contains(refused.reason), "the error was broken across lines: \(run.stderr)")
      expectClean(run)
    }
  }

  /// A bad base URL for one provider stops a listing of all of them before
  /// any provider is asked.
  @Test func aRefusedBaseURLStopsAWholeListingBeforeAnyRequest() async throws {
    let sim = try await Simulator.start(EndToEndListTests.counts)
    var environment = sim.environment()
    environment["KEYCTL_CARTESIA_BASE_URL"] = "http://127.attacker.example:\(sim.port)/cartesia"
    let result = try await Keyctl.run(["list", "-o", "json"], environment: environment)
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.contains("KEYCTL_CARTESIA_BASE_URL"))
    #expect(try await connections(sim) == 1, "a provider was asked before the refusal")
  }

  /// Loopback spelled in capitals, or as the long form of ::1: it lists.
  @Test(arguments: [
    "HTTP://127.0.0.1:{P}/fal/v1", "http://LOCALHOST:{P}/fal/v1", "Http://127.0.0.1:{P}/fal/v1/",
  ])
  func loopbackInAnyCaseLists(_ template: String) async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    var environment = sim.environment(["fal"])
    environment["KEYCTL_FAL_BASE_URL"] = template.replacingOccurrences(
      of: "{P}", with: String(sim.port))
    let result = try await Keyctl.run(
      ["list", "-p", "fal", "-o", "json"], environment: environment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try result.keys().count == 5)
    expectClean(result)
  }

  /// The simulator listens on ::1 only, so the listing and the create can only
  /// have gone over IPv6 loopback.
  @Test(
    .enabled(if: ipv6LoopbackAvailable, "this machine cannot listen on ::1"),
    arguments: ["[::1]", "[0:0:0:0:0:0:0:1]"])
  func ipv6LoopbackListsAndCreates(_ host: String) async throws {
    let sim = try await Simulator.start(["--bind", "::1", "--fal-keys", "5"])
    var environment = sim.environment(["fal"])
    environment["KEYCTL_FAL_BASE_URL"] = "http://\(host):\(sim.port)/fal/v1"
    let list = try await Keyctl.run(["list", "-p", "fal", "-o", "json"], environment: environment)
    #expect(list.status == 0, "\(list.stderr)")
    #expect(try list.keys().count == 5)
    let create = try await Keyctl.run(
      ["create", "-p", "fal", "--name", "v6", "-q"], environment: environment)
    #expect(create.status == 0, "\(create.stderr)")
    #expect(create.stdout.contains(":"), "no fal secret (id:secret) printed")
    #expect(requests(try await sim.log(), "fal", method: "POST").count == 1)
    expectClean(list)
  }
}

/// One create answered with a redirect, at one provider.
struct RedirectedCreate: CustomTestStringConvertible, Sendable {
  let provider: String
  let status: Int
  let arguments: [String]

  var testDescription: String { "\(provider) \(status)" }
}

@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndRedirectedCreateTests {
  static let cases: [RedirectedCreate] = [
    RedirectedCreate(provider: "fal", status: 307, arguments: []),
    RedirectedCreate(provider: "fal", status: 308, arguments: []),
    RedirectedCreate(provider: "fal", status: 302, arguments: []),
    RedirectedCreate(provider: "fal", status: 301, arguments: []),
    RedirectedCreate(provider: "px0", status: 307, arguments: ["--operation", "all"]),
    RedirectedCreate(provider: "openrouter", status: 308, arguments: ["--credit-limit", "5"]),
    RedirectedCreate(provider: "openrouter", status: 302, arguments: []),
  ]

  /// A redirect to the very same URL, forever: a client that follows it sends
  /// the create again (307/308) or turns it into a GET (301/302). keyctl sends
  /// it exactly once and says the key may exist.
  @Test(arguments: cases)
  func aCreateAnsweredWithARedirectIsSentOnce(_ redirect: RedirectedCreate) async throws {
    let sim = try await Simulator.start([
      "--fal-keys", "5", "--px0-keys", "5", "--openrouter-keys", "5",
    ])
    let base = sim.baseURL + (Simulator.prefixes[redirect.provider] ?? "")
    let path = redirect.provider == "px0" ? "/v1/api-keys" : "/keys"
    try await sim.fault([
      "provider": redirect.provider, "method": "POST", "kind": "redirect",
      "status": redirect.status, "location": base + path, "times": -1,
    ])
    let result = try await Keyctl.run(
      ["create", "-p", redirect.provider, "--name", "ci", "--max-retries", "5", "-v"]
        + redirect.arguments,
      environment: sim.environment([redirect.provider]))

    #expect(result.status == 6, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("redirect (HTTP \(redirect.status))"), "\(result.stderr)")
    #expect(result.stderr.contains("sent once"))
    #expect(result.stderr.contains("the key may exist"))
    let log = try await sim.log()
    #expect(requests(log, redirect.provider, method: "POST").count == 1)
    #expect(requests(log, redirect.provider).isEmpty, "the create became a GET")
    #expect(log.count == 1)
    expectClean(result)
  }

  /// A 3xx without a Location header is described as such, for a listing too.
  @Test(arguments: [301, 302, 303, 307, 308])
  func aRedirectWithoutLocationIsDescribedAsSuch(_ status: Int) async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    try await sim.fault(["provider": "fal", "kind": "status", "status": status, "times": -1])
    let result = try await Keyctl.run(
      ["list", "-p", "fal", "-o", "json"], environment: sim.environment(["fal"]))
    #expect(result.status == 6, "\(result.stderr)")
    #expect(result.stderr.contains("HTTP \(status), a redirect without a Location header"))
    #expect(!result.stderr.contains("changes scheme"))
    #expect(requests(try await sim.log(), "fal").count == 1)
  }
}

/// A body that must not cost keyctl its memory.
struct BodyBomb: CustomTestStringConvertible, Sendable {
  let name: String
  let rule: [String: String]

  var testDescription: String { name }
}

@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndBodyLimitTests {
  /// Peak memory a run may reach: generous (keyctl lists 100,000 keys in far
  /// less), yet a tenth of what any of these bodies is.
  static let peakLimitKiB = 200 * 1024

  static let bombs: [BodyBomb] = [
    BodyBomb(name: "2 GiB Content-Length", rule: ["kind": "huge"]),
    BodyBomb(name: "endless chunked body", rule: ["kind": "endless"]),
    BodyBomb(name: "4 GiB gzip bomb", rule: ["kind": "gzip_bomb"]),
    BodyBomb(name: "2 GiB error page (HTTP 500)", rule: ["kind": "huge", "status": "500"]),
    BodyBomb(name: "gzip bomb on a retryable 503", rule: ["kind": "gzip_bomb", "status": "503"]),
    BodyBomb(name: "endless body on a 404", rule: ["kind": "endless", "status": "404"]),
    BodyBomb(name: "2 GiB body on a 302", rule: ["kind": "huge", "status": "302"]),
  ]

  /// A listing stops at 16 MiB with a clear message, in bounded memory.
  @Test(arguments: bombs)
  func aBodyBombIsRefusedInBoundedMemory(_ bomb: BodyBomb) async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    var rule: [String: Any] = ["provider": "fal", "times": -1]
    for (name, value) in bomb.rule { rule[name] = Int(value) ?? value }
    try await sim.fault(rule)
    let run = try await runMeasured(
      ["list", "-p", "fal", "-o", "json"], environment: sim.environment(["fal"]))
    #expect(run.result.status == 6, "\(run.result.stderr)")
    let status = bomb.rule["status"] ?? "200"
    // A 3xx never reaches the delegate (URLSession keeps it), so its status is not known.
    let answered = status.hasPrefix("3") ? "" : " (HTTP \(status))"
    #expect(
      run.result.stderr.contains(
        "fal answered with more than 16 MiB\(answered); keyctl stopped reading"),
      "\(run.result.stderr)")
    #expect(run.peakKiB > 0)
    #expect(run.peakKiB < Self.peakLimitKiB, "keyctl peaked at \(run.peakKiB / 1024) MiB")
    #expect(requests(try await sim.log(), "fal").count == 1, "a flood is not worth a retry")
    let error = try #require((try run.result.json()["errors"] as? [[String: Any]])?.first)
    #expect(error["kind"] as? String == "bad_response")
    expectClean(run.result)
  }

  /// FoundationNetworking keeps the body of a 301–308 to itself until it ends,
  /// so keyctl cannot count it; an unbounded one is cut by the silence clock
  /// (nothing reached keyctl), in bounded memory: URLSession's own buffering of
  /// such a body slows to a crawl long before it is large.
  @Test(arguments: ["endless", "gzip_bomb"])
  func anUnboundedRedirectBodyIsCutBySilence(_ kind: String) async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    try await sim.fault(["provider": "fal", "kind": kind, "status": 307, "times": -1])
    let run = try await runMeasured(
      ["list", "-p", "fal", "--timeout", "3", "--max-retries", "0"],
      environment: sim.environment(["fal"]))
    #expect(run.result.status == 6, "\(run.result.stderr)")
    #expect(run.result.stderr.contains("no answer within 3 s"), "\(run.result.stderr)")
    #expect(run.seconds < 15, "a 3 s silence timeout took \(run.seconds) s")
    #expect(run.peakKiB < Self.peakLimitKiB, "keyctl peaked at \(run.peakKiB / 1024) MiB")
  }

  /// A create answered with a bomb: sent once, bounded, and the key may exist.
  @Test func aCreateAnsweredWithAGzipBombMayHaveCreatedTheKey() async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    try await sim.fault(["provider": "fal", "method": "POST", "kind": "gzip_bomb", "times": -1])
    let run = try await runMeasured(
      ["create", "-p", "fal", "--name", "ci", "--max-retries", "5"],
      environment: sim.environment(["fal"]))
    #expect(run.result.status == 6, "\(run.result.stderr)")
    #expect(run.result.stderr.contains("more than 16 MiB"))
    #expect(run.result.stderr.contains("the key may exist"))
    #expect(run.result.stdout.isEmpty)
    #expect(run.peakKiB < Self.peakLimitKiB, "keyctl peaked at \(run.peakKiB / 1024) MiB")
    #expect(requests(try await sim.log(), "fal", method: "POST").count == 1)
  }

  /// The limit is exactly 16 MiB after decompression: a body of 16 MiB is read
  /// (and then found not to be JSON), one byte (or one MiB inflated) more is not.
  @Test(arguments: [
    ("huge", 16 << 20, false), ("huge", (16 << 20) + 1, true), ("gzip_bomb", 16 << 20, false),
    ("gzip_bomb", 17 << 20, true),
  ])
  func theLimitIsSixteenMebibytesAfterDecompression(
    kind: String, size: Int, refused: Bool
  ) async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    try await sim.fault(["provider": "fal", "kind": kind, "size": size])
    let result = try await Keyctl.run(
      ["list", "-p", "fal", "--max-retries", "0"], environment: sim.environment(["fal"]))
    #expect(result.status == 6, "\(result.stderr)")
    #expect(result.stderr.contains("more than 16 MiB") == refused, "\(result.stderr)")
    #expect(result.stderr.contains("cannot read") == !refused, "\(result.stderr)")
  }
}

@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndDeadlineTests {
  /// A server sending a byte every 100 ms never goes silent for --timeout; the
  /// whole-request deadline stops it (the trickled page would take over a minute).
  @Test func maxTimeStopsATricklingServer() async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    try await sim.fault(["provider": "fal", "kind": "trickle", "interval_ms": 100, "times": -1])
    let started = Date()
    let result = try await Keyctl.run(
      [
        "list", "-p", "fal", "--max-time", "2", "--timeout", "1", "--max-retries", "0", "-o",
        "json",
      ],
      environment: sim.environment(["fal"]))
    let seconds = Date().timeIntervalSince(started)
    #expect(result.status == 6, "\(result.stderr)")
    #expect(result.stderr.contains("did not finish answering within 2 s (--max-time)"))
    #expect(seconds >= 2, "stopped before the deadline: \(seconds) s")
    #expect(seconds < 30, "a 2 s deadline took \(seconds) s")
    let error = try #require((try result.json()["errors"] as? [[String: Any]])?.first)
    #expect(error["kind"] as? String == "network")
  }

  /// The deadline is per attempt: a listing retries it like a timeout, and a
  /// create is sent once and may have created the key.
  @Test func maxTimeIsPerAttemptAndACreateIsNotRepeated() async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    try await sim.fault(["provider": "fal", "method": "GET", "kind": "trickle", "interval_ms": 100])
    let list = try await Keyctl.run(
      ["list", "-p", "fal", "--max-time", "1", "-o", "json", "-v"],
      environment: sim.environment(["fal"]))
    #expect(list.status == 0, "\(list.stderr)")
    #expect(try list.keys().count == 5)
    #expect(list.stderr.contains("retry 1/3"), "\(list.stderr)")
    #expect(requests(try await sim.log(), "fal").count == 2)

    try await sim.fault([
      "provider": "fal", "method": "POST", "kind": "trickle", "interval_ms": 300, "times": -1,
    ])
    let started = Date()
    let create = try await Keyctl.run(
      ["create", "-p", "fal", "--name", "ci", "--max-time", "1", "--max-retries", "5"],
      environment: sim.environment(["fal"]))
    #expect(create.status == 6, "\(create.stderr)")
    #expect(create.stderr.contains("--max-time"))
    #expect(create.stderr.contains("the key may exist"))
    #expect(create.stdout.isEmpty)
    #expect(Date().timeIntervalSince(started) < 30)
    #expect(requests(try await sim.log(), "fal", method: "POST").count == 1)
  }

  /// --timeout is exact below a second and between whole seconds (URLSession's
  /// own timer would truncate 1.9 s to 1 s and fail this 1 s wait).
  @Test func theSilenceTimeoutIsExact() async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    try await sim.fault(["provider": "fal", "kind": "delay", "delay_ms": 1000])
    let patient = try await Keyctl.run(
      ["list", "-p", "fal", "--timeout", "1.9", "--max-retries", "0", "-o", "json"],
      environment: sim.environment(["fal"]))
    #expect(patient.status == 0, "\(patient.stderr)")
    #expect(try patient.keys().count == 5)

    try await sim.fault(["provider": "fal", "kind": "delay", "delay_ms": 30_000])
    let started = Date()
    let impatient = try await Keyctl.run(
      ["list", "-p", "fal", "--timeout", "0.5", "--max-retries", "0"],
      environment: sim.environment(["fal"]))
    #expect(impatient.status == 6)
    #expect(impatient.stderr.contains("no answer within 0.5 s"), "\(impatient.stderr)")
    #expect(Date().timeIntervalSince(started) < 15, "a 0.5 s timeout waited out a 30 s delay")
  }

  @Test(arguments: ["0", "-1", "86401", "1e16", "abc", "nan", "inf", ""])
  func anInvalidMaxTimeIsAUsageError(_ value: String) async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    let result = try await Keyctl.run(
      ["list", "-p", "fal", "--max-time", value], environment: sim.environment(["fal"]))
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.contains("--max-time"))
    #expect(try await sim.log().isEmpty)
  }
}
