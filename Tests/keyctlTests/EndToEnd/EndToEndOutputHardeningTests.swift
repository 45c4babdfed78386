import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Runs `script` with bash, `$KEYCTL` naming the binary (see `Keyctl.shell`).
private func shell(_ script: String, environment: [String: String]) async throws -> RunResult {
  try await Keyctl.shell(script, environment: environment)
}

/// Runs a python3 program (`sys.argv[1]` is keyctl's path) whose stdout is one
/// JSON object, and returns that object.
func python(
  _ program: String, _ arguments: [String] = [], environment: [String: String]
) async throws -> [String: Any] {
  let python = try #require(Simulator.python)
  let quoted = ([python, "-c", program, Keyctl.binary.path] + arguments).map {
    "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
  let result = try await shell(quoted.joined(separator: " "), environment: environment)
  let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
  return try #require(object as? [String: Any], "python said: \(result.stdout) \(result.stderr)")
}

/// A 64-hex-digit run: the simulator's fal `key_secret`, which must never reach stderr.
private func containsFalSecret(_ text: String) -> Bool {
  var run = 0
  for character in text {
    run = character.isHexDigit ? run + 1 : 0
    if run >= 64 { return true }
  }
  return false
}

/// The fal key named `name` the simulator now holds, if any.
private func falKeyID(named name: String, in sim: Simulator) async throws -> String? {
  let listed = try await Keyctl.run(
    ["list", "-p", "fal", "-o", "json", "--name-contains", name],
    environment: sim.environment(["fal"]))
  return try listed.keys().first { $0["name"] as? String == name }?["id"] as? String
}

/// A cursor's JSON document, and a cursor made from one (base64url, unpadded).
private enum CursorText {
  static func document(_ token: String) throws -> [String: Any] {
    var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(
      of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    let data = try #require(Data(base64Encoded: base64))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  static func token(_ document: [String: Any]) throws -> String {
    token(String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self))
  }

  static func token(_ json: String) -> String {
    Data(json.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
      .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
  }
}

/// The real binary writing to stdouts that fail or go away (issue 11, items 3 and 4).
@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndOutputFailureTests {
  /// How stdout fails: a full device, a closed descriptor, a reader gone before the write.
  static let createRedirects: [(String, String, String)] = [
    ("/dev/full", #""$KEYCTL" create -p fal --name NAME ARGS > /dev/full"#, "No space left"),
    ("closed stdout", #""$KEYCTL" create -p fal --name NAME ARGS >&-"#, "Bad file descriptor"),
    (
      "reader gone (head -c0)",
      #""$KEYCTL" create -p fal --name NAME ARGS | head -c0; exit ${PIPESTATUS[0]}"#, "Broken pipe"
    ),
  ]

  /// The key now exists and its secret is lost: exit 10, stderr names the key
  /// and the command that revokes it, the secret appears nowhere, one POST.
  @Test(arguments: [0, 1, 2], ["-q", "--json", ""])
  func aCreateWhoseSecretCannotBeWrittenExits10AndNamesTheKey(redirect: Int, format: String)
    async throws
  {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    // The reader of `| head -c0` is gone well before keyctl has an answer to write.
    try await sim.fault([
      "provider": "fal", "method": "POST", "kind": "delay", "delay_ms": 300, "times": -1,
    ])
    let (_, template, reason) = Self.createRedirects[redirect]
    let name = "lost-\(redirect)-\(format.isEmpty ? "table" : String(format.dropFirst()))"
    let script = template.replacingOccurrences(of: "NAME", with: name)
      .replacingOccurrences(of: "ARGS", with: format)
    let result = try await shell(script, environment: sim.environment(["fal"]))

    #expect(result.status == 10, "\(result.stderr)")
    let id = try #require(try await falKeyID(named: name, in: sim), "the key was not created")
    #expect(result.stderr.contains("fal created key \(id) named \(name)"), "\(result.stderr)")
    #expect(result.stderr.contains("keyctl delete -p fal \(id)"), "\(result.stderr)")
    #expect(result.stderr.contains(reason), "\(result.stderr)")
    #expect(result.stderr.contains("secret is lost"))
    #expect(!result.stderr.contains("shown only once"))
    #expect(!containsFalSecret(result.allOutput), "the secret leaked: \(result.allOutput)")
    #expect(requests(try await sim.log(), "fal", method: "POST").count == 1)
    expectClean(result)
  }

  /// Exit 10 and one line for a failing stdout; quiet exit 0 when the reader
  /// of a `list` goes; and every other command reports a reader gone too.
  @Test(
    arguments: [
      (#""$KEYCTL" list -p fal -o ndjson > /dev/full"#, 10, "No space left on device"),
      (#""$KEYCTL" list -p fal -o json > /dev/full"#, 10, "No space left on device"),
      (#""$KEYCTL" list -p fal > /dev/full"#, 10, "No space left on device"),
      (#""$KEYCTL" list -p fal -o ndjson >&-"#, 10, "Bad file descriptor"),
      (#""$KEYCTL" list -p fal -o ndjson | head -c0; exit ${PIPESTATUS[0]}"#, 0, nil),
      (#""$KEYCTL" list -p fal | head -c0; exit ${PIPESTATUS[0]}"#, 0, nil),
      (#""$KEYCTL" --help > /dev/full"#, 10, "No space left on device"),
      (#""$KEYCTL" providers >&-"#, 10, "Bad file descriptor"),
      (
        #"(sleep 0.3; exec "$KEYCTL" --version) | head -c0; exit ${PIPESTATUS[0]}"#, 10,
        "Broken pipe"
      ),
    ] as [(String, Int32, String?)])
  func aListOrAnotherCommandWhoseStdoutFails(script: String, code: Int32, reason: String?)
    async throws
  {
    let sim = try await Simulator.start(["--fal-keys", "250"])
    try await sim.fault(["provider": "fal", "kind": "delay", "delay_ms": 300, "times": 1])
    let result = try await shell(script, environment: sim.environment(["fal"]))
    #expect(result.status == code, "\(result.stderr)")
    if let reason {
      let lines = result.stderr.split(separator: "\n")
      #expect(lines.count == 1, "\(result.stderr)")
      #expect(
        lines.first?.hasPrefix("keyctl: could not write to stdout: \(reason)") == true,
        "\(result.stderr)")
    } else {
      #expect(result.stderr.isEmpty, "\(result.stderr)")
    }
    expectClean(result)
  }

  /// A reader that sets O_NONBLOCK on the pipe and reads slowly: keyctl meets
  /// EAGAIN many times and must wait each out (it delivered 187 of 5,000 keys).
  static let slowReader = """
    import json, os, subprocess, sys, time
    r, w = os.pipe()
    os.set_blocking(w, False)
    p = subprocess.Popen(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
    os.close(w)
    time.sleep(0.5)
    data = bytearray()
    while True:
        chunk = os.read(r, 8192)
        if not chunk:
            break
        data += chunk
        time.sleep(0.001)
    err = p.stderr.read().decode()
    print(json.dumps({"status": p.wait(), "out": data.decode(), "err": err}))
    """

  @Test(arguments: ["ndjson", "json"])
  func aNonBlockingPipeReadSlowlyGetsAll5000Keys(format: String) async throws {
    let sim = try await Simulator.start(["--fal-keys", "5000"])
    let outcome = try await python(
      Self.slowReader, ["list", "-p", "fal", "-o", format], environment: sim.environment(["fal"]))
    #expect(outcome["status"] as? Int == 0, "\(outcome["err"] ?? "")")
    let text = outcome["out"] as? String ?? ""
    let result = RunResult(status: 0, stdout: text, stderr: outcome["err"] as? String ?? "")
    let ids = try (format == "json" ? result.keys() : result.lines()).compactMap {
      $0["id"] as? String
    }
    #expect(ids.count == 5000)
    #expect(Set(ids).count == 5000)
    expectClean(result)
  }
}

/// SIGTERM and SIGHUP, handled like Ctrl-C (issue 11, item 5).
///
/// One at a time: each holds a keyctl and a simulator waiting, and on a busy
/// shared machine a dozen at once starve each other past their deadlines.
@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"), .serialized)
struct EndToEndSignalTests {
  /// Polls the simulator until it has begun answering `count` requests.
  /// Generous: on a loaded machine a process can take seconds to be scheduled.
  private func waitForRequests(_ sim: Simulator, _ count: Int) async throws -> Bool {
    let deadline = Date().addingTimeInterval(45)
    while Date() < deadline {
      if ((try await sim.stats())["requests"] as? Int ?? 0) >= count { return true }
      try await Task.sleep(nanoseconds: 200_000_000)
    }
    return false
  }

  /// Sends `signal` once the simulator holds `requests` requests, and checks
  /// keyctl stopped the way Ctrl-C stops it, with the signal's own code.
  private func interrupt(
    _ running: RunningKeyctl, with signal: (Int32, Int32, String), once sim: Simulator,
    has requests: Int, sourceLocation: SourceLocation = #_sourceLocation
  ) async throws -> FinishedKeyctl {
    #expect(try await waitForRequests(sim, requests), sourceLocation: sourceLocation)
    let sent = Date()
    running.send(signal.0)
    let finished = await running.finish()
    expectOrderlyStop(
      finished, code: signal.1, name: signal.2, seconds: Date().timeIntervalSince(sent),
      sourceLocation: sourceLocation)
    return finished
  }

  private func expectOrderlyStop(
    _ finished: FinishedKeyctl, code: Int32, name: String, seconds: Double,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let result = finished.result
    #expect(!finished.killedByWatchdog, "keyctl hung", sourceLocation: sourceLocation)
    #expect(
      finished.exitedNormally, "keyctl died of signal \(result.status)",
      sourceLocation: sourceLocation)
    #expect(result.status == code, "\(result.stderr)", sourceLocation: sourceLocation)
    #expect(
      result.stderr.contains("keyctl: interrupted (\(name))"), "\(result.stderr)",
      sourceLocation: sourceLocation)
    for marker in ["Fatal error", "fatal error", "Stack dump", "backtrace", "Backtrace", "Crash"] {
      #expect(!result.stderr.contains(marker), "\(result.stderr)", sourceLocation: sourceLocation)
    }
    // The server answers only after 90 s: this tells "cancelled" from "waited it out".
    #expect(seconds < 20, "took \(seconds) s to stop", sourceLocation: sourceLocation)
    expectClean(result, sourceLocation: sourceLocation)
  }

  /// During requests the server holds for 30 s, with and without the signal
  /// blocked when keyctl starts.
  @Test(arguments: [(SIGTERM, 143, "SIGTERM"), (SIGHUP, 129, "SIGHUP")], [false, true])
  func aSignalDuringAListCancelsItWithItsExitCode(
    signal: (Int32, Int32, String), blockedAtStart: Bool
  ) async throws {
    let sim = try await Simulator.start(["--fal-keys", "5", "--openrouter-keys", "5"])
    try await sim.fault(["provider": "*", "kind": "delay", "delay_ms": 90_000, "times": -1])
    let running = try RunningKeyctl(
      ["list", "-p", "fal,openrouter", "-o", "json", "--timeout", "120"],
      environment: sim.environment(), blocked: blockedAtStart ? [signal.0] : [])
    _ = try await interrupt(running, with: signal, once: sim, has: 2)
    #expect(try await sim.log().isEmpty, "no request was answered")
  }

  /// During a create: the request was sent once, and the user is told the key may exist.
  @Test(arguments: [(SIGTERM, 143, "SIGTERM"), (SIGHUP, 129, "SIGHUP")])
  func aSignalDuringACreateSaysTheKeyMayExist(signal: (Int32, Int32, String)) async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    try await sim.fault([
      "provider": "fal", "method": "POST", "kind": "delay", "delay_ms": 90_000, "times": -1,
    ])
    let running = try RunningKeyctl(
      ["create", "-p", "fal", "--name", "ci", "--max-retries", "5", "--timeout", "120"],
      environment: sim.environment(["fal"]))
    let finished = try await interrupt(running, with: signal, once: sim, has: 1)
    #expect(finished.result.stderr.contains("the key may exist"), "\(finished.result.stderr)")
    #expect(finished.result.stdout.isEmpty)
    #expect(((try await sim.stats())["requests"] as? Int) == 1)
  }

  /// `nohup` starts keyctl with SIGHUP ignored: it stays ignored and the run completes.
  @Test func anInheritedIgnoredSIGHUPStaysIgnored() async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    try await sim.fault(["provider": "fal", "kind": "delay", "delay_ms": 5000, "times": 1])
    let running = try RunningKeyctl(
      ["list", "-p", "fal", "-o", "json"], environment: sim.environment(["fal"]),
      ignored: [SIGHUP])
    #expect(try await waitForRequests(sim, 1))
    running.send(SIGHUP)
    let finished = await running.finish()
    #expect(finished.exitedNormally)
    #expect(finished.result.status == 0, "\(finished.result.stderr)")
    #expect(try finished.result.keys().count == 5)
  }

  /// A command stuck where cancellation cannot reach it (a write to a pipe
  /// nobody reads) is ended by the fallback two seconds later, with the
  /// signal's own exit code and the same one line.
  static let stuckWriter = """
    import array, fcntl, json, os, signal, subprocess, sys, termios, time
    sig = int(sys.argv[1])
    r, w = os.pipe()
    p = subprocess.Popen([sys.argv[2]] + sys.argv[3:], stdout=w, stderr=subprocess.PIPE)
    os.close(w)
    # Wait until the pipe is full, so keyctl is blocked in write(), where
    # cancelling its task cannot reach it.
    deadline = time.time() + 45
    queued = array.array("i", [0])
    while time.time() < deadline:
        fcntl.ioctl(r, termios.FIONREAD, queued)
        if queued[0] >= 60000:
            break
        time.sleep(0.05)
    time.sleep(0.3)
    p.send_signal(sig)
    try:
        status = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        status = "hung"
    print(json.dumps({"status": status, "full": queued[0], "err": p.stderr.read().decode()}))
    """

  @Test(arguments: [
    (SIGTERM, 143, "keyctl: interrupted (SIGTERM)"), (SIGHUP, 129, "keyctl: interrupted (SIGHUP)"),
    (SIGINT, 130, "keyctl: interrupted"),
  ])
  func theFallbackExitsWithTheSignalsCode(signal: (Int32, Int, String)) async throws {
    let sim = try await Simulator.start(["--fal-keys", "5000"])
    let python = try #require(Simulator.python)
    let quoted = [
      python, "-c", Self.stuckWriter, String(signal.0), Keyctl.binary.path, "list", "-p", "fal",
      "-o", "ndjson",
    ].map {
      "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
    let result = try await shell(
      quoted.joined(separator: " "), environment: sim.environment(["fal"]))
    let outcome = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
      "\(result.stdout) \(result.stderr)")
    #expect((outcome["full"] as? Int ?? 0) >= 60000, "keyctl was not blocked writing")
    #expect(outcome["status"] as? Int == signal.1, "\(outcome)")
    let stderr = outcome["err"] as? String ?? ""
    #expect(stderr.split(separator: "\n").contains { $0 == signal.2[...] }, "\(stderr)")
  }
}

/// Numbers from cursors and arguments, and the locale (issue 11, item 7).
@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndNumbersAndLocaleTests {
  static let bogusLocale = ["LANG": "abcdefghijklmno", "LC_ALL": "abcdefghijklmno"]

  /// A bogus 15-letter LANG crashed the cursor's JSON encoding; now a limited
  /// listing prints its cursor and resumes from it, in every format.
  @Test(arguments: ["json", "ndjson", "table"])
  func aBogusLocaleStillPrintsAndResumesTheCursor(format: String) async throws {
    let sim = try await Simulator.start(EndToEndListTests.counts)
    let environment = sim.environment(["fal", "cartesia"]).merging(Self.bogusLocale) { $1 }
    let first = try await Keyctl.run(
      ["list", "-p", "fal,cartesia", "--limit", "120", "-o", format], environment: environment)
    #expect(first.status == 0, "\(first.stderr)")
    let cursor: String
    switch format {
    case "json": cursor = try #require(try first.json()["next_cursor"] as? String)
    case "ndjson":
      cursor = try #require(
        first.stderr.split(separator: "\n").first { $0.hasPrefix("next_cursor: ") }?
          .dropFirst("next_cursor: ".count)
          .description)
    default:
      cursor = try #require(
        first.stderr.components(separatedBy: "--cursor ").last?.trimmingCharacters(
          in: .whitespacesAndNewlines))
    }
    let rest = try await Keyctl.run(
      ["list", "-p", "fal,cartesia", "--cursor", cursor, "-o", "json"], environment: environment)
    #expect(rest.status == 0, "\(rest.stderr)")
    #expect(try rest.keys().count == 250 + 230 - 120)
    expectClean(first)
    expectClean(rest)
  }

  /// A real cursor with one number changed to something keyctl could not do
  /// arithmetic with: a usage error before any request, never a trap.
  @Test(arguments: [
    ("fal skip near Int.max", "fal", 1, "9223372036854775800"),
    ("fal skip Int.max", "fal", 1, "9223372036854775807"),
    ("fal skip past Int.max", "fal", 1, "9223372036854775808"),
    ("fal skip 1e30", "fal", 1, "1e30"),
    ("fal skip -1", "fal", 1, "-1"),
    ("fal page size huge", "fal", 2, "1000000000000"),
    ("OpenRouter offset near Int.max", "openrouter", 3, "\"9223372036854775800\""),
    ("OpenRouter offset Int.max", "openrouter", 3, "\"9223372036854775807\""),
    ("OpenRouter offset negative", "openrouter", 3, "\"-100\""),
  ])
  func aCraftedCursorIsAUsageErrorNotATrap(
    name: String, provider: String, index: Int, value: String
  ) async throws {
    let sim = try await Simulator.start(EndToEndListTests.counts)
    let environment = sim.environment(["fal", "openrouter"])
    let first = try await Keyctl.run(
      ["list", "-p", "fal,openrouter", "--limit", "5", "-o", "json"], environment: environment)
    let real = try #require(try first.json()["next_cursor"] as? String)
    // Both providers stand at a position: fal mid-page, OpenRouter at its start.
    var document = try CursorText.document(real)
    var providers = try #require(document["p"] as? [String: Any])
    var entry = try #require(providers[provider] as? [Any])
    if entry.count < 4 { entry.append("0") }
    let json = try JSONSerialization.jsonObject(
      with: Data("[\(value)]".utf8), options: [.fragmentsAllowed])
    entry[index] = try #require((json as? [Any])?.first)
    providers[provider] = entry
    document["p"] = providers
    let before = try await sim.log().count
    let result = try await Keyctl.run(
      [
        "list", "-p", "fal,openrouter", "--limit", "5", "--cursor", try CursorText.token(document),
        "-o", "json",
      ],
      environment: environment)
    #expect(result.status == 2, "\(name): \(result.stderr)")
    #expect(result.stderr.contains("is not a cursor keyctl made"), "\(result.stderr)")
    #expect(try await sim.log().count == before, "a request was sent")
  }

  /// A cursor keyctl made, which skips into a page, with the largest --limit there is.
  @Test func theLargestLimitWithASkippingCursorListsTheRest() async throws {
    let sim = try await Simulator.start(EndToEndListTests.counts)
    let environment = sim.environment(["fal"])
    let first = try await Keyctl.run(
      ["list", "-p", "fal", "--limit", "7", "-o", "json"], environment: environment)
    let cursor = try #require(try first.json()["next_cursor"] as? String)
    let rest = try await Keyctl.run(
      ["list", "-p", "fal", "--limit", "9223372036854775807", "--cursor", cursor, "-o", "json"],
      environment: environment)
    #expect(rest.status == 0, "\(rest.stderr)")
    let ids = try (first.keys() + rest.keys()).compactMap { $0["id"] as? String }
    #expect(ids.count == 250)
    #expect(Set(ids).count == 250)
  }

  @Test(arguments: [
    ["--timeout", "1e16"], ["--timeout", "1e400"], ["--timeout", "100000"],
    ["--max-retries", "1000"], ["--max-retries", "9223372036854775808"],
  ])
  func anOutOfRangeNumberIsAUsageErrorAndNothingIsSent(arguments: [String]) async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    let result = try await Keyctl.run(
      ["list", "-p", "fal"] + arguments, environment: sim.environment(["fal"]))
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.contains("invalid value '\(arguments[1])'"), "\(result.stderr)")
    #expect(try await sim.log().isEmpty)
  }
}

/// Statuses, credentials and pages that bring nothing (issue 11, items 6 and 8).
@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndStatusAndPagingTests {
  @Test(arguments: [
    (402, 3), (410, 4), (413, 2), (414, 2), (451, 6), (405, 6), (418, 6), (501, 6), (505, 6),
    (599, 6),
  ])
  func everyStatusHasItsDocumentedExitCode(status: Int, code: Int32) async throws {
    let sim = try await Simulator.start(["--openrouter-keys", "5"])
    try await sim.fault([
      "provider": "openrouter", "kind": "status", "status": status, "times": -1,
    ])
    let result = try await Keyctl.run(
      ["list", "-p", "openrouter", "-o", "json", "--max-retries", "0"],
      environment: sim.environment(["openrouter"]))
    #expect(result.status == code, "\(result.stderr)")
    #expect(result.stderr.contains("HTTP \(status)"))
    #expect(!result.stderr.contains("unexpected"))
    let error = try #require((try result.json()["errors"] as? [[String: Any]])?.first)
    #expect(error["status"] as? Int == status)
    expectClean(result)
  }

  /// A line break inside the credential is reported by variable, before any
  /// request; one trailing newline (a file's, a heredoc's) is trimmed.
  @Test(
    arguments: [
      ("\n", 0, nil), ("\r\n", 0, nil), ("\nx", 3, "line break"), ("\r", 3, "line break"),
      ("\u{1B}", 3, "control character"),
    ] as [(String, Int32, String?)])
  func aCredentialWithALineBreakIsRefusedByName(suffix: String, code: Int32, what: String?)
    async throws
  {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    var environment = sim.environment(["fal"])
    environment["FAL_ADMIN_KEY"] = (Simulator.credentials["FAL_ADMIN_KEY"] ?? "") + suffix
    let result = try await Keyctl.run(
      ["list", "-p", "fal", "-o", "json"], environment: environment)
    #expect(result.status == code, "\(result.stderr)")
    if let what {
      #expect(result.stderr.contains("FAL_ADMIN_KEY holds a \(what)"), "\(result.stderr)")
      #expect(try await sim.log().isEmpty, "a request was sent")
    } else {
      #expect(try result.keys().count == 5)
    }
    expectClean(result)
  }

  /// fal answering empty pages that say more follow, each with a fresh cursor,
  /// was followed for 100,000 requests; Cartesia's such page ended the listing
  /// as if complete. Both stop with exit 6 after the keys they did send.
  @Test(arguments: [("fal", 100), ("cartesia", 100)])
  func emptyPagesThatSayMoreFollowStopTheListing(provider: String, firstPage: Int) async throws {
    let sim = try await Simulator.start(EndToEndListTests.counts)
    try await sim.fault([
      "provider": provider, "kind": "empty_pages", "after": 1, "times": -1,
    ])
    let result = try await Keyctl.run(
      ["list", "-p", provider, "-o", "json"], environment: sim.environment([provider]))
    #expect(result.status == 6, "\(result.stderr)")
    #expect(try result.keys().count == firstPage)
    #expect(result.stderr.contains("no keys that says more follow"), "\(result.stderr)")
    let error = try #require((try result.json()["errors"] as? [[String: Any]])?.first)
    #expect(error["kind"] as? String == "bad_response")
    #expect(requests(try await sim.log(), provider).count == 2)
    expectClean(result)
  }
}

/// Colour on a real terminal (a pseudo-terminal python opens): an empty
/// NO_COLOR leaves it on, a non-empty one turns it off.
@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndNoColorTests {
  /// Runs keyctl on a pseudo-terminal (of `PTY_COLUMNS` columns when that is
  /// set, else of no reported size) and prints its exit status, whether an
  /// escape sequence came out, and what did (CRLF line ends, as a terminal reads).
  ///
  /// With `PTY_ANSWER` set, stdin and stderr are the terminal too, as for a
  /// person typing, and once keyctl asks (`[y/N] `) the answer is typed: the
  /// variable's text, or Ctrl-D (end of input) when it is empty. `asked` says
  /// whether the question came.
  static let onATerminal = """
    import fcntl, json, os, pty, struct, subprocess, sys, termios
    main, sub = pty.openpty()
    if "PTY_COLUMNS" in os.environ:
        fcntl.ioctl(sub, termios.TIOCSWINSZ, struct.pack("HHHH", 24, int(os.environ["PTY_COLUMNS"]), 0, 0))
    answer = os.environ.get("PTY_ANSWER")
    person = answer is not None
    p = subprocess.Popen(sys.argv[1:], stdout=sub, stderr=sub if person else subprocess.PIPE,
                         stdin=sub if person else None)
    os.close(sub)
    out = bytearray()
    asked = False
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if person and not asked and b"[y/N] " in out:
            asked = True
            os.write(main, answer.encode() if answer else b"\\x04")
    print(json.dumps({"status": p.wait(), "escape": b"\\x1b[" in out, "asked": asked,
                      "out": out.decode(errors="replace")}))
    """

  @Test(arguments: [(nil, true), ("", true), ("1", false)] as [(String?, Bool)])
  func anEmptyNoColorLeavesColourOn(value: String?, coloured: Bool) async throws {
    let sim = try await Simulator.start(["--fal-keys", "3"])
    var environment = sim.environment(["fal"])
    environment["TERM"] = "xterm"
    environment["NO_COLOR"] = value
    let outcome = try await python(
      Self.onATerminal, ["list", "-p", "fal"], environment: environment)
    #expect(outcome["status"] as? Int == 0)
    #expect(outcome["escape"] as? Bool == coloured, "\(outcome["out"] ?? "")")
  }
}
