import KeyCore

/// The whole command-line surface, declared once.
///
/// The parser, the help pages and the "did you mean" suggestions are all
/// driven from these tables, so an option cannot be accepted without being
/// documented or documented without being accepted.
enum Spec {
  static let providerNames = ProviderID.allCases.map(\.rawValue).joined(separator: ", ")

  static let global: [OptionSpec] = [
    OptionSpec(
      "provider", short: "p", value: "NAME", repeatable: true,
      help: "Provider: \(providerNames). For list: repeatable and comma-separated; default: "
        + "every provider whose credentials are set."),
    OptionSpec(
      "output", short: "o", value: "FORMAT", help: "Output format: table (default), json or ndjson."
    ),
    OptionSpec("json", help: "Same as -o json."),
    OptionSpec(
      "base-url", value: "URL",
      help: "API base URL of the one provider named with -p (beats the environment). http:// "
        + "only for loopback hosts."),
    OptionSpec(
      "timeout", value: "SECONDS",
      help: "Give up on a request after this much silence (default 30; 0.001 to 86400)."),
    OptionSpec(
      "max-time", value: "SECONDS",
      help: "Give up on a request that takes longer than this in all, reading the answer "
        + "included (default 300; per attempt)."),
    OptionSpec(
      "max-retries", value: "N",
      help:
        "Retries of a failed safe request (429, 5xx, timeout): 0 to 100; default 3, or "
        + "KEYCTL_MAX_RETRIES. "
        + "A create is never retried."),
    OptionSpec(
      "verbose", short: "v",
      help: "Log each HTTP request, response and retry to stderr (secrets redacted)."),
    OptionSpec(
      "no-color",
      help: "Never colour the output (also: NO_COLOR set to anything but empty, or not a terminal)."
    ),
    OptionSpec("help", short: "h", help: "Show help for keyctl or for the command."),
    OptionSpec("version", help: "Print keyctl's version."),
  ]

  static let list = CommandSpec(
    name: "list", summary: "List API keys at one or more providers",
    usage: "keyctl list [-p NAME]... [--limit N] [--cursor TOKEN] [--page-size N] [filters]",
    discussion:
      "Fetches every page by default. Providers are fetched concurrently; keys print provider by "
      + "provider in the order fal, px0, cartesia, openrouter, each in the provider's own order. "
      + "--limit stops after N keys and reports next_cursor; --cursor resumes exactly there.",
    options: [
      OptionSpec(
        "limit", value: "N", help: "Stop after N keys and report a cursor to resume from."),
      OptionSpec(
        "cursor", value: "TOKEN",
        help: "Resume from the next_cursor a previous call printed (same -p and filters)."),
      OptionSpec(
        "page-size", value: "N",
        help: "Keys per request, where the provider takes a size (fal and Cartesia; at most 100)."),
      OptionSpec(
        "name-contains", value: "TEXT", help: "Only keys whose name contains TEXT (any case)."),
      OptionSpec(
        "fields", value: "LIST",
        help: "Comma-separated fields to print: provider, id, name, created_at, scope, status, "
          + "expires_at, last_used_at, creator, raw."),
      OptionSpec(
        "sort", value: "FIELD",
        help: "Sort the whole list by created_at or name (prefix - for descending)."),
      OptionSpec(
        "expand-creator", provider: .fal, help: "Ask fal for each key's creator name and email."),
      OptionSpec(
        "org-id", value: "UUID", provider: .px0,
        help: "The px0 organization (default: PX0_ORG_ID)."),
      OptionSpec(
        "query", value: "TEXT", provider: .cartesia,
        help: "Cartesia free-text search over description and creator."),
      OptionSpec(
        "include-disabled", provider: .openrouter, help: "Also list disabled OpenRouter keys."),
      OptionSpec(
        "include-expired", provider: .openrouter, help: "Also list expired OpenRouter keys."),
      OptionSpec(
        "workspace-id", value: "UUID", provider: .openrouter,
        help: "The OpenRouter workspace (default: the default workspace)."),
    ],
    examples: [
      "keyctl list --provider fal",
      "keyctl list -p fal,openrouter -o json | jq -r '.keys[].id'",
      "keyctl list --limit 50 --json        # then: keyctl list --cursor TOKEN --json",
    ])

  static let create = CommandSpec(
    name: "create", summary: "Create an API key at one provider",
    usage: "keyctl create -p NAME --name TEXT [provider options]",
    discussion:
      "Prints the new key and its secret on stdout; the secret is shown only once. With -q only "
      + "the secret is printed. A create is never retried automatically. Cartesia's API cannot "
      + "create keys (exit 8).",
    options: [
      OptionSpec("name", value: "TEXT", help: "The new key's name (required)."),
      OptionSpec(
        "quiet", short: "q", help: "Print only the secret, for KEY=$(keyctl create … -q)."),
      OptionSpec(
        "org-id", value: "UUID", provider: .px0,
        help: "The px0 organization (default: PX0_ORG_ID)."),
      OptionSpec(
        "team-id", value: "UUID", provider: .px0, repeatable: true,
        help: "Limit the px0 key to a team (repeatable; default: org-wide)."),
      OptionSpec(
        "operation", value: "SCOPE", provider: .px0,
        help: "px0 scope: read_render (default), all or admin."),
      OptionSpec(
        "credit-limit", value: "USD", provider: .openrouter,
        help: "OpenRouter spending limit in US dollars."),
      OptionSpec(
        "limit-reset", value: "PERIOD", provider: .openrouter,
        help: "When the OpenRouter limit resets: daily, weekly or monthly."),
      OptionSpec(
        "include-byok-in-limit", provider: .openrouter,
        help: "Count OpenRouter bring-your-own-key usage against the limit."),
      OptionSpec(
        "expires-at", value: "DATE", provider: .openrouter,
        help: "When the OpenRouter key expires (ISO-8601; sent as UTC)."),
      OptionSpec(
        "workspace-id", value: "UUID", provider: .openrouter,
        help: "The OpenRouter workspace that owns the key."),
    ],
    examples: [
      "keyctl create -p fal --name ci",
      "KEY=$(keyctl create -p fal --name ci -q)",
      "keyctl create -p openrouter --name batch --credit-limit 25 --limit-reset monthly -o json",
    ])

  static let providers = CommandSpec(
    name: "providers",
    summary: "Show each provider, what it supports and whether credentials are set",
    usage: "keyctl providers [-o json]",
    discussion:
      "Credentials are shown masked (the variable they came from and at most the last four "
      + "characters); nothing is sent over the network.",
    options: [],
    examples: ["keyctl providers", "keyctl providers --json"])

  static let help = CommandSpec(
    name: "help", summary: "Show help for keyctl or one command", usage: "keyctl help [COMMAND]",
    discussion: "", options: [], examples: ["keyctl help list"])

  static let commands = [list, create, providers, help]

  static func command(named name: String) -> CommandSpec? {
    commands.first { $0.name == name }
  }

  /// Every option any command takes, by long name (the first declaration wins;
  /// options shared by commands are declared alike).
  static let allOptions: [String: OptionSpec] = {
    var table: [String: OptionSpec] = [:]
    for option in global + commands.flatMap(\.options) where table[option.long] == nil {
      table[option.long] = option
    }
    return table
  }()

  static let shortOptions: [Character: OptionSpec] = {
    var table: [Character: OptionSpec] = [:]
    for option in allOptions.values {
      if let short = option.short { table[short] = option }
    }
    return table
  }()
}
