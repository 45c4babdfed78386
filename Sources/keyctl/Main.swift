import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The process entry point: build the live context, run, exit with the code.
@main
enum Main {
  static func main() async {
    // A closed stdout must surface as EPIPE on write, not kill the process mid-line.
    signal(SIGPIPE, SIG_IGN)
    // The handler exists before any work starts, so no request is ever in flight
    // while SIGINT still has the disposition keyctl inherited.
    let running = RunningTask()
    let interrupts = Interrupts.install { running.cancel() }
    let context = CommandContext.live()
    let task = Task { await Runner.run(Array(CommandLine.arguments.dropFirst()), context: context) }
    running.set(task)
    let code = await task.value
    interrupts?.cancel()
    exit(task.isCancelled ? 130 : code)
  }
}

/// The command's task, handed to the interrupt handler once it exists; a Ctrl-C
/// that comes first cancels the task as soon as it is set.
private final class RunningTask: @unchecked Sendable {
  private let lock = NSLock()
  private var task: Task<Int32, Never>?
  private var cancelled = false

  func set(_ task: Task<Int32, Never>) {
    let cancelNow = lock.withLock {
      self.task = task
      return cancelled
    }
    if cancelNow { task.cancel() }
  }

  func cancel() {
    let current = lock.withLock {
      cancelled = true
      return task
    }
    current?.cancel()
  }
}
