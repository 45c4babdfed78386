import Foundation
import Testing

@testable import KeyCore

/// The schema keyctl's four providers will register, spelt out here so that the
/// tests do not depend on where the provider descriptors end up.
let testSchema = ConfigSchema(providers: [
  "fal": [], "px0": ["org_id"], "cartesia": [], "openrouter": ["workspace_id"],
])

/// Parses `text` as the file `config.toml`.
func parseConfig(_ text: String) throws(KeyError) -> ConfigFile {
  try ConfigFile.parse(Array(text.utf8), path: "config.toml", schema: testSchema)
}

@Suite struct ConfigParserTests {
  /// A file that must be refused: the line its error names, and a fragment of the message.
  struct Refusal: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let line: Int
    let message: String
    var testDescription: String { name }
  }

  static let refusals: [Refusal] = [
    Refusal(
      name: "unclosed string", text: "[fal]\nbase_url = \"https://fal.example\n", line: 2,
      message: "unterminated string (column 12)"),
    Refusal(
      name: "unclosed literal string", text: "[fal]\n\nbase_url = 'https://x", line: 3,
      message: "unterminated string (column 12)"),
    Refusal(
      name: "duplicate key",
      text: "[fal]\nbase_url = \"https://a.example\"\nbase_url = \"https://b.example\"", line: 3,
      message: "duplicate key 'base_url' in [fal] (first set on line 2)"),
    Refusal(
      name: "duplicate key in a profile",
      text: "[profile.staging.px0]\norg_id = \"a\"\n# again\norg_id = \"b\"", line: 4,
      message: "duplicate key 'org_id' in [profile.staging.px0] (first set on line 2)"),
    Refusal(
      name: "table defined twice", text: "[fal]\n\n[px0]\n[fal]\n", line: 4,
      message: "table [fal] is defined twice (first on line 1)"),
    Refusal(
      name: "profile table defined twice",
      text: "[profile.staging.fal]\n[profile.prod.fal]\n[ profile . staging . fal ]", line: 3,
      message: "table [profile.staging.fal] is defined twice (first on line 1)"),
    Refusal(
      name: "integer where a string is needed", text: "[fal]\nbase_url = 8080", line: 2,
      message: "base_url in [fal] must be a string (in quotes), not an integer"),
    Refusal(
      name: "boolean where a string is needed", text: "[px0]\norg_id = true", line: 2,
      message: "org_id in [px0] must be a string (in quotes), not a boolean"),
    Refusal(
      name: "float where a string is needed", text: "\n[openrouter]\nworkspace_id = 1.5", line: 3,
      message: "workspace_id in [openrouter] must be a string (in quotes), not a float"),
    Refusal(
      name: "bad escape", text: "[fal]\ncredential_command = \"op read \\q\"", line: 2,
      message: "invalid escape '\\q'"),
    Refusal(
      name: "short unicode escape", text: "[fal]\nbase_url = \"\\u12\"", line: 2,
      message: "invalid escape: \\u needs 4 hexadecimal digits (column 13)"),
    Refusal(
      name: "surrogate escape", text: "[fal]\nbase_url = \"\\uD800\"", line: 2,
      message: "invalid escape: \\u names no Unicode character"),
    Refusal(
      name: "garbage after a string", text: "[fal]\nbase_url = \"https://x\" extra", line: 2,
      message: "unexpected 'e' after the value (column 24)"),
    Refusal(
      name: "garbage after a number", text: "[fal]\nbase_url = 1 2", line: 2,
      message: "unexpected '2' after the value"),
    Refusal(
      name: "garbage after a header", text: "[fal] base_url = \"x\"", line: 1,
      message: "unexpected 'b' after the table header"),
    Refusal(
      name: "unknown key with a suggestion", text: "[fal]\nbase_ur = \"https://x\"", line: 2,
      message: "unknown key 'base_ur' in [fal]. Did you mean 'base_url'?"),
    Refusal(
      name: "misspelt credential key is a typo, not a secret",
      text: "[cartesia]\ncredential_fil = \"~/x\"", line: 2,
      message: "unknown key 'credential_fil' in [cartesia]. Did you mean 'credential_file'?"),
    Refusal(
      name: "another provider's key", text: "[fal]\norg_id = \"x\"", line: 2,
      message: "'org_id' is a px0 setting; it cannot be set in [fal]"),
    Refusal(
      name: "literal secret: credential", text: "[fal]\n# prod\ncredential = \"sk-SECRET-1\"",
      line: 3, message: "'credential' in [fal] looks like a secret written into the config file"),
    Refusal(
      name: "literal secret: api_key", text: "[profile.ci.openrouter]\napi_key = \"sk-SECRET-1\"",
      line: 2, message: "'api_key' in [profile.ci.openrouter] looks like a secret"),
    Refusal(
      name: "literal secret: token", text: "[px0]\ntoken = \"sess_SECRET\"", line: 2,
      message: "'token' in [px0] looks like a secret"),
    Refusal(
      name: "literal secret: camelCase", text: "[px0]\nadminToken = \"sess_SECRET\"", line: 2,
      message: "'adminToken' in [px0] looks like a secret"),
    Refusal(
      name: "literal secret: key", text: "[fal]\nkey = 123", line: 2,
      message: "'key' in [fal] looks like a secret"),
    Refusal(
      name: "two credential sources",
      text: "[fal]\ncredential_env = \"FAL_PROD\"\ncredential_file = \"~/.secrets/fal\"", line: 3,
      message:
        "two credential sources in [fal]: credential_env (line 2) and credential_file; keep one"),
    Refusal(
      name: "credential_env holding a value",
      text: "[fal]\ncredential_env = \"sk-SECRET-1\"", line: 2,
      message: "credential_env in [fal] must be the name of an environment variable"),
    Refusal(
      name: "relative credential_file", text: "[fal]\ncredential_file = \"secrets/fal\"", line: 2,
      message: "credential_file in [fal] must be an absolute path or start with ~/"),
    Refusal(
      name: "empty value", text: "[fal]\ncredential_command = \"  \"", line: 2,
      message: "credential_command in [fal] is empty"),
    Refusal(
      name: "unknown table", text: "# keyctl\n[fall]", line: 2,
      message: "unknown table [fall]. Did you mean [fal]?"),
    Refusal(
      name: "unknown table with a dotted name", text: "[profiles.staging.fal]", line: 1,
      message: "unknown table [profiles.staging.fal]. Did you mean [profile.staging.fal]?"),
    Refusal(
      name: "unknown provider in a profile", text: "[profile.staging.openruoter]", line: 1,
      message:
        "unknown provider 'openruoter' in [profile.staging.openruoter]. Did you mean "
        + "[profile.staging.openrouter]?"),
    Refusal(
      name: "sub-table of a provider", text: "[fal.extra]", line: 1,
      message: "[fal.extra]: a provider table has no sub-tables"),
    Refusal(
      name: "sub-table of a profile's provider", text: "\n[profile.a.fal.b]", line: 2,
      message: "[profile.a.fal.b]: a provider table has no sub-tables"),
    Refusal(
      name: "key directly in a profile", text: "[profile.staging]\nbase_url = \"x\"", line: 2,
      message: "'base_url' cannot be set directly in [profile.staging]"),
    Refusal(
      name: "empty profile name", text: "[profile.\"\".fal]", line: 1,
      message: "a profile name cannot be empty"),
    Refusal(
      name: "key outside any table", text: "\nbase_url = \"x\"\n[fal]", line: 2,
      message: "'base_url' is outside any table"),
    Refusal(
      name: "header without ]", text: "[fal\n", line: 1,
      message: "the table header has no closing ']'"),
    Refusal(
      name: "empty header", text: "[]", line: 1, message: "expected a table name, found ']'"),
    Refusal(
      name: "missing =", text: "[fal]\nbase_url \"x\"", line: 2,
      message: "expected '=' after the key 'base_url', found '\"'"),
    Refusal(
      name: "missing value", text: "[fal]\nbase_url =   # none", line: 2,
      message: "expected a value, found '#'"),
    Refusal(
      name: "dotted key", text: "fal.base_url = \"x\"", line: 1,
      message: "dotted keys are not supported"),
    Refusal(
      name: "array", text: "[fal]\nbase_url = [\"x\"]", line: 2,
      message: "arrays are not supported"),
    Refusal(
      name: "inline table", text: "[fal]\nbase_url = { a = 1 }", line: 2,
      message: "inline tables are not supported"),
    Refusal(
      name: "multi-line string", text: "[fal]\nbase_url = \"\"\"x", line: 2,
      message: "multi-line strings are not supported"),
    Refusal(
      name: "array of tables", text: "[[fal]]", line: 1,
      message: "arrays of tables ([[…]]) are not supported"),
    Refusal(
      name: "date", text: "[fal]\nbase_url = 1979-05-27", line: 2,
      message: "dates and times are not supported"),
    Refusal(
      name: "bad number", text: "[fal]\nbase_url = 12abc", line: 2,
      message: "not a valid number (column 12)"),
    Refusal(
      name: "leading zero", text: "[fal]\nbase_url = 012", line: 2, message: "not a valid number"),
    Refusal(
      name: "bare word", text: "[fal]\nbase_url = https", line: 2,
      message: "expected a value (a \"string\", a number, true or false); strings need quotes"),
    Refusal(
      name: "raw control character in a string", text: "[fal]\nbase_url = \"a\u{01}b\"", line: 2,
      message: "a control character in a string"),
    Refusal(
      name: "control character in a comment", text: "[fal] # a\u{07}\n", line: 1,
      message: "a control character in a comment"),
    Refusal(
      name: "lone carriage return", text: "[fal]\r\n[px0]\rx", line: 2,
      message: "a carriage return not followed by a newline"),
    Refusal(
      name: "a value then a table of the same name",
      text: "[px0]\norg_id = \"x\"\n[px0.org_id]", line: 3,
      message: "[px0.org_id] cannot be a table: px0.org_id is already a value (line 2)"),
  ]

  @Test(arguments: refusals)
  func refusesWithTheLine(_ refusal: Refusal) throws {
    let error = try #require(throws: KeyError.self) { try parseConfig(refusal.text) }
    #expect(error.kind == .usage)
    #expect(error.exitCode == 2)
    #expect(error.message.hasPrefix("config.toml:\(refusal.line): "), "\(error.message)")
    #expect(error.message.contains(refusal.message), "\(error.message)")
    #expect(error.hint != nil)
    // Values may be secrets pasted into the wrong place: no error repeats one.
    #expect(!error.message.contains("SECRET"))
    #expect(!(error.hint ?? "").contains("SECRET"))
  }

  @Test func literalSecretHintNamesTheThreeSources() throws {
    let error = try #require(throws: KeyError.self) {
      try parseConfig("[fal]\nsecret = \"x\"")
    }
    let hint = try #require(error.hint)
    for source in ["credential_env", "credential_file", "credential_command"] {
      #expect(hint.contains(source))
    }
  }

  @Test func invalidUTF8NamesItsLine() throws {
    let bytes = Array("[fal]\n# ok\nbase_url = \"".utf8) + [0xFF] + Array("\"\n".utf8)
    let error = try #require(throws: KeyError.self) {
      try ConfigFile.parse(bytes, path: "c.toml", schema: testSchema)
    }
    #expect(error.message.hasPrefix("c.toml:3: the file is not valid UTF-8"))
  }

  @Test func parsesDesignExample() throws {
    let text = """
      \u{FEFF}# keyctl config\r
      [fal]                                   # used when no profile is chosen\r
      credential_command = "op read op://ci/fal-admin/credential"

      [px0]
      base_url = "https://px0.internal.example"
      org_id = '5f0c8a6e-1b2c-4d3e-8f90-123456789abc'
      credential_env = "PX0_PROD_TOKEN"

      [profile.staging.fal]                   # --profile staging, or KEYCTL_PROFILE=staging
      credential_file = "~/.secrets/fal-staging"
      base_url = "https://fal-staging.internal.example/v1"

      [profile."team b".openrouter]
      "workspace_id" = "ws-\\u00e9\\t\\"x\\"\\\\"
      [profile.empty]
      [profile]
      """
    let file = try parseConfig(text)
    let expected = ConfigFile(
      path: "config.toml",
      providers: [
        "fal": ConfigFile.Table(
          credential: ConfigEntry(
            .command("op read op://ci/fal-admin/credential"), key: "credential_command", line: 3)),
        "px0": ConfigFile.Table(
          credential: ConfigEntry(.environment(["PX0_PROD_TOKEN"]), key: "credential_env", line: 8),
          baseURL: ConfigEntry("https://px0.internal.example", key: "base_url", line: 6),
          settings: [
            "org_id": ConfigEntry(
              "5f0c8a6e-1b2c-4d3e-8f90-123456789abc", key: "org_id", line: 7)
          ]),
      ],
      profiles: [
        "staging": [
          "fal": ConfigFile.Table(
            credential: ConfigEntry(
              .file("~/.secrets/fal-staging"), key: "credential_file", line: 11),
            baseURL: ConfigEntry(
              "https://fal-staging.internal.example/v1", key: "base_url", line: 12))
        ],
        "team b": [
          "openrouter": ConfigFile.Table(settings: [
            "workspace_id": ConfigEntry("ws-é\t\"x\"\\", key: "workspace_id", line: 15)
          ])
        ],
        "empty": [:],
      ])
    #expect(file == expected)
    #expect(file.profileNames == ["empty", "staging", "team b"])
  }

  @Test func emptyFileIsValid() throws {
    #expect(try parseConfig("") == ConfigFile(path: "config.toml"))
    #expect(try parseConfig("\n# nothing\n\n") == ConfigFile(path: "config.toml"))
  }

  @Test(arguments: [
    ("0", TOMLValue.integer(0)), ("+1_000", .integer(1000)), ("-17", .integer(-17)),
    ("0x1F", .integer(31)), ("0o17", .integer(15)), ("0b101", .integer(5)),
    ("1e3", .float(1000)), ("-0.5", .float(-0.5)), ("6.626e-34", .float(6.626e-34)),
    ("1_0.0_1", .float(10.01)), ("inf", .float(.infinity)), ("-inf", .float(-.infinity)),
    ("true", .boolean(true)), ("false", .boolean(false)),
  ])
  func readsNumbersAndBooleans(word: String, expected: TOMLValue) {
    #expect(TOMLParser.scalarValue(word) == expected)
  }

  @Test(arguments: [
    "1__0", "_1", "1_", "01", "1.", ".5", "+0x1", "0x", "0xG", "0b102", "1e", "1e+",
    "99999999999999999999", "True", "1.5.2", "0x-1", "nan1",
  ])
  func refusesMalformedNumbers(word: String) {
    #expect(TOMLParser.scalarValue(word) == nil)
  }

  @Test func nanIsAFloat() {
    guard case .float(let value)? = TOMLParser.scalarValue("nan") else {
      Issue.record("nan is not a float")
      return
    }
    #expect(value.isNaN)
  }
}
