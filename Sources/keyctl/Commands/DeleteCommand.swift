import KeyCore

/// `keyctl delete` (alias `revoke`): delete keys, one or a hundred thousand,
/// named as arguments or read from stdin.
///
/// Everything that can be checked is checked before the first request — the
/// input lines, the ids, each provider's credentials and whether its API can
/// delete, and the confirmation — so a mistake deletes nothing. The deletes
/// then run at most `--concurrency` at a time and their results print in
/// input order; Ctrl-C stops starting new ones and still reports every key.
enum DeleteCommand: Command {
  /// `ID...`: the keys, or `-` to read them from stdin. Not required by the
  /// parser: what the provider cannot do at all is said first (`delete -p
  /// cartesia` is exit 8 however it goes on), then a missing id (exit 2).
  static let ids = Positional<[String]>(
    "ID", repeatable: true, readsStdin: true,
    help: "The keys to delete, or - alone to read them from stdin, one a line: a bare id "
      + "(with -p) or a line of 'keyctl list -o ndjson'.",
    absent: []
  ) { values, _ in values }

  /// The default number of deletes in flight.
  static let defaultConcurrency = 8

  /// The command's name, arguments, options and help.
  static let spec = CommandSpec(
    name: "delete", aliases: ["revoke"], summary: "Delete API keys",
    usage: "keyctl delete -p NAME ID... | keyctl delete [-p NAME] - --yes",
    discussion:
      "On a terminal keyctl lists the keys and asks before deleting; anywhere else (a script, "
      + "a pipe, ids from stdin) --yes is required, or nothing is sent. Every input line is "
      + "checked before the first delete, and a key given twice is deleted once. Deletes run "
      + "concurrently and their results print in input order. fal answers every delete with "
      + "success, even for an id it does not have; px0 and OpenRouter say 'not found'. "
      + "Exit 0 when every key was deleted, 7 when only some were, else the failures' code "
      + "(4: none found). Cartesia's API cannot delete keys (exit 8).",
    options: [
      Options.yes.withHelp(
        "Delete without asking. Required when stdin or stderr is not a terminal (a script, a "
          + "pipe, ids from stdin)."),
      Options.dryRun.withHelp(
        "Look each key up and print what would be deleted (would_delete or not_found); delete "
          + "nothing. Exit 4 if a key does not exist."),
      Options.concurrency.withHelp(
        "Deletes in flight at once: 1 to 64 (default \(defaultConcurrency))."),
      Options.orgID,
    ],
    positionals: [ids.spec],
    examples: [
      "keyctl delete -p fal 3f9c2a1b7d4e5f60",
      "keyctl revoke -p openrouter HASH --yes -o json",
      "keyctl list --name-contains tmp -o ndjson | keyctl delete - --yes",
      "keyctl delete -p px0 - --dry-run < ids.txt",
    ],
    providerNote: { provider in
      guard provider.capabilities.supports(.delete) else {
        return "cannot delete keys (no API for it)"
      }
      return provider == .fal
        ? "deletes; answers success even for unknown ids (an Idempotency-Key per key)"
        : "deletes; reports 'not found' for unknown ids"
    })

  /// Checks everything, asks if it must, deletes, and reports every key.
  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32 {
    var globals = try GlobalOptions(invocation, environment: context.environment)
    let width = invocation[Options.concurrency] ?? defaultConcurrency
    globals.connectionLimit = width
    let dryRun = invocation[Options.dryRun]
    var (targets, need) = try await chosenKeys(invocation, globals, context)
    // Every provider involved, checked (capability, credentials) before any request.
    var adapters: [ProviderID: any KeyProvider] = [:]
    for id in Set(targets.map(\.provider)).sorted() {
      adapters[id] = try await globals.adapter(id, invocation, context, for: [.delete])
    }
    var writer = ResultWriter(
      format: globals.format, sink: context.stdout, terminal: globals.terminal(context),
      width: context.tableWidth)
    if targets.isEmpty {
      try writer.finish()
      context.stderr.line("keyctl: no keys were given on stdin; nothing to delete")
      return 0
    }

    if dryRun || need == .ask {
      let found = try await KeyLookup.find(targets, adapters: adapters)
      for (index, result) in found.enumerated() {
        if let name = result.key?.name { targets[index].name = name }
      }
      if dryRun {
        let results = zip(targets, found).map { target, found in
          switch found {
          case .key: KeyResult(target: target, outcome: .wouldDelete)
          case .notFound: KeyResult(target: target, outcome: .notFound)
          case .failed(let error): KeyResult(target: target, outcome: .failed(error))
          }
        }
        for result in results { try writer.write(result) }
        try writer.finish()
        return exitCode(results.map(\.outcome), dryRun: true)
      }
      list(targets, found, context)
      guard try await Confirmation.ask("Delete \(targets.count) key(s)? [y/N] ", context) else {
        throw Confirmation.declined("nothing was deleted")
      }
    }

    var results: [KeyResult] = []
    results.reserveCapacity(targets.count)
    let chosen = targets
    let built = adapters
    do {
      try await Window.run(
        count: chosen.count, width: width,
        job: { index in
          let target = chosen[index]
          return KeyResult(target: target, outcome: await delete(target, built[target.provider]))
        },
        skipped: { index in
          KeyResult(
            target: chosen[index],
            outcome: .failed(KeyError(.interrupted, "interrupted before it was sent")))
        },
        deliver: { _, result in
          results.append(result)
          try writer.write(result)
        })
      try writer.finish()
    } catch {
      // Only writing the results can fail here (exit 10). Keys were deleted
      // that stdout never showed: say how many, and what is not known.
      context.stderr.line(stoppedByOutput(results, of: chosen.count))
      throw error
    }
    return try report(results, context)
  }

  /// What a delete whose stdout failed did: the results keyctl had when the
  /// write failed; the deletes still in flight were cancelled (the provider
  /// may have carried them out) and the rest were never sent.
  static func stoppedByOutput(_ results: [KeyResult], of total: Int) -> String {
    let deleted = results.filter {
      if case .deleted = $0.outcome { true } else { false }
    }.count
    let unknown = total - results.count
    return "keyctl: stopped when the results could not be written: \(deleted) of \(total) key(s) "
      + "deleted"
      + (unknown > 0
        ? "; \(unknown) not known: cancelled in flight (the provider may have deleted them) or "
          + "never sent; 'keyctl list' shows which remain"
        : "")
  }

  /// The keys to delete and whether to ask, with every usage check on the way
  /// (in the order a person meets them: what the provider cannot do, the
  /// options, the ids, the confirmation, then the stdin lines).
  private static func chosenKeys(
    _ invocation: Invocation, _ globals: GlobalOptions, _ context: CommandContext
  ) async throws -> ([KeyTarget], Confirmation.Need) {
    guard globals.providers.count <= 1 else {
      throw invocation.usageError(
        "'keyctl delete' takes at most one provider, got "
          + globals.providers.map(\.rawValue).joined(separator: ", ")
          + "; pipe JSON lines with \"provider\" and \"id\" to delete keys at several")
    }
    let provider = globals.providers.first
    if let provider, !provider.capabilities.supports(.delete) {
      throw KeyError.unsupported(.delete, by: provider)
    }
    let dryRun = invocation[Options.dryRun]
    if dryRun, invocation[Options.yes] {
      throw invocation.usageError(
        "'--dry-run' deletes nothing, so it takes no '--yes'; drop one of them")
    }
    let arguments = invocation[ids]
    guard !arguments.isEmpty else {
      throw invocation.usageError(
        "missing argument ID: the keys to delete, or - to read them from stdin")
    }
    let readsStdin = arguments.contains("-")
    if readsStdin, arguments.count > 1 {
      throw invocation.usageError(
        "'-' reads the ids from stdin, so it cannot be given with ids; give one or the other")
    }
    if let provider { try globals.checkProviderOptions(invocation, selected: [provider]) }
    var targets: [KeyTarget] = []
    if !readsStdin {
      guard let provider else {
        throw invocation.usageError(
          "'keyctl delete ID…' needs the provider of the keys: -p NAME (\(ProviderNames.list))")
      }
      targets = try KeyTargets.arguments(arguments, provider: provider, invocation)
    }
    // Keys read from stdin leave nobody at the terminal to answer.
    let need =
      dryRun
      ? Confirmation.Need.none
      : try Confirmation.need(
        yes: invocation[Options.yes], canAsk: !readsStdin && context.canAsk, what: "delete keys",
        invocation)
    guard readsStdin else { return (targets, need) }
    targets = try await KeyTargets.lines(from: context.stdin, provider: provider, invocation)
    let involved = Set(targets.map(\.provider)).sorted()
    if provider == nil { try globals.checkProviderOptions(invocation, selected: involved) }
    // Cartesia first (exit 8), before another provider's missing credentials (exit 3).
    for id in involved where !id.capabilities.supports(.delete) {
      throw KeyError.unsupported(.delete, by: id)
    }
    return (targets, need)
  }

  /// One delete, as a result: a failure is kept, not thrown, so the others go on.
  private static func delete(_ target: KeyTarget, _ adapter: (any KeyProvider)?) async
    -> KeyResult.Outcome
  {
    guard let adapter else {
      return .failed(KeyError(.unexpected, "no adapter for \(target.provider)"))
    }
    do {
      switch try await adapter.delete(id: target.id) {
      case .deleted: return .deleted
      case .notFound: return .notFound
      }
    } catch let error as KeyError {
      return .failed(error)
    } catch is CancellationError {
      return .failed(KeyError(.interrupted, "interrupted", provider: target.provider))
    } catch {
      return .failed(KeyError(.unexpected, "\(error)", provider: target.provider))
    }
  }

  /// Lists the keys about to be deleted on stderr, for the person asked.
  private static func list(
    _ targets: [KeyTarget], _ found: [KeyLookup.Found], _ context: CommandContext
  ) {
    var table = Table(
      columns: [
        Table.Column(header: ""), Table.Column(header: ""), Table.Column(header: ""),
        Table.Column(header: "", shrinks: true),
      ], showsHeader: false)
    for (target, result) in zip(targets, found) {
      let note: String
      switch result {
      case .key(let key): note = Untrusted.blank(key.name ?? "")
      case .notFound: note = "(not found)"
      case .failed(let error): note = "(could not look it up: \(Untrusted.blank(error.message)))"
      }
      table.append(["", target.provider.rawValue, Untrusted.blank(target.id), note])
    }
    context.stderr.line("keyctl: about to delete:")
    let plain = Terminal(isTTY: false, environment: [:], noColorFlag: true)
    let text = table.render(width: nil, terminal: plain)
    for line in text.split(separator: "\n") {
      context.stderr.line(String(line.reversed().drop { $0 == " " }.reversed()))
    }
  }

  /// Says on stderr what did not go to plan, and returns the exit code;
  /// throws the interruption (130, 143, 129) after a Ctrl-C, once every
  /// result is printed.
  private static func report(_ results: [KeyResult], _ context: CommandContext) throws -> Int32 {
    var deleted = 0
    var notFound = 0
    for result in results {
      switch result.outcome {
      case .deleted: deleted += 1
      case .notFound: notFound += 1
      case .wouldDelete, .failed: break
      }
    }
    if Task.isCancelled || results.contains(where: { $0.error?.kind == .interrupted }) {
      throw KeyError(
        .interrupted,
        "interrupted: \(deleted) of \(results.count) key(s) deleted; the others were not, or "
          + "may not have been (see the results)")
    }
    if deleted < results.count {
      let failed = results.count - deleted - notFound
      context.stderr.line(
        "keyctl: \(deleted) of \(results.count) key(s) deleted"
          + (notFound > 0 ? ", \(notFound) not found" : "")
          + (failed > 0 ? ", \(failed) failed" : ""))
    }
    return exitCode(results.map(\.outcome), dryRun: false)
  }

  /// 0 when every key was deleted (or, in a dry run, would be); 7 when some
  /// were and some were not; else the code the others share (4: not found),
  /// or 7 when they differ. A dry run in which the only trouble is keys that
  /// do not exist is 4, as DESIGN.md says.
  static func exitCode(_ outcomes: [KeyResult.Outcome], dryRun: Bool) -> Int32 {
    var succeeded = 0
    var codes: Set<Int32> = []
    for outcome in outcomes {
      switch outcome {
      case .deleted, .wouldDelete: succeeded += 1
      case .notFound: codes.insert(KeyError(.notFound, "").exitCode)
      case .failed(let error): codes.insert(error.exitCode)
      }
    }
    let partial = KeyError(.partial, "").exitCode
    guard let first = codes.first else { return 0 }
    if dryRun, codes == [KeyError(.notFound, "").exitCode] { return first }
    return succeeded == 0 && codes.count == 1 ? first : partial
  }
}
