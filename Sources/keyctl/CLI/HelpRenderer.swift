import KeyCore

/// Renders help pages from the command specs and the global options, wrapped
/// to the terminal width: every command, option, argument, choice and exit
/// code shown here comes from the data the parser uses.
enum HelpRenderer {
  /// What keyctl is, in one sentence: the main help page and the man page's NAME line.
  static let tagline =
    "one command line for the API keys your team holds at fal, px0, Cartesia and OpenRouter."

  /// `keyctl --help`: the commands, the global options, credentials and exit codes.
  static func main(commands: [any Command.Type], width: Int) -> String {
    var out = wrap("keyctl \(Version.current) — \(tagline)", width: width, indent: 0) + "\n\n"
    out += "USAGE:\n  keyctl <command> [options]\n\nCOMMANDS:\n"
    let pad = (commands.map { DisplayWidth.of($0.spec.name) }.max() ?? 0) + 4
    for command in commands {
      out += column(
        "  " + command.spec.name, sentence(command.spec) + ".", pad: pad + 2, width: width)
    }
    out += "\n" + section("GLOBAL OPTIONS", Options.global, commands: commands, width: width)
    out += "\nCREDENTIALS (environment or config file; never a command-line value):\n"
    for provider in ProviderID.allCases {
      // Settings read from the environment too (px0's PX0_ORG_ID) are listed with the provider.
      let also = (provider.descriptor?.settings ?? []).flatMap(\.variables)
      out += column(
        "  " + provider.rawValue,
        provider.credentialVariables.joined(separator: ", ")
          + (also.isEmpty ? "" : "; also: " + also.joined(separator: ", ")) + "; base URL: "
          + provider.baseURLVariables.joined(separator: ", "),
        pad: 14, width: width)
    }
    out += "\nCONFIG FILE:\n" + wrap(configFileSentence, width: width, indent: 2) + "\n"
    out += "\nEXIT CODES:\n"
    for (code, meaning) in exitCodes {
      out += column("  \(code)", meaning, pad: 8, width: width)
    }
    out += "\nRun 'keyctl help <command>' for a command's options and examples.\n"
    return out
  }

  /// `keyctl COMMAND --help`: usage, arguments, options, per-provider notes, examples.
  static func command(_ command: CommandSpec, commands: [any Command.Type], width: Int) -> String {
    var out = wrap(
      "keyctl \(command.name) — \(sentence(command).lowercasedFirst).", width: width, indent: 0)
    out += "\n\nUSAGE:\n" + wrap(command.usage, width: width, indent: 2) + "\n"
    if !command.discussion.isEmpty {
      out += "\n" + wrap(command.discussion, width: width, indent: 0) + "\n"
    }
    if !command.positionals.isEmpty {
      out += "\nARGUMENTS:\n"
      let pad = min(30, (command.positionals.map { DisplayWidth.of($0.name) }.max() ?? 0) + 6)
      for positional in command.positionals {
        let text =
          positional.help
          + choiceSentence(positional.choices, list: positional.repeatable, commands: commands)
        out += column("  " + positional.name, text, pad: pad, width: width)
      }
    }
    let common = command.options.filter { $0.provider == nil }
    let perProvider = command.options.filter { $0.provider != nil }
    if !common.isEmpty {
      out += "\n" + section("OPTIONS", common, commands: commands, width: width)
    }
    if !perProvider.isEmpty {
      out +=
        "\n"
        + section(
          "PROVIDER OPTIONS (only with that provider)", perProvider, commands: commands,
          width: width)
    }
    out += "\n" + section("GLOBAL OPTIONS", Options.global, commands: commands, width: width)
    if let note = command.providerNote {
      out += "\nPROVIDERS:\n"
      for provider in ProviderID.allCases {
        out += column("  " + provider.rawValue, note(provider), pad: 14, width: width)
      }
    }
    if !command.examples.isEmpty {
      out += "\nEXAMPLES:\n"
      for example in command.examples { out += "  " + example + "\n" }
    }
    return out
  }

  /// Where the config file is and what it does, for the main help page.
  static let configFileSentence =
    "$KEYCTL_CONFIG, else $XDG_CONFIG_HOME/keyctl/config.toml, else "
    + "~/.config/keyctl/config.toml (optional): per provider a credential_env, credential_file "
    + "or credential_command, base_url and settings; [profile.NAME.PROVIDER] tables are chosen "
    + "with --profile NAME or KEYCTL_PROFILE. 'keyctl providers' shows what is used."

  /// The exit-code table: success, each code an error kind ends with (its
  /// `KeyError.Kind.summary`), `audit`'s findings, and the signals handled
  /// like Ctrl-C, in increasing order. A test checks it covers every kind.
  static var exitCodes: [(code: Int32, meaning: String)] {
    var table: [(code: Int32, meaning: String)] = [(0, "success")]
    table += KeyError.exitCodeSummaries.map { ($0.code, $0.summary) }
    // Not an error, so no error kind brings it: the one code a command returns on its own.
    table.append((Audit.findingsExitCode, Audit.findingsExitSummary))
    for signal in Interrupts.handled {
      guard let name = Interrupts.name(of: signal) else { continue }
      table.append((Interrupts.exitCode(for: signal), "interrupted by \(name)"))
    }
    return table.sorted { $0.code < $1.code }
  }

  /// The command's summary, with its aliases when it has any.
  private static func sentence(_ command: CommandSpec) -> String {
    guard !command.aliases.isEmpty else { return command.summary }
    let label = command.aliases.count == 1 ? "alias" : "aliases"
    return command.summary + " (\(label): \(command.aliases.joined(separator: ", ")))"
  }

  /// `" One of: table, json, ndjson."` (or `Any of`, for a comma-separated or
  /// repeated value), or nothing without choices.
  private static func choiceSentence(
    _ choices: Choices?, list: Bool, commands: [any Command.Type]
  ) -> String {
    if case .source(let source)? = choices, !source.isDefinedByKeyctl { return "" }
    guard let values = choices?.values(commands: commands), !values.isEmpty else { return "" }
    return " \(list ? "Any" : "One") of: \(values.joined(separator: ", "))."
  }

  /// A titled list of options: synopsis, then help and choices.
  private static func section(
    _ title: String, _ options: [OptionSpec], commands: [any Command.Type], width: Int
  ) -> String {
    var out = title + ":\n"
    let pad = min(30, (options.map { DisplayWidth.of($0.synopsis) }.max() ?? 0) + 6)
    for option in options {
      let prefix = option.provider.map { "(\($0.rawValue)) " } ?? ""
      let choices = choiceSentence(option.choices, list: option.commaSeparated, commands: commands)
      out += column("  " + option.synopsis, prefix + option.help + choices, pad: pad, width: width)
    }
    return out
  }

  /// A left label and wrapped text aligned at `pad`; a long label gets its own line.
  private static func column(_ label: String, _ text: String, pad: Int, width: Int) -> String {
    let body = wrap(text, width: width, indent: pad)
    let bodyText = String(body.dropFirst(pad))
    let labelWidth = DisplayWidth.of(label)
    if labelWidth + 2 <= pad {
      return label + String(repeating: " ", count: pad - labelWidth) + bodyText + "\n"
    }
    return label + "\n" + body + "\n"
  }

  /// Wraps words to `width` display columns, every line indented by `indent` spaces.
  static func wrap(_ text: String, width: Int, indent: Int) -> String {
    let room = max(20, width - indent)
    let margin = String(repeating: " ", count: indent)
    var lines: [String] = []
    var line = ""
    var used = 0
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
      let wordWidth = DisplayWidth.of(String(word))
      if line.isEmpty {
        line = String(word)
        used = wordWidth
      } else if used + 1 + wordWidth <= room {
        line += " " + word
        used += 1 + wordWidth
      } else {
        lines.append(line)
        line = String(word)
        used = wordWidth
      }
    }
    if !line.isEmpty || lines.isEmpty { lines.append(line) }
    return lines.map { margin + $0 }.joined(separator: "\n")
  }
}

extension String {
  /// The text with its first character lower-cased, for "keyctl list — list …".
  fileprivate var lowercasedFirst: String {
    guard let first else { return self }
    return first.lowercased() + dropFirst()
  }
}
