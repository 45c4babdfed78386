import Foundation
import KeyCore

/// The namespace every option is declared in, once, as a typed value
/// (`Options.limit`, `Options.provider`): a command reads
/// `invocation[Options.limit]`, so a misspelt option name does not compile.
///
/// Global options are declared beside `GlobalOptions`, options of one command
/// in that command's file, options several commands share in
/// `SharedOptions.swift`.
enum Options {}

/// Where a bad value is reported: the option or argument as the user knows it
/// and the help page to point to, so every converter words its errors alike.
struct ValueContext: Sendable {
  /// `--limit`, or `COMMAND` for a positional argument.
  let shown: String
  /// The help page the error's hint names (`keyctl list --help`).
  let helpPage: String
  /// The commands of this command line, for choices drawn from them.
  let commands: [any Command.Type]

  /// `invalid value 'x' for '--limit': expected …`, exit 2, pointing at help.
  func invalid(_ text: String, expected: String) -> KeyError {
    usage("invalid value '\(text)' for '\(shown)': expected \(expected)")
  }

  /// A usage error with this context's help pointer.
  func usage(_ message: String) -> KeyError {
    KeyError.usage(message, help: helpPage)
  }
}

/// One option as the parser, the help page, the suggestions, the
/// man page and the completion scripts all see it: its names, its value, its
/// choices and how its values are checked. Made only through `Option`, whose
/// type is what commands read.
struct OptionSpec: Sendable {
  /// The long name without dashes (`provider`).
  let long: String
  /// The single-letter form, if any (`p`).
  let short: Character?
  /// The placeholder for its value (`NAME`), or nil for a flag.
  let valueName: String?
  /// One or two sentences for the help page, without the list of choices
  /// (the help page appends `choices`).
  let help: String
  /// The provider that takes it, for provider-specific options.
  let provider: ProviderID?
  /// Whether giving it more than once adds values instead of replacing.
  let repeatable: Bool
  /// The values it accepts, when they form a known set.
  let choices: Choices?
  /// Whether one value is a comma-separated list of choices (`-p fal,px0`,
  /// `--fields id,name`): completion offers a choice again after a comma.
  let commaSeparated: Bool
  /// Checks the values given (in order; never empty) and turns them into the
  /// option's typed value, erased so the parser can hold every option in one list.
  let convert: @Sendable ([String], ValueContext) throws -> any Sendable

  /// Whether the option takes a value (else it is a flag).
  var takesValue: Bool { valueName != nil }

  /// `--provider`, as errors name it.
  var shown: String { "--" + long }

  /// `-p, --provider NAME` as the help page shows it.
  var synopsis: String {
    var text = short.map { "-\($0), " } ?? ""
    text += "--" + long
    if let valueName { text += " " + valueName }
    return text
  }

  /// Whether two declarations of one long name (a command's variant of a
  /// shared option) are parsed alike: same short name, value and repetition.
  func parsesLike(_ other: OptionSpec) -> Bool {
    long == other.long && short == other.short && valueName == other.valueName
      && repeatable == other.repeatable && provider == other.provider
      && commaSeparated == other.commaSeparated
  }
}

/// Anything a command spec lists as an option: an `Option` of any type, or
/// its untyped `OptionSpec`.
protocol OptionDeclaration: Sendable {
  /// The option's untyped description.
  var spec: OptionSpec { get }
}

extension OptionSpec: OptionDeclaration {
  /// The spec itself.
  var spec: OptionSpec { self }
}

/// An option declared once with the type commands read it as.
///
/// `Option<Int?>` for `--limit`, `Option<Bool>` for a flag, `Option<[String]>`
/// for a repeatable one: `invocation[Options.limit]` is that type, already
/// checked when the command line was parsed.
struct Option<Value: Sendable>: OptionDeclaration {
  /// The untyped description the parser and the help page use.
  let spec: OptionSpec
  /// The value when the option is not given (nil, false, an empty list).
  let absent: Value

  /// Declares an option; `convert` gets the values given (never empty) and
  /// throws a usage error (built with the `ValueContext`) for a bad one.
  init(
    _ long: String, short: Character? = nil, value: String? = nil, provider: ProviderID? = nil,
    repeatable: Bool = false, choices: Choices? = nil, commaSeparated: Bool = false,
    help: String, absent: Value,
    convert: @escaping @Sendable ([String], ValueContext) throws -> Value
  ) {
    spec = OptionSpec(
      long: long, short: short, valueName: value, help: help, provider: provider,
      repeatable: repeatable, choices: choices, commaSeparated: commaSeparated,
      convert: { try convert($0, $1) })
    self.absent = absent
  }

  /// Builds from a spec whose converter yields `Value`.
  private init(spec: OptionSpec, absent: Value) {
    self.spec = spec
    self.absent = absent
  }

  /// The same option described differently on one command's help page
  /// (`--workspace-id` lists keys of a workspace, but creates a key in one).
  func withHelp(_ help: String) -> Option {
    Option(
      spec: OptionSpec(
        long: spec.long, short: spec.short, valueName: spec.valueName, help: help,
        provider: spec.provider, repeatable: spec.repeatable, choices: spec.choices,
        commaSeparated: spec.commaSeparated, convert: spec.convert),
      absent: absent)
  }
}

/// Values from a known set, for an option or a positional argument: parsing
/// refuses anything else (with a "did you mean"), the help page lists them,
/// and completion scripts offer them.
enum Choices: Sendable {
  /// A set fixed in keyctl (`table`, `json`, `ndjson`).
  case fixed([String])
  /// A set keyctl knows only when it runs (its providers, its commands), so a
  /// completion script asks for it rather than copying it.
  case source(ChoiceSource)

  /// The values, in the order people read them.
  func values(commands: [any Command.Type]) -> [String] {
    switch self {
    case .fixed(let values): values
    case .source(let source): source.values(commands: commands)
    }
  }
}

/// Where a set of choices comes from when it is not fixed.
///
/// The completion generators switch over these cases to ask keyctl at
/// completion time (`keyctl completion --values SOURCE`).
enum ChoiceSource: String, Sendable, CaseIterable {
  /// The provider names, in keyctl's fixed order.
  case providers
  /// The command names (not aliases), in the command list's order.
  case commands
  /// The profile names the user's config file defines (`--profile`), sorted.
  ///
  /// They depend on the user's file, not on keyctl (`isDefinedByKeyctl`), so
  /// help pages (and a man page) do not list them and the parser accepts any
  /// name (the command checks it when it reads the file: exit 2, listing the
  /// file's profiles); completion reads them when it runs. Reading them needs
  /// no network, runs no command and never fails: a broken or missing file
  /// gives what it can (`Configuration.profileNames`).
  case profiles

  /// The values of this source now; `environment` says where the config file
  /// is (`KEYCTL_CONFIG`, `XDG_CONFIG_HOME`, `HOME`) for `profiles`.
  func values(
    commands: [any Command.Type],
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> [String] {
    switch self {
    case .providers: ProviderID.allCases.map(\.rawValue)
    case .commands: commands.map { $0.spec.name }
    case .profiles: Configuration.profileNames(environment: environment)
    }
  }

  /// Whether keyctl itself defines the values: then help lists them and the
  /// parser accepts no other. Values from the user's files are neither listed
  /// (help would depend on the file) nor checked while parsing (parsing,
  /// help and `--version` never read the file).
  var isDefinedByKeyctl: Bool { self != .profiles }
}
