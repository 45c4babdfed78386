import KeyCore

/// The providers of a command that lists keys across providers (`list`,
/// `audit`), chosen and built the one way both do it, so they cannot
/// disagree on which providers a call covers or what a failure exits with.
struct ListingProviders {
  /// The providers of the call, in keyctl's fixed order: those named with
  /// `-p`, else every provider whose credentials are set.
  let selected: [ProviderID]
  /// The adapters that could be built, in the same order.
  let adapters: [any KeyProvider]
  /// Why the others could not be (no credentials, say), one error each:
  /// reported like a provider that failed, while the rest are still listed.
  let failures: [KeyError]

  /// Chooses the providers and builds their adapters.
  ///
  /// A base URL that would be refused is a usage error for the whole call,
  /// reported before any provider is asked anything. With one provider, its
  /// failure to build is the call's error; with several, it is one failure
  /// among answers.
  init(_ globals: GlobalOptions, _ invocation: Invocation, _ context: CommandContext) throws {
    let registry = ProviderRegistry(
      environment: context.environment, settings: globals.clientSettings(context))
    let selected = try Self.select(globals, invocation, context)
    let overrides = ProviderRegistry.Overrides(
      baseURL: globals.baseURL, orgID: invocation[Options.orgID])
    for id in selected {
      _ = try id.baseURL(override: overrides.baseURL, environment: context.environment)
    }
    var adapters: [any KeyProvider] = []
    var failures: [KeyError] = []
    for id in selected {
      do {
        adapters.append(try registry.make(id, overrides: overrides))
      } catch let error as KeyError {
        if selected.count == 1 { throw error }
        failures.append(error)
      }
    }
    self.selected = selected
    self.adapters = adapters
    self.failures = failures
  }

  /// Every failure of the call, the adapters that could not be built and the
  /// providers that failed while listing (`listing`), in provider order.
  func errors(adding listing: [KeyError]) -> [KeyError] {
    (failures + listing).sorted { ($0.provider ?? .fal) < ($1.provider ?? .fal) }
  }

  /// The exit code of a call with these failures: 0 without any, 7 when some
  /// providers answered, else the failures' common code (7 when they differ).
  func exitCode(errors: [KeyError]) -> Int32 {
    if errors.isEmpty { return 0 }
    if errors.count < selected.count { return KeyError(.partial, "").exitCode }
    let codes = Set(errors.map(\.exitCode))
    return codes.count == 1 ? codes.first ?? 7 : 7
  }

  /// The providers named with -p, else every provider whose credentials are set
  /// (saying on stderr which were skipped).
  private static func select(
    _ globals: GlobalOptions, _ invocation: Invocation, _ context: CommandContext
  ) throws -> [ProviderID] {
    if !globals.providers.isEmpty {
      try globals.checkProviderOptions(invocation, selected: globals.providers)
      return globals.providers
    }
    let configured = ProviderID.allCases.filter { $0.credential(in: context.environment) != nil }
    guard !configured.isEmpty else {
      let advice = ProviderID.allCases.map { "  \($0.rawValue): \($0.credentialAdvice)" }
      throw KeyError(
        .auth, "no provider credentials are set",
        hint: "Set at least one of:\n" + advice.joined(separator: "\n"))
    }
    let skipped = ProviderID.allCases.filter { !configured.contains($0) }
    if !skipped.isEmpty {
      context.stderr.line(
        "keyctl: skipping \(skipped.map(\.rawValue).joined(separator: ", ")): no credentials set "
          + "(see 'keyctl providers')")
    }
    try globals.checkProviderOptions(invocation, selected: configured)
    return configured
  }
}
