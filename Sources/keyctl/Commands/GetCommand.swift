import Foundation
import KeyCore

/// `keyctl get -p NAME ID`: one key, in the same schema `list` prints.
enum GetCommand: Command {
  /// The command's name, argument, options and help.
  static let spec = CommandSpec(
    name: "get", summary: "Show one API key",
    usage: "keyctl get -p NAME ID [--fields LIST]",
    discussion:
      "Prints the key as 'keyctl list' has it. -o json and -o ndjson print the key object itself "
      + "on one line; the table prints one field per line (raw only with --fields raw). fal and "
      + "px0 have no endpoint for one key, so keyctl reads their list until it finds it. A key "
      + "that does not exist is exit 4.",
    options: [Options.fields, Options.orgID],
    positionals: [Positionals.keyID.spec],
    examples: [
      "keyctl get -p openrouter f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943",
      "keyctl get -p fal abc123def456 -o json | jq -r .name",
      "keyctl get -p px0 8f14e45f-ceea-467f-a0e6-5a3b1c2d3e4f --fields name,scope,last_used_at",
    ])

  /// The fields of the table view when `--fields` is not given: all but
  /// `raw`, which is the provider's whole object and is asked for by name.
  static let tableFields = KeyField.allCases.filter { $0 != .raw }

  /// Reads the key and prints it.
  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32 {
    let globals = try GlobalOptions(invocation, environment: context.environment)
    let provider = try globals.oneProvider(invocation, purpose: "of the key")
    guard provider.capabilities.supports(.get) else {
      throw KeyError.unsupported(.get, by: provider)
    }
    let id = try invocation.keyID(for: provider)
    try globals.checkProviderOptions(invocation, selected: [provider])
    let adapter = try globals.adapter(provider, invocation, context, for: [.get])
    try show(try await adapter.key(id: id), invocation, globals, context)
    return 0
  }

  /// Prints one key the way `get` does (and `update` after its change): the
  /// key object, or a `field  value` table; its notes on stderr.
  static func show(
    _ key: ApiKey, _ invocation: Invocation, _ globals: GlobalOptions, _ context: CommandContext
  ) throws {
    let fields =
      invocation[Options.fields] ?? (globals.format == .table ? tableFields : KeyField.allCases)
    let writer = SingleKeyWriter(
      format: globals.format, quiet: false, terminal: globals.terminal(context))
    try context.stdout.write(bytes: writer.render(key, fields: fields, secret: nil))
    try context.stdout.flush()
    KeyNotes.print([key], to: context.stderr)
  }
}
