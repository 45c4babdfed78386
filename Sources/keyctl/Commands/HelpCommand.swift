import KeyCore

/// `keyctl help [COMMAND]`.
enum HelpCommand {
  static func run(_ invocation: Invocation, _ context: CommandContext, width: Int) throws -> Int32 {
    guard let name = invocation.positionals.first else {
      try context.stdout.write(HelpRenderer.main(width: width))
      try context.stdout.flush()
      return 0
    }
    guard let command = Spec.command(named: name) else {
      let suggestion = Suggestions.closest(to: name, in: Spec.commands.map(\.name))
      let known = Spec.commands.map(\.name).joined(separator: ", ")
      throw KeyError.usage(
        "no help for unknown command '\(name)'."
          + (suggestion.map { " Did you mean '\($0)'?" } ?? " Commands: \(known)."))
    }
    try context.stdout.write(HelpRenderer.command(command, width: width))
    try context.stdout.flush()
    return 0
  }
}
