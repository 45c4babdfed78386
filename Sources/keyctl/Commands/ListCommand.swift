import Foundation
import KeyCore

extension Options {
  /// `--limit N`: stop after N keys and report a cursor.
  static let limit: Option<Int?> = .integer(
    "limit", value: "N", minimum: 1,
    help: "Stop after N keys and report a cursor to resume from.")

  /// `--cursor TOKEN`: resume a listing.
  static let cursor: Option<String?> = .text(
    "cursor", value: "TOKEN",
    help: "Resume from the next_cursor a previous call printed (same -p and filters).")

  /// `--page-size N`: keys per request.
  static let pageSize: Option<Int?> = .integer(
    "page-size", value: "N", minimum: 1,
    help: "Keys per request, where the provider takes a size (fal and Cartesia; at most 100).")

  /// `--name-contains TEXT`, repeatable: a key is kept when its name contains any of them.
  static let nameContains: Option<[String]> = .texts(
    "name-contains", value: "TEXT",
    help: "Only keys whose name contains TEXT (any case). Repeatable: a key matching any of "
      + "the values is kept.")

  /// `--sort FIELD`: order the whole list.
  static let sort = Option<KeySort?>(
    "sort", value: "FIELD", choices: .fixed(KeySort.choices),
    help: "Sort the whole list by a field; a leading - sorts descending.", absent: nil
  ) { values, context in
    try values.last.map { try KeySort($0, context) }
  }

  /// `--expand-creator` (fal).
  static let expandCreator: Option<Bool> = .flag(
    "expand-creator", provider: .fal, help: "Ask fal for each key's creator name and email.")

  /// `--query TEXT` (Cartesia).
  static let query: Option<String?> = .text(
    "query", value: "TEXT", provider: .cartesia,
    help: "Cartesia free-text search over description and creator.")

  /// `--include-disabled` (OpenRouter).
  static let includeDisabled: Option<Bool> = .flag(
    "include-disabled", provider: .openrouter, help: "Also list disabled OpenRouter keys.")

  /// `--include-expired` (OpenRouter).
  static let includeExpired: Option<Bool> = .flag(
    "include-expired", provider: .openrouter, help: "Also list expired OpenRouter keys.")
}

/// `keyctl list`: every key at the chosen providers, in one schema.
enum ListCommand: Command {
  /// The command's name, options and help.
  static let spec = CommandSpec(
    name: "list", summary: "List API keys at one or more providers",
    usage: "keyctl list [-p NAME]... [--limit N] [--cursor TOKEN] [--page-size N] [filters]",
    discussion:
      "Fetches every page by default. Providers are fetched concurrently; keys print provider by "
      + "provider in the order fal, px0, cartesia, openrouter, each in the provider's own order. "
      + "--limit stops after N keys and reports next_cursor; --cursor resumes exactly there.",
    options: [
      Options.limit, Options.cursor, Options.pageSize, Options.nameContains, Options.fields,
      Options.sort, Options.expandCreator, Options.orgID, Options.query, Options.includeDisabled,
      Options.includeExpired, Options.workspaceID, Options.pagingConcurrency,
    ],
    examples: [
      "keyctl list --provider fal",
      "keyctl list -p fal,openrouter -o json | jq -r '.keys[].id'",
      "keyctl list --limit 50 --json        # then: keyctl list --cursor TOKEN --json",
      "keyctl list --name-contains ci --name-contains deploy",
    ],
    providerNote: { provider in
      let capabilities = provider.capabilities
      return "paging: \(capabilities.paging.rawValue)"
        + (capabilities.maxPageSize.map { ", up to \($0) a page" } ?? ", one page")
    })

  /// Lists, writes as pages arrive, and reports each provider's failure.
  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32 {
    var globals = try GlobalOptions(invocation, environment: context.environment)
    var options = ListOptions()
    options.pageSize = invocation[Options.pageSize]
    options.concurrency = invocation.pagingConcurrency
    globals.connectionLimit = options.concurrency
    options.expandCreator = invocation[Options.expandCreator]
    options.query = invocation[Options.query]
    options.includeDisabled = invocation[Options.includeDisabled]
    options.includeExpired = invocation[Options.includeExpired]
    options.workspaceID = invocation[Options.workspaceID]
    // Applied by KeyCore's listing and bound into the cursor with the other filters.
    options.nameContains = invocation[Options.nameContains]
    let limit = invocation[Options.limit]
    let sort = invocation[Options.sort]
    if sort != nil, invocation.isGiven(Options.limit) || invocation.isGiven(Options.cursor) {
      throw invocation.usageError(
        "'\(Options.sort.spec.shown)' needs the whole list, so it cannot be combined with "
          + "'\(Options.limit.spec.shown)' or '\(Options.cursor.spec.shown)'")
    }
    let fields =
      invocation[Options.fields]
      ?? (globals.format == .table ? KeyField.tableDefault : KeyField.allCases)

    let setup = try await ListingProviders(globals, invocation, context)
    let providers = setup.adapters
    let cursor = try invocation[Options.cursor].map {
      try PageCursor.decode($0, providers: providers.map(\.id), filter: options.fingerprint)
    }

    var writer = makeWriter(globals, fields: fields, context: context)
    var sorted: [ApiKey] = []
    var errors: [KeyError] = []
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
      errors = setup.errors(adding: result.errors)
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
    return setup.exitCode(errors: errors)
  }

  /// The writer for the format asked for.
  private static func makeWriter(
    _ globals: GlobalOptions, fields: [KeyField], context: CommandContext
  ) -> any ListWriter {
    switch globals.format {
    case .ndjson: return NDJSONWriter(sink: context.stdout, fields: fields)
    case .json: return JSONEnvelopeWriter(sink: context.stdout, fields: fields)
    case .table:
      return TableWriter(
        sink: context.stdout, fields: fields, terminal: globals.terminal(context),
        width: context.tableWidth, stderr: context.stderr)
    }
  }
}
