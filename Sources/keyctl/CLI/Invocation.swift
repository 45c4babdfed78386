import KeyCore

/// A parsed command line: the command, the arguments as given, and each
/// option's and positional's typed value, checked by the parser.
///
/// Commands read values through their declarations
/// (`invocation[Options.limit]`), never by name.
struct Invocation: Sendable {
  /// The commands this line was parsed against (`Commands.all`, or a test's own).
  let commands: [any Command.Type]
  /// The command named, if any.
  var command: (any Command.Type)?
  /// The positional arguments as given, in order.
  var positionals: [String] = []
  /// Option values as given, by long name, in order; a flag holds one empty
  /// string. Kept for the parser's checks and its tests.
  var values: [String: [String]] = [:]
  /// Long names in the order the options first appeared, so values are
  /// checked (and the first bad one reported) in command-line order.
  var order: [String] = []
  /// Checked, typed option values by long name.
  var typedOptions: [String: any Sendable] = [:]
  /// Checked, typed positional values by placeholder name.
  var typedPositionals: [String: any Sendable] = [:]

  /// An empty invocation over `commands`.
  init(commands: [any Command.Type]) {
    self.commands = commands
  }

  /// The help page errors point to.
  var helpPage: String { command.map { "keyctl \($0.spec.name) --help" } ?? "keyctl --help" }

  /// The option's checked value, or its `absent` value when it was not given.
  subscript<Value>(option: Option<Value>) -> Value {
    typedOptions[option.spec.long].flatMap { $0 as? Value } ?? option.absent
  }

  /// The positional's checked value, or its `absent` value when it was not given.
  subscript<Value>(positional: Positional<Value>) -> Value {
    typedPositionals[positional.spec.name].flatMap { $0 as? Value } ?? positional.absent
  }

  /// Whether the option was given, whatever its type.
  func isGiven(_ option: any OptionDeclaration) -> Bool {
    values[option.spec.long] != nil
  }

  /// Whether any option at all was given.
  var hasOptions: Bool { !values.isEmpty }

  /// A usage error pointing to this command's help page.
  func usageError(_ message: String) -> KeyError {
    KeyError.usage(message, help: helpPage)
  }
}
