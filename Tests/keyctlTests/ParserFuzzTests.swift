import Foundation
import KeyCore
import Testing

@testable import keyctl

/// SplitMix64: a small seeded generator, so every run throws the same inputs
/// and a failure names a seed and an index that reproduce it.
struct SeededGenerator: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) {
    state = seed
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var mixed = state
    mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
    return mixed ^ (mixed >> 31)
  }
}

/// Builds argument lists from keyctl's real vocabulary, near misses of it and
/// hostile values.
struct ArgumentGenerator {
  var random: SeededGenerator

  static let commands = [
    "list", "get", "create", "update", "delete", "revoke", "rotate", "audit", "providers", "help",
  ]
  static let commandMisses = [
    "lst", "crate", "Create", "LIST", "provider", "hlep", "version", "ls", "", " list", "list ",
    "delet", "keys", "rotat", "Revoke",
  ]
  static let longNames = OptionTable(commands: Commands.all).long.keys.sorted()
  static let shortOptions = [
    "-p", "-o", "-v", "-q", "-h", "-x", "-ojson", "-ondjson", "-pfal", "-vq", "-qv", "-vh",
    "-o=json",
    "-", "-pv", "-p=fal", "-vvv", "-oyaml", "-hq", "-P", "-V", "-\u{0}",
  ]
  static let specials = [
    "--", "-", "=", "--=", "---", "---limit", "--limit=", "--limit==5", "--=json", "--json=1",
    "--help=yes", "--no-colour", "--LIMIT", "--provider=", "-- list", "--\u{1B}[31m", "—provider",
    "--provider\u{0}", "--é", "--🔑",
  ]
  static let values = [
    "fal", "px0", "cartesia", "openrouter", "fal,px0", "fal,,px0", ",", "FAL", " fal ", "falx",
    "fal,cartesia,openrouter,px0", "fa", "table", "json", "ndjson", "yaml", "JSON", "0", "1", "-1",
    "3", "100", "101", "2147483648", "99999999999999999999999999", "1e309", "-0", "0x10", "NaN",
    "inf", "-inf", "0.0001", "1.5", "30", "", " ", "=", "ключ", "🔑", "é", "\u{0}", "\u{1B}[31m",
    "\t", "\n", "a\nb", "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f", "7d2c3f1e-5b4a-4c8d-9e0f",
    "2026-01-01T00:00:00Z", "2026-02-30", "tomorrow", "created_at", "-name", "name", "size",
    "id,name", "raw,,", "bogus", "provider,id,name,created_at,scope,status,expires_at",
    "https://example.com", "http://10.0.0.1", "http://localhost:8000", "not a url", "file:///etc",
    "eyJ2IjoxfQ", "abc", "daily", "weekly", "read_render", "admin", "all", "list", "help",
    "--provider", "-p",
  ]

  mutating func int(_ bound: Int) -> Int {
    Int.random(in: 0..<bound, using: &random)
  }

  mutating func pick(_ items: [String]) -> String {
    items[int(items.count)]
  }

  /// A misspelling of `word`: one character dropped, doubled, swapped or replaced.
  mutating func misspell(_ word: String) -> String {
    var characters = Array(word)
    guard characters.count > 1 else { return word + "x" }
    let index = int(characters.count - 1)
    switch int(4) {
    case 0: characters.remove(at: index)
    case 1: characters.insert(characters[index], at: index)
    case 2: characters.swapAt(index, index + 1)
    default: characters[index] = Character(Unicode.Scalar(UInt8(97 + int(26))))
    }
    return String(characters)
  }

  mutating func value() -> String {
    switch int(20) {
    case 0: return String(repeating: "a", count: 10_000)
    case 1: return String(repeating: "9", count: 400)
    case 2: return misspell(pick(Self.values))
    case 3: return String(Int.random(in: Int.min...Int.max, using: &random))
    default: return pick(Self.values)
    }
  }

  mutating func longOption() -> String {
    var name = pick(Self.longNames)
    if int(6) == 0 { name = misspell(name) }
    switch int(4) {
    case 0: return "--\(name)=\(value())"
    default: return "--\(name)"
    }
  }

  mutating func argument() -> String {
    switch int(20) {
    case 0..<7: return longOption()
    case 7..<10: return pick(Self.shortOptions)
    case 10..<12: return int(2) == 0 ? pick(Self.commands) : pick(Self.commandMisses)
    case 12..<13: return pick(Self.specials)
    default: return value()
    }
  }

  /// Plausible values for each kind of option value, by the help page's placeholder.
  static let valuesByPlaceholder: [String: [String]] = [
    "NAME": ["fal", "px0", "cartesia", "openrouter", "fal,openrouter", "px0,cartesia"],
    "FORMAT": ["table", "json", "ndjson"],
    "URL": ["https://api.example.com/v1", "http://127.0.0.1:9", "http://[::1]:8000"],
    "SECONDS": ["30", "0.5", "0.001", "120"],
    "N": ["0", "1", "3", "50", "100", "1000"],
    "TOKEN": ["eyJ2IjoxfQ", "AAAA", "k1.fal.MQ"],
    "TEXT": ["ci", "Production Key", "ключ", "a b"],
    "LIST": ["id,name", "provider,id,created_at", "raw", "old,expired", "never_used", "olde"],
    "DAYS": ["0", "30", "90", "-1", "1.5"],
    "FIELD": ["created_at", "-created_at", "name", "-name"],
    "UUID": ["7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f", "0df9e665-d932-5740-b2c7-b52af166bc11"],
    "SCOPE": ["read_render", "all", "admin"],
    "USD": ["0", "5", "25.5"],
    "PERIOD": ["daily", "weekly", "monthly"],
    "DATE": ["2027-01-01T00:00:00Z", "2027-01-01"],
  ]

  /// A command with options it takes and fitting values: deep enough to reach
  /// each command's own checks (and, for `create -p cartesia`, exit 8).
  mutating func wellFormed() -> [String] {
    let command = pick(Self.commands)
    let options = Options.global + (Commands.all.command(named: command)?.spec.options ?? [])
    var result = [command]
    if command == "create" {
      result += ["-p", pick(ProviderID.allCases.map(\.rawValue)), "--name", "ci"]
    }
    for _ in 0..<int(5) {
      let option = options[int(options.count)]
      if option.long == "help" || option.long == "version", int(4) != 0 { continue }
      let flag = option.short.map { "-\($0)" } ?? "--\(option.long)"
      result.append(int(3) == 0 ? flag : "--\(option.long)")
      if let placeholder = option.valueName {
        result.append(pick(Self.valuesByPlaceholder[placeholder] ?? Self.values))
      }
    }
    return result
  }

  /// One small corruption of a list: a word misspelled, dropped, duplicated or
  /// replaced, or a stray token inserted.
  mutating func corrupt(_ list: [String]) -> [String] {
    var result = list
    guard !result.isEmpty else { return [argument()] }
    let index = int(result.count)
    switch int(5) {
    case 0: result[index] = misspell(result[index])
    case 1: result.remove(at: index)
    case 2: result.insert(result[index], at: index)
    case 3: result[index] = argument()
    default: result.insert(argument(), at: index)
    }
    return result
  }

  mutating func arguments() -> [String] {
    switch int(10) {
    case 0..<3: return wellFormed()
    case 3..<6: return corrupt(wellFormed())
    default:
      var result: [String] = []
      // Most lists start with a real command so that parsing goes past the first word.
      if int(10) < 7 { result.append(pick(Self.commands)) }
      for _ in 0..<int(9) { result.append(argument()) }
      return result
    }
  }
}

@Suite struct ParserFuzzTests {
  static let seed: UInt64 = 0x6B65_7963_746C  // "keyctl"
  static let runs = 4_000

  /// Whatever it is given, keyctl answers with a documented exit code and, on a
  /// usage error, the `keyctl: …` line and a pointer to help. With no
  /// credentials in the environment nothing can reach the network: `NoNetwork`
  /// fails the test on any request.
  @Test func generatedArgumentListsNeverCrashAndAlwaysExplain() async throws {
    var generator = ArgumentGenerator(random: SeededGenerator(seed: Self.seed))
    var codes: [Int32: Int] = [:]
    var failures: [String] = []
    for index in 0..<Self.runs {
      // Long CPU-bound loops share the test threads (one per core) with the
      // end-to-end tests, whose Ctrl-C and retry timing cannot wait 30 s.
      if index % 50 == 0 { await Task.yield() }
      let arguments = generator.arguments()
      let outcome = await TestCLI.run(arguments, environment: [:])
      codes[outcome.code, default: 0] += 1
      if let problem = Self.problem(with: outcome) {
        failures.append("#\(index) \(arguments.debugDescription.prefix(300)): \(problem)")
      }
    }
    for failure in failures.prefix(15) { Issue.record(Comment(rawValue: failure)) }
    #expect(
      failures.isEmpty, "\(failures.count) of \(Self.runs) runs misbehaved; exit codes \(codes)")
    // The generator reaches every outcome, so the checks above were exercised.
    for code: Int32 in [0, 2, 3, 8] {
      #expect((codes[code] ?? 0) > 0, "no run exited \(code): \(codes)")
    }
  }

  /// Hand-picked lists the generator might take long to reach.
  @Test(arguments: [
    [], [""], ["--"], ["--", "list"], ["list", "--"], ["-"], ["="], ["list", "--limit"],
    ["list", "--limit", "--json"], ["list", "-o"], ["list", "-p"], ["create", "--name"],
    ["list", "--limit=99999999999999999999"], ["list", "--timeout", "1e309"],
    ["list", "--timeout", "NaN"], ["list", "--page-size", "-0"], ["help", "help", "help"],
    ["help", "nonsense"], ["--version", "--help"], ["-h", "list"], ["list", "-ojson", "-ojson"],
    ["create", "-p", "cartesia", "--name", "x"], ["list", String(repeating: "-v", count: 5_000)],
    [String(repeating: "list ", count: 2_000)],
    ["list", "--fields", String(repeating: ",", count: 999)],
  ])
  func edgeCases(_ arguments: [String]) async {
    let outcome = await TestCLI.run(arguments, environment: [:])
    #expect(Self.problem(with: outcome) == nil, "\(Self.problem(with: outcome) ?? "")")
  }

  /// What is wrong with an outcome, or nil when it keeps keyctl's promises.
  static func problem(with outcome: Outcome) -> String? {
    guard [0, 2, 3, 8].contains(outcome.code) else {
      return "exit \(outcome.code); stderr: \(outcome.stderr.prefix(300))"
    }
    if outcome.code == 0 { return nil }
    if outcome.code == 2 {
      guard outcome.stderr.hasPrefix("keyctl: "), outcome.stderr.contains("See '") else {
        return "usage error without 'keyctl: ' and a help pointer: \(outcome.stderr.prefix(300))"
      }
      guard outcome.stdout.isEmpty else { return "usage error with stdout: \(outcome.stdout)" }
      return nil
    }
    guard outcome.stderr.hasPrefix("keyctl: ") else {
      return "exit \(outcome.code) without 'keyctl: ': \(outcome.stderr.prefix(300))"
    }
    return stdoutProblem(outcome.stdout)
  }

  /// On failure stdout is empty, except that `list -o json` and `audit -o json`
  /// still print their one document: no keys (or findings), and the reasons in
  /// `errors`.
  static func stdoutProblem(_ stdout: String) -> String? {
    if stdout.isEmpty { return nil }
    guard
      let object = try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any],
      let items = (object["keys"] ?? object["findings"]) as? [Any], items.isEmpty,
      let errors = object["errors"] as? [[String: Any]], !errors.isEmpty
    else { return "failure with stdout: \(stdout.prefix(300))" }
    return nil
  }
}
