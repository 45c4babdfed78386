import KeyCore

/// Turns tokens into an `Invocation`, driven entirely by `Spec`.
///
/// Options may come before or after the command. Each usage error names the
/// offending argument, suggests the nearest valid one and points to `--help`.
enum Parser {
  static func parse(_ arguments: [String]) throws -> Invocation {
    var invocation = Invocation()
    let tokens = Lexer.tokens(arguments)
    var index = 0
    var pendingShort: [(OptionSpec, String)] = []

    func record(_ option: OptionSpec, _ value: String) {
      if option.repeatable {
        invocation.values[option.long, default: []].append(value)
      } else {
        invocation.values[option.long] = [value]
      }
    }
    func nextValue(for option: OptionSpec, shown: String) throws -> String {
      if index + 1 < tokens.count {
        switch tokens[index + 1] {
        case .value(let value, _):
          index += 1
          return value
        // `--sort -name`, `--timeout -1`: a dash word that starts with no known
        // short option is the value (and is then checked like any other value).
        case .short(let cluster, _)
        where cluster.first.map { Spec.shortOptions[$0] == nil } ?? false:
          index += 1
          return "-" + cluster
        default:
          break
        }
      }
      throw invocation.usageError(
        "option '\(shown)' needs a value (\(option.valueName ?? "VALUE"))")
    }

    while index < tokens.count {
      switch tokens[index] {
      case .terminator:
        break
      case .value(let text, _):
        if invocation.command == nil, invocation.positionals.isEmpty {
          guard let command = Spec.command(named: text) else {
            let suggestion = Suggestions.closest(to: text, in: Spec.commands.map(\.name))
            throw KeyError.usage(
              "unknown command '\(text)'." + (suggestion.map { " Did you mean '\($0)'?" } ?? ""))
          }
          invocation.command = command
        } else {
          invocation.positionals.append(text)
        }
      case .long(let name, let inline, _):
        guard let option = Spec.allOptions[name] else {
          throw unknownOption("--" + name, invocation)
        }
        if option.takesValue {
          record(option, try inline ?? nextValue(for: option, shown: "--" + name))
        } else {
          if let inline {
            throw invocation.usageError(
              "option '--\(name)' does not take a value (got '\(inline)')")
          }
          record(option, "")
        }
      case .short(let cluster, _):
        var characters = cluster[...]
        while let letter = characters.first {
          characters = characters.dropFirst()
          guard let option = Spec.shortOptions[letter] else {
            throw unknownOption("-" + String(letter), invocation)
          }
          if option.takesValue {
            let value =
              characters.isEmpty
              ? try nextValue(for: option, shown: "-" + String(letter)) : String(characters)
            pendingShort.append((option, value))
            characters = ""
          } else {
            pendingShort.append((option, ""))
          }
        }
        for (option, value) in pendingShort { record(option, value) }
        pendingShort.removeAll()
      }
      index += 1
    }
    try validate(invocation)
    return invocation
  }

  /// Checks that every option given belongs to the command and that the
  /// positionals fit it.
  private static func validate(_ invocation: Invocation) throws {
    if invocation.has("help") || invocation.has("version") { return }
    let command = invocation.command
    let allowed = Set((Spec.global + (command?.options ?? [])).map(\.long))
    for name in invocation.values.keys.sorted() where !allowed.contains(name) {
      if let command {
        let takers = Spec.commands.filter { $0.options.contains { $0.long == name } }.map {
          "'keyctl \($0.name)'"
        }
        throw invocation.usageError(
          "option '--\(name)' is not valid for 'keyctl \(command.name)'"
            + (takers.isEmpty ? "" : "; it belongs to \(takers.joined(separator: " and "))"))
      }
      throw KeyError.usage("option '--\(name)' needs a command, e.g. 'keyctl list --\(name) …'")
    }
    let extra =
      command?.name == "help" ? invocation.positionals.dropFirst() : invocation.positionals[...]
    if let first = extra.first {
      throw invocation.usageError("unexpected argument '\(first)'")
    }
  }

  private static func unknownOption(_ shown: String, _ invocation: Invocation) -> KeyError {
    let pool = (Spec.global + (invocation.command?.options ?? Spec.commands.flatMap(\.options)))
    let candidates = pool.map { "--" + $0.long } + pool.compactMap { $0.short.map { "-\($0)" } }
    let suggestion = Suggestions.closest(to: shown, in: candidates)
    return invocation.usageError(
      "unknown option '\(shown)'." + (suggestion.map { " Did you mean '\($0)'?" } ?? ""))
  }
}
