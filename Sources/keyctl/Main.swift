import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The process entry point: build the live context, run, exit with the code.
@main
enum Main {
  /// Runs keyctl and exits with the command's code.
  static func main() async {
    occupyClosedStandardDescriptors()
    // A closed stdout must surface as EPIPE on write, not kill the process mid-line.
    signal(SIGPIPE, SIG_IGN)
    // The handler exists before any work starts, so no request is ever in flight
    // while SIGINT still has the disposition keyctl inherited.
    let running = RunningTask()
    let interrupts = Interrupts.install { running.cancel() }
    let context = CommandContext.live()
    let arguments = Array(CommandLine.arguments.dropFirst())
    // Started immediately, on this thread: the parsing, and all of a command
    // that never waits (`--version`, `--help`, usage errors), run without a
    // hop to another thread and back (18 context switches for `--version`
    // before; each a scheduling delay on a busy machine). The first real wait
    // (a request, stdin) suspends it as before.
    let task: Task<Int32, Never>
    if #available(macOS 26, *) {
      task = Task.immediate { await Runner.run(arguments, context: context) }
    } else {
      task = Task { await Runner.run(arguments, context: context) }
    }
    running.set(task)
    let code = await task.value
    interrupts?.cancel()
    // The command's own code: an interruption it noticed is already 130, 143 or
    // 129, and a command that finished (a create whose secret was printed)
    // reports its real outcome even if a signal came in at the last moment.
    exit(code)
  }

  /// Puts `/dev/null` on any of descriptors 0, 1 and 2 that keyctl was started
  /// without (`keyctl create >&-`).
  ///
  /// Otherwise the next descriptor keyctl opens (the interrupt pipe, a
  /// provider's socket) would become "stdout", and a created secret would be
  /// written into it. stdout gets `/dev/null` opened read-only, so writing to it
  /// still fails (EBADF: exit 10, the key named) instead of vanishing.
  private static func occupyClosedStandardDescriptors() {
    for (descriptor, flags) in [
      (STDIN_FILENO, O_RDONLY), (STDOUT_FILENO, O_RDONLY), (STDERR_FILENO, O_WRONLY),
    ]
    where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
      let opened = open("/dev/null", flags)
      if opened >= 0, opened != descriptor {
        dup2(opened, descriptor)
        close(opened)
      }
    }
  }
}

/// The command's task, handed to the interrupt handler once it exists; a Ctrl-C
/// that comes first cancels the task as soon as it is set.
private final class RunningTask: @unchecked Sendable {
  /// Guards `task` and `cancelled`.
  private let lock = NSLock()
  /// The command's task, once made.
  private var task: Task<Int32, Never>?
  /// Whether an interruption came before the task existed.
  private var cancelled = false

  /// Hands over the task, cancelling it at once if an interruption came first.
  func set(_ task: Task<Int32, Never>) {
    let cancelNow = lock.withLock {
      self.task = task
      return cancelled
    }
    if cancelNow { task.cancel() }
  }

  /// Cancels the task, or marks it to be cancelled as soon as it is set.
  func cancel() {
    let current = lock.withLock {
      cancelled = true
      return task
    }
    current?.cancel()
  }
}
