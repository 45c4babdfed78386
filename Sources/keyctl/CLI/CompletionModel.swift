import KeyCore

/// The command line as the completion scripts see it, read from the command
/// specs and `Options.global` and from nothing else.
///
/// The three generators (bash, zsh, fish) and the parser read the same data,
/// so a command, alias, option or choice added to a spec is completed by every
/// shell without touching a generator, and a script cannot offer what the
/// parser would refuse.
struct CompletionModel {
  /// One command as a completion script needs it.
  struct Entry {
    /// The name people type (`list`).
    let name: String
    /// Other names of the same command (`revoke`).
    let aliases: [String]
    /// The command's one-line summary, for the shells that show descriptions.
    let summary: String
    /// The command's own options, then the global options (every command takes them).
    let options: [OptionSpec]
    /// Its positional arguments, in order.
    let positionals: [PositionalSpec]

    /// The name and the aliases.
    var names: [String] { [name] + aliases }
  }

  /// Every command, in help order.
  let commands: [Entry]
  /// The options every command takes, before or after its name.
  let global: [OptionSpec]
  /// Every option the parser can read before it knows the command, one per
  /// long name (its first declaration), in declaration order: a script reads
  /// the words before the cursor with these, as the parser does.
  let readable: [OptionSpec]
  /// The short letters and the options they stand for, as the parser maps them.
  let shortNames: [(letter: Character, option: OptionSpec)]

  /// The model of `commands` (keyctl's, or a test's own).
  init(commands: [any Command.Type]) {
    let global = Options.global
    self.global = global
    self.commands = commands.map { command in
      let spec = command.spec
      let own = Set(spec.options.map(\.long))
      return Entry(
        name: spec.name, aliases: spec.aliases, summary: spec.summary,
        options: spec.options + global.filter { !own.contains($0.long) },
        positionals: spec.positionals)
    }
    let table = OptionTable(commands: commands)
    var seen: Set<String> = []
    readable = (global + commands.flatMap { $0.spec.options }).compactMap { option in
      guard seen.insert(option.long).inserted else { return nil }
      return table.long[option.long]
    }
    shortNames = readable.compactMap { option in
      guard let letter = option.short, table.short[letter]?.long == option.long else { return nil }
      return (letter, option)
    }
  }

  /// The options that take a value, by their first declaration.
  var valueOptions: [OptionSpec] { readable.filter(\.takesValue) }
}

/// What completes one value: nothing (free text such as a name or an id),
/// words fixed in keyctl, or words keyctl works out when it runs.
enum CompletionValues: Equatable {
  /// Free text: the script offers nothing.
  case none
  /// A set fixed in keyctl (`table`, `json`, `ndjson`), written into the script.
  case words([String])
  /// A set the script asks keyctl for at completion time with
  /// `keyctl completion --values SOURCE` (providers, and the config file's
  /// profiles), so a script never goes stale and never copies
  /// a user's data.
  case ask(ChoiceSource)

  /// What completes a value with these choices.
  init(_ choices: Choices?) {
    switch choices {
    case .none: self = .none
    case .fixed(let words)?: self = .words(words)
    case .source(let source)?: self = .ask(source)
    }
  }
}

extension OptionSpec {
  /// The first sentence of the help, for the shells that show one line per option.
  var firstSentence: String {
    guard let end = help.range(of: ". ") else { return help }
    return String(help[..<end.lowerBound]) + "."
  }
}
