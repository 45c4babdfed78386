import Foundation
import KeyCore

extension Options {
  /// `--disable` (OpenRouter).
  static let disable: Option<Bool> = .flag(
    "disable", provider: .openrouter,
    help: "Disable the OpenRouter key; it stops working until --enable.")

  /// `--enable` (OpenRouter).
  static let enable: Option<Bool> = .flag(
    "enable", provider: .openrouter, help: "Enable a disabled OpenRouter key again.")

  /// `--no-credit-limit` (OpenRouter): `limit: null`.
  static let noCreditLimit: Option<Bool> = .flag(
    "no-credit-limit", provider: .openrouter, help: "Remove the OpenRouter spending limit.")

  /// `--limit-reset PERIOD|none` (OpenRouter) as `update` takes it: `none`
  /// removes the reset, which a create has no need to say. Read as
  /// `--limit-reset` everywhere else (same value, same provider).
  static let limitResetChange: Option<String?> = .choice(
    "limit-reset", value: "PERIOD", provider: .openrouter,
    values: ["daily", "weekly", "monthly", "none"],
    help: "When the OpenRouter limit resets; none for never.")

  /// `--no-include-byok-in-limit` (OpenRouter).
  static let noIncludeByokInLimit: Option<Bool> = .flag(
    "no-include-byok-in-limit", provider: .openrouter,
    help: "Stop counting OpenRouter bring-your-own-key usage against the limit.")
}

/// `keyctl update -p NAME ID [changes]`: change a key's settings in place,
/// sending exactly the changes given.
enum UpdateCommand: Command {
  /// The changes, in help order: what counts as "a change was given".
  static let changeOptions: [any OptionDeclaration] = [
    Options.name.withHelp("The key's new name (px0, OpenRouter)."),
    Options.disable, Options.enable,
    Options.creditLimit.withHelp("Set the OpenRouter spending limit in US dollars."),
    Options.noCreditLimit, Options.limitResetChange,
    Options.includeByokInLimit.withHelp(
      "Count OpenRouter bring-your-own-key usage against the limit."),
    Options.noIncludeByokInLimit,
    Options.operation.withHelp("The px0 scope."),
    Options.teamID.withHelp("Limit the px0 key to this team, replacing its teams (repeatable)."),
  ]

  /// Options that contradict each other; giving both is a usage error.
  static let opposites: [(any OptionDeclaration, any OptionDeclaration)] = [
    (Options.disable, Options.enable), (Options.creditLimit, Options.noCreditLimit),
    (Options.includeByokInLimit, Options.noIncludeByokInLimit),
  ]

  /// The command's name, argument, options and help.
  static let spec = CommandSpec(
    name: "update", summary: "Change an API key's settings",
    usage: "keyctl update -p NAME ID [--name TEXT] [--disable|--enable] [provider options]",
    discussion:
      "Sends exactly the changes given and prints the key as the provider now has it, as 'keyctl "
      + "get' does. An update sets values, so it is retried like a read. fal and Cartesia have no "
      + "API to change keys (exit 8); a change another provider takes is a usage error (exit 2).",
    options: changeOptions + [Options.fields, Options.orgID],
    positionals: [Positionals.keyID.spec],
    examples: [
      "keyctl update -p openrouter HASH --disable",
      "keyctl update -p openrouter HASH --credit-limit 50 --limit-reset monthly",
      "keyctl update -p openrouter HASH --no-credit-limit --limit-reset none -o json",
      "keyctl update -p px0 9b1f7c2e-4d3a-4f6b-8e2d-1c5a7b9d3e4f --operation all",
    ],
    providerNote: { provider in
      guard provider.capabilities.supports(.update) else {
        return "cannot update keys (no API for it)"
      }
      let own = changeOptions.map(\.spec).filter { $0.provider == nil || $0.provider == provider }
      return own.map(\.shown).joined(separator: ", ")
    })

  /// Checks the changes, sends them, prints the updated key.
  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32 {
    let globals = try GlobalOptions(invocation, environment: context.environment)
    let provider = try globals.oneProvider(invocation, purpose: "of the key")
    // Before anything else: whatever the rest says, this provider cannot do it.
    guard provider.capabilities.supports(.update) else {
      throw KeyError.unsupported(.update, by: provider)
    }
    let id = try invocation.keyID(for: provider)
    let keyChanges = try changes(invocation, globals, provider)
    let adapter = try await globals.adapter(provider, invocation, context, for: [.update])
    let updated = try await adapter.update(id: id, keyChanges)
    do {
      try GetCommand.show(updated, invocation, globals, context)
    } catch {
      // Exit 10 must not read as "nothing changed": the provider has the change.
      context.stderr.line(
        "keyctl: the update was applied; 'keyctl get -p \(provider.rawValue) "
          + "\(ShellWord.quoted(id))' shows the key")
      throw error
    }
    return 0
  }

  /// The changes asked for, checked: at least one, each one this provider
  /// takes, none contradicting another, no empty name.
  static func changes(_ invocation: Invocation, _ globals: GlobalOptions, _ provider: ProviderID)
    throws -> KeyChanges
  {
    guard changeOptions.contains(where: { invocation.isGiven($0) }) else {
      let own = changeOptions.map(\.spec).filter { $0.provider == nil || $0.provider == provider }
      throw invocation.usageError(
        "'keyctl update' needs at least one change; \(provider.rawValue) takes "
          + own.map(\.shown).joined(separator: ", "))
    }
    try globals.checkProviderOptions(invocation, selected: [provider])
    for (one, other) in opposites where invocation.isGiven(one) && invocation.isGiven(other) {
      throw invocation.usageError(
        "'\(one.spec.shown)' and '\(other.spec.shown)' contradict each other; give one of them")
    }
    var changes = KeyChanges()
    if let name = invocation[Options.name] {
      guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw invocation.usageError("'\(Options.name.spec.shown)' needs a name that is not empty")
      }
      changes.name = name
    }
    if invocation[Options.disable] { changes.disabled = true }
    if invocation[Options.enable] { changes.disabled = false }
    if let limit = invocation[Options.creditLimit] { changes.creditLimit = .set(limit) }
    if invocation[Options.noCreditLimit] { changes.creditLimit = .set(nil) }
    if let reset = invocation[Options.limitResetChange] {
      changes.limitReset = .set(reset == "none" ? nil : reset)
    }
    if invocation[Options.includeByokInLimit] { changes.includeByokInLimit = true }
    if invocation[Options.noIncludeByokInLimit] { changes.includeByokInLimit = false }
    changes.operation = invocation[Options.operation]
    if invocation.isGiven(Options.teamID) { changes.teamIDs = invocation[Options.teamID] }
    return changes
  }
}
