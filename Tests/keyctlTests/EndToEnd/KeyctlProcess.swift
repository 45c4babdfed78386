import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What one run of the real `keyctl` binary produced.
struct RunResult {
  let status: Int32
  let stdout: String
  let stderr: String

  /// stdout parsed as one JSON object.
  func json() throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
    guard let dictionary = object as? [String: Any] else {
      throw RunResultError.notAnObject(stdout)
    }
    return dictionary
  }

  /// The `keys` of a `-o json` document.
  func keys() throws -> [[String: Any]] {
    (try json()["keys"] as? [[String: Any]]) ?? []
  }

  /// stdout as ndjson objects.
  func lines() throws -> [[String: Any]] {
    try stdout.split(separator: "\n").map {
      guard let object = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
      else { throw RunResultError.notAnObject(String($0)) }
      return object
    }
  }

  /// Everything printed, for "no secret anywhere" checks.
  var allOutput: String { stdout + stderr }
}

enum RunResultError: Error {
  case notAnObject(String)
  case noBinary(String)
}

/// Runs the built `keyctl` binary as a subprocess with exactly the given
/// environment (nothing inherited), as a user's shell script would.
enum Keyctl {
  /// `keyctl` next to the test bundle, i.e. in the same build folder.
  static let binary: URL = {
    let bundle = URL(fileURLWithPath: CommandLine.arguments.first ?? ".")
    var directory = bundle.deletingLastPathComponent()
    while !directory.path.isEmpty, directory.path != "/" {
      let candidate = directory.appendingPathComponent("keyctl")
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
        !isDirectory.boolValue
      {
        return candidate
      }
      directory = directory.deletingLastPathComponent()
    }
    return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("keyctl")
  }()

  static func run(
    _ arguments: [String], environment: [String: String], stdin: String? = nil
  ) async throws -> RunResult {
    try await offThePool {
      Result { try runBlocking(arguments, environment: environment, stdin: stdin) }
    }.get()
  }

  private static func runBlocking(
    _ arguments: [String], environment: [String: String], stdin: String?
  ) throws -> RunResult {
    try runBlocking(executable: binary, arguments, environment: environment, stdin: stdin)
  }

  /// Runs `executable` (keyctl, or a program that runs it) to the end, on the
  /// calling thread; call it through `offThePool`.
  static func runBlocking(
    executable: URL, _ arguments: [String], environment: [String: String], stdin: String? = nil
  ) throws -> RunResult {
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
      throw RunResultError.noBinary(binary.path)
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = environment
    return try runToEnd(process, stdin: stdin)
  }

  /// Runs `process` with stdin from /dev/null (or a pipe fed `stdin`, then
  /// closed, as `printf … | keyctl` does), reading stdout and stderr to their
  /// ends at once (so a large one cannot block the child), and waits.
  static func runToEnd(_ process: Process, stdin: String? = nil) throws -> RunResult {
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = stdin.map { _ in Pipe() }
    process.standardInput = input ?? FileHandle.nullDevice
    try process.run()
    if let input, let stdin {
      // Written from another thread: a large input must not block while the
      // child has not read it and this thread has not yet read its output.
      // keyctl may exit without reading it all (a usage error): that must be
      // EPIPE here, not SIGPIPE ending the test process.
      signal(SIGPIPE, SIG_IGN)
      let writer = input.fileHandleForWriting
      DispatchQueue.global().async {
        try? writer.write(contentsOf: Data(stdin.utf8))
        try? writer.close()
      }
    }
    let group = DispatchGroup()
    let errBox = DataBox()
    group.enter()
    DispatchQueue.global().async {
      errBox.data = err.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return RunResult(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errBox.data, as: UTF8.self))
  }

  /// Runs `keyctl … | head -1` through the shell, returning the pipeline's
  /// output and keyctl's own exit status.
  static func runPipedToHead(_ arguments: [String], environment: [String: String]) async throws
    -> RunResult
  {
    try await offThePool {
      Result { try runPipedToHeadBlocking(arguments, environment: environment) }
    }.get()
  }

  private static func runPipedToHeadBlocking(
    _ arguments: [String], environment: [String: String]
  ) throws -> RunResult {
    let quoted = ([binary.path] + arguments).map {
      "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
    let script = quoted.joined(separator: " ") + " | head -1; exit ${PIPESTATUS[0]}"
    return try shellBlocking(script, environment: environment)
  }

  /// Runs `script` with bash and exactly `environment` plus `KEYCTL`, the
  /// binary's path, so a test can redirect keyctl's descriptors the way a
  /// user's shell does (`"$KEYCTL" create … > /dev/full`). The status is
  /// bash's: end with `exit ${PIPESTATUS[0]}` to get keyctl's from a pipeline.
  static func shell(_ script: String, environment: [String: String]) async throws -> RunResult {
    try await offThePool { Result { try shellBlocking(script, environment: environment) } }.get()
  }

  private static func shellBlocking(_ script: String, environment: [String: String]) throws
    -> RunResult
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", script]
    process.environment = environment.merging(["KEYCTL": binary.path]) { $1 }
    return try runToEnd(process)
  }
}

/// Runs blocking work (waiting for a child process) on a thread of its own.
///
/// Swift Testing runs tests on the cooperative pool, one thread per core; a test
/// that waited for keyctl there held a whole thread, and two such waits on a
/// 2-core machine starved every other test (a Ctrl-C test then signalled its
/// keyctl only after the watchdog had killed it).
func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
  await withCheckedContinuation { continuation in
    Thread.detachNewThread { continuation.resume(returning: work()) }
  }
}

/// Bytes read on another thread; the DispatchGroup orders the write before the read.
private final class DataBox: @unchecked Sendable {
  var data = Data()
}

/// A `keyctl` process started in the background, so a test can signal it
/// while it works (Ctrl-C) and then collect what it printed.
final class RunningKeyctl: @unchecked Sendable {
  let process = Process()
  private let out = Pipe()
  private let err = Pipe()
  private let group = DispatchGroup()
  private let outBox = DataBox()
  private let errBox = DataBox()
  private let watchdog = Watchdog()

  /// Starts the binary with exactly `environment`; after `deadline` seconds it
  /// is killed (SIGKILL) so that a hang fails the test instead of blocking it.
  /// The deadline is generous because a loaded machine can take long to get a
  /// test to its signal; `send` arms a shorter one that counts from the signal.
  ///
  /// With `sigintBlocked`, keyctl starts with SIGINT in its signal mask, as a
  /// child of a thread that blocks it would (the mask survives exec): python3
  /// blocks it and then execs keyctl in the same process. `blocked` adds other
  /// signals to that mask; `ignored` starts keyctl with those signals set to
  /// SIG_IGN (as `nohup` does for SIGHUP).
  init(
    _ arguments: [String], environment: [String: String], sigintBlocked: Bool = false,
    blocked: [Int32] = [], ignored: [Int32] = [], deadline: Double = 300
  ) throws {
    guard FileManager.default.isExecutableFile(atPath: Keyctl.binary.path) else {
      throw RunResultError.noBinary(Keyctl.binary.path)
    }
    let mask = (sigintBlocked ? [SIGINT] : []) + blocked
    if !mask.isEmpty || !ignored.isEmpty, let python = Simulator.python {
      let maskList = mask.map(String.init).joined(separator: ",")
      let ignoreList = ignored.map(String.init).joined(separator: ",")
      process.executableURL = URL(fileURLWithPath: python)
      process.arguments =
        [
          "-c",
          "import os, signal, sys; signal.pthread_sigmask(signal.SIG_BLOCK, [\(maskList)]); "
            + "[signal.signal(s, signal.SIG_IGN) for s in [\(ignoreList)]]; "
            + "os.execv(sys.argv[1], sys.argv[1:])",
          Keyctl.binary.path,
        ] + arguments
    } else {
      process.executableURL = Keyctl.binary
      process.arguments = arguments
    }
    process.environment = environment
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    for (pipe, box) in [(out, outBox), (err, errBox)] {
      group.enter()
      DispatchQueue.global().async { [group] in
        box.data = pipe.fileHandleForReading.readDataToEndOfFile()
        group.leave()
      }
    }
    let pid = process.processIdentifier
    let watchdog = watchdog
    DispatchQueue.global().asyncAfter(deadline: .now() + deadline) {
      watchdog.killIfRunning(pid)
    }
  }

  /// Sends a signal to the process (SIGINT is what Ctrl-C sends); if it is
  /// still running 60 s later it is killed as hung.
  func send(_ signal: Int32) {
    let pid = process.processIdentifier
    kill(pid, signal)
    let watchdog = watchdog
    DispatchQueue.global().asyncAfter(deadline: .now() + 60) {
      watchdog.killIfRunning(pid)
    }
  }

  /// Waits for the process to end.
  func finish() async -> FinishedKeyctl {
    await offThePool { self.finishBlocking() }
  }

  private func finishBlocking() -> FinishedKeyctl {
    group.wait()
    process.waitUntilExit()
    let killed = watchdog.finish()
    return FinishedKeyctl(
      result: RunResult(
        status: process.terminationStatus,
        stdout: String(decoding: outBox.data, as: UTF8.self),
        stderr: String(decoding: errBox.data, as: UTF8.self)),
      exitedNormally: process.terminationReason == .exit, killedByWatchdog: killed)
  }
}

/// How a background `keyctl` ended.
struct FinishedKeyctl {
  let result: RunResult
  /// False when a signal ended it (status is then the signal number).
  let exitedNormally: Bool
  /// True when it was still running at its deadline and had to be killed.
  let killedByWatchdog: Bool
}

/// Kills a process that outlived its deadline, unless it was already reaped.
private final class Watchdog: @unchecked Sendable {
  private let lock = NSLock()
  private var done = false
  private var killed = false

  func killIfRunning(_ pid: Int32) {
    lock.withLock {
      guard !done else { return }
      killed = true
      kill(pid, SIGKILL)
    }
  }

  /// Marks the process as reaped; true when the watchdog had to kill it.
  func finish() -> Bool {
    lock.withLock {
      done = true
      return killed
    }
  }
}
