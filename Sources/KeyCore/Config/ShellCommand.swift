import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How a `credential_command` run ended.
enum ShellOutcome: Sendable, Equatable {
  /// It exited by itself with `status`, having printed `output` on stdout.
  case exited(status: Int32, output: [UInt8])
  /// A signal ended it (not one keyctl sent).
  case signaled(Int32)
  /// It did not finish in time; keyctl killed its process group.
  case timedOut
  /// The calling task was cancelled (Ctrl-C); keyctl killed its process group.
  case cancelled
  /// It printed more than the limit; keyctl killed its process group.
  case outputTooLarge
  /// `/bin/sh` could not be started; the `posix_spawn` or `pipe` error number.
  case spawnFailed(Int32)
}

/// Runs one shell command for its stdout, with a deadline and cancellation,
/// never hanging and never leaving the command running.
///
/// Built on `posix_spawn` rather than Foundation's `Process` for control that
/// `Process` does not give on every platform: the child gets its own process
/// group (so a timeout or Ctrl-C kills the pipeline `sh` started, not just
/// `sh`), stdin from `/dev/null` (a prompt fails instead of waiting), an empty
/// signal mask and default signal dispositions (keyctl blocks SIGINT and ignores
/// SIGPIPE, which a child would otherwise inherit), and stderr passed through.
/// A dedicated thread waits in `poll` on the output and a wake-up pipe, so the
/// wait costs no CPU and a cancellation or the deadline ends it at once.
enum ShellCommand {
  /// Serialises pipe creation and spawning, so that one command's child never
  /// inherits another's pipe (which would delay the first one's end of output
  /// until the second finished) in the moment before close-on-exec is set.
  private static let spawnLock = NSLock()

  /// Runs `/bin/sh -c command` with exactly `environment`, its stderr on the
  /// descriptor `standardError` (keyctl's own stderr, or a test's file), and at
  /// most `outputLimit` bytes of stdout accepted (more ends the command).
  static func run(
    _ command: String, environment: [String: String], timeout: Duration, standardError: Int32,
    outputLimit: Int
  ) async -> ShellOutcome {
    if Task.isCancelled { return .cancelled }
    let deadline = ContinuousClock.now + timeout
    let wake: WakePipe
    let child: Child
    switch spawn(command, environment: environment, standardError: standardError) {
    case .success(let spawned):
      (child, wake) = spawned
    case .failure(let code):
      return .spawnFailed(code.value)
    }
    return await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        let thread = Thread {
          continuation.resume(
            returning: supervise(child, wake: wake, deadline: deadline, outputLimit: outputLimit))
        }
        thread.start()
      }
    } onCancel: {
      wake.fire()
    }
  }

  /// An error number, as a `Result` failure.
  struct Errno: Error {
    /// The error number.
    var value: Int32
  }

  /// The spawned `sh` and the read end of its stdout.
  struct Child: Sendable {
    /// Its process id, which is also its process group's id.
    var pid: pid_t
    /// The read end of the pipe on its stdout.
    var output: Int32
  }

  /// Starts `/bin/sh -c command` in a new process group.
  private static func spawn(
    _ command: String, environment: [String: String], standardError: Int32
  ) -> Result<(Child, WakePipe), Errno> {
    spawnLock.lock()
    defer { spawnLock.unlock() }
    guard let output = makePipe() else { return .failure(Errno(value: errno)) }
    guard let wakeEnds = makePipe() else {
      let code = errno
      close(output.read)
      close(output.write)
      return .failure(Errno(value: code))
    }
    let wake = WakePipe(read: wakeEnds.read, write: wakeEnds.write)

    #if canImport(Darwin)
      var actions: posix_spawn_file_actions_t?
      var attributes: posix_spawnattr_t?
    #else
      var actions = posix_spawn_file_actions_t()
      var attributes = posix_spawnattr_t()
    #endif
    posix_spawn_file_actions_init(&actions)
    posix_spawnattr_init(&attributes)
    defer {
      posix_spawn_file_actions_destroy(&actions)
      posix_spawnattr_destroy(&attributes)
    }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, output.write, 1)
    if standardError != 2 { posix_spawn_file_actions_adddup2(&actions, standardError, 2) }
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    posix_spawnattr_setpgroup(&attributes, 0)
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM, SIGCHLD, SIGTTIN, SIGTTOU] {
      sigaddset(&defaults, signal)
    }
    posix_spawnattr_setsigdefault(&attributes, &defaults)

    let words: [String] = ["/bin/sh", "-c", command]
    let arguments = words.map { strdup($0) } + [nil]
    let variables = environment.map { strdup($0.key + "=" + $0.value) } + [nil]
    defer {
      for pointer in arguments + variables { free(pointer) }
    }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments, variables)
    close(output.write)
    guard result == 0 else {
      close(output.read)
      wake.close()
      return .failure(Errno(value: result))
    }
    return .success((Child(pid: pid, output: output.read), wake))
  }

  /// A pipe whose ends are close-on-exec and above the standard descriptors
  /// (if keyctl was started with stdout closed, `pipe` could return 1, and
  /// making that the child's stdout would then be a no-op that keeps
  /// close-on-exec set).
  private static func makePipe() -> (read: Int32, write: Int32)? {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { return nil }
    var moved: [Int32] = []
    for end in ends {
      let copy = fcntl(end, F_DUPFD_CLOEXEC, 3)
      close(end)
      moved.append(copy)
    }
    guard moved.allSatisfy({ $0 >= 0 }) else {
      for end in moved where end >= 0 { close(end) }
      return nil
    }
    return (moved[0], moved[1])
  }

  /// Waits for the command to end, reading its stdout, on the calling (dedicated) thread.
  private static func supervise(
    _ child: Child, wake: WakePipe, deadline: ContinuousClock.Instant, outputLimit: Int
  ) -> ShellOutcome {
    defer {
      close(child.output)
      wake.close()
    }
    var output: [UInt8] = []
    var stop: ShellOutcome?
    var buffer = [UInt8](repeating: 0, count: 4096)
    reading: while true {
      guard let wait = milliseconds(until: deadline) else {
        stop = .timedOut
        break
      }
      var descriptors = [
        pollfd(fd: child.output, events: Int16(POLLIN), revents: 0),
        pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0),
      ]
      let ready = poll(&descriptors, 2, wait)
      if ready < 0 {
        if errno == EINTR { continue }
        stop = .timedOut
        break
      }
      if descriptors[1].revents != 0 {
        stop = .cancelled
        break
      }
      guard descriptors[0].revents != 0 else { continue }
      let count = buffer.withUnsafeMutableBytes { read(child.output, $0.baseAddress, $0.count) }
      switch count {
      case 0:
        break reading
      case ..<0:
        if errno == EINTR || errno == EAGAIN { continue }
        break reading
      default:
        output += buffer.prefix(count)
        if output.count > outputLimit {
          stop = .outputTooLarge
          break reading
        }
      }
    }
    var status: Int32 = 0
    if stop == nil {
      // Its stdout is closed; it normally exits at the same moment. Poll for the
      // exit with short sleeps that a cancellation still interrupts.
      var pause: Int32 = 1
      waiting: while true {
        let reaped = waitpid(child.pid, &status, WNOHANG)
        if reaped == child.pid { break }
        if reaped < 0, errno != EINTR {
          stop = .spawnFailed(errno)
          break
        }
        guard let wait = milliseconds(until: deadline) else {
          stop = .timedOut
          break
        }
        var descriptor = pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, min(wait, pause)) > 0 {
          stop = .cancelled
          break waiting
        }
        pause = min(pause * 2, 100)
      }
      if stop == nil {
        let signal = status & 0x7F
        return signal == 0
          ? .exited(status: (status >> 8) & 0xFF, output: output) : .signaled(signal)
      }
    }
    // Timed out, cancelled or too talkative: end the whole group, then reap `sh`.
    kill(-child.pid, SIGKILL)
    kill(child.pid, SIGKILL)
    while waitpid(child.pid, &status, 0) < 0, errno == EINTR {}
    return stop ?? .timedOut
  }

  /// Milliseconds left until `deadline`, rounded up, for `poll`; nil once it has passed.
  private static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32? {
    let left = deadline - ContinuousClock.now
    guard left > .zero else { return nil }
    let (seconds, attoseconds) = left.components
    let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    return Int32(clamping: max(1, total))
  }
}

/// A pipe that a cancellation handler writes one byte into to wake the thread
/// waiting in `poll`; closing it under the same lock means a late cancellation
/// never writes into a descriptor number that has since been reused.
final class WakePipe: @unchecked Sendable {
  /// Guards `writeEnd` against a concurrent `close`.
  private let lock = NSLock()
  /// The end `poll` watches.
  let read: Int32
  /// The end `fire` writes to; -1 once closed.
  private var writeEnd: Int32

  /// Wraps a pipe's two ends.
  init(read: Int32, write: Int32) {
    self.read = read
    self.writeEnd = write
  }

  /// Wakes the waiting thread; does nothing once the wait is over.
  func fire() {
    lock.lock()
    defer { lock.unlock() }
    guard writeEnd >= 0 else { return }
    var byte: UInt8 = 1
    _ = write(writeEnd, &byte, 1)
  }

  /// Closes both ends; called once, by the waiting thread when it is done.
  func close() {
    lock.lock()
    defer { lock.unlock() }
    guard writeEnd >= 0 else { return }
    _ = closeDescriptor(writeEnd)
    _ = closeDescriptor(read)
    writeEnd = -1
  }
}

/// `close(2)`, under a name that a method called `close` can call.
private func closeDescriptor(_ descriptor: Int32) -> Int32 {
  close(descriptor)
}
