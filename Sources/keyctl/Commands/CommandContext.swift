import Foundation
import KeyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Everything a command needs from the outside world, built once by `@main`
/// (or by a test, with memory sinks and a mock transport).
struct CommandContext: Sendable {
  var environment: [String: String]
  var stdout: OutputSink
  var stderr: OutputSink
  var stdoutIsTTY: Bool
  var transport: any HTTPTransport
  /// Replaces the retry wait (tests run retries instantly).
  var sleep: (@Sendable (Double) async throws -> Void)?
  /// The signal that interrupted the command (SIGINT, SIGTERM or SIGHUP), if
  /// one did: its name goes into the "interrupted" message.
  var interruptedBy: @Sendable () -> Int32? = { nil }

  /// The context of a real run: the process's environment, descriptors and network.
  static func live() -> CommandContext {
    var context = CommandContext(
      environment: ProcessInfo.processInfo.environment,
      stdout: OutputSink(descriptor: STDOUT_FILENO), stderr: OutputSink(descriptor: STDERR_FILENO),
      stdoutIsTTY: isatty(STDOUT_FILENO) == 1, transport: URLSessionTransport())
    context.interruptedBy = { Interrupts.received }
    return context
  }
}
