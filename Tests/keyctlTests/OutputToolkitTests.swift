import Foundation
import KeyCore
import Testing

@testable import keyctl

/// One text and the terminal columns it takes.
struct WidthCase: Sendable, CustomTestStringConvertible {
  let text: String
  let columns: Int
  let why: String
  var testDescription: String { why }
}

/// The display width table: what a terminal shows, not what a character count says.
@Suite struct DisplayWidthTests {
  @Test(arguments: [
    WidthCase(text: "", columns: 0, why: "empty"),
    WidthCase(text: "Production key 1", columns: 16, why: "ASCII"),
    WidthCase(text: "Équipe vidéo", columns: 12, why: "Latin with precomposed accents"),
    WidthCase(text: "E\u{301}quipe", columns: 6, why: "a combining acute accent takes no column"),
    WidthCase(text: "a\u{20DD}", columns: 1, why: "an enclosing mark takes no column"),
    WidthCase(text: "画像生成", columns: 8, why: "CJK ideographs are wide"),
    WidthCase(text: "画像生成 worker", columns: 15, why: "CJK mixed with ASCII"),
    WidthCase(text: "ｷｰ", columns: 2, why: "halfwidth katakana is narrow"),
    WidthCase(text: "ＡＢＣ", columns: 6, why: "fullwidth Latin is wide"),
    WidthCase(text: "キー", columns: 4, why: "katakana is wide"),
    WidthCase(text: "한국어", columns: 6, why: "Hangul syllables are wide"),
    WidthCase(
      text: "\u{1100}\u{1161}\u{11A8}", columns: 2, why: "conjoining jamo make one wide syllable"),
    WidthCase(text: "Zürich edge 🚀", columns: 14, why: "an emoji is wide"),
    WidthCase(text: "❤", columns: 1, why: "a text-style heart is narrow"),
    WidthCase(text: "❤\u{FE0F}", columns: 2, why: "VS16 asks for the wide emoji heart"),
    WidthCase(text: "🇯🇵", columns: 2, why: "a flag (two regional indicators) is one wide character"),
    WidthCase(text: "👍🏽", columns: 2, why: "a skin-tone modifier joins its emoji"),
    WidthCase(text: "a\u{200B}b", columns: 2, why: "a zero-width space takes no column"),
    WidthCase(text: "Ünïcode — test", columns: 14, why: "an em dash is narrow"),
  ])
  func measuresWhatATerminalShows(_ testCase: WidthCase) {
    #expect(DisplayWidth.of(testCase.text) == testCase.columns)
  }

  /// The wide table is searched, not scanned: every range's ends are wide and
  /// the code points just outside a few of them are not.
  @Test func wideRangesAreFoundAtTheirEdges() {
    for wide: UInt32 in [
      0x1100, 0x115F, 0x2E80, 0x303E, 0x4E00, 0xAC00, 0xD7A3, 0xFF01, 0xFF60, 0x1_F680, 0x2_0000,
      0x3_FFFD,
    ] {
      #expect(DisplayWidth.isWide(wide), "U+\(String(wide, radix: 16))")
    }
    for narrow: UInt32 in [0x10FF, 0x1160, 0x303F, 0xD7A4, 0xFF61, 0x1_F6C6, 0x4_0000, 0x41] {
      #expect(!DisplayWidth.isWide(narrow), "U+\(String(narrow, radix: 16))")
    }
  }

  @Test(arguments: [
    ("Production key 1", 10, "Productio…"),
    ("Production key 1", 16, "Production key 1"),
    ("Production key 1", 1, "…"),
    // A wide character that would straddle the cut goes whole: one column stays empty.
    ("画像生成 worker", 8, "画像生…"),
    // Spaces before the ellipsis go.
    ("画像生成 worker", 10, "画像生成…"),
    ("Zürich edge 🚀", 13, "Zürich edge…"),
    ("E\u{301}quipe vide\u{301}o", 6, "E\u{301}quip…"),
  ])
  func truncatesToAWidthEndingInAnEllipsis(text: String, width: Int, expected: String) {
    let cut = DisplayWidth.truncated(text, to: width)
    #expect(cut == expected)
    #expect(DisplayWidth.of(cut) <= width)
  }
}

/// The one table layout, on a terminal and piped.
@Suite struct TableTests {
  static let plain = Terminal(isTTY: false, environment: [:], noColorFlag: false)

  static func keysTable(_ rows: [[String]]) -> Table {
    var table = Table(columns: [
      Table.Column(header: "ID"), Table.Column(header: "NAME", shrinks: true),
      Table.Column(header: "CREATED AT"),
    ])
    for row in rows { table.append(row) }
    return table
  }

  static let rows = [
    ["k1", "画像生成 worker", "2025-01-01"],
    ["a-much-longer-key-id-0001", "Zürich edge 🚀", "2025-01-02"],
    ["k3", "A rather long key name that goes on", "2025-01-03"],
  ]

  /// The display column each cell starts at, by splitting on the two-space gap.
  static func starts(_ line: String, _ cells: [String]) -> [Int] {
    var result: [Int] = []
    var rest = Substring(line)
    var column = 0
    for cell in cells {
      let skipped = rest.prefix { $0 == " " }
      column += skipped.count
      rest = rest.dropFirst(skipped.count)
      result.append(column)
      #expect(rest.hasPrefix(cell), "'\(line)' should hold '\(cell)' at column \(column)")
      column += DisplayWidth.of(cell)
      rest = rest.dropFirst(cell.count)
    }
    return result
  }

  @Test func columnsLineUpByDisplayWidth() {
    let text = Self.keysTable(Self.rows).render(width: nil, terminal: Self.plain)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.count == 4)
    let header = Self.starts(lines[0], ["ID", "NAME", "CREATED AT"])
    for (line, row) in zip(lines.dropFirst(), Self.rows) {
      #expect(Self.starts(line, row) == header)
    }
    #expect(!lines.contains { $0.hasSuffix(" ") })
  }

  @Test func pipedOutputIsNeverCut() {
    let text = Self.keysTable(Self.rows).render(width: nil, terminal: Self.plain)
    for row in Self.rows {
      for cell in row { #expect(text.contains(cell)) }
    }
    #expect(!text.contains("…"))
  }

  @Test(arguments: [60, 55, 50])
  func aTerminalShortensOnlyTheNameToFit(width: Int) {
    let text = Self.keysTable(Self.rows).render(width: width, terminal: Self.plain)
    let lines = text.split(separator: "\n").map(String.init)
    for line in lines {
      #expect(DisplayWidth.of(line) <= width, "'\(line)' is wider than \(width)")
    }
    // Ids and dates whole; the long name cut with an ellipsis.
    for row in Self.rows {
      #expect(text.contains(row[0]))
      #expect(text.contains(row[2]))
    }
    #expect(text.contains("…"))
    #expect(!text.contains("A rather long key name that goes on"))
    let header = Self.starts(lines[0], ["ID", "NAME", "CREATED AT"])
    let idWidth = DisplayWidth.of("a-much-longer-key-id-0001")
    #expect(header[1] == idWidth + Table.gap)
  }

  @Test func aTableThatFitsIsNotTouched() {
    let table = Self.keysTable(Self.rows)
    #expect(
      table.render(width: 200, terminal: Self.plain)
        == table.render(width: nil, terminal: Self.plain))
  }

  @Test func aNarrowTerminalStillKeepsIdsWholeAndNamesRecognisable() {
    let text = Self.keysTable(Self.rows).render(width: 20, terminal: Self.plain)
    #expect(text.contains("a-much-longer-key-id-0001"))
    #expect(text.contains("A rathe…"))
    #expect(text.contains("画像生…"))
  }

  @Test func withoutAShrinkingColumnNothingIsCut() {
    var table = Table(columns: [Table.Column(header: "ID"), Table.Column(header: "URL")])
    table.append(["fal", String(repeating: "x", count: 100)])
    #expect(
      table.render(width: 40, terminal: Self.plain).contains(String(repeating: "x", count: 100)))
  }

  @Test func stylingComesAfterMeasuring() {
    let colour = Terminal(isTTY: true, environment: [:], noColorFlag: false)
    var table = Table(columns: [
      Table.Column(header: "STATUS", style: .status), Table.Column(header: "ID"),
    ])
    table.append(["active", "k1"])
    let text = table.render(width: nil, terminal: colour)
    #expect(
      text == "\u{1B}[1mSTATUS\u{1B}[0m  \u{1B}[1mID\u{1B}[0m\n\u{1B}[32mactive\u{1B}[0m  k1\n")
  }
}

/// `keyctl list` on a terminal and piped, in-process.
@Suite struct ListTableFittingTests {
  static let fal = [
    FakeFal.Key(
      id: "id-0001", alias: "画像生成 worker for the nightly batch", createdAt: "2025-01-01T00:00:00Z"),
    FakeFal.Key(
      id: "an-id-that-is-much-longer-than-the-rest-0002", alias: "Zürich edge 🚀",
      createdAt: "2025-01-02T00:00:00Z"),
  ]

  @Test func onATerminalTheNameIsShortenedAndIdsStayWhole() async throws {
    let outcome = await TestCLI.run(
      ["list", "-p", "fal", "--no-color"], environment: TestCLI.falEnvironment,
      transport: FakeFal(keys: Self.fal), stdoutIsTTY: true, tableWidth: 110)
    #expect(outcome.code == 0)
    let lines = outcome.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 3)
    for line in lines { #expect(DisplayWidth.of(line) <= 110, "'\(line)'") }
    #expect(outcome.stdout.contains("an-id-that-is-much-longer-than-the-rest-0002"))
    // The name column is 110 - 93 = 17 columns: 15 of the name (a space
    // before the cut dropped), the ellipsis, then padding.
    #expect(outcome.stdout.contains("  画像生成 worker…   API"))
    #expect(!outcome.stdout.contains("nightly batch"))
  }

  @Test func pipedTheWholeNameIsPrinted() async throws {
    let outcome = await TestCLI.run(
      ["list", "-p", "fal"], environment: TestCLI.falEnvironment.merging(["COLUMNS": "60"]) { $1 },
      transport: FakeFal(keys: Self.fal))
    #expect(outcome.code == 0)
    #expect(outcome.stdout.contains("画像生成 worker for the nightly batch"))
    #expect(!outcome.stdout.contains("…"))
  }

  @Test func theTableWidthComesFromTheTerminalThenColumns() {
    #expect(Terminal.tableWidth(isTTY: false, reported: 120, environment: ["COLUMNS": "90"]) == nil)
    #expect(Terminal.tableWidth(isTTY: true, reported: 120, environment: ["COLUMNS": "90"]) == 120)
    #expect(Terminal.tableWidth(isTTY: true, reported: nil, environment: ["COLUMNS": "90"]) == 90)
    #expect(Terminal.tableWidth(isTTY: true, reported: 0, environment: ["COLUMNS": "300"]) == 300)
    // A terminal of unknown width is not guessed at: nothing is cut.
    #expect(Terminal.tableWidth(isTTY: true, reported: nil, environment: [:]) == nil)
    #expect(
      Terminal.tableWidth(isTTY: true, reported: nil, environment: ["COLUMNS": "wide"]) == nil)
  }
}

/// The one single-key writer, as `create` uses it.
@Suite struct SingleKeyWriterTests {
  static func key() throws -> ApiKey {
    ApiKey(
      provider: .fal, id: "k1", name: "画像生成", createdAt: nil, scope: "API",
      raw: try RawJSON(parsing: Data("{}".utf8)))
  }

  static let plain = Terminal(isTTY: false, environment: [:], noColorFlag: false)

  @Test func tableIsOneAlignedLinePerFieldThenTheSecret() throws {
    let writer = SingleKeyWriter(format: .table, quiet: false, terminal: Self.plain)
    let text = String(
      decoding: writer.render(
        try Self.key(), fields: [.provider, .id, .name, .createdAt], secret: "s3"),
      as: UTF8.self)
    #expect(
      text == """
        provider    fal
        id          k1
        name        画像生成
        created_at  -
        secret      s3

        """)
  }

  @Test(arguments: [OutputFormat.json, .ndjson])
  func jsonIsTheKeyOrTheKeyAndItsSecretOnOneLine(_ format: OutputFormat) throws {
    let writer = SingleKeyWriter(format: format, quiet: false, terminal: Self.plain)
    let alone = String(
      decoding: writer.render(try Self.key(), fields: [.id, .name], secret: nil), as: UTF8.self)
    #expect(alone == "{\"id\":\"k1\",\"name\":\"画像生成\"}\n")
    let withSecret = String(
      decoding: writer.render(try Self.key(), fields: [.id], secret: "s3"), as: UTF8.self)
    #expect(withSecret == "{\"key\":{\"id\":\"k1\"},\"secret\":\"s3\"}\n")
  }

  @Test func quietIsTheSecretAlone() throws {
    let writer = SingleKeyWriter(format: .json, quiet: true, terminal: Self.plain)
    #expect(
      writer.render(try Self.key(), fields: KeyField.allCases, secret: "s3") == Array("s3\n".utf8))
  }
}
