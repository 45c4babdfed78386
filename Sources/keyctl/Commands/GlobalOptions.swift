import KeyCore

/// The output formats of `-o`.
enum OutputFormat: String, CaseIterable {
  case table, json, ndjson
}

/// The options every command shares, read and checked once.
struct GlobalOptions {
  /// Providers named with `-p`, deduplicated, in keyctl's fixed order.
  var providers: [ProviderID] = []
  var format = OutputFormat.table
  var baseURL: String?
  var timeout = 30.0
  /// `--max-time`: seconds one attempt may take in all, so a server that trickles
  /// its answer cannot hold a CI job.
  var maxTime = 300.0
  var maxRetries = 3
  var verbose = false
  var noColor = false

  /// Seconds `--timeout` and `--max-time` accept: a millisecond to a day.
  static let timeoutRange = 0.001...86_400.0
  /// Retries `--max-retries` and `KEYCTL_MAX_RETRIES` accept.
  static let retriesRange = 0...100

  init(_ invocation: Invocation, environment: [String: String]) throws {
    for value in invocation.strings("provider") {
      for part in value.split(separator: ",", omittingEmptySubsequences: false) {
        let name = part.trimmingCharacters(in: .whitespaces).lowercased()
        let provider = ProviderID(rawValue: name)
        guard ProviderRegistry.descriptor(for: provider) != nil else {
          let suggestion =
            Suggestions.closest(
              to: name, in: ProviderID.allCases.map(\.rawValue)
            ).map { " Did you mean '\($0)'?" } ?? ""
          throw invocation.usageError(
            "unknown provider '\(name)' for '--provider': expected one of \(Spec.providerNames)."
              + suggestion)
        }
        if !providers.contains(provider) { providers.append(provider) }
      }
    }
    providers.sort()
    if let output = try invocation.choice("output", OutputFormat.allCases.map(\.rawValue)),
      let format = OutputFormat(rawValue: output)
    {
      if invocation.has("json"), format != .json {
        throw invocation.usageError("'--json' and '--output \(output)' disagree; give one of them")
      }
      self.format = format
    } else if invocation.has("json") {
      format = .json
    }
    baseURL = invocation.string("base-url")
    if baseURL != nil, providers.count != 1 {
      throw invocation.usageError(
        "'--base-url' applies to one provider: name it with -p (e.g. -p fal --base-url URL)")
    }
    if let seconds = try invocation.number("timeout", in: Self.timeoutRange) { timeout = seconds }
    if let seconds = try invocation.number("max-time", in: Self.timeoutRange) { maxTime = seconds }
    if let retries = try invocation.integer("max-retries", in: Self.retriesRange) {
      maxRetries = retries
    } else if let text = environment["KEYCTL_MAX_RETRIES"], !text.isEmpty {
      guard let retries = Int(text), Self.retriesRange.contains(retries) else {
        throw KeyError.usage(
          "KEYCTL_MAX_RETRIES='\(text)' is not a whole number from \(Self.retriesRange.lowerBound) "
            + "to \(Self.retriesRange.upperBound); fix or unset it")
      }
      maxRetries = retries
    }
    verbose = invocation.has("verbose")
    noColor = invocation.has("no-color")
  }

  /// Refuses a provider-specific option when the call names providers and
  /// none of them takes it.
  func checkProviderOptions(_ invocation: Invocation, selected: [ProviderID]) throws {
    for option in invocation.command?.options ?? [] where invocation.has(option.long) {
      guard let owner = option.provider, !selected.contains(owner) else { continue }
      throw invocation.usageError(
        "option '--\(option.long)' is for \(owner.displayName) only, but this call uses "
          + "\(selected.map(\.rawValue).joined(separator: ",")); add -p \(owner.rawValue) or drop it"
      )
    }
  }

  /// Client settings for this call.
  func clientSettings(_ context: CommandContext) -> ClientSettings {
    var settings = ClientSettings(transport: context.transport)
    settings.timeout = timeout
    settings.maxTime = maxTime
    settings.retry.maxRetries = maxRetries
    settings.userAgent = "keyctl/\(Version.current)"
    if verbose {
      let stderr = context.stderr
      settings.log = { stderr.line("keyctl: " + $0) }
    }
    if let sleep = context.sleep { settings.sleep = sleep }
    return settings
  }
}
