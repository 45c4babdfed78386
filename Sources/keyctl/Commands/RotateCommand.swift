import Foundation
import KeyCore

extension Options {
  /// `--keep-old`: leave the old key live, for a `keyctl delete` once every
  /// client has the new secret.
  static let keepOld: Option<Bool> = .flag(
    "keep-old",
    help: "Leave the old key as it is, to delete later once every client has the new secret "
      + "(needs no --yes: nothing is retired).")

  /// `--disable-old` (OpenRouter): disable the old key, reversibly, instead of deleting it.
  static let disableOld: Option<Bool> = .flag(
    "disable-old", provider: .openrouter,
    help: "Disable the old OpenRouter key instead of deleting it (reversible with 'keyctl "
      + "update --enable').")

  /// `--in-place` (px0): a new secret under the same id, through px0's regenerate.
  static let inPlace: Option<Bool> = .flag(
    "in-place", provider: .px0,
    help: "Give the px0 key a new secret under the same id (px0's regenerate); the old secret "
      + "stops working at once.")
}

/// `keyctl rotate`: replace a key with a new one and retire the old one, in
/// an order that never loses a secret.
///
/// 1. read the old key; 2. create the replacement (never retried), carrying
/// over what the adapter can (`KeyProvider.replacement`); 3. print the new
/// secret and flush it; 4. retire the old key. A failure before 3 changes
/// nothing; a failure of 4 leaves the new key printed and says (exit 7) the
/// exact command that finishes the job. If the secret cannot be written, the
/// old key is not touched: the new one is useless and is named for deletion.
enum RotateCommand: Command {
  /// The command's name, argument, options and help.
  static let spec = CommandSpec(
    name: "rotate", summary: "Replace a key with a new one and retire the old one",
    usage: "keyctl rotate -p NAME ID [--name TEXT] [--keep-old|--disable-old|--in-place]",
    discussion:
      "Reads the old key, creates its replacement with the same name (or --name) and every "
      + "setting the provider lets keyctl carry over, prints the new key and its secret, and "
      + "only then deletes the old key (or disables it with --disable-old, or keeps it with "
      + "--keep-old). If retiring the old key fails, the new secret is already printed: exit 7, "
      + "and stderr gives the command that finishes the job. On a terminal keyctl asks first; "
      + "anywhere else --yes is required (not with --keep-old). Cartesia's API cannot rotate "
      + "keys (exit 8).",
    options: [
      Options.name.withHelp("The new key's name (default: the old key's)."),
      Options.quiet.withHelp("Print only the new secret, for NEW=$(keyctl rotate … -q --yes)."),
      Options.yes.withHelp(
        "Rotate without asking. Required when stdin or stderr is not a terminal, except with "
          + "--keep-old."),
      Options.dryRun.withHelp(
        "Print the old key, the create request that would be sent and what would happen to the "
          + "old key; send only reads."),
      Options.keepOld, Options.orgID, Options.inPlace, Options.disableOld,
    ],
    positionals: [Positionals.keyID.spec],
    examples: [
      "keyctl rotate -p fal 3f9c2a1b7d4e5f60",
      "NEW=$(keyctl rotate -p fal \"$OLD\" -q --yes)",
      "keyctl rotate -p openrouter HASH --disable-old --yes -o json",
      "keyctl rotate -p px0 9b1f7c2e-4d3a-4f6b-8e2d-1c5a7b9d3e4f --in-place --yes",
      "keyctl rotate -p fal 3f9c2a1b7d4e5f60 --dry-run",
    ],
    providerNote: { provider in
      let capabilities = provider.capabilities
      guard capabilities.canRotate else { return "cannot rotate keys (no API to create or delete)" }
      var ways = ["create + delete"]
      if provider == .openrouter { ways.append("--disable-old") }
      if capabilities.supports(.regenerate) { ways.append("--in-place (regenerate)") }
      return ways.joined(separator: ", ")
    })

  /// Rotates the key, or with `--dry-run` says how it would.
  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32 {
    let globals = try GlobalOptions(invocation, environment: context.environment)
    let provider = try globals.oneProvider(invocation, purpose: "of the key")
    guard provider.capabilities.canRotate else {
      throw KeyError(
        .unsupported,
        "\(provider.displayName)'s API cannot rotate keys: it has no endpoint to create or delete "
          + "them", provider: provider,
        hint: "See 'keyctl providers' for what each provider supports.")
    }
    try globals.checkProviderOptions(invocation, selected: [provider])
    let fate = try fate(invocation)
    let name = invocation[Options.name]
    if fate == .regenerated, invocation.isGiven(Options.name) {
      throw invocation.usageError(
        "'--in-place' keeps the key's id and name, so it takes no '--name'; drop one of them")
    }
    if let name, name.trimmingCharacters(in: .whitespaces).isEmpty {
      throw invocation.usageError("'--name' cannot be empty")
    }
    let dryRun = invocation[Options.dryRun]
    if dryRun, invocation[Options.yes] {
      throw invocation.usageError(
        "'--dry-run' changes nothing, so it takes no '--yes'; drop one of them")
    }
    let oldID = try invocation.keyID(for: provider)
    // --keep-old retires nothing, so there is nothing to confirm.
    let need =
      dryRun || fate == .kept
      ? Confirmation.Need.none
      : try Confirmation.need(
        yes: invocation[Options.yes], canAsk: context.canAsk, what: "rotate a key", invocation)

    let operations: [Capabilities.Operation] =
      switch fate {
      case .regenerated: [.get, .regenerate]
      case .deleted: [.get, .create, .delete]
      case .disabled: [.get, .create, .update]
      case .kept: [.get, .create]
      }
    let adapter = try await globals.adapter(provider, invocation, context, for: operations)

    // Step 1: the old key (exit 4 when it does not exist).
    let old = try await adapter.key(id: oldID)
    KeyNotes.print([old], to: context.stderr)
    // The adapter refuses (exit 2) a key with no name to carry when --name is not given.
    let request = fate == .regenerated ? nil : try adapter.replacement(for: old, name: name)
    let writer = RotationWriter(
      format: globals.format, quiet: invocation[Options.quiet], terminal: globals.terminal(context))
    if dryRun {
      try context.stdout.write(bytes: writer.renderPlan(old: old, request: request, fate: fate))
      try context.stdout.flush()
      return 0
    }
    if need == .ask {
      explain(old, request: request, fate: fate, context)
      let question =
        fate == .regenerated ? "Regenerate this key's secret? [y/N] " : "Rotate this key? [y/N] "
      guard try await Confirmation.ask(question, context) else {
        throw Confirmation.declined("nothing was changed")
      }
    }

    // Step 2: the replacement (never retried: a create), or px0's regenerate.
    let created =
      if let request { try await adapter.create(request) } else {
        try await adapter.regenerate(id: old.id)
      }

    // Step 3: the secret reaches stdout, flushed, before anything is retired.
    do {
      try context.stdout.write(
        bytes: writer.render(old: old, new: created.key, secret: created.secret, fate: fate))
      try context.stdout.flush()
    } catch let failure as OutputFailed {
      throw lostSecret(created, old: old, fate: fate, reason: failure.reason)
    } catch let closed as OutputClosed {
      throw lostSecret(created, old: old, fate: fate, reason: closed.reason)
    }
    KeyNotes.print([created.key], to: context.stderr)
    if !invocation[Options.quiet] {
      context.stderr.line("keyctl: the new secret is shown only once; store it now.")
    }

    // Step 4: retire the old key.
    try await retire(old, fate: fate, with: adapter, context)
    return 0
  }

  /// What happens to the old key, from `--keep-old`, `--disable-old` and
  /// `--in-place` (at most one of them).
  private static func fate(_ invocation: Invocation) throws -> OldKeyFate {
    let given: [(Option<Bool>, OldKeyFate)] = [
      (Options.keepOld, .kept), (Options.disableOld, .disabled), (Options.inPlace, .regenerated),
    ].filter { invocation[$0.0] }
    if given.count > 1 {
      throw invocation.usageError(
        given.map { "'\($0.0.spec.shown)'" }.joined(separator: " and ")
          + " say different things to do with the old key; give one of them")
    }
    return given.first?.1 ?? .deleted
  }

  /// Tells the person about to be asked what will happen.
  private static func explain(
    _ old: ApiKey, request: CreateRequest?, fate: OldKeyFate, _ context: CommandContext
  ) {
    let key =
      "\(old.provider.rawValue) key \(Untrusted.blank(old.id))"
      + (old.name.map { " (\(Untrusted.bounded($0, limit: 80)))" } ?? "")
    if fate == .regenerated {
      context.stderr.line(
        "keyctl: about to give \(key) a new secret; its current secret stops working at once.")
      return
    }
    context.stderr.line(
      "keyctl: about to replace \(key) with a new key ("
        + (request.map(RotationWriter.summary) ?? "") + "), then "
        + (fate == .disabled ? "disable" : "delete") + " the old key.")
  }

  /// Step 4. A failure leaves the old key live: exit 7 (or the interruption's
  /// code), with the exact command that finishes the job.
  private static func retire(
    _ old: ApiKey, fate: OldKeyFate, with adapter: any KeyProvider, _ context: CommandContext
  ) async throws {
    let provider = old.provider
    let shownID = ShellWord.quoted(old.id)
    let finish: String
    switch fate {
    case .regenerated:
      return
    case .kept:
      context.stderr.line(
        "keyctl: the old key \(Untrusted.blank(old.id)) is still live; once every client has the "
          + "new secret: keyctl delete -p \(provider.rawValue) \(shownID)")
      return
    case .deleted: finish = "keyctl delete -p \(provider.rawValue) \(shownID)"
    case .disabled: finish = "keyctl update -p \(provider.rawValue) \(shownID) --disable"
    }
    do {
      if fate == .disabled {
        var changes = KeyChanges()
        changes.disabled = true
        _ = try await adapter.update(id: old.id, changes)
      } else if try await adapter.delete(id: old.id) == .notFound {
        context.stderr.line(
          "keyctl: the old key \(Untrusted.blank(old.id)) was already gone from "
            + "\(provider.displayName)")
      }
    } catch let error as KeyError {
      let what = fate == .disabled ? "disable" : "delete"
      throw KeyError(
        error.kind == .interrupted ? .interrupted : .partial,
        "the new key is printed above, but the old \(provider.displayName) key "
          + "\(Untrusted.blank(old.id)) is still live: could not \(what) it: "
          + (error.kind == .interrupted ? "interrupted" : error.message),
        provider: provider, status: error.status, requestID: error.requestID,
        hint: "Once every client has the new secret, finish with: \(finish)")
    }
  }

  /// The error (exit 10) for a new secret that never reached stdout. The old
  /// key is left live (retiring it would leave nothing that works); the new
  /// key is named with the command that deletes it. For `--in-place` the old
  /// secret is already gone, so the way out is to regenerate again.
  static func lostSecret(
    _ created: CreatedKey, old: ApiKey, fate: OldKeyFate, reason: String
  ) -> KeyError {
    let provider = created.key.provider
    if fate == .regenerated {
      return KeyError(
        .output,
        "\(provider.displayName) gave key \(Untrusted.blank(old.id)) a new secret, but keyctl could "
          + "not write it to stdout (\(reason)): the new secret is lost and the old one no longer "
          + "works",
        provider: provider,
        hint: "Regenerate it again, with stdout going somewhere that can take it: keyctl rotate -p "
          + "\(provider.rawValue) \(ShellWord.quoted(old.id)) --in-place")
    }
    let newID = created.key.id
    return KeyError(
      .output,
      "\(provider.displayName) created key \(Untrusted.blank(newID)) to replace "
        + "\(Untrusted.blank(old.id)), but keyctl could not write its secret to stdout (\(reason)): "
        + "the new secret is lost, so the old key was left as it was",
      provider: provider,
      hint: "Delete the new key with: keyctl delete -p \(provider.rawValue) "
        + "\(ShellWord.quoted(newID))\nThen rotate again, with stdout going somewhere that can take it."
    )
  }
}
