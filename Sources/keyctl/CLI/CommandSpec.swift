import KeyCore

/// A command: its spec and its run, in one type.
///
/// `Commands.all` lists every command; the parser finds commands (and their
/// aliases) there, the help pages list it, and `Runner` calls `run` on what
/// the parser found, so nothing anywhere dispatches on a command's name.
protocol Command: Sendable {
  /// Everything the parser, the help page and the generators know of the command.
  static var spec: CommandSpec { get }

  /// Runs the parsed command line and returns the exit code; errors are
  /// thrown as `KeyError`s, rendered once by `Runner`.
  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32

  /// The page `keyctl COMMAND --help` prints (default: the command's help page).
  static func helpPage(for invocation: Invocation, width: Int) -> String
}

extension Command {
  /// The command's own help page.
  static func helpPage(for invocation: Invocation, width: Int) -> String {
    HelpRenderer.command(spec, commands: invocation.commands, width: width)
  }
}

/// One command's description: names, text, options, arguments, examples.
struct CommandSpec: Sendable {
  /// The name people type (`list`).
  let name: String
  /// Other names that run the same command (`revoke` for `delete`).
  let aliases: [String]
  /// One line for the command list (no final period).
  let summary: String
  /// The usage line of the help page, written for people (`[filters]`).
  let usage: String
  /// A paragraph after the usage line, or empty.
  let discussion: String
  /// The options only this command takes (global options are everyone's).
  let options: [OptionSpec]
  /// Its positional arguments, in order.
  let positionals: [PositionalSpec]
  /// Command lines to copy.
  let examples: [String]
  /// What the command does at each provider, for the help page's PROVIDERS
  /// section (paging for `list`, whether it can create for `create`), or nil
  /// for no such section.
  let providerNote: (@Sendable (ProviderID) -> String)?

  /// Declares a command; options and positionals are given as their typed declarations.
  init(
    name: String, aliases: [String] = [], summary: String, usage: String, discussion: String = "",
    options: [any OptionDeclaration] = [], positionals: [PositionalSpec] = [],
    examples: [String] = [], providerNote: (@Sendable (ProviderID) -> String)? = nil
  ) {
    self.name = name
    self.aliases = aliases
    self.summary = summary
    self.usage = usage
    self.discussion = discussion
    self.options = options.map(\.spec)
    self.positionals = positionals
    self.examples = examples
    self.providerNote = providerNote
  }

  /// Whether `word` names this command or one of its aliases.
  func answers(to word: String) -> Bool {
    name == word || aliases.contains(word)
  }
}

extension [any Command.Type] {
  /// The command `word` names (or is an alias of), if any.
  func command(named word: String) -> (any Command.Type)? {
    first { $0.spec.answers(to: word) }
  }

  /// Every name and alias, for "did you mean".
  var allNames: [String] {
    flatMap { [$0.spec.name] + $0.spec.aliases }
  }
}
