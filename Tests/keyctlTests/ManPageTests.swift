import Foundation
import KeyCore
import Testing

@testable import keyctl

/// `keyctl help --man`: a roff page generated from the specs, which groff
/// renders without a warning and which documents every command, option,
/// variable and exit code.
@Suite struct ManPageTests {
  /// The page as keyctl prints it.
  static func page() async -> String {
    let outcome = await TestCLI.run(["help", "--man"])
    #expect(outcome.code == 0)
    #expect(outcome.stderr.isEmpty)
    return outcome.stdout
  }

  /// The page rendered by groff as plain text: no bold or underline, and the
  /// minus sign some groff builds print for `\-` read back as `-`.
  static func rendered(_ page: String, groff: String) async throws -> String {
    let result = try await Self.run(groff, ["-man", "-Tutf8", "-P-cbou", "-rLL=200n"], on: page)
    #expect(result.status == 0)
    return result.stdout.replacingOccurrences(of: "\u{2212}", with: "-")
      .replacingOccurrences(of: "\u{2010}", with: "-")
  }

  /// `program ARGUMENTS keyctl.1` on a file holding `page`.
  static func run(
    _ program: String, _ arguments: [String], on page: String,
    environment: [String: String]? = nil
  ) async throws -> RunResult {
    try await ExternalTool.withFiles(["keyctl.1": page]) { directory in
      try await ExternalTool.run(
        program, arguments + [directory.appendingPathComponent("keyctl.1").path],
        environment: environment)
    }
  }

  @Test(.enabled(if: ExternalTool.available("groff")))
  func groffRendersItWithoutAWarning() async throws {
    let groff = try ExternalTool.require("groff")
    let result = try await Self.run(groff, ["-man", "-Tutf8", "-ww"], on: await Self.page())
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty, "groff warned: \(result.stderr)")
    #expect(result.stdout.contains("KEYCTL(1)"))
  }

  /// The page as `man -l` shows it: man-db's own pipeline (preconv, tbl, the
  /// pager) must not complain either.
  @Test(.enabled(if: ExternalTool.available("man")))
  func manShowsIt() async throws {
    let man = try ExternalTool.require("man")
    var environment = ProcessInfo.processInfo.environment
    environment["MANPAGER"] = "cat"
    environment["MANWIDTH"] = "80"
    let result = try await Self.run(man, ["-l"], on: await Self.page(), environment: environment)
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty, "man complained: \(result.stderr)")
    #expect(result.stdout.contains("NAME"))
    #expect(result.stdout.contains("EXIT STATUS"))
  }

  /// Every command, every option (the command's and the global ones), every
  /// positional, environment variable, exit code and example is on the page,
  /// in the section it belongs to.
  @Test(.enabled(if: ExternalTool.available("groff")))
  func everythingThatHelpKnowsIsOnThePage() async throws {
    let groff = try ExternalTool.require("groff")
    let text = try await Self.rendered(await Self.page(), groff: groff)
    let sections = Self.sections(text)
    let expected = [
      "NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "GLOBAL OPTIONS", "ENVIRONMENT", "FILES",
      "EXIT STATUS", "EXAMPLES", "SEE ALSO",
    ]
    #expect(sections.map(\.title) == expected)
    let body = Dictionary(sections.map { ($0.title, $0.body) }) { first, _ in first }
    let commandsText = body["COMMANDS", default: ""]
    for command in Commands.all.map({ $0.spec }) {
      #expect(body["SYNOPSIS", default: ""].contains(command.usage), "\(command.name) synopsis")
      #expect(commandsText.contains("   keyctl \(command.name)\n"), "\(command.name) section")
      for option in command.options {
        #expect(commandsText.contains(option.synopsis), "\(option.synopsis) of \(command.name)")
      }
      for positional in command.positionals {
        #expect(commandsText.contains(positional.synopsis), "\(positional.name)")
      }
      for example in command.examples {
        #expect(body["EXAMPLES", default: ""].contains(example), "example \(example)")
      }
    }
    for option in Options.global {
      #expect(body["GLOBAL OPTIONS", default: ""].contains(option.synopsis), "\(option.long)")
    }
    let environment = body["ENVIRONMENT", default: ""]
    for provider in ProviderID.allCases {
      let descriptor = try #require(provider.descriptor)
      let variables =
        descriptor.credentialVariables + descriptor.baseURLVariables
        + descriptor.settings.flatMap(\.variables)
      for variable in variables {
        #expect(environment.contains(variable), "\(variable) in ENVIRONMENT")
      }
    }
    for (name, _) in ManPage.ownVariables {
      #expect(environment.contains(name), "\(name) in ENVIRONMENT")
    }
    let exitStatus = body["EXIT STATUS", default: ""]
    for (code, meaning) in HelpRenderer.exitCodes {
      #expect(exitStatus.contains("\(code)"), "exit \(code)")
      #expect(
        Self.words(exitStatus).contains(Self.words(meaning)), "exit \(code) means \(meaning)")
    }
    #expect(body["FILES", default: ""].contains("~/.config/keyctl/config.toml"))
    #expect(body["NAME", default: ""].contains("keyctl - one command line for the API keys"))
  }

  /// The page is ASCII (anything else is a `\[uXXXX]` escape), so its
  /// rendering does not depend on the locale, and no text line starts with a
  /// character roff would read as a request.
  @Test func thePageIsPlainRoff() async {
    let page = await Self.page()
    #expect(page.unicodeScalars.allSatisfy { $0.isASCII })
    #expect(page.hasPrefix(".\\\" keyctl.1: generated by 'keyctl help --man'"))
    #expect(page.contains(".TH KEYCTL 1 \"\" \"keyctl \(Version.current)\""))
    for line in page.split(separator: "\n") {
      #expect(!line.hasPrefix("'"), "line read as a request: \(line)")
      #expect(!line.hasPrefix(" "), "line that breaks the paragraph: \(line)")
    }
    // The create help's "KEY=$(keyctl create … -q)": the ellipsis is escaped.
    #expect(page.contains("\\[u2026]"))
  }

  @Test func escapingCoversBackslashesHyphensAndUnicode() {
    #expect(ManPage.escaped("--a\\b") == "\\-\\-a\\eb")
    #expect(ManPage.escaped("x — y é 🚀") == "x \\[u2014] y \\[u00E9] \\[u1F680]")
    #expect(ManPage.escaped("a\u{1B}[31mb\nc") == "a[31mb c")
  }

  @Test func theManPageCoversEveryCommandSoItTakesNone() async {
    let outcome = await TestCLI.run(["help", "list", "--man"])
    #expect(outcome.code == 2)
    #expect(outcome.stdout.isEmpty)
    #expect(outcome.stderr.contains("'--man' prints the whole manual"))
    #expect(outcome.stderr.contains("See 'keyctl help --help'."))
  }

  /// The rendered page's sections: a title at the margin, then its lines.
  static func sections(_ text: String) -> [(title: String, body: String)] {
    var sections: [(title: String, body: String)] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if let first = line.first, first != " ", !line.hasPrefix("KEYCTL(1)"),
        !line.hasPrefix("keyctl \(Version.current)")
      {
        sections.append((String(line), ""))
      } else if !sections.isEmpty {
        sections[sections.count - 1].body += line + "\n"
      }
    }
    return sections
  }

  /// Text with its line breaks and runs of spaces as single spaces, for
  /// finding a sentence that groff wrapped.
  static func words(_ text: String) -> String {
    text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
  }
}
