import Foundation
import KeyCore

/// The output formats of `-o`.
enum OutputFormat: String, CaseIterable, Sendable {
  /// Aligned columns for people.
  case table
  /// One JSON document.
  case json
  /// One JSON object per line, as the data arrives.
  case ndjson
}

extension Options {
  /// `-p/--provider NAME`: comma-separated and repeatable; checked, deduplicated
  /// and put in keyctl's fixed provider order.
  static let provider = Option<[ProviderID]>(
    "provider", short: "p", value: "NAME", repeatable: true, choices: .source(.providers),
    commaSeparated: true,
    help: "Which provider(s). For list and audit: repeatable and comma-separated; default: every "
      + "provider whose credentials are set.",
    absent: []
  ) { values, context in
    var providers: [ProviderID] = []
    for value in values {
      for part in value.split(separator: ",", omittingEmptySubsequences: false) {
        let name = part.trimmingCharacters(in: .whitespaces).lowercased()
        guard let provider = ProviderID.allCases.first(where: { $0.rawValue == name }) else {
          let suggestion =
            Suggestions.closest(to: name, in: ProviderID.allCases.map(\.rawValue))
            .map { " Did you mean '\($0)'?" } ?? ""
          throw context.usage(
            "unknown provider '\(name)' for '\(context.shown)': expected one of "
              + "\(ProviderNames.list)." + suggestion)
        }
        if !providers.contains(provider) { providers.append(provider) }
      }
    }
    return providers.sorted()
  }

  /// `-o/--output FORMAT`.
  static let output: Option<OutputFormat?> = .choice(
    "output", short: "o", value: "FORMAT", of: OutputFormat.self,
    help: "Output format (default: table).")

  /// `--json`, the short way to say `-o json`.
  static let json: Option<Bool> = .flag("json", help: "Same as -o json.")

  /// `--base-url URL` of the one provider named with `-p`.
  static let baseURL: Option<String?> = .text(
    "base-url", value: "URL",
    help: "API base URL of the one provider named with -p (beats the environment). http:// "
      + "only for loopback hosts.")

  /// `--timeout SECONDS` of silence per request.
  static let timeout: Option<Double?> = .number(
    "timeout", value: "SECONDS", in: GlobalOptions.timeoutRange,
    help: "Give up on a request after this much silence (default 30; 0.001 to 86400).")

  /// `--max-time SECONDS` for the whole of one attempt.
  static let maxTime: Option<Double?> = .number(
    "max-time", value: "SECONDS", in: GlobalOptions.timeoutRange,
    help: "Give up on a request that takes longer than this in all, reading the answer "
      + "included (default 300; per attempt).")

  /// `--max-retries N` of a safe request.
  static let maxRetries: Option<Int?> = .integer(
    "max-retries", value: "N", in: GlobalOptions.retriesRange,
    help: "Retries of a failed safe request (429, 5xx, timeout): 0 to 100; default 3, or "
      + "KEYCTL_MAX_RETRIES. A create is never retried.")

  /// `--profile NAME`: the config file's profile to use (beats `KEYCTL_PROFILE`).
  ///
  /// Any text is accepted here: whether the file defines the profile is
  /// checked when a command reads the file (exit 2, listing its profiles), so
  /// that parsing, help and `--version` never read it.
  static let profile = Option<String?>(
    "profile", value: "NAME", choices: .source(.profiles),
    help: "Use this profile of the config file (default: KEYCTL_PROFILE); what it sets beats "
      + "the environment.",
    absent: nil
  ) { values, _ in values.last }

  /// `-v/--verbose`: HTTP lines on stderr.
  static let verbose: Option<Bool> = .flag(
    "verbose", short: "v",
    help: "Log each HTTP request, response and retry to stderr (secrets redacted).")

  /// `--no-color`.
  static let noColor: Option<Bool> = .flag(
    "no-color",
    help: "Never colour the output (also: NO_COLOR set to anything but empty, or not a terminal).")

  /// `-h/--help`: show help instead of running.
  static let help: Option<Bool> = .flag(
    "help", short: "h", help: "Show help for keyctl or for the command.")

  /// `--version`.
  static let version: Option<Bool> = .flag("version", help: "Print keyctl's version.")

  /// The options every command takes, before or after its name, in help order.
  static let global: [OptionSpec] =
    ([
      provider, output, json, baseURL, timeout, maxTime, maxRetries, profile, verbose, noColor,
      help, version,
    ] as [any OptionDeclaration]).map(\.spec)
}

/// Provider names as messages list them.
enum ProviderNames {
  /// `fal, px0, cartesia, openrouter`.
  static var list: String { ProviderID.allCases.map(\.rawValue).joined(separator: ", ") }
}

/// The options every command shares, read and checked once.
struct GlobalOptions {
  /// Providers named with `-p`, deduplicated, in keyctl's fixed order.
  var providers: [ProviderID] = []
  /// `-o` (or `--json`); table when neither is given.
  var format = OutputFormat.table
  /// `--base-url`, for the one provider named.
  var baseURL: String?
  /// `--timeout`: seconds of silence before a request is given up.
  var timeout = 30.0
  /// `--max-time`: seconds one attempt may take in all, so a server that trickles
  /// its answer cannot hold a CI job.
  var maxTime = 300.0
  /// `--max-retries`, else `KEYCTL_MAX_RETRIES`, else 3.
  var maxRetries = 3
  /// `--profile`, when given (else `KEYCTL_PROFILE` applies, read with the file).
  var profile: String?
  /// `-v`.
  var verbose = false
  /// `--no-color`.
  var noColor = false
  /// The most connections to one provider: the command's `--concurrency`
  /// window (`list`, `delete` set it), else the transport's default.
  var connectionLimit = HTTPRequest.defaultConnectionLimit

  /// Seconds `--timeout` and `--max-time` accept: a millisecond to a day.
  static let timeoutRange = 0.001...86_400.0
  /// Retries `--max-retries` and `KEYCTL_MAX_RETRIES` accept.
  static let retriesRange = 0...100

  /// Reads the global options (already checked one by one by the parser) and
  /// checks how they combine, and `KEYCTL_MAX_RETRIES`.
  init(_ invocation: Invocation, environment: [String: String]) throws {
    providers = invocation[Options.provider]
    let json = invocation[Options.json]
    if let format = invocation[Options.output] {
      if json, format != .json {
        throw invocation.usageError(
          "'\(Options.json.spec.shown)' and '\(Options.output.spec.shown) \(format.rawValue)' "
            + "disagree; give one of them")
      }
      self.format = format
    } else if json {
      format = .json
    }
    baseURL = invocation[Options.baseURL]
    if baseURL != nil, providers.count != 1 {
      throw invocation.usageError(
        "'\(Options.baseURL.spec.shown)' applies to one provider: name it with -p (e.g. -p fal "
          + "\(Options.baseURL.spec.shown) URL)")
    }
    if let seconds = invocation[Options.timeout] { timeout = seconds }
    if let seconds = invocation[Options.maxTime] { maxTime = seconds }
    if let retries = invocation[Options.maxRetries] {
      maxRetries = retries
    } else if let text = environment["KEYCTL_MAX_RETRIES"], !text.isEmpty {
      guard let retries = Int(text), Self.retriesRange.contains(retries) else {
        throw KeyError.usage(
          "KEYCTL_MAX_RETRIES='\(text)' is not a whole number from \(Self.retriesRange.lowerBound) "
            + "to \(Self.retriesRange.upperBound); fix or unset it")
      }
      maxRetries = retries
    }
    profile = invocation[Options.profile]
    verbose = invocation[Options.verbose]
    noColor = invocation[Options.noColor]
  }

  /// Refuses a provider-specific option when the call names providers and
  /// none of them takes it.
  func checkProviderOptions(_ invocation: Invocation, selected: [ProviderID]) throws {
    for option in invocation.command?.spec.options ?? [] where invocation.isGiven(option) {
      guard let owner = option.provider, !selected.contains(owner) else { continue }
      throw invocation.usageError(
        "option '--\(option.long)' is for \(owner.displayName) only, but this call uses "
          + "\(selected.map(\.rawValue).joined(separator: ",")); add -p \(owner.rawValue) or drop it"
      )
    }
  }

  /// How output looks on this call's stdout (colour or not).
  func terminal(_ context: CommandContext) -> Terminal {
    Terminal(isTTY: context.stdoutIsTTY, environment: context.environment, noColorFlag: noColor)
  }

  /// Client settings for this call.
  func clientSettings(_ context: CommandContext) -> ClientSettings {
    var settings = ClientSettings(transport: context.transport)
    settings.timeout = timeout
    settings.maxTime = maxTime
    settings.retry.maxRetries = maxRetries
    settings.connectionLimit = connectionLimit
    settings.userAgent = "keyctl/\(Version.current)"
    if verbose {
      let stderr = context.stderr
      settings.log = { stderr.line("keyctl: " + $0) }
    }
    if let sleep = context.sleep { settings.sleep = sleep }
    return settings
  }
}
