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
  /// The process's environment (credentials, base URLs, `NO_COLOR`, `COLUMNS`).
  var environment: [String: String]
  /// Where the data asked for goes.
  var stdout: OutputSink
  /// Where messages, notices and errors go.
  var stderr: OutputSink
  /// Where `keyctl delete -` reads keys and a confirmation prompt its answer.
  var stdin = StandardInput(text: "")
  /// Whether stdin is a terminal: with stderr, whether a person can be asked.
  var stdinIsTTY = false
  /// Whether stderr is a terminal: a prompt is only shown where it is seen.
  var stderrIsTTY = false
  /// Whether stdout is a terminal: colour, and tables fitted to its width.
  var stdoutIsTTY: Bool
  /// The width tables are fitted to (`Terminal.tableWidth`), nil when output
  /// must never be cut (not a terminal, or one of unknown width).
  var tableWidth: Int?
  /// How requests reach the providers.
  var transport: any HTTPTransport
  /// The providers keyctl can build: every known one (`Providers.all`), or a
  /// test's, whose adapters answer without a network.
  var descriptors = Providers.all
  /// Replaces the retry wait (tests run retries instantly).
  var sleep: (@Sendable (Double) async throws -> Void)?
  /// The signal that interrupted the command (SIGINT, SIGTERM or SIGHUP), if
  /// one did: its name goes into the "interrupted" message.
  var interruptedBy: @Sendable () -> Int32? = { nil }
  /// How long a config file's `credential_command` may run (DESIGN.md: 30 s);
  /// in-process tests shorten it to test the limit without waiting for it.
  var credentialTimeout: Duration = .seconds(30)

  /// The context of a real run: the process's environment, descriptors and network.
  static func live() -> CommandContext {
    let environment = ProcessInfo.processInfo.environment
    let isTTY = isatty(STDOUT_FILENO) == 1
    var context = CommandContext(
      environment: environment,
      stdout: OutputSink(descriptor: STDOUT_FILENO), stderr: OutputSink(descriptor: STDERR_FILENO),
      stdoutIsTTY: isTTY,
      tableWidth: Terminal.tableWidth(
        isTTY: isTTY, reported: isTTY ? reportedColumns() : nil, environment: environment),
      transport: URLSessionTransport())
    context.interruptedBy = { Interrupts.received }
    context.stdin = StandardInput(descriptor: STDIN_FILENO)
    context.stdinIsTTY = isatty(STDIN_FILENO) == 1
    context.stderrIsTTY = isatty(STDERR_FILENO) == 1
    return context
  }

  /// Whether a person can be asked to confirm: stdin and stderr are both
  /// terminals (a prompt on a pipe would wait for nobody, or be read by a script).
  var canAsk: Bool { stdinIsTTY && stderrIsTTY }

  /// The columns the terminal on stdout says it has (`TIOCGWINSZ`), or nil.
  private static func reportedColumns() -> Int? {
    var size = winsize()
    guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
  }
}
