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
    let context = CommandContext.live()
    let task = Task { await Runner.run(Array(CommandLine.arguments.dropFirst()), context: context) }
    let interrupts = Interrupts.install { task.cancel() }
    let code = await task.value
    interrupts.cancel()
    exit(task.isCancelled ? 130 : code)
  }
}
