import KeyCore

/// `keyctl help [COMMAND]`: the main help page, or one command's.
enum HelpCommand: Command {
  /// `COMMAND`: the command to explain (a name or an alias).
  static let topic = Positional<(any Command.Type)?>(
    "COMMAND", choices: .source(.commands), help: "The command to explain.", absent: nil
  ) { values, context in
    guard let name = values.first else { return nil }
    guard let command = context.commands.command(named: name) else {
      let suggestion = Suggestions.closest(to: name, in: context.commands.allNames)
      let known = context.commands.map { $0.spec.name }.joined(separator: ", ")
      throw KeyError.usage(
        "no help for unknown command '\(name)'."
          + (suggestion.map { " Did you mean '\($0)'?" } ?? " Commands: \(known)."))
    }
    return command
  }

  /// `--man`: the whole manual instead of one help page.
  static let man: Option<Bool> = .flag(
    "man",
    help: "Print keyctl's man page (keyctl.1, in roff) instead of a help page.")

  /// The command's name, argument and help.
  static let spec = CommandSpec(
    name: "help", summary: "Show help for keyctl or one command",
    usage: "keyctl help [COMMAND] | keyctl help --man", options: [man],
    positionals: [topic.spec], examples: ["keyctl help list", "keyctl help --man | man -l -"])

  /// Prints the page asked for: a help page, or the man page with `--man`
  /// (which covers every command, so it takes no COMMAND).
  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32 {
    if invocation[man] {
      if let command = invocation[topic] {
        throw invocation.usageError(
          "'\(man.spec.shown)' prints the whole manual, which has every command; drop "
            + "'\(command.spec.name)'")
      }
      try context.stdout.write(ManPage.render(commands: invocation.commands))
      try context.stdout.flush()
      return 0
    }
    try context.stdout.write(helpPage(for: invocation, width: Terminal.width(context.environment)))
    try context.stdout.flush()
    return 0
  }

  /// The named command's page, or the main page: `keyctl help list --help` is
  /// still a question about `list`. (With `--help` the parser checks no value,
  /// so the argument is looked up here; an unknown one gets the main page.)
  static func helpPage(for invocation: Invocation, width: Int) -> String {
    let named = invocation.positionals.first.flatMap { invocation.commands.command(named: $0) }
    guard let command = invocation[topic] ?? named else {
      return HelpRenderer.main(commands: invocation.commands, width: width)
    }
    return HelpRenderer.command(command.spec, commands: invocation.commands, width: width)
  }
}
