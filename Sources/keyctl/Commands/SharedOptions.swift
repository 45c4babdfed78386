import KeyCore

extension Options {
  /// `--org-id UUID`: px0's organization, for every command that talks to px0.
  static let orgID: Option<String?> = .uuid(
    "org-id", provider: .px0, help: "The px0 organization (default: PX0_ORG_ID).")

  /// `--workspace-id UUID`: the OpenRouter workspace a command works in.
  static let workspaceID: Option<String?> = .uuid(
    "workspace-id", provider: .openrouter,
    help: "The OpenRouter workspace (default: the default workspace).")

  /// `--fields LIST`: which fields of a key to print, in that order (`list`,
  /// and every command that prints one key).
  static let fields = Option<[KeyField]?>(
    "fields", value: "LIST", choices: .fixed(KeyField.allCases.map(\.rawValue)),
    commaSeparated: true, help: "Comma-separated fields to print, in that order.", absent: nil
  ) { values, context in
    try values.last.map { try KeyField.parse($0, context) }
  }
}

/// Positional arguments several commands share, declared once like `Options`.
enum Positionals {
  /// `ID`: the one key a command works on (`get`, `update`, `rotate`).
  ///
  /// Not required by the parser: a command first refuses what the provider
  /// cannot do at all (`update -p fal` is exit 8 however it goes on), then
  /// asks for the id (`Invocation.keyID`), which it checks against the
  /// provider's id rules (`KeyID`), known only once `-p` is read.
  static let keyID = Positional<String?>(
    "ID", help: "The key's id, as 'keyctl list' prints it.", absent: nil
  ) { values, _ in values.first }
}

extension Invocation {
  /// The `ID` argument, checked for `provider` (`KeyID.checked`): a missing or
  /// malformed id is a usage error (exit 2) naming it, pointing to this
  /// command's help.
  func keyID(for provider: ProviderID) throws -> String {
    guard let id = self[Positionals.keyID] else {
      throw usageError("missing argument ID (the key's id, as 'keyctl list' prints it)")
    }
    do {
      return try KeyID.checked(id, for: provider)
    } catch var error as KeyError {
      error.hint = "See '\(helpPage)'; copy ids from 'keyctl list -p \(provider.rawValue)'."
      throw error
    }
  }
}

extension GlobalOptions {
  /// The one provider a single-key command works at (`-p NAME`), or a usage
  /// error: none named, or several. `purpose` finishes "needs the provider
  /// …" (`to create the key at`, `of the key`).
  func oneProvider(_ invocation: Invocation, purpose: String) throws -> ProviderID {
    let command = invocation.command?.spec.name ?? "keyctl"
    guard providers.count == 1, let provider = providers.first else {
      throw invocation.usageError(
        providers.isEmpty
          ? "'keyctl \(command)' needs the provider \(purpose): -p NAME (\(ProviderNames.list))"
          : "'keyctl \(command)' takes one provider, got "
            + providers.map(\.rawValue).joined(separator: ", "))
    }
    return provider
  }

  /// The adapter of `provider` for this call (its `--base-url`, `--org-id`,
  /// timeouts, retries and `-v`), refused before any request when the
  /// provider cannot do one of `operations` or has no credentials.
  func adapter(
    _ provider: ProviderID, _ invocation: Invocation, _ context: CommandContext,
    for operations: [Capabilities.Operation]
  ) async throws -> any KeyProvider {
    try await registry(context).make(
      provider,
      overrides: ProviderRegistry.Overrides(baseURL: baseURL, orgID: invocation[Options.orgID]),
      for: operations)
  }
}

extension Options {
  /// `-y/--yes`: go ahead without asking, for scripts (a command that changes
  /// keys asks only a person at a terminal, and refuses anyone else without it).
  static let yes: Option<Bool> = .flag(
    "yes", short: "y",
    help: "Do it without asking. Required when stdin or stderr is not a terminal.")

  /// `--dry-run`: read what would change and print it, change nothing.
  static let dryRun: Option<Bool> = .flag(
    "dry-run", help: "Look the keys up and print what would happen; change nothing.")

  /// `--concurrency N`: requests in flight at once.
  static let concurrency: Option<Int?> = .integer(
    "concurrency", value: "N", in: 1...HTTPRequest.maxConcurrency,
    help: "Requests in flight at once: 1 to \(HTTPRequest.maxConcurrency).")

  /// The default window of offset paging: enough to hide most of the network's
  /// wait behind the other pages, few enough to stay a polite client.
  static let defaultPagingConcurrency = 4

  /// `--concurrency N` as the commands that list keys (`list`, `audit`) take it.
  static let pagingConcurrency = concurrency.withHelp(
    "Pages in flight at once where the provider pages by offset (OpenRouter): 1 to "
      + "\(HTTPRequest.maxConcurrency) (default \(defaultPagingConcurrency)). Keys print in the "
      + "same order as one page at a time.")
}

extension Invocation {
  /// The listing's window (`--concurrency`, default 4), for `ListOptions.concurrency`.
  var pagingConcurrency: Int {
    self[Options.concurrency] ?? Options.defaultPagingConcurrency
  }
}
