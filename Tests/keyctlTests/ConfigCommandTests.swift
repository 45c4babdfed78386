import Foundation
import KeyCore
import Testing

@testable import keyctl

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The config file, profiles and credential sources through the command line,
/// in-process: every "bad input and fault" of issue 15 that needs no simulator
/// (the end-to-end suite runs the binary for the rest).
@Suite struct ConfigCommandTests {
  /// fal's admin key as a credential file or command gives it in these tests.
  static let fileKey = "file-key-id:file-secret-4f1d9a"

  /// A config whose `[fal]` table points at the fake fal and takes its
  /// credential from `source` (a `credential_…` line).
  static func falConfig(_ source: String) -> String {
    "[fal]\nbase_url = \"https://fal.test/v1\"\n\(source)\n"
  }

  // MARK: The file

  @Test func aMissingFileNamedByTheVariableIsAUsageError() async throws {
    let fixture = try ConfigFixture()
    let outcome = await TestCLI.run(["list", "-p", "fal"], environment: fixture.environment())
    #expect(outcome.code == 2)
    #expect(
      outcome.stderr.hasPrefix(
        "keyctl: cannot read the config file \(fixture.configPath) (from KEYCTL_CONFIG): no such "
          + "file"))
    #expect(outcome.stderr.contains("See 'keyctl --help'."))
    #expect(outcome.stdout.isEmpty)
  }

  @Test func aMissingFileFoundThroughHOMEIsFine() async throws {
    let fixture = try ConfigFixture()
    let fal = FakeFal(keyCount: 1)
    let outcome = await TestCLI.run(
      ["list", "-p", "fal", "--json"],
      environment: TestCLI.falEnvironment.merging(["HOME": fixture.path]) { $1 }, transport: fal)
    #expect(outcome.code == 0, "\(outcome.stderr)")
  }

  @Test func aDirectoryInPlaceOfTheFileIsUnreadable() async throws {
    let fixture = try ConfigFixture()
    try FileManager.default.createDirectory(
      atPath: fixture.configPath, withIntermediateDirectories: false)
    let outcome = await TestCLI.run(["providers"], environment: fixture.environment())
    #expect(outcome.code == 2)
    #expect(outcome.stderr.contains("cannot read the config file \(fixture.configPath)"))
    #expect(outcome.stderr.contains("it is not a regular file"))
  }

  @Test(.enabled(if: getuid() != 0, "root reads a file whatever its mode"))
  func aFileWithoutReadPermissionIsUnreadable() async throws {
    let fixture = try ConfigFixture()
    try fixture.write("config.toml", "[fal]\n", mode: 0o000)
    let outcome = await TestCLI.run(["providers"], environment: fixture.environment())
    #expect(outcome.code == 2)
    #expect(outcome.stderr.contains("permission denied"))
  }

  /// One broken file: the line its error names and what it says.
  struct BadFile: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let line: Int
    let message: String
    var testDescription: String { name }
  }

  static let badFiles = [
    BadFile(
      name: "unclosed string", text: "[fal]\nbase_url = \"https://fal.test/v1\n", line: 2,
      message: "unterminated string"),
    BadFile(
      name: "duplicate key",
      text: "[fal]\ncredential_env = \"A\"\n\ncredential_env = \"B\"\n", line: 4,
      message: "duplicate key 'credential_env' in [fal] (first set on line 2)"),
    BadFile(
      name: "table redefined", text: "[fal]\n[px0]\n[fal]\n", line: 3,
      message: "table [fal] is defined twice (first on line 1)"),
    BadFile(
      name: "value of the wrong type", text: "# ports are strings here\n[fal]\nbase_url = 8080\n",
      line: 3, message: "base_url in [fal] must be a string (in quotes), not an integer"),
    BadFile(
      name: "unknown key with a suggestion", text: "[fal]\ncredential_fiel = \"~/x\"\n", line: 2,
      message: "unknown key 'credential_fiel' in [fal]. Did you mean 'credential_file'?"),
    BadFile(
      name: "unknown table with a suggestion", text: "[profile.staging.openruter]\n", line: 1,
      message: "Did you mean [profile.staging.openrouter]?"),
    BadFile(
      name: "literal secret", text: "[fal]\ncredential = \"lit-id:literal-secret-77\"\n",
      line: 2, message: "'credential' in [fal] looks like a secret written into the config file"),
  ]

  @Test(arguments: badFiles)
  func aBrokenFileIsAUsageErrorWithItsLine(_ bad: BadFile) async throws {
    let fixture = try ConfigFixture()
    try fixture.config(bad.text)
    for arguments in [
      ["list", "-p", "fal"], ["providers"], ["create", "-p", "fal", "--name", "x"],
    ] {
      let outcome = await TestCLI.run(arguments, environment: fixture.environment())
      #expect(outcome.code == 2, "\(arguments)")
      #expect(
        outcome.stderr.hasPrefix("keyctl: \(fixture.configPath):\(bad.line): "), "\(outcome.stderr)"
      )
      #expect(outcome.stderr.contains(bad.message), "\(outcome.stderr)")
      #expect(outcome.stderr.contains("See 'keyctl --help'."))
      #expect(!outcome.allOutput.contains("literal-secret-77"))
      #expect(outcome.stdout.isEmpty)
    }
  }

  /// help, --version and help pages never read the file, so a broken one cannot stop them.
  @Test(arguments: [["--help"], ["--version"], ["help"], ["help", "list"], ["list", "--help"]])
  func helpAndVersionWorkWithABrokenFile(_ arguments: [String]) async throws {
    let fixture = try ConfigFixture()
    try fixture.config("[fal\nbase_url = 1\n")
    let outcome = await TestCLI.run(arguments, environment: fixture.environment())
    #expect(outcome.code == 0, "\(outcome.stderr)")
    #expect(outcome.stderr.isEmpty)
    let missing = await TestCLI.run(
      arguments, environment: ["KEYCTL_CONFIG": fixture.path + "/none.toml"])
    #expect(missing.code == 0)
  }

  @Test func profileNamesForCompletionTolerateABrokenFile() throws {
    let fixture = try ConfigFixture()
    try fixture.config("[profile.staging.fal]\nbase_url = 1\n[profile.prod.px0]\n[fal\n")
    #expect(
      ChoiceSource.profiles.values(commands: Commands.all, environment: fixture.environment())
        == ["prod", "staging"])
    #expect(ChoiceSource.profiles.values(commands: Commands.all, environment: [:]).isEmpty)
  }

  @Test func theHelpPageNeverListsTheUsersProfiles() async throws {
    let fixture = try ConfigFixture()
    try fixture.config("[profile.secret-project.fal]\n")
    let outcome = await TestCLI.run(["--help"], environment: fixture.environment())
    #expect(outcome.stdout.contains("--profile NAME"))
    #expect(!outcome.stdout.contains("secret-project"))
  }

  /// An error about a setting names the option that sets it (`--org-id`),
  /// derived from the config key; the spec must declare that option.
  @Test func everyProviderSettingHasTheOptionItsErrorsName() throws {
    for descriptor in Providers.all {
      for setting in descriptor.settings {
        var declared = false
        for command in Commands.all {
          for option in command.spec.options
          where "--" + option.long == setting.option && option.provider == descriptor.id {
            declared = true
          }
        }
        #expect(declared, "\(descriptor.id) \(setting.key): no \(setting.option) option")
      }
    }
  }

  // MARK: Profiles

  @Test func anUnknownProfileListsTheFilesProfiles() async throws {
    let fixture = try ConfigFixture()
    try fixture.config("[profile.staging.fal]\n[profile.prod.fal]\n")
    let outcome = await TestCLI.run(
      ["list", "--profile", "stagin"], environment: fixture.environment())
    #expect(outcome.code == 2)
    #expect(
      outcome.stderr.hasPrefix(
        "keyctl: unknown profile 'stagin' (from --profile). Did you mean 'staging'?"))
    #expect(outcome.stderr.contains("Profiles in \(fixture.configPath): prod, staging."))
    let fromVariable = await TestCLI.run(
      ["providers"], environment: fixture.environment(["KEYCTL_PROFILE": "qa"]))
    #expect(fromVariable.code == 2)
    #expect(fromVariable.stderr.hasPrefix("keyctl: unknown profile 'qa' (from KEYCTL_PROFILE)"))
  }

  @Test func aProfileWithoutAnyFileIsUnknown() async {
    let outcome = await TestCLI.run(
      ["list", "--profile", "staging"], environment: ["HOME": "/nonexistent"])
    #expect(outcome.code == 2)
    #expect(
      outcome.stderr.contains("unknown profile 'staging' (from --profile): there is no config file")
    )
  }

  @Test func theOptionBeatsTheVariableAndAProfileBeatsTheEnvironment() async throws {
    let fixture = try ConfigFixture()
    try fixture.write("staging", Self.fileKey + "\n")
    try fixture.config(
      """
      [profile.staging.fal]
      credential_file = "~/staging"
      base_url = "https://fal.test/v1"

      [profile.prod.fal]
      credential_command = "exit 1"
      """)
    // The environment's key and base URL are wrong: the profile must win.
    let environment = fixture.environment([
      "KEYCTL_PROFILE": "prod", "FAL_ADMIN_KEY": "env-id:env-secret-wrong",
      "KEYCTL_FAL_BASE_URL": "https://fal.wrong.example/v1",
    ])
    let fal = FakeFal(keyCount: 2, adminKey: Self.fileKey)
    let outcome = await TestCLI.run(
      ["list", "-p", "fal", "--profile", "staging", "--json"], environment: environment,
      transport: fal)
    #expect(outcome.code == 0, "\(outcome.stderr)")
    let keys = try JSONOutput.object(outcome.stdout)["keys"] as? [Any]
    #expect(keys?.count == 2)
    #expect(!outcome.allOutput.contains("file-secret-4f1d9a"))
  }

  // MARK: Credential files

  @Test func aCredentialFileReadableByOthersIsRefused() async throws {
    let fixture = try ConfigFixture()
    try fixture.write("fal", Self.fileKey + "\n", mode: 0o644)
    try fixture.config(Self.falConfig("credential_file = \"~/fal\""))
    let outcome = await TestCLI.run(["list", "-p", "fal"], environment: fixture.environment())
    #expect(outcome.code == 3)
    #expect(
      outcome.stderr.hasPrefix(
        "keyctl: fal credential_file ~/fal (config, \(fixture.configPath):3) is readable by group "
          + "or others (mode 0644); keyctl refuses it, as ssh does"))
    #expect(outcome.stderr.contains("chmod 600 '\(fixture.path)/fal'"))
    #expect(!outcome.allOutput.contains("file-secret-4f1d9a"))
  }

  @Test(
    arguments: [
      ("missing", nil, "does not exist"), ("empty", "", "is empty"),
      ("blank lines", "\n\n \n", "is empty"),
    ] as [(String, String?, String)])
  func aMissingOrEmptyCredentialFileIsAnAuthError(
    _ name: String, _ contents: String?, _ message: String
  ) async throws {
    let fixture = try ConfigFixture()
    if let contents { try fixture.write("fal", contents) }
    try fixture.config(Self.falConfig("credential_file = \"~/fal\""))
    let outcome = await TestCLI.run(["list", "-p", "fal"], environment: fixture.environment())
    #expect(outcome.code == 3)
    #expect(
      outcome.stderr.contains(
        "fal credential_file ~/fal (config, \(fixture.configPath):3) \(message)"))
  }

  @Test func trailingNewlinesOfACredentialFileAreTrimmed() async throws {
    let fixture = try ConfigFixture()
    try fixture.write("fal", Self.fileKey + "\n\n\r\n")
    try fixture.config(Self.falConfig("credential_file = \"\(fixture.path)/fal\""))
    let fal = FakeFal(keyCount: 3, adminKey: Self.fileKey)
    let outcome = await TestCLI.run(
      ["list", "-p", "fal", "-o", "ndjson"], environment: fixture.environment(), transport: fal)
    #expect(outcome.code == 0, "\(outcome.stderr)")
    #expect(try JSONOutput.lines(outcome.stdout).count == 3)
  }

  // MARK: Credential commands

  /// A credential command that fails: what it does, and the error's ending.
  struct FailingCommand: Sendable, CustomTestStringConvertible {
    let name: String
    let command: String
    let message: String
    var testDescription: String { name }
  }

  static let failingCommands = [
    FailingCommand(
      name: "exits 1", command: "echo cmd-id:$((40 + 2))-printed; exit 1",
      message: "failed: it exited with status 1"),
    FailingCommand(name: "prints nothing", command: "true", message: "failed: its output is empty"),
    FailingCommand(
      name: "prints to stderr only", command: "echo 'vault: sealed' >&2",
      message: "failed: its output is empty"),
    FailingCommand(
      name: "prints two lines", command: "printf 'a:b\\nc:d\\n'",
      message: "failed: its output holds more than one line or a control character"),
  ]

  @Test(arguments: failingCommands)
  func aFailingCredentialCommandIsAnAuthErrorNamingIt(_ failing: FailingCommand) async throws {
    let fixture = try ConfigFixture()
    try fixture.config(
      "[profile.ci.fal]\nbase_url = \"https://fal.test/v1\"\ncredential_command = \""
        + failing.command.replacingOccurrences(of: "\\", with: "\\\\") + "\"\n")
    let outcome = await TestCLI.run(
      ["list", "-p", "fal", "--profile", "ci"], environment: fixture.environment())
    #expect(outcome.code == 3)
    #expect(
      outcome.stderr.hasPrefix(
        "keyctl: fal credential_command `\(failing.command)` (profile ci, "
          + "\(fixture.configPath):3) \(failing.message)"), "\(outcome.stderr)")
    #expect(outcome.stderr.contains("keyctl never shows its output"))
    // What the command printed (its stdout is the secret) is never shown.
    #expect(!outcome.allOutput.contains("42-printed"))
  }

  @Test func aHangingCredentialCommandIsStoppedAtTheLimit() async throws {
    let fixture = try ConfigFixture()
    try fixture.config(
      Self.falConfig(
        "credential_command = \"echo $$ > '\(fixture.file("pid"))'; exec sleep 600\""))
    var context = TestCLI.context(environment: fixture.environment())
    context.credentialTimeout = .milliseconds(500)
    let started = ContinuousClock.now
    let code = await Runner.run(["list", "-p", "fal"], context: context)
    #expect(code == 3)
    // Stopped at the limit, not after the command's 600 s (generous: a loaded machine).
    #expect(ContinuousClock.now - started < .seconds(300))
    #expect(
      context.stderr.text.contains("did not finish within 0.5 s and was stopped"),
      "\(context.stderr.text)")
    #expect(context.stderr.text.contains("/dev/tty"))
    let pid = try #require(
      pid_t(fixture.read("pid").trimmingCharacters(in: .whitespacesAndNewlines)))
    #expect(kill(pid, 0) != 0, "the command is still running")
  }

  @Test func theDefaultLimitIsThirtySeconds() {
    #expect(TestCLI.context().credentialTimeout == .seconds(30))
  }

  @Test func aCredentialCommandRunsOnlyWhenItsProviderIsUsed() async throws {
    let fixture = try ConfigFixture()
    try fixture.config(
      """
      [fal]
      base_url = "https://fal.test/v1"
      credential_command = "echo fal >> '\(fixture.file("ran"))'; echo \(Self.fileKey)"

      [cartesia]
      credential_command = "echo cartesia >> '\(fixture.file("ran"))'; echo sk_car_x"
      """)
    let fal = FakeFal(keyCount: 250, adminKey: Self.fileKey)
    let outcome = await TestCLI.run(
      ["list", "-p", "fal", "-o", "ndjson"], environment: fixture.environment(), transport: fal)
    #expect(outcome.code == 0, "\(outcome.stderr)")
    #expect(fal.requests.count == 3, "three pages")
    // Once for three pages, and never for cartesia.
    #expect(fixture.read("ran") == "fal\n")
  }

  // MARK: list without -p

  @Test func listWithoutProvidersCoversEveryConfiguredOne() async throws {
    let fixture = try ConfigFixture()
    try fixture.write("fal", Self.fileKey)
    try fixture.config(
      """
      [fal]
      base_url = "https://fal.test/v1"
      credential_file = "~/fal"
      """)
    let fal = FakeFal(keyCount: 2, adminKey: Self.fileKey)
    let outcome = await TestCLI.run(
      ["list", "--json"], environment: fixture.environment(), transport: fal)
    #expect(outcome.code == 0, "\(outcome.stderr)")
    #expect(outcome.stderr.contains("skipping px0, cartesia, openrouter: no credentials set"))
  }

  @Test func noCredentialAnywhereMentionsTheConfigFile() async {
    let outcome = await TestCLI.run(["list"], environment: [:])
    #expect(outcome.code == 3)
    #expect(outcome.stderr.contains("or name a credential source in the config file"))
  }

  // MARK: -v and errors

  @Test func aSecretFromAFileIsRedactedFromVerboseOutputAndErrors() async throws {
    let fixture = try ConfigFixture()
    try fixture.write("fal", Self.fileKey + "\n")
    try fixture.config(Self.falConfig("credential_file = \"~/fal\""))
    let fal = FakeFal(keyCount: 1, adminKey: Self.fileKey)
    fal.fail(status: 500, message: "bad key \(Self.fileKey)", requestID: "req-echo")
    let outcome = await TestCLI.run(
      ["list", "-p", "fal", "-v", "--max-retries", "1"], environment: fixture.environment(),
      transport: fal)
    #expect(outcome.code == 6)
    #expect(outcome.stderr.contains("[REDACTED]"))
    #expect(outcome.stderr.contains("retry 1/1"))
    #expect(!outcome.allOutput.contains("file-secret-4f1d9a"))
  }
}

/// `keyctl providers` with a config file: where each credential and base URL
/// come from, masked, and a command never run.
@Suite struct ProvidersConfigTests {
  static func fixture() throws -> ConfigFixture {
    let fixture = try ConfigFixture()
    try fixture.write("fal-staging", "stg-id:staging-secret-abcd\n")
    try fixture.write("cartesia", "sk_car_world_readable_9999\n", mode: 0o644)
    try fixture.config(
      """
      [fal]
      credential_command = "touch '\(fixture.file("ran"))'; echo a:b"

      [px0]
      base_url = "https://px0.internal.example"
      org_id = "5f0c8a6e-1b2c-4d3e-8f90-123456789abc"
      credential_env = "PX0_PROD_TOKEN"

      [cartesia]
      credential_file = "~/cartesia"

      [profile.staging.fal]
      credential_file = "~/fal-staging"
      base_url = "https://fal-staging.internal.example/v1"
      """)
    return fixture
  }

  @Test func theTableSaysWhereEachValueComesFromAndRunsNothing() async throws {
    let fixture = try Self.fixture()
    let environment = fixture.environment([
      "PX0_PROD_TOKEN": "sess_prod_token_7777", "OPENROUTER_API_KEY": "sk-or-v1-env-0123456789",
    ])
    let plain = await TestCLI.run(["providers"], environment: environment)
    #expect(plain.code == 0, "\(plain.stderr)")
    let rows = plain.stdout.split(separator: "\n").map(String.init)
    let fal = try #require(rows.first { $0.hasPrefix("fal ") })
    #expect(fal.contains("config: credential_command (not run)"))
    #expect(fal.contains("https://api.fal.ai/v1 (default)"))
    let px0 = try #require(rows.first { $0.hasPrefix("px0 ") })
    #expect(px0.contains("config: credential_env PX0_PROD_TOKEN ****7777"))
    #expect(px0.contains("https://px0.internal.example (config: base_url)"))
    let cartesia = try #require(rows.first { $0.hasPrefix("cartesia ") })
    #expect(cartesia.contains("config: credential_file ~/cartesia (unusable)"))
    let openrouter = try #require(rows.first { $0.hasPrefix("openrouter ") })
    #expect(openrouter.contains("env OPENROUTER_API_KEY ****6789"))
    #expect(rows.last == "config file: \(fixture.configPath); no profile")
    #expect(plain.stderr.contains("is readable by group or others (mode 0644)"))
    #expect(!fixture.exists("ran"), "providers ran a credential command")

    let staging = await TestCLI.run(
      ["providers", "--profile", "staging"], environment: environment)
    #expect(staging.code == 0)
    let stagingFal = try #require(
      staging.stdout.split(separator: "\n").first { $0.hasPrefix("fal ") })
    #expect(stagingFal.contains("profile staging: credential_file ~/fal-staging ****abcd"))
    #expect(
      stagingFal.contains(
        "https://fal-staging.internal.example/v1 (profile staging: base_url)"))
    #expect(
      staging.stdout.hasSuffix(
        "config file: \(fixture.configPath); profile staging (from --profile)\n"))
    for secret in ["staging-secret", "sess_prod_token", "sk_car_world", "env-0123456789"] {
      #expect(!plain.allOutput.contains(secret))
      #expect(!staging.allOutput.contains(secret))
    }
    #expect(!fixture.exists("ran"))
  }

  @Test func theJSONSaysTheSameForScripts() async throws {
    let fixture = try Self.fixture()
    let outcome = await TestCLI.run(
      ["providers", "--json"],
      environment: fixture.environment([
        "KEYCTL_PROFILE": "staging", "PX0_PROD_TOKEN": "sess_prod_token_7777",
      ]))
    #expect(outcome.code == 0)
    let providers = try JSONOutput.array(outcome.stdout)
    let byName = Dictionary(
      uniqueKeysWithValues: providers.compactMap { object in
        (object["provider"] as? String).map { ($0, object) }
      })
    let fal = try #require(byName["fal"])
    let falCredentials = try #require(fal["credentials"] as? [String: Any])
    #expect(falCredentials["source"] as? String == "profile staging: credential_file ~/fal-staging")
    #expect(falCredentials["state"] as? String == "read")
    #expect(falCredentials["masked"] as? String == "****abcd")
    #expect(fal["base_url_source"] as? String == "profile staging: base_url")
    #expect(fal["profile"] as? String == "staging")
    let px0 = try #require(byName["px0"])
    let settings = try #require(px0["settings"] as? [String: [String: String]])
    #expect(
      settings["org_id"]
        == ["value": "5f0c8a6e-1b2c-4d3e-8f90-123456789abc", "source": "config: org_id"])
    let cartesia = try #require(byName["cartesia"]?["credentials"] as? [String: Any])
    #expect(cartesia["state"] as? String == "unusable")
    #expect(cartesia["masked"] is NSNull)
    let openrouter = try #require(byName["openrouter"]?["credentials"] as? [String: Any])
    #expect(openrouter["set"] as? Bool == false)
    #expect(openrouter["state"] as? String == "not set")
    #expect(!outcome.allOutput.contains("staging-secret"))
    #expect(!fixture.exists("ran"))

    let prod = await TestCLI.run(
      ["providers", "-p", "fal", "--json"], environment: fixture.environment())
    let command = try #require(
      try JSONOutput.array(prod.stdout).first?["credentials"] as? [String: Any])
    #expect(command["source"] as? String == "config: credential_command")
    #expect(command["state"] as? String == "not run")
    #expect(command["masked"] is NSNull)
    #expect(!fixture.exists("ran"))
  }
}
