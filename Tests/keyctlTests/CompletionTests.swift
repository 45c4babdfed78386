import Foundation
import KeyCore
import Testing

@testable import keyctl

/// What the completion scripts should offer, worked out from the specs: the
/// cases every generator is checked against, so a command or option added to
/// a spec (get, update, delete, --profile…) is tested without a new case.
enum CompletionCases {
  /// One completion: the words after `keyctl` (the last is the one being
  /// completed, as bash splits them: `--output=j` is `--output`, `=`, `j`) and
  /// what the script must offer, in order.
  struct Case: Sendable, CustomTestStringConvertible {
    let words: [String]
    let expected: [String]
    var testDescription: String { "keyctl " + words.joined(separator: " ") + "⇥" }
  }

  /// The values a choice set offers right now.
  static func values(_ choices: Choices?) -> [String] {
    choices?.values(commands: Commands.all) ?? []
  }

  /// Cases derived from `Commands.all` and `Options.global`.
  static var fromSpecs: [Case] {
    let model = CompletionModel(commands: Commands.all)
    var cases = [Case(words: [""], expected: model.commands.flatMap(\.names))]
    for command in model.commands {
      for name in command.names {
        cases.append(Case(words: [name, "--"], expected: command.options.map(\.shown)))
      }
      for option in command.options where option.takesValue {
        let values = values(option.choices)
        cases.append(Case(words: [command.name, option.shown, ""], expected: values))
        cases.append(Case(words: [command.name, option.shown, "=", ""], expected: values))
        if let short = option.short {
          cases.append(Case(words: [command.name, "-\(short)", ""], expected: values))
        }
        if option.commaSeparated, let first = values.first, values.count > 1 {
          cases.append(
            Case(
              words: [command.name, option.shown, first + ","],
              expected: values.dropFirst().map { first + "," + $0 }))
        }
      }
      for (index, positional) in command.positionals.enumerated() {
        let before = Array(repeating: "x", count: index)
        cases.append(
          Case(words: [command.name] + before + [""], expected: values(positional.choices)))
      }
    }
    return cases
  }

  /// Cases for the way keyctl's parser reads a line: options before the
  /// command, option values that are not the command, clusters, `--`.
  static let parsing: [Case] = [
    Case(words: ["c"], expected: ["create", "completion"]),
    Case(words: ["list", "--l"], expected: ["--limit"]),
    Case(words: ["list", "-o", "j"], expected: ["json"]),
    Case(words: ["list", "--output", "=", "nd"], expected: ["ndjson"]),
    Case(words: ["list", "-oj"], expected: ["-ojson"]),
    Case(words: ["-p", "f"], expected: ["fal"]),
    Case(words: ["-p", "fal", "l"], expected: ["list"]),
    Case(words: ["-vp", "fal", "pro"], expected: ["providers"]),
    Case(words: ["--provider", "=", "fal", "-v", "cr"], expected: ["create"]),
    Case(words: ["--json", "h"], expected: ["help"]),
    Case(words: ["list", "-p", "fal,px0,"], expected: ["fal,px0,cartesia", "fal,px0,openrouter"]),
    Case(words: ["list", "-vpfal,o"], expected: ["-vpfal,openrouter"]),
    Case(words: ["list", "--provider", "=", "px0,c"], expected: ["px0,cartesia"]),
    Case(words: ["list", "--fields", "id,na"], expected: ["id,name"]),
    Case(words: ["list", "--sort", "-"], expected: ["-created_at", "-name"]),
    Case(words: ["create", "--limit-reset", "w"], expected: ["weekly"]),
    Case(words: ["list", "--name-contains", ""], expected: []),
    Case(words: ["list", "--limit", "5", "--c"], expected: ["--cursor", "--concurrency"]),
    Case(words: ["help", "list", ""], expected: []),
    Case(words: ["delete", "--y"], expected: ["--yes"]),
    Case(words: ["revoke", "--dry"], expected: ["--dry-run"]),
    Case(words: ["rotate", "--keep"], expected: ["--keep-old"]),
    Case(words: ["audit", "--rules", "old,ne"], expected: ["old,never_used"]),
    Case(words: ["help", "--", ""], expected: Commands.all.map { $0.spec.name }),
    Case(words: ["list", "--", "-"], expected: []),
    Case(words: ["nope", "--"], expected: []),
    Case(words: ["completion", "--values", ""], expected: ChoiceSource.allCases.map(\.rawValue)),
    Case(words: ["-"], expected: model.global.map(\.shown) + ["-p", "-o", "-v", "-h"]),
  ]

  /// The model of keyctl's own commands.
  static var model: CompletionModel { CompletionModel(commands: Commands.all) }
}

/// The in-process side of `keyctl completion`: what it prints, what it refuses,
/// and that it never touches the network (`NoNetwork` fails on any request).
@Suite struct CompletionCommandTests {
  @Test(arguments: Shell.allCases)
  func printsTheScriptForEachShell(_ shell: Shell) async {
    let outcome = await TestCLI.run(["completion", shell.rawValue])
    #expect(outcome.code == 0)
    #expect(outcome.stderr.isEmpty)
    #expect(outcome.stdout == shell.script(commands: Commands.all))
    #expect(outcome.stdout.contains("generated by 'keyctl completion \(shell.rawValue)'"))
  }

  @Test(arguments: ChoiceSource.allCases)
  func printsTheValuesTheScriptsAskFor(_ source: ChoiceSource) async {
    let outcome = await TestCLI.run(["completion", "--values", source.rawValue])
    #expect(outcome.code == 0)
    #expect(outcome.stderr.isEmpty)
    let expected = source.values(commands: Commands.all)
    #expect(outcome.stdout == expected.map { $0 + "\n" }.joined())
  }

  @Test func providersAreListedWithoutCredentialsOrNetwork() async {
    let outcome = await TestCLI.run(["completion", "--values", "providers"], environment: [:])
    #expect(outcome.stdout == "fal\npx0\ncartesia\nopenrouter\n")
  }

  @Test(arguments: [
    (["completion"], "missing argument SHELL: one of bash, zsh, fish"),
    (["completion", "tcsh"], "invalid value 'tcsh' for 'SHELL': expected one of bash, zsh, fish."),
    (["completion", "bsh"], "Did you mean 'bash'?"),
    (["completion", "bash", "--values", "providers"], "give either a shell or '--values'"),
    (["completion", "--values", "provider"], "Did you mean 'providers'?"),
  ])
  func badArgumentsAreUsageErrors(_ arguments: [String], _ message: String) async {
    let outcome = await TestCLI.run(arguments)
    #expect(outcome.code == 2)
    #expect(outcome.stdout.isEmpty)
    #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
    #expect(outcome.stderr.contains("See 'keyctl completion --help'."))
  }

  /// Every choice is a plain word: the scripts write fixed ones unquoted into
  /// lists (zsh's `(a b c)`, fish's `-a 'a b c'`), and bash reads them one a line.
  @Test func everyChoiceIsAPlainWord() {
    let model = CompletionCases.model
    for command in model.commands {
      for option in command.options {
        for value in CompletionCases.values(option.choices) {
          #expect(ShellWord.isPlain(value), "\(option.shown) offers '\(value)'")
        }
      }
      for name in command.names { #expect(ShellWord.isPlain(name)) }
    }
  }
}

/// bash: the generated function driven for real. A bash process sources the
/// script, sets `COMP_WORDS`/`COMP_CWORD` for each case, calls `_keyctl` and
/// prints `COMPREPLY`. `COMP_WORDS[0]` is the built keyctl, so values the
/// script asks for at completion time come from the binary.
@Suite(.enabled(if: ExternalTool.available("bash")))
struct BashCompletionTests {
  /// Sources the script, then reads one case a line (each word followed by
  /// \u{1F}) and prints each reply a line, then \u{1E}.
  static let driver = #"""
    source "$1" || exit 3
    program=$2
    # bash sets COMP_WORDBREAKS itself at start-up; a test may change it here.
    [[ -n ${WORDBREAKS+set} ]] && COMP_WORDBREAKS=$WORDBREAKS
    while IFS= read -r line; do
      COMP_WORDS=("$program")
      rest=$line
      while [[ -n $rest ]]; do
        COMP_WORDS+=("${rest%%$'\x1f'*}")
        rest=${rest#*$'\x1f'}
      done
      COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
      COMPREPLY=()
      _keyctl
      printf '%s\n' "${COMPREPLY[@]}" $'\x1e'
    done
    """#

  /// What the script offers for each case, in order.
  static func complete(
    _ cases: [CompletionCases.Case], script: String,
    program: String = Keyctl.binary.path, environment: [String: String] = [:]
  ) async throws -> [[String]] {
    let bash = try ExternalTool.require("bash")
    let lines = cases.map { $0.words.map { $0 + "\u{1F}" }.joined() + "\n" }.joined()
    let files = ["keyctl.bash": script, "driver.bash": driver + "\n", "cases": lines]
    var variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    variables["BASH_ENV"] = nil
    let result = try await ExternalTool.withFiles(files) { directory in
      try await ExternalTool.run(
        bash,
        ["-c", "exec < \"$0\"; source \"$1\" \"$2\" \"$3\""]
          + ["cases", "driver.bash", "keyctl.bash"].map {
            directory.appendingPathComponent($0).path
          }
          + [program], environment: variables)
    }
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty, "bash said: \(result.stderr)")
    let replies = result.stdout.components(separatedBy: "\u{1E}\n").dropLast().map {
      $0.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
    #expect(replies.count == cases.count)
    return replies
  }

  @Test func completesWhatTheSpecsDeclare() async throws {
    let cases = CompletionCases.fromSpecs
    let replies = try await Self.complete(cases, script: Shell.bash.script(commands: Commands.all))
    for (completion, reply) in zip(cases, replies) {
      #expect(reply == completion.expected, "\(completion.testDescription)")
    }
  }

  @Test func readsTheLineAsTheParserDoes() async throws {
    let cases = CompletionCases.parsing
    let replies = try await Self.complete(cases, script: Shell.bash.script(commands: Commands.all))
    for (completion, reply) in zip(cases, replies) {
      #expect(reply == completion.expected, "\(completion.testDescription)")
    }
  }

  /// Where `=` does not break words, bash replaces the whole word, so the
  /// reply keeps the option in front of the value.
  @Test func completesAfterAnEqualsSignThatDoesNotBreakWords() async throws {
    let cases = [
      CompletionCases.Case(words: ["list", "--output=j"], expected: ["--output=json"]),
      CompletionCases.Case(words: ["list", "--provider=fal,p"], expected: ["--provider=fal,px0"]),
    ]
    let replies = try await Self.complete(
      cases, script: Shell.bash.script(commands: Commands.all),
      environment: ["WORDBREAKS": " \t\n\"'><;|&(:"])
    #expect(replies == cases.map(\.expected))
  }

  /// Aliases complete like their command, and a command's own options and
  /// choices follow it (a test command, since keyctl's get aliases with issue 13).
  @Test func aliasesCompleteLikeTheirCommand() async throws {
    let cases: [CompletionCases.Case] = [
      .init(words: [""], expected: ["echo", "say", "help"]),
      .init(words: ["s"], expected: ["say"]),
      .init(words: ["say", "--t"], expected: ["--tone", "--timeout"]),
      .init(words: ["say", "--tone", ""], expected: ["calm", "loud"]),
      .init(words: ["echo", "hi", "--shout", "--tone", "l"], expected: ["loud"]),
      .init(words: ["say", "--sh"], expected: ["--shout"]),
    ]
    let script = Shell.bash.script(commands: CommandRegistryTests.testCommands)
    let replies = try await Self.complete(cases, script: script)
    #expect(replies == cases.map(\.expected))
  }

  /// `eval "$(keyctl completion bash)"` registers the function in a plain
  /// bash (no bash-completion package), and it works there.
  @Test(.enabled(if: endToEndAvailable || ExternalTool.inCI))
  func evalOfTheBinarysOutputWorks() async throws {
    let script = #"""
      eval "$("$KEYCTL" completion bash)" || exit 3
      complete -p keyctl
      COMP_WORDS=("$KEYCTL" list -p fal,) COMP_CWORD=3
      _keyctl
      printf '%s\n' "${COMPREPLY[@]}"
      """#
    let result = try await Keyctl.shell(
      script, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout == "complete -F _keyctl keyctl\nfal,px0\nfal,cartesia\nfal,openrouter\n")
  }
}

/// zsh: `zsh -n` on the script, and zsh's own completion system driven in a
/// pseudo-terminal (zsh's zpty): `compadd` is wrapped to print each match.
@Suite(.enabled(if: ExternalTool.available("zsh")))
struct ZshCompletionTests {
  /// capture.zsh SCRIPT MODE LINE: loads the script (MODE `source`, or `fpath`
  /// as an installed `_keyctl` is) in an interactive zsh, types LINE and Tab,
  /// and prints every match as `MATCH:…`.
  static let harness = #"""
    zmodload zsh/zpty || exit 3
    zpty z 'zsh -f -i'
    zpty -w z "PS1='' PROMPT_EOL_MARK=''"
    if [[ $2 == fpath ]]; then
      zpty -w z "fpath=(${(q)1:h} \$fpath)"
      zpty -w z 'autoload -Uz compinit && compinit -u -D'
    else
      zpty -w z 'autoload -Uz compinit && compinit -u -D'
      zpty -w z "source ${(q)1}"
    fi
    zpty -w z 'compadd() { if (( ${@[(I)-[OAD]*]} )); then builtin compadd "$@"; return; fi; local -a m; builtin compadd -A m "$@"; local x; for x in $m; do print -r -- "MA""TCH:$x"; done; builtin compadd "$@"; }'
    zpty -w z '_capture_done() { print -r -- "CAPTURE""-DONE"; exit }'
    zpty -w z 'comppostfuncs=(_capture_done)'
    zpty -w z 'bindkey "^I" complete-word'
    zpty -n -w z "$3"$'\t'
    local out chunk
    integer tries=0
    while (( tries++ < 400 )); do
      if zpty -t z; then zpty -r z chunk && out+=$chunk; else sleep 0.05; fi
      [[ $out == *CAPTURE-DONE* ]] && break
    done
    zpty -d z
    print -r -- "${out//$'\r'/}"
    """#

  /// The matches zsh offers when Tab is pressed at the end of `line`.
  static func complete(_ line: String, mode: String = "source") async throws -> [String] {
    let zsh = try ExternalTool.require("zsh")
    let files = ["_keyctl": Shell.zsh.script(commands: Commands.all), "capture.zsh": harness]
    let result = try await ExternalTool.withFiles(files) { directory in
      try await ExternalTool.run(
        zsh,
        [
          "-f", directory.appendingPathComponent("capture.zsh").path,
          directory.appendingPathComponent("_keyctl").path, mode, line,
        ], environment: ExternalTool.keyctlEnvironment,
        currentDirectory: directory)
    }
    #expect(result.stdout.contains("CAPTURE-DONE"), "zsh did not complete: \(result.stdout)")
    var matches: [String] = []
    for part in result.stdout.components(separatedBy: "MATCH:").dropFirst() {
      let match = part.prefix { !$0.isNewline && $0 != "\u{1B}" }
      if !matches.contains(String(match)) { matches.append(String(match)) }
    }
    return matches
  }

  @Test func theScriptParses() async throws {
    let script = Shell.zsh.script(commands: Commands.all)
    try await expectSyntaxChecks(script, shell: "zsh", arguments: ["-n"], file: "_keyctl")
    #expect(script.hasPrefix("#compdef keyctl\n"))
  }

  @Test(arguments: [
    (
      "keyctl ",
      [
        "list", "get", "create", "update", "delete", "revoke", "rotate", "audit", "providers",
        "completion", "help",
      ]
    ),
    ("keyctl list --l", ["--limit"]),
    ("keyctl list --output ", ["table", "json", "ndjson"]),
    ("keyctl list --output=nd", ["ndjson"]),
    ("keyctl list -oj", ["json"]),
    ("keyctl list -p ", ["fal", "px0", "cartesia", "openrouter"]),
    ("keyctl list -p fal,", ["px0", "cartesia", "openrouter"]),
    ("keyctl list --fields id,na", ["name"]),
    ("keyctl -p fal pro", ["providers"]),
    ("keyctl create --operation ", ["read_render", "all", "admin"]),
    (
      "keyctl help ",
      [
        "list", "get", "create", "update", "delete", "rotate", "audit", "providers", "completion",
        "help",
      ]
    ),
    ("keyctl completion ", ["bash", "zsh", "fish"]),
  ])
  func completes(_ line: String, _ expected: [String]) async throws {
    let matches = try await Self.complete(line)
    #expect(Set(matches) == Set(expected), "\(line)⇥ offered \(matches)")
  }

  /// Installed as `_keyctl` on fpath (what Scripts/install does), compinit
  /// loads it by its `#compdef` line.
  @Test func loadsFromFpath() async throws {
    let matches = try await Self.complete("keyctl list -p c", mode: "fpath")
    #expect(matches == ["cartesia"])
  }
}

/// fish: `fish -n` on the script, and fish's own `complete -C`, which prints
/// what fish would offer for a command line.
@Suite(.enabled(if: ExternalTool.available("fish")))
struct FishCompletionTests {
  /// What fish offers for each line, without descriptions, sorted as fish sorts.
  static func complete(_ lines: [String]) async throws -> [[String]] {
    let fish = try ExternalTool.require("fish")
    let script = Shell.fish.script(commands: Commands.all)
    let result = try await ExternalTool.withFiles(["keyctl.fish": script]) { directory in
      try await ExternalTool.run(
        fish,
        [
          "--no-config", "-c",
          "source $argv[1]; for line in $argv[2..-1]; complete -C $line; echo \\x1e; end",
          directory.appendingPathComponent("keyctl.fish").path,
        ] + lines, environment: ExternalTool.keyctlEnvironment)
    }
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty, "fish said: \(result.stderr)")
    return result.stdout.components(separatedBy: "\u{1E}\n").dropLast().map { block in
      block.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }
    }
  }

  @Test func theScriptParses() async throws {
    try await expectSyntaxChecks(
      Shell.fish.script(commands: Commands.all), shell: "fish", arguments: ["--no-config", "-n"],
      file: "keyctl.fish")
  }

  /// The cases every shell shares: commands, options, fixed and asked values
  /// (fish prints the whole word it would insert: `fal,px0`, `-ojson`).
  @Test func completesWhatTheSpecsDeclare() async throws {
    // fish splits no word at `=` (another test covers `--output=j`), and reads
    // a word that starts with `-` as an option even after `--sort`: there
    // `--sort=-` completes the descending fields.
    var cases = CompletionCases.fromSpecs.filter { !$0.words.contains("=") }
    cases += CompletionCases.parsing.filter {
      !$0.words.contains("=") && $0.words != ["list", "--sort", "-"]
    }
    let lines = cases.map { "keyctl " + $0.words.joined(separator: " ") }
    let replies = try await Self.complete(lines)
    #expect(replies.count == cases.count)
    for (completion, reply) in zip(cases, replies) {
      #expect(Set(reply) == Set(completion.expected), "\(completion.testDescription) → \(reply)")
    }
  }

  @Test func completesAnOptionWrittenWithItsValue() async throws {
    let replies = try await Self.complete([
      "keyctl list --output=j", "keyctl list --provider=fal,c", "keyctl list -pfal,o",
      "keyctl list --sort=-",
    ])
    #expect(
      replies == [
        ["--output=json"], ["--provider=fal,cartesia"], ["-pfal,openrouter"],
        ["--sort=-created_at", "--sort=-name"],
      ])
  }
}

/// `shell ARGUMENTS FILE` (`zsh -n`, `fish -n`) finds nothing wrong with `script`.
func expectSyntaxChecks(
  _ script: String, shell: String, arguments: [String], file: String,
  sourceLocation: SourceLocation = #_sourceLocation
) async throws {
  let program = try ExternalTool.require(shell, sourceLocation: sourceLocation)
  let result = try await ExternalTool.withFiles([file: script]) { directory in
    try await ExternalTool.run(program, arguments + [directory.appendingPathComponent(file).path])
  }
  #expect(result.status == 0, sourceLocation: sourceLocation)
  #expect(result.stderr.isEmpty, "\(shell): \(result.stderr)", sourceLocation: sourceLocation)
}
