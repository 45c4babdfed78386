import Foundation
import Testing

/// The table of the simulator's own fal keys, whose names include French,
/// Japanese, emoji and combining text, compared with golden files: piped (never
/// cut) and on an 80-column pseudo-terminal (names shortened, ids whole).
/// Before display widths, `画像生成 worker` and `Zürich edge 🚀` pushed
/// their rows' later columns out of line.
@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndTableTests {
  /// Every kind of name the simulator seeds, and a few plain ones (repeated
  /// `--name-contains` is OR).
  static let arguments = [
    "list", "-p", "fal", "--name-contains", "é", "--name-contains", "画像", "--name-contains", "🚀",
    "--name-contains", "ü", "--name-contains", "key 1",
  ]

  /// Compares `text` with `Golden/<file>.txt`, or rewrites it with `KEYCTL_UPDATE_GOLDEN=1`.
  static func expectGolden(_ text: String, _ file: String) throws {
    if HelpGoldenTests.updating {
      let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Golden")
        .appendingPathComponent(file + ".txt")
      try text.write(to: url, atomically: true, encoding: .utf8)
      return
    }
    let url = try #require(
      Bundle.module.url(forResource: file, withExtension: "txt", subdirectory: "Golden"),
      "missing Golden/\(file).txt; run with KEYCTL_UPDATE_GOLDEN=1 to create it")
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(text == expected, "table differs from Golden/\(file).txt")
  }

  @Test func pipedTheTableIsAlignedByDisplayWidthAndNothingIsCut() async throws {
    let sim = try await Simulator.start(["--fal-keys", "60"])
    let result = try await Keyctl.run(Self.arguments, environment: sim.environment(["fal"]))
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.isEmpty)
    for name in ["Équipe vidéo", "画像生成 worker", "Zürich edge 🚀", "Ünïcode — test"] {
      #expect(result.stdout.contains("  \(name)  "), "\(name)")
    }
    #expect(!result.stdout.contains("…"))
    // Every row's SCOPE starts at the header's display column.
    let lines = result.stdout.split(separator: "\n").map(String.init)
    let header = try #require(lines.first)
    let scope = try #require(header.range(of: "SCOPE")).lowerBound
    let column = DisplayColumns.of(String(header[..<scope]))
    for line in lines.dropFirst() {
      let api = try #require(line.range(of: "  API  ")).lowerBound
      #expect(DisplayColumns.of(String(line[..<api])) + 2 == column, "\(line)")
    }
    try Self.expectGolden(result.stdout, "list-unicode")
    expectClean(result)
  }

  @Test func onAnEightyColumnTerminalNamesAreShortenedAndIdsStayWhole() async throws {
    let sim = try await Simulator.start(["--fal-keys", "60"])
    var environment = sim.environment(["fal"])
    environment["PTY_COLUMNS"] = "80"
    environment["NO_COLOR"] = "1"
    let outcome = try await python(
      EndToEndNoColorTests.onATerminal, Self.arguments, environment: environment)
    #expect(outcome["status"] as? Int == 0)
    #expect(outcome["escape"] as? Bool == false)
    let text = try #require(outcome["out"] as? String).replacingOccurrences(of: "\r\n", with: "\n")
    for line in text.split(separator: "\n") {
      #expect(DisplayColumns.of(String(line)) <= 80, "'\(line)'")
    }
    // The name column is 80 - 65 = 15 columns: "画像生成 worker" (8 + 7) just fits.
    #expect(text.contains("  Data pipeline…   API"))
    #expect(text.contains("  画像生成 worker  API"))
    let piped = try await Keyctl.run(Self.arguments, environment: sim.environment(["fal"]))
    let ids = try piped.stdout.split(separator: "\n").dropFirst().map {
      try #require($0.split(separator: " ").dropFirst().first)
    }
    #expect(ids.count == 15)
    for id in ids { #expect(text.contains("  \(id)  ")) }
    try Self.expectGolden(text, "list-unicode-80")
  }

  /// A cursor made with `--name-contains` resumes only with the same values:
  /// resumed without them it would skip keys silently.
  @Test func aCursorIsBoundToItsNameFilter() async throws {
    let sim = try await Simulator.start(["--fal-keys", "60"])
    let environment = sim.environment(["fal"])
    let filter = ["--name-contains", "key 1", "--name-contains", "画像"]
    let first = try await Keyctl.run(
      ["list", "-p", "fal", "-o", "json", "--limit", "4"] + filter, environment: environment)
    #expect(first.status == 0, "\(first.stderr)")
    let cursor = try #require(try first.json()["next_cursor"] as? String)

    let without = try await Keyctl.run(
      ["list", "-p", "fal", "-o", "json", "--cursor", cursor], environment: environment)
    #expect(without.status == 2)
    #expect(without.stdout.isEmpty)
    #expect(without.stderr.contains("--cursor was made with other"), "\(without.stderr)")
    let other = try await Keyctl.run(
      ["list", "-p", "fal", "-o", "json", "--cursor", cursor, "--name-contains", "key 1"],
      environment: environment)
    #expect(other.status == 2)

    let rest = try await Keyctl.run(
      ["list", "-p", "fal", "-o", "json", "--cursor", cursor] + filter, environment: environment)
    #expect(rest.status == 0, "\(rest.stderr)")
    let all = try await Keyctl.run(
      ["list", "-p", "fal", "-o", "json"] + filter, environment: environment)
    let ids = { (result: RunResult) in try result.keys().compactMap { $0["id"] as? String } }
    #expect(try ids(first) + ids(rest) == ids(all))
    #expect(try ids(all).count == 12)
    expectClean(rest)
  }
}

/// Terminal columns of text, measured independently of keyctl's own table
/// (Python's `unicodedata` would do too; this is the small subset the
/// simulator's names need: CJK ideographs and the rocket are wide, a combining
/// accent takes none).
enum DisplayColumns {
  static func of(_ text: String) -> Int {
    text.unicodeScalars.reduce(0) { sum, scalar in
      switch scalar.value {
      case 0x0300...0x036F: sum
      case 0x4E00...0x9FFF, 0x1_F680...0x1_F6FF: sum + 2
      default: sum + 1
      }
    }
  }
}
