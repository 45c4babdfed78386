import Foundation
import KeyCore

extension Options {
  /// `--name TEXT`: the new key's name.
  static let name: Option<String?> = .text(
    "name", value: "TEXT", help: "The new key's name (required).")

  /// `-q/--quiet`: the secret alone on stdout.
  static let quiet: Option<Bool> = .flag(
    "quiet", short: "q", help: "Print only the secret, for KEY=$(keyctl create … -q).")

  /// `--team-id UUID` (px0), repeatable.
  static let teamID: Option<[String]> = .uuids(
    "team-id", provider: .px0,
    help: "Limit the px0 key to a team (repeatable; default: org-wide).")

  /// `--operation SCOPE` (px0).
  static let operation: Option<String?> = .choice(
    "operation", value: "SCOPE", provider: .px0, values: ["read_render", "all", "admin"],
    help: "px0 scope (default: read_render).")

  /// `--credit-limit USD` (OpenRouter).
  static let creditLimit: Option<Double?> = .number(
    "credit-limit", value: "USD", minimum: 0, provider: .openrouter,
    help: "OpenRouter spending limit in US dollars.")

  /// `--limit-reset PERIOD` (OpenRouter).
  static let limitReset: Option<String?> = .choice(
    "limit-reset", value: "PERIOD", provider: .openrouter, values: ["daily", "weekly", "monthly"],
    help: "When the OpenRouter limit resets.")

  /// `--include-byok-in-limit` (OpenRouter).
  static let includeByokInLimit: Option<Bool> = .flag(
    "include-byok-in-limit", provider: .openrouter,
    help: "Count OpenRouter bring-your-own-key usage against the limit.")

  /// `--expires-at DATE` (OpenRouter).
  static let expiresAt: Option<Date?> = .date(
    "expires-at", provider: .openrouter,
    help: "When the OpenRouter key expires (ISO-8601; sent as UTC).")
}

/// `keyctl create`: one key at one provider; its secret goes to stdout only.
enum CreateCommand: Command {
  /// The command's name, options and help.
  static let spec = CommandSpec(
    name: "create", summary: "Create an API key at one provider",
    usage: "keyctl create -p NAME --name TEXT [provider options]",
    discussion:
      "Prints the new key and its secret on stdout; the secret is shown only once. With -q only "
      + "the secret is printed. A create is never retried automatically. Cartesia's API cannot "
      + "create keys (exit 8).",
    options: [
      Options.name, Options.quiet, Options.orgID, Options.teamID, Options.operation,
      Options.creditLimit, Options.limitReset, Options.includeByokInLimit, Options.expiresAt,
      Options.workspaceID.withHelp("The OpenRouter workspace that owns the key."),
    ],
    examples: [
      "keyctl create -p fal --name ci",
      "KEY=$(keyctl create -p fal --name ci -q)",
      "keyctl create -p openrouter --name batch --credit-limit 25 --limit-reset monthly -o json",
    ],
    providerNote: { provider in
      provider.capabilities.canCreate ? "can create keys" : "cannot create keys (no API for it)"
    })

  /// The fields of the table view of a new key (json shows every field).
  static let tableFields: [KeyField] = [.provider, .id, .name, .scope, .createdAt]

  /// Creates the key, then writes its secret; a secret that cannot be written is exit 10.
  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32 {
    let globals = try GlobalOptions(invocation, environment: context.environment)
    let provider = try globals.oneProvider(invocation, purpose: "to create the key at")
    guard let name = invocation[Options.name], !name.trimmingCharacters(in: .whitespaces).isEmpty
    else {
      throw invocation.usageError(
        "'keyctl create' needs the new key's name: \(Options.name.spec.synopsis)")
    }
    try globals.checkProviderOptions(invocation, selected: [provider])
    guard provider.capabilities.canCreate else {
      throw KeyError(
        .unsupported,
        "\(provider.displayName)'s API has no endpoint to create keys; create them in its dashboard",
        provider: provider, hint: "See 'keyctl providers' for what each provider supports.")
    }
    var request = CreateRequest(name: name)
    request.teamIDs = invocation[Options.teamID]
    request.operation = invocation[Options.operation]
    request.creditLimit = invocation[Options.creditLimit]
    request.limitReset = invocation[Options.limitReset]
    request.includeByokInLimit = invocation[Options.includeByokInLimit] ? true : nil
    request.expiresAt = invocation[Options.expiresAt]
    request.workspaceID = invocation[Options.workspaceID]

    let adapter = try globals.adapter(provider, invocation, context, for: [.create])
    let created = try await adapter.create(request)

    let quiet = invocation[Options.quiet]
    let writer = SingleKeyWriter(
      format: globals.format, quiet: quiet, terminal: globals.terminal(context))
    let fields = globals.format == .table ? tableFields : KeyField.allCases
    do {
      try context.stdout.write(
        bytes: writer.render(created.key, fields: fields, secret: created.secret))
      try context.stdout.flush()
    } catch let failure as OutputFailed {
      throw lostSecret(created, name: name, provider: provider, reason: failure.reason)
    } catch let closed as OutputClosed {
      throw lostSecret(created, name: name, provider: provider, reason: closed.reason)
    }
    KeyNotes.print([created.key], to: context.stderr)
    if !quiet {
      context.stderr.line("keyctl: the secret is shown only once; store it now.")
    }
    return 0
  }

  /// The error for a key that exists at the provider but whose secret never
  /// reached stdout: exit 10, naming the key and the command that revokes it,
  /// because nobody can use a key whose secret is lost. The secret itself is
  /// never written anywhere else (not to stderr).
  static func lostSecret(
    _ created: CreatedKey, name: String, provider: ProviderID, reason: String
  ) -> KeyError {
    let id = created.key.id
    let revoke =
      ShellWord.isPlain(id)
      ? "keyctl delete -p \(provider.rawValue) \(id)"
      : "keyctl list -p \(provider.rawValue) --name-contains \(ShellWord.quoted(name))"
    return KeyError(
      .output,
      "\(provider.displayName) created key \(id) named \(ShellWord.quoted(name)), but keyctl could "
        + "not write its secret to stdout (\(reason)): the secret is lost",
      provider: provider,
      hint: "Revoke that key with: \(revoke)\nThen create a new one, with stdout going somewhere "
        + "that can take it.")
  }
}
