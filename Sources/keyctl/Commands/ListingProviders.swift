import KeyCore

/// The providers of a command that lists keys across providers (`list`,
/// `audit`), chosen and built the one way both do it, so they cannot
/// disagree on which providers a call covers or what a failure exits with.
struct ListingProviders {
  /// The providers of the call, in keyctl's fixed order: those named with
  /// `-p`, else every provider whose credential is configured.
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
  init(
    _ globals: GlobalOptions, _ invocation: Invocation, _ context: CommandContext
  ) async throws {
    let registry = try globals.registry(context)
    let selected = try Self.select(globals, invocation, registry, context)
    let overrides = ProviderRegistry.Overrides(
      baseURL: globals.baseURL, orgID: invocation[Options.orgID])
    // Before any provider is asked anything, or any credential command is run.
    for id in selected {
      _ = try registry.baseURL(for: id, overrides: overrides)
    }
    var adapters: [any KeyProvider] = []
    var failures: [KeyError] = []
    // One after another: a credential_command may ask a password manager,
    // and two asking at once would confuse the person answering.
    for id in selected {
      do {
        adapters.append(try await registry.make(id, overrides: overrides))
      } catch let error as KeyError {
        // Ctrl-C while a credential command runs ends the whole call.
        if selected.count == 1 || error.kind == .interrupted { throw error }
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

  /// The providers named with -p, else every provider whose credential is
  /// configured — a variable set, or a source in the config file (a
  /// `credential_command` counts without being run) — saying on stderr which
  /// were skipped.
  private static func select(
    _ globals: GlobalOptions, _ invocation: Invocation, _ registry: ProviderRegistry,
    _ context: CommandContext
  ) throws -> [ProviderID] {
    if !globals.providers.isEmpty {
      try globals.checkProviderOptions(invocation, selected: globals.providers)
      return globals.providers
    }
    let configured = ProviderID.allCases.filter(registry.isConfigured)
    guard !configured.isEmpty else {
      let advice = ProviderID.allCases.map { "  \($0.rawValue): \($0.credentialAdvice)" }
      throw KeyError(
        .auth, "no provider credentials are set",
        hint: "Set at least one of:\n" + advice.joined(separator: "\n")
          + "\nor name a credential source in the config file (see 'keyctl --help').")
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
