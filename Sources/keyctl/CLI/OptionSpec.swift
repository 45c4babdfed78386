import KeyCore

/// One option as the parser, the help page and the suggestions all see it.
struct OptionSpec: Sendable {
  /// The long name without dashes (`provider`).
  let long: String
  /// The single-letter form, if any (`p`).
  let short: Character?
  /// The placeholder for its value (`NAME`), or nil for a flag.
  let valueName: String?
  /// One or two sentences for the help page.
  let help: String
  /// The provider that takes it, for provider-specific options.
  let provider: ProviderID?
  /// Whether giving it more than once adds values instead of replacing.
  let repeatable: Bool

  init(
    _ long: String, short: Character? = nil, value: String? = nil, provider: ProviderID? = nil,
    repeatable: Bool = false, help: String
  ) {
    self.long = long
    self.short = short
    self.valueName = value
    self.help = help
    self.provider = provider
    self.repeatable = repeatable
  }

  var takesValue: Bool { valueName != nil }

  /// `-p, --provider NAME` as the help page shows it.
  var synopsis: String {
    var text = short.map { "-\($0), " } ?? ""
    text += "--" + long
    if let valueName { text += " " + valueName }
    return text
  }
}

/// One command: its name, what it does and the options only it takes.
struct CommandSpec: Sendable {
  let name: String
  let summary: String
  let usage: String
  let discussion: String
  let options: [OptionSpec]
  let examples: [String]
}
