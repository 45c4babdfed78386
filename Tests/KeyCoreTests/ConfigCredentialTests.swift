import Foundation
import Testing

@testable import KeyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A credential source as the `staging` profile of `/c.toml` would name it.
private func fromProfile(_ source: CredentialSource) -> ResolvedCredential {
  ResolvedCredential(source: source, origin: .profile(name: "staging", path: "/c.toml", line: 7))
}

@Suite struct ConfigCredentialFileTests {
  struct FileCase: Sendable, CustomTestStringConvertible {
    let name: String
    let contents: String
    let mode: mode_t
    /// The credential, or a fragment of the error.
    let expected: Expected
    var testDescription: String { name }
  }

  /// What reading a file gives.
  enum Expected: Sendable {
    /// This credential.
    case success(String)
    /// An error whose message ends with this.
    case failure(String)
  }

  @Test(arguments: [
    FileCase(
      name: "0600", contents: "fal-id:fal-secret", mode: 0o600,
      expected: .success("fal-id:fal-secret")),
    FileCase(name: "0400", contents: "tok", mode: 0o400, expected: .success("tok")),
    FileCase(
      name: "trailing newlines", contents: "tok-123\n\n", mode: 0o600, expected: .success("tok-123")
    ),
    FileCase(
      name: "CRLF and spaces", contents: "  tok-123 \r\n", mode: 0o600,
      expected: .success("tok-123")),
    FileCase(
      name: "0644", contents: "SECRET-1", mode: 0o644,
      expected: .failure("is readable by group or others (mode 0644)")),
    FileCase(
      name: "0640", contents: "SECRET-1", mode: 0o640,
      expected: .failure("is readable by group or others (mode 0640)")),
    FileCase(
      name: "0604", contents: "SECRET-1", mode: 0o604,
      expected: .failure("is readable by group or others (mode 0604)")),
    FileCase(name: "empty", contents: "", mode: 0o600, expected: .failure("is empty")),
    FileCase(
      name: "only whitespace", contents: " \n\n", mode: 0o600, expected: .failure("is empty")),
    FileCase(
      name: "two lines", contents: "SECRET-1\nSECRET-2\n", mode: 0o600,
      expected: .failure("holds more than one line or a control character")),
    FileCase(
      name: "escape inside", contents: "SECRET\u{1B}[2J", mode: 0o600,
      expected: .failure("holds more than one line or a control character")),
  ])
  func readsOrRefuses(_ testCase: FileCase) async throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write("fal", testCase.contents, mode: testCase.mode)
    let reader = CredentialReader(environment: [:])
    let resolved = fromProfile(.file(path))
    switch testCase.expected {
    case .success(let secret):
      let credential = try await reader.read(resolved, provider: "fal")
      #expect(credential.secret == secret)
      #expect(credential.source == "profile staging: credential_file \(path)")
    case .failure(let fragment):
      let error = try await #require(throws: KeyError.self) {
        try await reader.read(resolved, provider: "fal")
      }
      #expect(error.kind == .auth)
      #expect(error.exitCode == 3)
      #expect(error.provider == .fal)
      let expected = "fal credential_file \(path) (profile staging, /c.toml:7) \(fragment)"
      #expect(error.message.hasPrefix(expected), "\(error.message)")
      #expect(!error.message.contains("SECRET") && !(error.hint ?? "").contains("SECRET"))
    }
  }

  @Test func modeHintSaysHowToFixIt() async throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write("fal", "x", mode: 0o644)
    let error = try await #require(throws: KeyError.self) {
      try await CredentialReader(environment: [:]).read(fromProfile(.file(path)), provider: "fal")
    }
    #expect(error.hint == "Make it private: chmod 600 '\(path)'.")
  }

  @Test func missingFile() async throws {
    let directory = try TemporaryDirectory()
    let error = try await #require(throws: KeyError.self) {
      try await CredentialReader(environment: [:]).read(
        fromProfile(.file(directory.path + "/none")), provider: "px0")
    }
    #expect(error.exitCode == 3)
    #expect(error.message.hasSuffix("(profile staging, /c.toml:7) does not exist"))
  }

  @Test func expandsHome() async throws {
    let directory = try TemporaryDirectory()
    _ = try directory.makeDirectory(".secrets")
    try directory.write(".secrets/fal-staging", "tok\n")
    let credential = try await CredentialReader(environment: ["HOME": directory.path]).read(
      fromProfile(.file("~/.secrets/fal-staging")), provider: "fal")
    #expect(credential.secret == "tok")
    #expect(credential.source == "profile staging: credential_file ~/.secrets/fal-staging")
  }

  @Test func homeUnsetCannotExpand() async throws {
    let error = try await #require(throws: KeyError.self) {
      try await CredentialReader(environment: [:]).read(
        fromProfile(.file("~/.secrets/fal")), provider: "fal")
    }
    #expect(error.exitCode == 3)
    #expect(error.message.contains("HOME is not set"))
  }

  @Test func aFIFOIsRefusedWithoutBlocking() async throws {
    let directory = try TemporaryDirectory()
    let path = directory.path + "/fifo"
    #expect(mkfifo(path, 0o600) == 0)
    let error = try await #require(throws: KeyError.self) {
      try await CredentialReader(environment: [:]).read(fromProfile(.file(path)), provider: "fal")
    }
    #expect(error.message.hasSuffix("cannot be read: it is not a regular file"))
  }

  @Test func environmentSources() async throws {
    let reader = CredentialReader(environment: [
      "FAL_KEY_ID": "id", "FAL_KEY_SECRET": "secret", "PX0_STAGING": "sess_1",
    ])
    let pair = ResolvedCredential(
      source: .environment(["FAL_KEY_ID", "FAL_KEY_SECRET"]),
      origin: .environment(["FAL_KEY_ID", "FAL_KEY_SECRET"]))
    let fal = try await reader.read(pair, provider: "fal")
    #expect(fal.secret == "id:secret")
    // The provider's own variables are named bare, as auth hints always named them.
    #expect(fal.source == "FAL_KEY_ID+FAL_KEY_SECRET")
    let px0 = try await reader.read(fromProfile(.environment(["PX0_STAGING"])), provider: "px0")
    #expect(px0.secret == "sess_1")
    #expect(px0.source == "profile staging: credential_env PX0_STAGING")
    let error = try await #require(throws: KeyError.self) {
      try await reader.read(fromProfile(.environment(["PX0_PROD"])), provider: "px0")
    }
    #expect(error.exitCode == 3)
    #expect(
      error.message
        == "px0 credential_env PX0_PROD (profile staging, /c.toml:7) is not set in the environment")
  }
}

@Suite struct ConfigCredentialCommandTests {
  /// Runs `command` as the top-level `[fal]` table's credential_command, with
  /// its stderr captured in a file; returns the result and what it wrote there.
  private func run(
    _ command: String, timeout: Duration = .seconds(120), environment: [String: String] = [:]
  ) async throws -> (Result<Credential, KeyError>, String) {
    let directory = try TemporaryDirectory()
    let errorPath = try directory.write("stderr", "")
    let errorFile = open(errorPath, O_WRONLY | O_APPEND)
    defer { close(errorFile) }
    let reader = CredentialReader(
      environment: environment, commandTimeout: timeout, standardError: errorFile)
    let resolved = ResolvedCredential(
      source: .command(command), origin: .configFile(path: "/c.toml", line: 2))
    let result: Result<Credential, KeyError>
    do {
      result = .success(try await reader.read(resolved, provider: "fal"))
    } catch {
      result = .failure(error)
    }
    let written = try String(contentsOfFile: errorPath, encoding: .utf8)
    return (result, written)
  }

  @Test func stdoutTrimmedIsTheCredential() async throws {
    let (result, _) = try await run("printf '  tok-123\\n\\n'")
    let credential = try result.get()
    #expect(credential.secret == "tok-123")
    #expect(credential.source == "config: credential_command")
  }

  @Test func getsTheEnvironmentAndNoStdin() async throws {
    // stdin is /dev/null: `read` gets end-of-file at once instead of waiting.
    let (result, _) = try await run(
      "read line; printf 'v=%s;in=%s' \"$TOKEN_PART\" \"$line\"", environment: ["TOKEN_PART": "abc"]
    )
    #expect(try result.get().secret == "v=abc;in=")
  }

  struct FailureCase: Sendable, CustomTestStringConvertible {
    let command: String
    let message: String
    let stderr: String
    var testDescription: String { command }
  }

  @Test(arguments: [
    FailureCase(
      command: "echo SECRET-OUT; exit 1", message: "failed: it exited with status 1", stderr: ""),
    FailureCase(command: "exit 7", message: "failed: it exited with status 7", stderr: ""),
    FailureCase(command: "true", message: "failed: its output is empty", stderr: ""),
    FailureCase(
      command: "echo 'vault: not logged in' >&2", message: "failed: its output is empty",
      stderr: "vault: not logged in\n"),
    FailureCase(
      command: "printf 'SECRET-A\\nSECRET-B\\n'",
      message: "failed: its output holds more than one line or a control character", stderr: ""),
    FailureCase(
      command: "kill -9 $$", message: "failed: it was ended by signal 9", stderr: ""),
    FailureCase(
      command: "yes SECRET", message: "failed: it printed more than 65536 bytes and was stopped",
      stderr: ""),
  ])
  func failuresAreAuthErrorsThatNeverEchoOutput(_ testCase: FailureCase) async throws {
    let (result, stderr) = try await run(testCase.command)
    guard case .failure(let error) = result else {
      Issue.record("\(testCase.command) gave a credential")
      return
    }
    #expect(error.kind == .auth)
    #expect(error.exitCode == 3)
    #expect(
      error.message
        == "fal credential_command `\(testCase.command)` (config, /c.toml:2) \(testCase.message)")
    #expect(error.hint?.contains("keyctl never shows its output") == true)
    // What the command printed on stdout never appears; what it printed on stderr passed through.
    #expect(!error.message.replacingOccurrences(of: testCase.command, with: "").contains("SECRET"))
    #expect(stderr == testCase.stderr)
  }

  @Test func aHangingCommandIsKilledWithItsChildren() async throws {
    let directory = try TemporaryDirectory()
    let pids = directory.path + "/pids"
    let started = ContinuousClock.now
    let (result, _) = try await run(
      "echo $$ > \(pids); sleep 600 & echo $! >> \(pids); wait", timeout: .milliseconds(300))
    // Far below the 600 s the command would take if it were waited out, and far
    // above what a loaded CI machine needs to start a shell and kill it.
    #expect(ContinuousClock.now - started < .seconds(300))
    guard case .failure(let error) = result else {
      Issue.record("a hanging command gave a credential")
      return
    }
    #expect(error.exitCode == 3)
    #expect(error.message.hasSuffix("did not finish within 0.3 s and was stopped"))
    try await expectGone(pids)
  }

  @Test func cancellingKillsTheCommand() async throws {
    let directory = try TemporaryDirectory()
    let pids = directory.path + "/pids"
    let reader = CredentialReader(environment: [:], commandTimeout: .seconds(60))
    let resolved = ResolvedCredential(
      source: .command(
        "echo $$ > \(pids).tmp; sleep 600 & echo $! >> \(pids).tmp; mv \(pids).tmp \(pids); wait"),
      origin: .profile(name: "ci", path: "/c.toml", line: 4))
    let started = ContinuousClock.now
    let task = Task { () -> KeyError? in
      do throws(KeyError) {
        _ = try await reader.read(resolved, provider: "cartesia")
        return nil
      } catch {
        return error
      }
    }
    while !FileManager.default.fileExists(atPath: pids) {
      try await Task.sleep(for: .milliseconds(20))
      try #require(ContinuousClock.now - started < .seconds(300), "the command never started")
    }
    task.cancel()
    let error = try #require(await task.value)
    #expect(error.kind == .interrupted)
    #expect(error.exitCode == 130)
    #expect(error.message.contains("(profile ci, /c.toml:4)"))
    #expect(ContinuousClock.now - started < .seconds(300), "the command was waited out")
    try await expectGone(pids)
  }

  @Test func alreadyCancelledRunsNothing() async throws {
    let directory = try TemporaryDirectory()
    let marker = directory.path + "/ran"
    let reader = CredentialReader(environment: [:])
    let task = Task { () -> KeyError? in
      while !Task.isCancelled { await Task.yield() }
      do throws(KeyError) {
        _ = try await reader.read(
          ResolvedCredential(source: .command("touch \(marker)"), origin: .builtIn), provider: "fal"
        )
        return nil
      } catch {
        return error
      }
    }
    task.cancel()
    #expect(try #require(await task.value).kind == .interrupted)
    #expect(!FileManager.default.fileExists(atPath: marker))
  }

  /// Every pid in the file is gone (or a zombie nobody will run again) soon; a
  /// minute is generous on a loaded machine and still tells "killed" from a
  /// `sleep 600` left running.
  private func expectGone(_ pidFile: String) async throws {
    let text = try String(contentsOfFile: pidFile, encoding: .utf8)
    let pids = text.split(separator: "\n").compactMap { pid_t($0) }
    #expect(pids.count == 2)
    for pid in pids {
      let deadline = ContinuousClock.now + .seconds(60)
      while !isGone(pid), ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(20))
      }
      #expect(isGone(pid), "process \(pid) still runs")
    }
  }

  /// No such process, or only its zombie (its parent has not reaped it yet).
  private func isGone(_ pid: pid_t) -> Bool {
    if kill(pid, 0) != 0 { return errno == ESRCH }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return false }
    return stat[stat.index(after: close)...].trimmingPrefix(" ").first == "Z"
  }
}

@Suite struct ConfigCredentialCacheTests {
  @Test func readsEachProviderOnce() async throws {
    let directory = try TemporaryDirectory()
    let count = directory.path + "/count"
    let cache = CredentialCache(reader: CredentialReader(environment: [:]))
    let command = ResolvedCredential(
      source: .command("echo run >> \(count); echo tok"), origin: .configFile(path: "/c", line: 1))
    async let first = cache.credential(for: "fal", command)
    async let second = cache.credential(for: "fal", command)
    let secrets = try await [first.secret, second.secret]
    let third = try await cache.credential(for: "fal", command)
    #expect(secrets == ["tok", "tok"])
    #expect(third.secret == "tok")
    #expect(try String(contentsOfFile: count, encoding: .utf8) == "run\n")
    _ = try await cache.credential(for: "px0", command)
    #expect(try String(contentsOfFile: count, encoding: .utf8) == "run\nrun\n")
  }

  @Test func aFailureIsRememberedToo() async throws {
    let directory = try TemporaryDirectory()
    let count = directory.path + "/count"
    let cache = CredentialCache(reader: CredentialReader(environment: [:]))
    let failing = ResolvedCredential(
      source: .command("echo run >> \(count); exit 1"), origin: .configFile(path: "/c", line: 1))
    for _ in 0..<2 {
      let error = try await #require(throws: KeyError.self) {
        try await cache.credential(for: "fal", failing)
      }
      #expect(error.exitCode == 3)
    }
    #expect(try String(contentsOfFile: count, encoding: .utf8) == "run\n")
  }
}
