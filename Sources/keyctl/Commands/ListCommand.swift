import Foundation
import KeyCore

/// `keyctl list`: every key at the chosen providers, in one schema.
enum ListCommand {
  /// Lists, writes as pages arrive, and reports each provider's failure.
  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32 {
    let globals = try GlobalOptions(invocation, environment: context.environment)
    var options = ListOptions()
    options.pageSize = try invocation.integer("page-size", minimum: 1)
    options.expandCreator = invocation.has("expand-creator")
    options.query = invocation.string("query")
    options.includeDisabled = invocation.has("include-disabled")
    options.includeExpired = invocation.has("include-expired")
    options.workspaceID = try invocation.uuid("workspace-id")
    // Applied by KeyCore's listing and bound into the cursor with the other filters.
    options.nameContains = invocation.strings("name-contains")
    let orgID = try invocation.uuid("org-id")
    let limit = try invocation.integer("limit", minimum: 1)
    let sort = try KeySort(invocation)
    let fields =
      try invocation.string("fields").map { try KeyField.parse($0, help: invocation.helpPage) }
      ?? (globals.format == .table ? KeyField.tableDefault : KeyField.allCases)

    let registry = ProviderRegistry(
      environment: context.environment, settings: globals.clientSettings(context))
    let selected = try selectProviders(globals, invocation, context)
    let overrides = ProviderRegistry.Overrides(baseURL: globals.baseURL, orgID: orgID)
    // A base URL that would be refused is a usage error for the whole call,
    // reported before any provider is asked anything.
    for id in selected {
      _ = try id.baseURL(override: overrides.baseURL, environment: context.environment)
    }
    var providers: [any KeyProvider] = []
    var errors: [KeyError] = []
    for id in selected {
      do {
        providers.append(try registry.make(id, overrides: overrides))
      } catch let error as KeyError {
        if selected.count == 1 { throw error }
        errors.append(error)
      }
    }
    let cursor = try invocation.string("cursor").map {
      try PageCursor.decode($0, providers: providers.map(\.id), filter: options.fingerprint)
    }

    var writer = makeWriter(globals, fields: fields, context: context)
    var sorted: [ApiKey] = []
    let result: ListingResult
    do {
      result = try await Listing.run(
        ListingRequest(
          providers: providers, options: options, limit: limit, cursor: cursor)
      ) { _, keys in
        if sort == nil { try writer.write(keys) } else { sorted += keys }
        KeyNotes.print(keys, to: context.stderr)
      }
      if let sort {
        try writer.write(sort.apply(sorted))
      }
      errors += result.errors
      errors.sort { ($0.provider ?? .fal) < ($1.provider ?? .fal) }
      try writer.finish(nextCursor: result.nextCursor?.encoded(), errors: errors)
    } catch is OutputClosed {
      // The reader took what it wanted (`keyctl list | head -1`): a pipeline's
      // first stage ends quietly. Any other write error is exit 10 (Runner).
      return 0
    }
    for error in errors { context.stderr.line(ErrorRenderer.render(error)) }
    if let next = result.nextCursor, globals.format == .ndjson {
      context.stderr.line("next_cursor: \(next.encoded())")
    }
    return exitCode(errors: errors, providers: selected.count)
  }

  /// Partial success is 7; when every provider failed, their common code (or 7 when they differ).
  static func exitCode(errors: [KeyError], providers: Int) -> Int32 {
    if errors.isEmpty { return 0 }
    if errors.count < providers { return KeyError(.partial, "").exitCode }
    let codes = Set(errors.map(\.exitCode))
    return codes.count == 1 ? codes.first ?? 7 : 7
  }

  /// The providers named with -p, else every provider whose credentials are set
  /// (saying on stderr which were skipped).
  private static func selectProviders(
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

  private static func makeWriter(
    _ globals: GlobalOptions, fields: [KeyField], context: CommandContext
  ) -> any ListWriter {
    switch globals.format {
    case .ndjson: return NDJSONWriter(sink: context.stdout, fields: fields)
    case .json: return JSONEnvelopeWriter(sink: context.stdout, fields: fields)
    case .table:
      let terminal = Terminal(
        isTTY: context.stdoutIsTTY, environment: context.environment, noColorFlag: globals.noColor)
      return TableWriter(
        sink: context.stdout, fields: fields, terminal: terminal, stderr: context.stderr)
    }
  }
}
