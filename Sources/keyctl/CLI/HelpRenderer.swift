import KeyCore

/// Renders help pages from `Spec`, wrapped to the terminal width.
enum HelpRenderer {
  static func main(width: Int) -> String {
    var out =
      "keyctl \(Version.current) — one command line for the API keys your team holds at fal, "
    out += "px0, Cartesia and OpenRouter.\n"
    out = wrap(out, width: width, indent: 0) + "\n"
    out += "USAGE:\n  keyctl <command> [options]\n\nCOMMANDS:\n"
    let names = Spec.commands.map(\.name)
    let pad = (names.map(\.count).max() ?? 0) + 4
    for command in Spec.commands {
      out += column("  " + command.name, command.summary + ".", pad: pad + 2, width: width)
    }
    out += "\n" + section("GLOBAL OPTIONS", Spec.global, width: width)
    out += "\nCREDENTIALS (read from the environment only, never from a command-line value):\n"
    for provider in ProviderID.allCases {
      out += column(
        "  " + provider.rawValue,
        provider.credentialVariables.joined(separator: ", ") + "; base URL: "
          + provider.baseURLVariables.joined(separator: ", "),
        pad: 14, width: width)
    }
    out += "\nEXIT CODES:\n"
    for (code, meaning) in exitCodes {
      out += column("  \(code)", meaning, pad: 8, width: width)
    }
    out += "\nRun 'keyctl help <command>' for a command's options and examples.\n"
    return out
  }

  static func command(_ command: CommandSpec, width: Int) -> String {
    var out = wrap(
      "keyctl \(command.name) — \(command.summary.lowercasedFirst).", width: width, indent: 0)
    out += "\n\nUSAGE:\n" + wrap(command.usage, width: width, indent: 2) + "\n"
    if !command.discussion.isEmpty {
      out += "\n" + wrap(command.discussion, width: width, indent: 0) + "\n"
    }
    let common = command.options.filter { $0.provider == nil }
    let perProvider = command.options.filter { $0.provider != nil }
    if !common.isEmpty { out += "\n" + section("OPTIONS", common, width: width) }
    if !perProvider.isEmpty {
      out += "\n" + section("PROVIDER OPTIONS (only with that provider)", perProvider, width: width)
    }
    out += "\n" + section("GLOBAL OPTIONS", Spec.global, width: width)
    if command.name == "list" || command.name == "create" {
      out += "\nPROVIDERS:\n"
      for provider in ProviderID.allCases {
        let capabilities = provider.capabilities
        let text =
          command.name == "create"
          ? (capabilities.canCreate ? "can create keys" : "cannot create keys (no API for it)")
          : "paging: \(capabilities.paging.rawValue)"
            + (capabilities.maxPageSize.map { ", up to \($0) a page" } ?? ", one page")
        out += column("  " + provider.rawValue, text, pad: 14, width: width)
      }
    }
    if !command.examples.isEmpty {
      out += "\nEXAMPLES:\n"
      for example in command.examples { out += "  " + example + "\n" }
    }
    return out
  }

  /// The exit-code table of `keyctl --help`; a test checks it covers every `KeyError.Kind`.
  static let exitCodes: [(Int, String)] = [
    (0, "success"),
    (1, "unexpected failure"),
    (2, "usage error (bad command, option or value)"),
    (3, "authentication or permission refused, or no credentials"),
    (4, "not found"),
    (5, "rate limited, retries used up"),
    (6, "provider or network failure (5xx and other 4xx, timeout, unreadable response)"),
    (7, "partial: some providers answered, some failed (the rest is still printed)"),
    (8, "operation not supported by that provider"),
    (10, "could not write the output (stdout full, closed or failing)"),
    (129, "interrupted by SIGHUP"),
    (130, "interrupted (Ctrl-C)"),
    (143, "interrupted by SIGTERM"),
  ]

  private static func section(_ title: String, _ options: [OptionSpec], width: Int) -> String {
    var out = title + ":\n"
    let pad = min(30, (options.map { $0.synopsis.count }.max() ?? 0) + 6)
    for option in options {
      let prefix = option.provider.map { "(\($0.rawValue)) " } ?? ""
      out += column("  " + option.synopsis, prefix + option.help, pad: pad, width: width)
    }
    return out
  }

  /// A left label and wrapped text aligned at `pad`; a long label gets its own line.
  private static func column(_ label: String, _ text: String, pad: Int, width: Int) -> String {
    let body = wrap(text, width: width, indent: pad)
    let bodyText = String(body.dropFirst(pad))
    if label.count + 2 <= pad {
      return label + String(repeating: " ", count: pad - label.count) + bodyText + "\n"
    }
    return label + "\n" + body + "\n"
  }

  /// Wraps words to `width`, every line indented by `indent` spaces.
  static func wrap(_ text: String, width: Int, indent: Int) -> String {
    let room = max(20, width - indent)
    let margin = String(repeating: " ", count: indent)
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
      if line.isEmpty {
        line = String(word)
      } else if line.count + 1 + word.count <= room {
        line += " " + word
      } else {
        lines.append(line)
        line = String(word)
      }
    }
    if !line.isEmpty || lines.isEmpty { lines.append(line) }
    return lines.map { margin + $0 }.joined(separator: "\n")
  }
}

extension String {
  fileprivate var lowercasedFirst: String {
    guard let first else { return self }
    return first.lowercased() + dropFirst()
  }
}
