import Foundation
import Testing

@testable import keyctl

/// One help page, how to ask for it and the width it is rendered at.
struct GoldenCase: Sendable, CustomTestStringConvertible {
  let file: String
  let arguments: [String]
  let columns: Int
  var testDescription: String { "\(file) (COLUMNS=\(columns))" }
}

@Suite struct HelpGoldenTests {
  static let cases = [
    GoldenCase(file: "help-main", arguments: ["--help"], columns: 80),
    GoldenCase(file: "help-list", arguments: ["list", "--help"], columns: 80),
    GoldenCase(file: "help-create", arguments: ["create", "--help"], columns: 80),
    GoldenCase(file: "help-get", arguments: ["get", "--help"], columns: 80),
    GoldenCase(file: "help-update", arguments: ["update", "--help"], columns: 80),
    GoldenCase(file: "help-audit", arguments: ["audit", "--help"], columns: 80),
    GoldenCase(file: "help-providers", arguments: ["providers", "--help"], columns: 80),
    GoldenCase(file: "help-delete", arguments: ["delete", "--help"], columns: 80),
    GoldenCase(file: "help-rotate", arguments: ["rotate", "--help"], columns: 80),
    GoldenCase(file: "help-list-60", arguments: ["list", "--help"], columns: 60),
    GoldenCase(file: "help-help", arguments: ["help", "help"], columns: 80),
  ]

  /// Set `KEYCTL_UPDATE_GOLDEN=1` to rewrite the golden files in the source tree.
  static var updating: Bool { ProcessInfo.processInfo.environment["KEYCTL_UPDATE_GOLDEN"] == "1" }

  static func render(_ arguments: [String], columns: Int) async -> Outcome {
    await TestCLI.run(arguments, environment: ["COLUMNS": String(columns)])
  }

  @Test(arguments: cases)
  func matchesGoldenFile(_ golden: GoldenCase) async throws {
    let outcome = await Self.render(golden.arguments, columns: golden.columns)
    #expect(outcome.code == 0)
    #expect(outcome.stderr.isEmpty)
    if Self.updating {
      let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden").appendingPathComponent(golden.file + ".txt")
      try outcome.stdout.write(to: url, atomically: true, encoding: .utf8)
      return
    }
    let url = try #require(
      Bundle.module.url(forResource: golden.file, withExtension: "txt", subdirectory: "Golden"),
      "missing Golden/\(golden.file).txt; run with KEYCTL_UPDATE_GOLDEN=1 to create it")
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(
      outcome.stdout == expected,
      "help differs from Golden/\(golden.file).txt; if intended, rerun with KEYCTL_UPDATE_GOLDEN=1")
  }

  /// Every line fits the width unless it is one unbreakable word after its
  /// indentation, or an example command (which must stay copyable as one line).
  @Test(arguments: cases)
  func linesFitTheWidth(_ golden: GoldenCase) async {
    let page = await Self.render(golden.arguments, columns: golden.columns).stdout
    var inExamples = false
    for line in page.split(separator: "\n", omittingEmptySubsequences: false) {
      if !line.hasPrefix(" ") { inExamples = line == "EXAMPLES:" }
      guard line.count > golden.columns, !inExamples else { continue }
      let words = line.split(separator: " ")
      let breakable = words.count > 1 && words.dropLast().contains { !$0.isEmpty }
      let labelOnly = line.hasPrefix("  -") && words.count <= 4
      #expect(!breakable || labelOnly, "line longer than \(golden.columns): '\(line)'")
    }
    #expect(!page.contains("\u{1B}"))
    #expect(page.hasSuffix("\n") && !page.hasSuffix("\n\n"))
  }

  @Test(arguments: ["list", "get", "create", "update", "delete", "rotate", "audit", "providers"])
  func everyWayToAskGivesTheSamePage(_ command: String) async {
    let pages = [
      ["help", command], [command, "--help"], [command, "-h"], ["-h", command],
      ["--help", command],
      [command, "-p", "fal", "--help"],
    ]
    let reference = await Self.render(["help", command], columns: 80)
    #expect(reference.code == 0)
    #expect(reference.stdout.hasPrefix("keyctl \(command) — "))
    for arguments in pages {
      let outcome = await Self.render(arguments, columns: 80)
      #expect(outcome.code == 0, "\(arguments)")
      #expect(outcome.stdout == reference.stdout, "\(arguments)")
    }
  }

  @Test func mainPageComesFromEveryWayToAskForIt() async {
    let reference = await Self.render(["--help"], columns: 80)
    #expect(reference.stdout.hasPrefix("keyctl \(Version.current) — "))
    for arguments in [[], ["help"], ["-h"], ["help", "--help"]] {
      let outcome = await Self.render(arguments, columns: 80)
      #expect(outcome.code == 0, "\(arguments)")
      #expect(outcome.stdout == reference.stdout, "\(arguments)")
    }
  }

  @Test func unusableColumnsFallBackToEighty() async {
    let reference = await Self.render(["list", "--help"], columns: 80)
    for columns in ["10", "wide", ""] {
      let outcome = await TestCLI.run(["list", "--help"], environment: ["COLUMNS": columns])
      #expect(outcome.stdout == reference.stdout, "COLUMNS=\(columns)")
    }
    let narrow = await Self.render(["list", "--help"], columns: 60)
    #expect(narrow.stdout != reference.stdout)
  }

  @Test func helpForAnUnknownCommandIsAUsageError() async {
    let unknown = await TestCLI.run(["help", "nope"])
    #expect(unknown.code == 2)
    #expect(unknown.stdout.isEmpty)
    #expect(unknown.stderr.contains("unknown command 'nope'"))
    #expect(
      unknown.stderr.contains(
        "Commands: list, get, create, update, delete, rotate, audit, providers, completion, help."))
    #expect(unknown.stderr.contains("See 'keyctl --help'."))

    let typo = await TestCLI.run(["help", "creat"])
    #expect(typo.code == 2)
    #expect(typo.stderr.contains("unknown command 'creat'. Did you mean 'create'?"))
  }

  /// Everything the parser accepts is on a help page, so the spec and the help cannot drift.
  @Test func everyOptionIsDocumented() async {
    let main = await Self.render(["--help"], columns: 200).stdout
    for option in Options.global {
      #expect(main.contains(option.synopsis), "--\(option.long) missing from the main page")
    }
    for command in Commands.all.map({ $0.spec }) {
      let page = await Self.render(["help", command.name], columns: 200).stdout
      #expect(main.contains("  \(command.name) "), "\(command.name) missing from the main page")
      for option in command.options + Options.global {
        #expect(page.contains(option.synopsis), "--\(option.long) missing from \(command.name)")
      }
      for positional in command.positionals {
        #expect(page.contains("  \(positional.name) "), "\(positional.name) missing")
      }
    }
  }
}
