import KeyCore

/// Turns tokens into an `Invocation`, driven entirely by the command specs
/// and the global options.
///
/// Options may come before or after the command. Each usage error names the
/// offending argument, suggests the nearest valid one and points to `--help`.
/// Every value is checked here (choices, numbers, UUIDs…), so a command reads
/// only values that are already right.
enum Parser {
  /// Parses `arguments` against `commands` (every command keyctl has, unless a
  /// test brings its own).
  static func parse(_ arguments: [String], commands: [any Command.Type] = Commands.all) throws
    -> Invocation
  {
    var invocation = Invocation(commands: commands)
    let table = OptionTable(commands: commands)
    let tokens = Lexer.tokens(arguments)
    var index = 0

    func record(_ option: OptionSpec, _ value: String) {
      if invocation.values[option.long] == nil { invocation.order.append(option.long) }
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
        where cluster.first.map { table.short[$0] == nil } ?? false:
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
          guard let command = commands.command(named: text) else {
            let suggestion = Suggestions.closest(to: text, in: commands.allNames)
            throw KeyError.usage(
              "unknown command '\(text)'." + (suggestion.map { " Did you mean '\($0)'?" } ?? ""))
          }
          invocation.command = command
        } else {
          invocation.positionals.append(text)
        }
      case .long(let name, let inline, _):
        guard let option = table.long[name] else {
          throw unknownOption("--" + name, invocation, table)
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
        var pending: [(OptionSpec, String)] = []
        var characters = cluster[...]
        while let letter = characters.first {
          characters = characters.dropFirst()
          guard let option = table.short[letter] else {
            throw unknownOption("-" + String(letter), invocation, table)
          }
          if option.takesValue {
            let value =
              characters.isEmpty
              ? try nextValue(for: option, shown: "-" + String(letter)) : String(characters)
            pending.append((option, value))
            characters = ""
          } else {
            pending.append((option, ""))
          }
        }
        for (option, value) in pending { record(option, value) }
      }
      index += 1
    }
    try validate(&invocation, table)
    return invocation
  }

  /// Checks that every option given belongs to the command and that the
  /// positionals fit it, then checks and types every value, in command-line order.
  ///
  /// With `--help` or `--version` nothing else is checked: help is shown
  /// whatever else the line holds.
  private static func validate(_ invocation: inout Invocation, _ table: OptionTable) throws {
    let answers = [Options.help, Options.version].filter { invocation.isGiven($0) }
    if !answers.isEmpty {
      for flag in answers { invocation.typedOptions[flag.spec.long] = true }
      return
    }
    let spec = invocation.command?.spec
    let allowed = Options.global + (spec?.options ?? [])
    let byName = Dictionary(allowed.map { ($0.long, $0) }) { first, _ in first }
    for name in invocation.values.keys.sorted() where byName[name] == nil {
      if let spec {
        let takers = invocation.commands.filter { $0.spec.options.contains { $0.long == name } }
          .map { "'keyctl \($0.spec.name)'" }
        throw invocation.usageError(
          "option '--\(name)' is not valid for 'keyctl \(spec.name)'"
            + (takers.isEmpty ? "" : "; it belongs to \(takers.joined(separator: " and "))"))
      }
      throw KeyError.usage("option '--\(name)' needs a command, e.g. 'keyctl list --\(name) …'")
    }

    var remaining = invocation.positionals[...]
    var taken: [(PositionalSpec, [String])] = []
    for positional in spec?.positionals ?? [] {
      let arguments = positional.repeatable ? Array(remaining) : Array(remaining.prefix(1))
      remaining = remaining.dropFirst(arguments.count)
      if arguments.isEmpty {
        if positional.required {
          throw invocation.usageError("missing argument \(positional.name)")
        }
        continue
      }
      taken.append((positional, arguments))
    }
    if let first = remaining.first {
      throw invocation.usageError("unexpected argument '\(first)'")
    }

    for name in invocation.order {
      guard let option = byName[name], let given = invocation.values[name] else { continue }
      let context = ValueContext(
        shown: option.shown, helpPage: invocation.helpPage, commands: invocation.commands)
      invocation.typedOptions[name] = try option.convert(given, context)
    }
    for (positional, arguments) in taken {
      let context = ValueContext(
        shown: positional.name, helpPage: invocation.helpPage, commands: invocation.commands)
      invocation.typedPositionals[positional.name] = try positional.convert(arguments, context)
    }
  }

  /// "unknown option", suggesting the nearest option of the command (or of any
  /// command when none is named yet).
  private static func unknownOption(
    _ shown: String, _ invocation: Invocation, _ table: OptionTable
  ) -> KeyError {
    let pool =
      Options.global
      + (invocation.command?.spec.options ?? invocation.commands.flatMap { $0.spec.options })
    let candidates = pool.map { "--" + $0.long } + pool.compactMap { $0.short.map { "-\($0)" } }
    let suggestion = Suggestions.closest(to: shown, in: candidates)
    return invocation.usageError(
      "unknown option '\(shown)'." + (suggestion.map { " Did you mean '\($0)'?" } ?? ""))
  }
}

/// Every option of every command and the global ones, by long and short
/// name: options may come before the command, so the parser must know how to
/// read one (does it take a value?) before it knows which command it is for.
///
/// A long name means one option everywhere (the first declaration is used for
/// reading; a test checks that every declaration of a name reads alike).
struct OptionTable {
  /// Options by long name.
  let long: [String: OptionSpec]
  /// Options by short letter.
  let short: [Character: OptionSpec]

  /// The table of `Options.global` and every option of `commands`.
  init(commands: [any Command.Type]) {
    var long: [String: OptionSpec] = [:]
    var short: [Character: OptionSpec] = [:]
    let declared = Options.global + commands.flatMap { $0.spec.options }
    for option in declared where long[option.long] == nil {
      long[option.long] = option
      if let letter = option.short, short[letter] == nil { short[letter] = option }
    }
    self.long = long
    self.short = short
  }
}
