import KeyCore

/// Parses argv, runs the command and turns every outcome into an exit code.
///
/// This is where errors are rendered (once), where a stdout that cannot take
/// the output becomes exit 10, and where an interruption gets the exit code of
/// the signal that caused it (130 SIGINT, 143 SIGTERM, 129 SIGHUP).
enum Runner {
  /// Runs one command line to its exit code; nothing escapes as a thrown error.
  /// `commands` is keyctl's command list; tests bring their own.
  ///
  /// `nonisolated(nonsending)`: it runs on its caller's executor (the main
  /// thread, from `Main`), so a command line that needs no waiting is parsed and
  /// answered without a thread hop; a command's own waits still go to the pool.
  nonisolated(nonsending) static func run(
    _ arguments: [String], context: CommandContext, commands: [any Command.Type] = Commands.all
  ) async -> Int32 {
    do {
      let invocation = try Parser.parse(arguments, commands: commands)
      let width = Terminal.width(context.environment)
      if invocation[Options.version] {
        try context.stdout.write("keyctl \(Version.current)\n")
        try context.stdout.flush()
        return 0
      }
      let asksForHelp = invocation[Options.help]
      if invocation.command == nil, !asksForHelp {
        // `keyctl -o yaml` or `keyctl -p fal`: check the values, then say what is missing.
        _ = try GlobalOptions(invocation, environment: context.environment)
        if invocation.hasOptions {
          throw KeyError.usage(
            "missing a command: keyctl <command> [options] (commands: "
              + invocation.commands.map { $0.spec.name }.joined(separator: ", ") + ")")
        }
      }
      guard let command = invocation.command, !asksForHelp else {
        let page =
          invocation.command.map { $0.helpPage(for: invocation, width: width) }
          ?? HelpRenderer.main(commands: invocation.commands, width: width)
        try context.stdout.write(page)
        try context.stdout.flush()
        return 0
      }
      return try await command.run(invocation, context)
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
