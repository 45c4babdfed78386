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
  var descriptors: [ProviderDescriptor] {
    get { chosenDescriptors ?? Providers.all }
    set { chosenDescriptors = newValue }
  }
  /// A test's providers; nil for every known one. `Providers.all` is built
  /// only when a command asks for a provider (`--version` and `--help` never
  /// do): building the four descriptors is over 1% of `keyctl --version`.
  var chosenDescriptors: [ProviderDescriptor]?
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
    let environment = processEnvironment()
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

  /// The process's environment as a dictionary, read straight from `environ`.
  ///
  /// `ProcessInfo.processInfo.environment` gives the same dictionary, but
  /// first builds `ProcessInfo` itself (host, process and bundle details
  /// keyctl never uses): together about 4% of the CPU of `keyctl --version`.
  /// An entry without `=` is a variable with an empty value, and a name given
  /// twice keeps its last value, as `ProcessInfo` does.
  static func processEnvironment() -> [String: String] {
    #if canImport(Glibc)
      var result: [String: String] = [:]
      var entry = environ
      // Never null after exec; only `clearenv()` could make it so.
      guard UInt(bitPattern: entry) != 0 else { return result }
      while let pointer = entry.pointee {
        let bytes = UnsafeBufferPointer(start: pointer, count: strlen(pointer))
        bytes.withMemoryRebound(to: UInt8.self) { utf8 in
          if let equals = utf8.firstIndex(of: UInt8(ascii: "=")) {
            result[String(decoding: utf8[..<equals], as: UTF8.self)] = String(
              decoding: utf8[(equals + 1)...], as: UTF8.self)
          } else {
            result[String(decoding: utf8, as: UTF8.self)] = ""
          }
        }
        entry += 1
      }
      return result
    #else
      return ProcessInfo.processInfo.environment
    #endif
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
