import KeyCore

/// Asking before a command deletes or replaces keys.
///
/// A person at a terminal is asked, on stderr, and only `y` or `yes` (any
/// case) goes ahead: a stray Enter must not delete keys. Anyone else — a
/// script, a pipe, keys read from stdin — has nobody to answer, so the call
/// must say `--yes` or nothing is sent; a prompt nobody sees would hang a CI
/// job, and one a script answers by accident would be worse.
enum Confirmation {
  /// Whether this call may go ahead without asking, or must ask, or must be
  /// refused: checked before any request, so a refusal sends nothing.
  enum Need {
    /// `--yes` was given (or nothing is changed).
    case none
    /// A person is at the terminal: ask once the keys are known.
    case ask
  }

  /// What the call needs: nothing with `--yes`, a prompt for a person, and
  /// for anyone else a usage error (exit 2) saying to add `--yes`.
  static func need(
    yes: Bool, canAsk: Bool, what: String, _ invocation: Invocation
  ) throws -> Need {
    if yes { return .none }
    guard canAsk else {
      throw invocation.usageError(
        "refusing to \(what) without confirmation: stdin and stderr are not both a terminal, so "
          + "nobody can be asked; add --yes to go ahead (nothing was sent)")
    }
    return .ask
  }

  /// Asks `question` on stderr and reads one line from stdin; true only for
  /// `y` or `yes` in any case. The end of the input is a no.
  static func ask(_ question: String, _ context: CommandContext) async throws -> Bool {
    try? context.stderr.write(question)
    try? context.stderr.flush()
    var reader = LineReader(context.stdin, limit: 1024)
    let line: [UInt8]?
    do {
      line = try await reader.next()
    } catch is LineReader.TooLong {
      return false
    }
    guard let line else {
      // Ctrl-D: end the prompt's line so the shell's prompt starts on its own.
      context.stderr.line("")
      return false
    }
    let answer = String(decoding: line, as: UTF8.self).lowercased()
      .trimmingCharacters(in: .whitespaces)
    return answer == "y" || answer == "yes"
  }

  /// The error (exit 1) for an answer that was not yes: `what` did not happen.
  static func declined(_ what: String) -> KeyError {
    KeyError(.declined, "\(what) (the answer was not 'y')")
  }
}
