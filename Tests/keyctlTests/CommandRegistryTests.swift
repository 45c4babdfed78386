import Foundation
import KeyCore
import Testing

@testable import keyctl

extension Options {
  /// A test-only flag of `EchoCommand`.
  static let shout: Option<Bool> = .flag("shout", help: "Print in capitals.")
  /// A test-only choice of `EchoCommand`.
  static let tone: Option<String?> = .choice(
    "tone", value: "TONE", values: ["calm", "loud"], help: "How to say it.")
}

/// A command that exists only in these tests: it has an alias, a required
/// positional, a repeatable one and its own options, so the registry, the
/// parser and the help pages are tested on what keyctl's four commands do
/// not have yet (`delete`'s `revoke`, `ID...`).
enum EchoCommand: Command {
  static let word = Positional<String?>(
    "WORD", required: true, help: "The first word.", absent: nil
  ) { values, _ in values.first }

  static let rest = Positional<[String]>(
    "MORE", repeatable: true, readsStdin: true, help: "More words, or - for stdin.", absent: []
  ) { values, _ in values }

  static let spec = CommandSpec(
    name: "echo", aliases: ["say"], summary: "Print the words", usage: "keyctl echo WORD [MORE...]",
    options: [Options.shout, Options.tone], positionals: [word.spec, rest.spec],
    examples: ["keyctl say hello"])

  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32 {
    var words = [invocation[word] ?? ""] + invocation[rest]
    if invocation[Options.shout] { words = words.map { $0.uppercased() } }
    if let tone = invocation[Options.tone] { words.append("(\(tone))") }
    try context.stdout.write(words.joined(separator: " ") + "\n")
    try context.stdout.flush()
    return 0
  }
}

@Suite struct CommandRegistryTests {
  static let testCommands: [any Command.Type] = [EchoCommand.self, HelpCommand.self]

  static func run(_ arguments: [String]) async -> Outcome {
    let context = TestCLI.context()
    let code = await Runner.run(arguments, context: context, commands: testCommands)
    return Outcome(code: code, stdout: context.stdout.text, stderr: context.stderr.text)
  }

  /// Every command of `Commands.all` has a help page, reachable by name, that
  /// shows its usage, arguments, options and the global options.
  @Test func everyCommandsHelpRenders() async {
    for command in Commands.all {
      let spec = command.spec
      let page = await TestCLI.run(["help", spec.name], environment: ["COLUMNS": "200"])
      #expect(page.code == 0, "\(spec.name)")
      #expect(page.stderr.isEmpty)
      #expect(page.stdout.hasPrefix("keyctl \(spec.name) — "))
      #expect(page.stdout.contains(spec.usage))
      for option in spec.options + Options.global {
        #expect(page.stdout.contains(option.synopsis), "\(option.synopsis) on \(spec.name)")
      }
      for positional in spec.positionals {
        #expect(page.stdout.contains("  \(positional.name)  "), "\(positional.name)")
      }
    }
  }

  @Test func anAliasRunsItsCommand() async {
    let byName = await Self.run(["echo", "hello", "there", "--shout"])
    let byAlias = await Self.run(["say", "hello", "there", "--shout"])
    #expect(byName.code == 0)
    #expect(byName.stdout == "HELLO THERE\n")
    #expect(byAlias.stdout == byName.stdout)
    let parsed = try? Parser.parse(["say", "x"], commands: Self.testCommands)
    #expect(parsed?.command?.spec.name == "echo")
  }

  @Test func helpShowsAliasesAndFindsACommandByItsAlias() async {
    let main = await Self.run(["--help"])
    #expect(main.stdout.contains("  echo    Print the words (alias: say)."))
    let byAlias = await Self.run(["help", "say"])
    #expect(byAlias.code == 0)
    #expect(byAlias.stdout.hasPrefix("keyctl echo — print the words (alias: say)."))
    #expect(byAlias.stdout == (await Self.run(["echo", "--help"])).stdout)
    #expect(byAlias.stdout.contains("ARGUMENTS:\n  WORD    The first word.\n"))
    #expect(byAlias.stdout.contains("  --tone TONE    How to say it. One of: calm, loud.\n"))
  }

  @Test func aMisspeltAliasGetsASuggestion() async {
    let outcome = await Self.run(["sya", "x"])
    #expect(outcome.code == 2)
    #expect(outcome.stderr.contains("unknown command 'sya'. Did you mean 'say'?"))
  }

  @Test func positionalsAreTakenInOrderAndCheckedForCount() async {
    let one = await Self.run(["say", "hi"])
    #expect(one.stdout == "hi\n")
    let missing = await Self.run(["say", "--shout"])
    #expect(missing.code == 2)
    #expect(missing.stderr.hasPrefix("keyctl: missing argument WORD\nSee 'keyctl echo --help'."))
    let afterTerminator = await Self.run(["say", "--", "--shout", "-"])
    #expect(afterTerminator.stdout == "--shout -\n")
  }

  @Test func aBadChoiceIsRefusedBeforeTheCommandRuns() async {
    let outcome = await Self.run(["say", "hi", "--tone", "lod"])
    #expect(outcome.code == 2)
    #expect(outcome.stdout.isEmpty)
    #expect(
      outcome.stderr
        == "keyctl: invalid value 'lod' for '--tone': expected one of calm, loud. "
        + "Did you mean 'loud'?\nSee 'keyctl echo --help'.\n")
    let good = await Self.run(["say", "hi", "--tone=loud"])
    #expect(good.stdout == "hi (loud)\n")
  }

  /// A positional's description is there for issue 16's generators.
  @Test func positionalSpecsDescribeThemselves() {
    #expect(EchoCommand.word.spec.synopsis == "WORD")
    #expect(EchoCommand.rest.spec.synopsis == "[MORE...]")
    #expect(EchoCommand.rest.spec.readsStdin)
    #expect(HelpCommand.topic.spec.synopsis == "[COMMAND]")
    #expect(
      HelpCommand.topic.spec.choices?.values(commands: Commands.all)
        == [
          "list", "get", "create", "update", "delete", "rotate", "audit", "providers",
          "completion", "help",
        ])
    #expect(
      HelpCommand.topic.spec.choices?.values(commands: Self.testCommands) == ["echo", "help"])
  }

  /// A long name means one option everywhere: every declaration of it reads
  /// alike, and a short letter belongs to one long name.
  @Test func everyOptionNameMeansOneOption() {
    let declared = Options.global + Commands.all.flatMap { $0.spec.options }
    var byLong: [String: OptionSpec] = [:]
    var longByShort: [Character: String] = [:]
    for option in declared {
      if let first = byLong[option.long] {
        #expect(first.parsesLike(option), "--\(option.long) is declared two ways")
      } else {
        byLong[option.long] = option
      }
      if let short = option.short {
        #expect(longByShort[short, default: option.long] == option.long, "-\(short)")
        longByShort[short] = option.long
      }
    }
    let global = Set(Options.global.map(\.long))
    for command in Commands.all {
      let own = command.spec.options.map(\.long)
      #expect(Set(own).count == own.count, "\(command.spec.name) lists an option twice")
      #expect(global.isDisjoint(with: own), "\(command.spec.name) redeclares a global option")
    }
  }

  /// Help, parsing and completion read the same choices: every listed value
  /// is accepted, and the parser refuses a value that is not listed.
  @Test func everyListedChoiceIsAccepted() throws {
    for command in Commands.all {
      for option in command.spec.options + Options.global {
        // Profile names come from the user's config file: checked when it is read.
        if case .source(let source)? = option.choices, !source.isDefinedByKeyctl { continue }
        guard let choices = option.choices?.values(commands: Commands.all) else { continue }
        // A required argument (delete's ID) is given, so that only the option is judged.
        var base =
          [command.spec.name] + command.spec.positionals.filter(\.required).map { _ in "x" }
        if let provider = option.provider { base += ["-p", provider.rawValue] }
        for choice in choices {
          let parsed = try Parser.parse(base + ["--\(option.long)", choice])
          #expect(parsed.values[option.long] == [choice])
        }
        if option.commaSeparated {
          _ = try Parser.parse(base + ["--\(option.long)", choices.joined(separator: ",")])
        }
        #expect(throws: KeyError.self, "--\(option.long) took a value it does not list") {
          _ = try Parser.parse(base + ["--\(option.long)", "no-such-choice"])
        }
      }
    }
  }

  @Test func optionsNotGivenReadAsAbsent() throws {
    let invocation = try Parser.parse(["list"])
    #expect(invocation[Options.limit] == nil)
    #expect(invocation[Options.nameContains].isEmpty)
    #expect(invocation[Options.provider].isEmpty)
    #expect(invocation[Options.verbose] == false)
    let given = try Parser.parse(["list", "--limit", "7", "-v", "-p", "px0,fal"])
    #expect(given[Options.limit] == 7)
    #expect(given[Options.verbose])
    #expect(given[Options.provider] == [.fal, .px0])
  }
}

/// Choices refused with exit 2 and a "did you mean", before any request (the
/// environment holds every credential: `NoNetwork` fails the test on a request).
@Suite struct ChoiceValidationTests {
  static let everyCredential = [
    "FAL_ADMIN_KEY": TestCLI.falAdminKey, "PX0_ACCESS_TOKEN": "sess_0123456789abcdef",
    "PX0_ORG_ID": "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f",
    "CARTESIA_ADMIN_KEY": "sk_car_admin_0123456789", "OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-012345",
  ]

  @Test(arguments: [
    (["list", "-o", "ndjsn"], "invalid value 'ndjsn' for '--output'", "ndjson"),
    (["list", "--sort", "-nmae"], "invalid value '-nmae' for '--sort'", "-name"),
    (["list", "--sort", "create_at"], "invalid value 'create_at' for '--sort'", "created_at"),
    (["list", "--fields", "id,staus"], "unknown field 'staus' in --fields", "status"),
    (["list", "-p", "opnrouter"], "unknown provider 'opnrouter'", "openrouter"),
    (["create", "-p", "px0", "--name", "x", "--operation", "admn"], "for '--operation'", "admin"),
    (
      ["create", "-p", "openrouter", "--name", "x", "--limit-reset", "weakly"], "'--limit-reset'",
      "weekly"
    ),
    (["help", "provders"], "no help for unknown command 'provders'", "providers"),
  ])
  func aBadChoiceIsExitTwoWithASuggestion(arguments: [String], mentions: String, suggestion: String)
    async
  {
    let outcome = await TestCLI.run(arguments, environment: Self.everyCredential)
    #expect(outcome.code == 2)
    #expect(outcome.stdout.isEmpty)
    #expect(outcome.stderr.contains(mentions), "\(outcome.stderr)")
    #expect(outcome.stderr.contains("Did you mean '\(suggestion)'?"), "\(outcome.stderr)")
  }

  /// A value is checked even when the command would refuse the call for
  /// another reason later: the first bad word on the line is what is reported.
  @Test func valuesAreCheckedInCommandLineOrder() async {
    let outcome = await TestCLI.run(
      ["list", "--limit", "0", "--page-size", "x"], environment: Self.everyCredential)
    #expect(outcome.code == 2)
    #expect(outcome.stderr.hasPrefix("keyctl: invalid value '0' for '--limit'"))
    let swapped = await TestCLI.run(
      ["list", "--page-size", "x", "--limit", "0"], environment: Self.everyCredential)
    #expect(swapped.stderr.hasPrefix("keyctl: invalid value 'x' for '--page-size'"))
  }
}
