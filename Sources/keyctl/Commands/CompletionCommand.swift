import KeyCore

/// The shells keyctl writes completion scripts for.
enum Shell: String, CaseIterable, Sendable {
  /// bash (with or without the bash-completion package).
  case bash
  /// zsh's completion system (`compinit`).
  case zsh
  /// fish.
  case fish

  /// The completion script for this shell, generated from `commands`.
  func script(commands: [any Command.Type]) -> String {
    switch self {
    case .bash: BashCompletion.script(commands: commands)
    case .zsh: ZshCompletion.script(commands: commands)
    case .fish: FishCompletion.script(commands: commands)
    }
  }
}

extension Options {
  /// `--values SOURCE`: what the completion scripts ask keyctl at completion time.
  static let completionValues = Option<ChoiceSource?>(
    "values", value: "SOURCE", choices: .fixed(ChoiceSource.allCases.map(\.rawValue)),
    help: "Print the values of SOURCE, one a line, instead of a script: what the scripts ask "
      + "for when you press Tab. Reads no credentials and sends nothing.",
    absent: nil
  ) { values, context in
    guard let text = values.last else { return nil }
    return ChoiceSource(
      rawValue: try Option<String?>.checkedChoice(
        text, ChoiceSource.allCases.map(\.rawValue), context))
  }
}

/// `keyctl completion bash|zsh|fish`: a completion script generated from the
/// command specs, so it offers exactly what the parser accepts. Sends nothing
/// over the network and reads no credentials, so it is safe to run at every
/// shell start (`eval "$(keyctl completion bash)"`).
enum CompletionCommand: Command {
  /// `SHELL`: the shell to write the script for.
  static let shell = Positional<Shell?>(
    "SHELL", choices: .fixed(Shell.allCases.map(\.rawValue)),
    help: "The shell to write the script for.", absent: nil
  ) { values, context in
    guard let text = values.first else { return nil }
    return Shell(
      rawValue: try Option<String?>.checkedChoice(
        text, Shell.allCases.map(\.rawValue), context))
  }

  /// The command's name, argument and help.
  static let spec = CommandSpec(
    name: "completion", summary: "Print a shell completion script (bash, zsh or fish)",
    usage: "keyctl completion bash|zsh|fish | keyctl completion --values SOURCE",
    discussion:
      "The script completes commands, options, option values with a fixed set, and provider "
      + "names after -p (also in a comma list); values that depend on where keyctl runs are "
      + "asked of keyctl when you press Tab (keyctl completion --values SOURCE), which sends "
      + "nothing over the network. Scripts/install puts the three scripts where the shells "
      + "look for them.",
    options: [Options.completionValues], positionals: [shell.spec],
    examples: [
      "eval \"$(keyctl completion bash)\"       # in ~/.bashrc",
      "keyctl completion zsh > \"${fpath[1]}/_keyctl\"",
      "keyctl completion fish > ~/.config/fish/completions/keyctl.fish",
    ])

  /// Prints the script, or the values asked for.
  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32 {
    let shell = invocation[Self.shell]
    if let source = invocation[Options.completionValues] {
      if shell != nil {
        throw invocation.usageError(
          "give either a shell or '\(Options.completionValues.spec.shown)', not both")
      }
      let values = source.values(commands: invocation.commands, environment: context.environment)
      try context.stdout.write(values.map { $0 + "\n" }.joined())
    } else if let shell {
      try context.stdout.write(shell.script(commands: invocation.commands))
    } else {
      throw invocation.usageError(
        "missing argument SHELL: one of \(Shell.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    try context.stdout.flush()
    return 0
  }
}
