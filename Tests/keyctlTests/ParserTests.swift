import Foundation
import KeyCore
import Testing

@testable import keyctl

struct LexCase: Sendable, CustomTestStringConvertible {
  let arguments: [String]
  let tokens: [Token]
  var testDescription: String { arguments.joined(separator: " ") }
}

struct ParseCase: Sendable, CustomTestStringConvertible {
  let arguments: [String]
  let command: String?
  let values: [String: [String]]
  var positionals: [String] = []
  var testDescription: String { arguments.joined(separator: " ") }
}

struct GlobalCase: Sendable, CustomTestStringConvertible {
  let arguments: [String]
  var environment: [String: String] = [:]
  var providers: [ProviderID] = []
  var format = OutputFormat.table
  var timeout = 30.0
  var maxRetries = 3
  var verbose = false
  var testDescription: String { arguments.joined(separator: " ") }
}

/// A command line keyctl must refuse with exit 2 before any request is sent.
struct UsageCase: Sendable, CustomTestStringConvertible {
  let arguments: [String]
  /// Text the message must contain: the offending token, the suggestion.
  let mentions: [String]
  /// The help page the hint must point to.
  let help: String
  var environment: [String: String] = [:]
  var testDescription: String { "keyctl " + arguments.joined(separator: " ") }
}

private let uuid = "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f"
private let uuid2 = "0df9e665-d932-5740-b2c7-b52af166bc11"
private let listHelp = "keyctl list --help"
private let createHelp = "keyctl create --help"
private let mainHelp = "keyctl --help"

/// Credentials for every provider, so that a usage check that fails to stop a
/// call lets it reach the network, which `NoNetwork` turns into a test failure.
private let everyCredential = [
  "FAL_ADMIN_KEY": TestCLI.falAdminKey, "KEYCTL_FAL_BASE_URL": "https://fal.test/v1",
  "PX0_ACCESS_TOKEN": "sess_0123456789abcdef", "PX0_ORG_ID": uuid,
  "CARTESIA_ADMIN_KEY": "sk_car_admin_0123456789",
  "OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-0123456789",
]

struct SuggestionCase: Sendable, CustomTestStringConvertible {
  let input: String
  let candidates: [String]
  let expected: String?
  var testDescription: String { input }
}

@Suite struct ParserTests {
  @Test(arguments: [
    LexCase(
      arguments: ["list", "--limit=5", "--cursor", "abc"],
      tokens: [
        .value("list", index: 0), .long(name: "limit", value: "5", index: 1),
        .long(name: "cursor", value: nil, index: 2), .value("abc", index: 3),
      ]),
    LexCase(
      arguments: ["-vq", "-ojson", "-", "--name=a=b", "--name="],
      tokens: [
        .short(cluster: "vq", index: 0), .short(cluster: "ojson", index: 1), .value("-", index: 2),
        .long(name: "name", value: "a=b", index: 3), .long(name: "name", value: "", index: 4),
      ]),
    LexCase(
      arguments: ["list", "--", "--limit", "-v", "--"],
      tokens: [
        .value("list", index: 0), .terminator(index: 1), .value("--limit", index: 2),
        .value("-v", index: 3), .value("--", index: 4),
      ]),
  ])
  func lexerSplitsArguments(_ testCase: LexCase) {
    #expect(Lexer.tokens(testCase.arguments) == testCase.tokens)
  }

  @Test(arguments: [
    // --opt value and --opt=value
    ParseCase(arguments: ["list", "--limit", "5"], command: "list", values: ["limit": ["5"]]),
    ParseCase(arguments: ["list", "--limit=5"], command: "list", values: ["limit": ["5"]]),
    ParseCase(arguments: ["create", "--name=a=b"], command: "create", values: ["name": ["a=b"]]),
    ParseCase(arguments: ["create", "--name", ""], command: "create", values: ["name": [""]]),
    // -o json and -ojson
    ParseCase(arguments: ["list", "-o", "json"], command: "list", values: ["output": ["json"]]),
    ParseCase(arguments: ["list", "-ojson"], command: "list", values: ["output": ["json"]]),
    // short clusters, a value option last in a cluster takes the rest or the next argument
    ParseCase(
      arguments: ["create", "-vq"], command: "create", values: ["verbose": [""], "quiet": [""]]),
    ParseCase(
      arguments: ["create", "-vqpfal"], command: "create",
      values: ["verbose": [""], "quiet": [""], "provider": ["fal"]]),
    ParseCase(
      arguments: ["create", "-vqp", "fal"], command: "create",
      values: ["verbose": [""], "quiet": [""], "provider": ["fal"]]),
    // options before or after the command
    ParseCase(arguments: ["-p", "fal", "list"], command: "list", values: ["provider": ["fal"]]),
    ParseCase(arguments: ["list", "-p", "fal"], command: "list", values: ["provider": ["fal"]]),
    ParseCase(
      arguments: ["--json", "-v", "list", "--limit", "2"], command: "list",
      values: ["json": [""], "verbose": [""], "limit": ["2"]]),
    // repeatable -p keeps every value; a non-repeatable option keeps the last
    ParseCase(
      arguments: ["list", "-p", "px0", "--provider", "fal,cartesia", "-pfal"], command: "list",
      values: ["provider": ["px0", "fal,cartesia", "fal"]]),
    ParseCase(
      arguments: ["list", "-o", "table", "--output=json"], command: "list",
      values: ["output": ["json"]]),
    ParseCase(
      arguments: ["create", "-p", "px0", "--name", "x", "--team-id", uuid, "--team-id", uuid2],
      command: "create", values: ["provider": ["px0"], "name": ["x"], "team-id": [uuid, uuid2]]),
    ParseCase(
      arguments: ["list", "--name-contains", "ci", "--name-contains", "deploy"], command: "list",
      values: ["name-contains": ["ci", "deploy"]]),
    // a dash word that is no known option is a value: descending sort, negative numbers
    ParseCase(
      arguments: ["list", "--sort", "-name"], command: "list", values: ["sort": ["-name"]]),
    ParseCase(arguments: ["list", "--sort=-name"], command: "list", values: ["sort": ["-name"]]),
    ParseCase(
      arguments: ["list", "--name-contains", "-x"], command: "list",
      values: ["name-contains": ["-x"]]),
    // help and version
    ParseCase(arguments: ["--help"], command: nil, values: ["help": [""]]),
    ParseCase(arguments: ["list", "-h"], command: "list", values: ["help": [""]]),
    ParseCase(arguments: ["help", "list"], command: "help", values: [:], positionals: ["list"]),
    ParseCase(arguments: ["--version"], command: nil, values: ["version": [""]]),
    ParseCase(arguments: [], command: nil, values: [:]),
    // "--" ends options: a value after it is the command when none was given yet
    ParseCase(
      arguments: ["-p", "fal", "--", "list"], command: "list", values: ["provider": ["fal"]]),
  ])
  func parserAccepts(_ testCase: ParseCase) throws {
    let invocation = try Parser.parse(testCase.arguments)
    #expect(invocation.command?.spec.name == testCase.command)
    #expect(invocation.values == testCase.values)
    #expect(invocation.positionals == testCase.positionals)
  }

  @Test(arguments: [
    GlobalCase(arguments: ["list"]),
    GlobalCase(arguments: ["list", "-p", "fal"], providers: [.fal]),
    // comma-separated and repeated, deduplicated, in the fixed order fal, px0, cartesia, openrouter
    GlobalCase(arguments: ["list", "-p", "openrouter,fal"], providers: [.fal, .openrouter]),
    GlobalCase(
      arguments: ["list", "-p", "cartesia", "-p", "fal,cartesia", "--provider=px0", "-pFAL"],
      providers: [.fal, .px0, .cartesia]),
    GlobalCase(
      arguments: ["list", "-p", "openrouter, cartesia,px0,fal"],
      providers: [.fal, .px0, .cartesia, .openrouter]),
    // --json is -o json
    GlobalCase(arguments: ["list", "--json"], format: .json),
    GlobalCase(arguments: ["--json", "list"], format: .json),
    GlobalCase(arguments: ["list", "-o", "json"], format: .json),
    GlobalCase(arguments: ["list", "-ondjson"], format: .ndjson),
    GlobalCase(arguments: ["list", "--json", "--output=json"], format: .json),
    GlobalCase(arguments: ["list", "--output", "table"], format: .table),
    // numbers, flags and the environment
    GlobalCase(
      arguments: ["list", "--timeout", "2.5", "--max-retries=0", "-v"], timeout: 2.5, maxRetries: 0,
      verbose: true),
    GlobalCase(arguments: ["list"], environment: ["KEYCTL_MAX_RETRIES": "5"], maxRetries: 5),
    GlobalCase(
      arguments: ["list", "--max-retries", "1"], environment: ["KEYCTL_MAX_RETRIES": "5"],
      maxRetries: 1),
  ])
  func globalOptions(_ testCase: GlobalCase) throws {
    let invocation = try Parser.parse(testCase.arguments)
    let options = try GlobalOptions(invocation, environment: testCase.environment)
    #expect(options.providers == testCase.providers)
    #expect(options.format == testCase.format)
    #expect(options.timeout == testCase.timeout)
    #expect(options.maxRetries == testCase.maxRetries)
    #expect(options.verbose == testCase.verbose)
  }

  @Test(arguments: [
    // unknown command, with "did you mean"
    UsageCase(
      arguments: ["lst"], mentions: ["unknown command 'lst'", "Did you mean 'list'?"],
      help: mainHelp),
    UsageCase(
      arguments: ["-p", "fal", "craete", "--name", "x"],
      mentions: ["unknown command 'craete'", "Did you mean 'create'?"], help: mainHelp),
    UsageCase(
      arguments: ["frobnicate"], mentions: ["unknown command 'frobnicate'"], help: mainHelp),
    // unknown long and short options, with suggestions
    UsageCase(
      arguments: ["list", "--limt", "5"],
      mentions: ["unknown option '--limt'", "Did you mean '--limit'?"],
      help: listHelp),
    UsageCase(
      arguments: ["list", "--provder=fal"],
      mentions: ["unknown option '--provder'", "Did you mean '--provider'?"], help: listHelp),
    UsageCase(
      arguments: ["create", "-p", "fal", "--name", "x", "-Q"],
      mentions: ["unknown option '-Q'", "Did you mean '-q'?"], help: createHelp),
    UsageCase(
      arguments: ["list", "-vx"], mentions: ["unknown option '-x'"], help: listHelp),
    UsageCase(
      arguments: ["--verbos", "list"],
      mentions: ["unknown option '--verbos'", "Did you mean '--verbose'?"],
      help: mainHelp),
    // missing values
    UsageCase(
      arguments: ["list", "--limit"], mentions: ["option '--limit' needs a value (N)"],
      help: listHelp),
    UsageCase(
      arguments: ["list", "-o"], mentions: ["option '-o' needs a value (FORMAT)"], help: listHelp),
    UsageCase(
      arguments: ["list", "--cursor", "-v"], mentions: ["option '--cursor' needs a value (TOKEN)"],
      help: listHelp),
    UsageCase(
      arguments: ["create", "-p", "fal", "--name", "--", "x"],
      mentions: ["option '--name' needs a value (TEXT)"], help: createHelp),
    // a flag given a value
    UsageCase(
      arguments: ["list", "--json=yes"],
      mentions: ["option '--json' does not take a value (got 'yes')"],
      help: listHelp),
    // bad -o
    UsageCase(
      arguments: ["list", "-o", "yaml"],
      mentions: ["invalid value 'yaml' for '--output'", "table, json, ndjson"], help: listHelp),
    UsageCase(
      arguments: ["list", "-ojsn"],
      mentions: ["invalid value 'jsn' for '--output'", "Did you mean 'json'?"],
      help: listHelp),
    UsageCase(
      arguments: ["list", "--json", "-o", "table"],
      mentions: ["'--json' and '--output table' disagree"],
      help: listHelp),
    // bad numbers
    UsageCase(
      arguments: ["list", "--limit", "0"], mentions: ["invalid value '0' for '--limit'"],
      help: listHelp),
    UsageCase(
      arguments: ["list", "--limit", "x"], mentions: ["invalid value 'x' for '--limit'"],
      help: listHelp),
    UsageCase(
      arguments: ["list", "--limit=2.5"], mentions: ["invalid value '2.5' for '--limit'"],
      help: listHelp),
    UsageCase(
      arguments: ["list", "--timeout", "-1"], mentions: ["invalid value '-1' for '--timeout'"],
      help: listHelp),
    UsageCase(
      arguments: ["list", "--timeout", "0"], mentions: ["invalid value '0' for '--timeout'"],
      help: listHelp),
    UsageCase(
      arguments: ["list", "--timeout", "nan"], mentions: ["invalid value 'nan' for '--timeout'"],
      help: listHelp),
    UsageCase(
      arguments: ["list", "--max-retries", "-2"],
      mentions: ["invalid value '-2' for '--max-retries'"],
      help: listHelp),
    UsageCase(
      arguments: ["list", "--page-size", "0"], mentions: ["invalid value '0' for '--page-size'"],
      help: listHelp),
    UsageCase(
      arguments: ["list"], mentions: ["KEYCTL_MAX_RETRIES='many'"], help: mainHelp,
      environment: ["KEYCTL_MAX_RETRIES": "many"]),
    // an option of another command, or of no command
    UsageCase(
      arguments: ["list", "--name", "x"],
      mentions: ["option '--name' is not valid for 'keyctl list'", "'keyctl create'"],
      help: listHelp),
    UsageCase(
      arguments: ["create", "-p", "fal", "--name", "x", "--limit", "3"],
      mentions: ["option '--limit' is not valid for 'keyctl create'", "'keyctl list'"],
      help: createHelp),
    UsageCase(
      arguments: ["providers", "--cursor", "abc"],
      mentions: ["option '--cursor' is not valid for 'keyctl providers'"],
      help: "keyctl providers --help"),
    UsageCase(
      arguments: ["--limit", "3"], mentions: ["option '--limit' needs a command"], help: mainHelp),
    // unexpected positionals, also after "--"
    UsageCase(
      arguments: ["list", "extra"], mentions: ["unexpected argument 'extra'"], help: listHelp),
    UsageCase(
      arguments: ["list", "--", "--limit", "5"], mentions: ["unexpected argument '--limit'"],
      help: listHelp),
    UsageCase(
      arguments: ["-p", "fal", "list", "--", "-v"], mentions: ["unexpected argument '-v'"],
      help: listHelp),
    UsageCase(
      arguments: ["help", "list", "create"], mentions: ["unexpected argument 'create'"],
      help: "keyctl help --help"),
    // providers
    UsageCase(
      arguments: ["list", "-p", "fla"],
      mentions: ["unknown provider 'fla' for '--provider'", "Did you mean 'fal'?"], help: listHelp),
    UsageCase(
      arguments: ["list", "-p", "fal,nope"], mentions: ["unknown provider 'nope'"], help: listHelp),
    // provider-specific options with the wrong provider
    UsageCase(
      arguments: ["list", "-p", "cartesia", "--org-id", uuid],
      mentions: ["option '--org-id' is for px0 only", "cartesia", "-p px0"], help: listHelp),
    UsageCase(
      arguments: ["list", "-p", "fal,px0", "--include-disabled"],
      mentions: ["option '--include-disabled' is for OpenRouter only", "fal,px0", "-p openrouter"],
      help: listHelp),
    UsageCase(
      arguments: ["list", "-p", "px0", "--expand-creator"],
      mentions: ["option '--expand-creator' is for fal only"], help: listHelp),
    UsageCase(
      arguments: ["create", "-p", "fal", "--name", "x", "--credit-limit", "5"],
      mentions: ["option '--credit-limit' is for OpenRouter only", "-p openrouter"],
      help: createHelp),
    UsageCase(
      arguments: ["create", "-p", "openrouter", "--name", "x", "--team-id", uuid],
      mentions: ["option '--team-id' is for px0 only"], help: createHelp),
    // --base-url needs exactly one provider
    UsageCase(
      arguments: ["list", "--base-url", "https://fal.test/v1"],
      mentions: ["'--base-url' applies to one provider"], help: listHelp),
    UsageCase(
      arguments: ["list", "-p", "fal,px0", "--base-url=https://fal.test/v1"],
      mentions: ["'--base-url' applies to one provider"], help: listHelp),
    UsageCase(
      arguments: ["list", "-p", "fal", "--base-url", "http://fal.example.com/v1"],
      mentions: ["--base-url 'http://fal.example.com/v1' must use https://"], help: mainHelp),
    // create: one provider and a name
    UsageCase(
      arguments: ["create", "--name", "x"],
      mentions: ["'keyctl create' needs the provider", "-p NAME"],
      help: createHelp),
    UsageCase(
      arguments: ["create", "-p", "fal,px0", "--name", "x"],
      mentions: ["'keyctl create' takes one provider, got fal, px0"], help: createHelp),
    UsageCase(
      arguments: ["create", "-p", "fal", "-p", "openrouter", "--name", "x"],
      mentions: ["takes one provider, got fal, openrouter"], help: createHelp),
    UsageCase(
      arguments: ["create", "-p", "fal"],
      mentions: ["'keyctl create' needs the new key's name: --name TEXT"],
      help: createHelp),
    UsageCase(
      arguments: ["create", "-p", "fal", "--name", "  "], mentions: ["needs the new key's name"],
      help: createHelp),
    // --fields and --sort
    UsageCase(
      arguments: ["list", "--fields", "id,nme"],
      mentions: ["unknown field 'nme' in --fields", "Did you mean 'name'?"], help: listHelp),
    UsageCase(
      arguments: ["list", "--fields", "id,,name"], mentions: ["unknown field '' in --fields"],
      help: listHelp),
    UsageCase(
      arguments: ["list", "--sort", "name", "--limit", "5"],
      mentions: ["'--sort' needs the whole list", "'--limit'"], help: listHelp),
    UsageCase(
      arguments: ["list", "--sort=-created_at", "--cursor", "abc"],
      mentions: ["'--sort' needs the whole list"], help: listHelp),
    UsageCase(
      arguments: ["list", "--sort", "size"], mentions: ["invalid value 'size' for '--sort'"],
      help: listHelp),
    // UUIDs and dates
    UsageCase(
      arguments: ["list", "-p", "px0", "--org-id", "not-a-uuid"],
      mentions: ["invalid value 'not-a-uuid' for '--org-id'", "expected a UUID"], help: listHelp),
    UsageCase(
      arguments: ["list", "-p", "openrouter", "--workspace-id=123"],
      mentions: ["invalid value '123' for '--workspace-id'"], help: listHelp),
    UsageCase(
      arguments: ["create", "-p", "openrouter", "--name", "x", "--workspace-id", "ws"],
      mentions: ["invalid value 'ws' for '--workspace-id'"], help: createHelp),
    UsageCase(
      arguments: ["create", "-p", "px0", "--name", "x", "--team-id", uuid, "--team-id", "team-2"],
      mentions: ["invalid value 'team-2' for '--team-id'"], help: createHelp),
    UsageCase(
      arguments: ["create", "-p", "px0", "--name", "x", "--org-id", "org"],
      mentions: ["invalid value 'org' for '--org-id'"], help: createHelp),
    UsageCase(
      arguments: ["create", "-p", "openrouter", "--name", "x", "--expires-at", "tomorrow"],
      mentions: ["invalid value 'tomorrow' for '--expires-at'", "ISO-8601"], help: createHelp),
    // other choices and numbers of create
    UsageCase(
      arguments: ["create", "-p", "px0", "--name", "x", "--operation", "root"],
      mentions: ["invalid value 'root' for '--operation'", "read_render, all, admin"],
      help: createHelp),
    UsageCase(
      arguments: ["create", "-p", "openrouter", "--name", "x", "--limit-reset", "daly"],
      mentions: ["invalid value 'daly' for '--limit-reset'", "Did you mean 'daily'?"],
      help: createHelp),
    UsageCase(
      arguments: ["create", "-p", "openrouter", "--name", "x", "--credit-limit", "-5"],
      mentions: ["invalid value '-5' for '--credit-limit'"], help: createHelp),
    // help for an unknown command
    UsageCase(
      arguments: ["help", "lsit"], mentions: ["unknown command 'lsit'", "Did you mean 'list'?"],
      help: "keyctl --help"),
    // options without a command: values are checked, then the missing command is named
    UsageCase(
      arguments: ["-o", "yaml"], mentions: ["invalid value 'yaml' for '--output'"],
      help: "keyctl --help"),
    UsageCase(arguments: ["-p", "fal"], mentions: ["missing a command"], help: "keyctl --help"),
  ])
  func usageErrors(_ testCase: UsageCase) async throws {
    let outcome = await TestCLI.run(
      testCase.arguments,
      environment: everyCredential.merging(testCase.environment) { _, new in new })
    #expect(outcome.code == 2)
    #expect(outcome.stdout.isEmpty)
    let lines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: false)
    let first = try #require(lines.first)
    #expect(first.hasPrefix("keyctl: "))
    for mention in testCase.mentions {
      #expect(first.contains(mention), "'\(first)' should mention \(mention)")
    }
    #expect(lines.dropFirst().first == "See '\(testCase.help)'.")
    #expect(outcome.stderr.hasSuffix("\n"))
    #expect(!outcome.allOutput.contains(TestCLI.falKeySecret))
  }

  /// The same usage errors come out of `Parser.parse` itself as `KeyError`s of kind `.usage`.
  @Test(arguments: [
    ["lst"], ["list", "--limt"], ["list", "-x"], ["list", "--limit"], ["list", "--json=1"],
    ["list", "--name", "x"], ["list", "--", "x"], ["--cursor", "x"],
  ])
  func parserThrowsUsageErrors(_ arguments: [String]) {
    #expect {
      _ = try Parser.parse(arguments)
    } throws: { error in
      (error as? KeyError)?.kind == .usage && (error as? KeyError)?.exitCode == 2
    }
  }

  @Test(arguments: [
    SuggestionCase(input: "lst", candidates: ["list", "create"], expected: "list"),
    SuggestionCase(input: "craete", candidates: ["list", "create"], expected: "create"),
    SuggestionCase(input: "--limt", candidates: ["--limit", "--cursor"], expected: "--limit"),
    SuggestionCase(input: "prov", candidates: ["providers", "list"], expected: "providers"),
    SuggestionCase(input: "zzzzzz", candidates: ["list", "create"], expected: nil),
  ])
  func suggestions(_ testCase: SuggestionCase) {
    #expect(Suggestions.closest(to: testCase.input, in: testCase.candidates) == testCase.expected)
  }

  @Test func editDistanceCountsTranspositionsOnce() {
    #expect(Suggestions.editDistance("list", "lsit") == 1)
    #expect(Suggestions.editDistance("", "abc") == 3)
    #expect(Suggestions.editDistance("kitten", "sitting") == 3)
  }

  /// KeyCore's `ISO8601.parse` checks the day only against 1...31, so February 30th
  /// is accepted (and rolls over to March 2nd) instead of being refused.
  @Test func expiresAtRefusesAnImpossibleDate() async {
    let outcome = await TestCLI.run(
      ["create", "-p", "openrouter", "--name", "x", "--expires-at", "2027-02-30T00:00:00Z"],
      environment: everyCredential)
    #expect(outcome.code == 2)
    #expect(outcome.stderr.contains("invalid value '2027-02-30T00:00:00Z' for '--expires-at'"))
  }
}
