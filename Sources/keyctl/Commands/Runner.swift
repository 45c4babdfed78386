import KeyCore

/// Parses argv, runs the command and turns every outcome into an exit code.
///
/// This is where errors are rendered (once), where a stdout that cannot take
/// the output becomes exit 10, and where an interruption gets the exit code of
/// the signal that caused it (130 SIGINT, 143 SIGTERM, 129 SIGHUP).
enum Runner {
  /// Runs one command line to its exit code; nothing escapes as a thrown error.
  static func run(_ arguments: [String], context: CommandContext) async -> Int32 {
    do {
      let invocation = try Parser.parse(arguments)
      let width = Terminal.width(context.environment)
      if invocation.has("version") {
        try context.stdout.write("keyctl \(Version.current)\n")
        try context.stdout.flush()
        return 0
      }
      if invocation.command == nil, !invocation.has("help") {
        // `keyctl -o yaml` or `keyctl -p fal`: check the values, then say what is missing.
        _ = try GlobalOptions(invocation, environment: context.environment)
        if !invocation.values.isEmpty {
          throw KeyError.usage(
            "missing a command: keyctl <command> [options] (commands: "
              + Spec.commands.map(\.name).joined(separator: ", ") + ")")
        }
      }
      guard let command = invocation.command, !invocation.has("help") || command.name == "help"
      else {
        let page =
          invocation.command.map { HelpRenderer.command($0, width: width) }
          ?? HelpRenderer.main(width: width)
        try context.stdout.write(page)
        try context.stdout.flush()
        return 0
      }
      switch command.name {
      case "list": return try await ListCommand.run(invocation, context)
      case "create": return try await CreateCommand.run(invocation, context)
      case "providers": return try ProvidersCommand.run(invocation, context)
      default: return try HelpCommand.run(invocation, context, width: width)
      }
    } catch var error as KeyError {
      try? context.stdout.flush()
      if error.kind == .interrupted, let name = context.interruptedBy().flatMap(Interrupts.name) {
        error.message += " (\(name))"
      }
      context.stderr.line(ErrorRenderer.render(error))
      return error.kind == .interrupted
        ? Interrupts.exitCode(for: context.interruptedBy()) : error.exitCode
    } catch let failure as OutputFailed {
      // Data the user asked for did not arrive: never a success (exit 10, one line).
      context.stderr.line(ErrorRenderer.render(failure.keyError))
      return failure.keyError.exitCode
    } catch let closed as OutputClosed {
      // Only `list` ends quietly when its reader goes; it catches this itself.
      context.stderr.line(ErrorRenderer.render(closed.keyError))
      return closed.keyError.exitCode
    } catch {
      context.stderr.line("keyctl: unexpected failure: \(error)")
      return 1
    }
  }
}
