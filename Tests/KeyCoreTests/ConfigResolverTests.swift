import Foundation
import Testing

@testable import KeyCore

/// fal's and px0's variables as DESIGN.md lists them; an input to the resolver.
let falInputs = ProviderConfigInputs(
  name: "fal",
  credentialVariables: [["FAL_ADMIN_KEY"], ["FAL_KEY"], ["FAL_KEY_ID", "FAL_KEY_SECRET"]],
  baseURLVariables: ["KEYCTL_FAL_BASE_URL"], defaultBaseURL: "https://api.fal.ai/v1")
let px0Inputs = ProviderConfigInputs(
  name: "px0", credentialVariables: [["PX0_ACCESS_TOKEN"], ["PX0_API_KEY"]],
  baseURLVariables: ["KEYCTL_PX0_BASE_URL", "PX0_HOST"], defaultBaseURL: "http://localhost:8000",
  settingVariables: ["org_id": ["PX0_ORG_ID"]])

@Suite struct ConfigResolverTests {
  /// One combination of where a setting could come from.
  struct Combination: Sendable, CustomTestStringConvertible {
    /// A command-line option is given.
    var option: Bool
    /// nil: no profile chosen; false: chosen but it does not set the value; true: it sets it.
    var profile: Bool?
    /// The provider's own variable is set.
    var environment: Bool
    /// The top-level table sets it.
    var topLevel: Bool

    var testDescription: String {
      let profileText = profile.map { $0 ? "profile sets" : "profile silent" } ?? "no profile"
      return "option \(option), \(profileText), env \(environment), top \(topLevel)"
    }

    /// Every combination: 2 × 3 × 2 × 2.
    static let all: [Combination] = [false, true].flatMap { option in
      [nil, false, true].flatMap { profile in
        [false, true].flatMap { environment in
          [false, true].map { topLevel in
            Combination(
              option: option, profile: profile, environment: environment, topLevel: topLevel)
          }
        }
      }
    }

    /// The file: a top-level `[px0]`/`[fal]` table and a `staging` profile, each
    /// setting the value or not.
    func file(profileLine: Int = 20, topLine: Int = 10) -> ConfigFile {
      let profileSets = profile == true
      return ConfigFile(
        path: "/etc/keyctl.toml",
        providers: [
          "px0": topLevel
            ? ConfigFile.Table(
              credential: ConfigEntry(
                .command("pass px0"), key: "credential_command", line: topLine),
              baseURL: ConfigEntry("https://top.example", key: "base_url", line: topLine + 1),
              settings: ["org_id": ConfigEntry("org-top", key: "org_id", line: topLine + 2)])
            : ConfigFile.Table()
        ],
        profiles: [
          "staging": [
            "px0": profileSets
              ? ConfigFile.Table(
                credential: ConfigEntry(
                  .file("~/.secrets/px0-staging"), key: "credential_file", line: profileLine),
                baseURL: ConfigEntry(
                  "https://profile.example", key: "base_url", line: profileLine + 1),
                settings: [
                  "org_id": ConfigEntry("org-profile", key: "org_id", line: profileLine + 2)
                ])
              : ConfigFile.Table()
          ],
          "prod": [:],
        ])
    }

    var environmentVariables: [String: String] {
      environment
        ? ["PX0_HOST": "https://env.example", "PX0_ORG_ID": "org-env", "PX0_API_KEY": "ak_env"]
        : ["PX0_HOST": "", "HOME": "/home/u"]
    }

    var choice: ProfileChoice? {
      profile == nil ? nil : ProfileChoice(name: "staging", origin: "--profile")
    }

    func resolve() -> ProviderConfig {
      let overrides = ConfigOverrides(
        baseURL: option ? CommandLineValue("https://option.example", option: "--base-url") : nil,
        settings: option ? ["org_id": CommandLineValue("org-option", option: "--org-id")] : [:])
      return ConfigResolver.resolve(
        px0Inputs, overrides: overrides, profile: choice, environment: environmentVariables,
        file: file())
    }
  }

  /// DESIGN.md's rule, written out: an option, then (with a profile) what the
  /// profile sets, then the environment, then the top-level table, then the default.
  private static func winner(_ combination: Combination, allowOption: Bool) -> String {
    if allowOption, combination.option { return "option" }
    if combination.profile == true { return "profile" }
    if combination.environment { return "environment" }
    if combination.topLevel { return "top" }
    return "default"
  }

  @Test(arguments: Combination.all)
  func baseURLPrecedence(_ combination: Combination) {
    let baseURL = combination.resolve().baseURL
    let expected: (String, String) =
      switch Self.winner(combination, allowOption: true) {
      case "option": ("https://option.example", "--base-url")
      case "profile": ("https://profile.example", "profile staging: base_url")
      case "environment": ("https://env.example", "env PX0_HOST")
      case "top": ("https://top.example", "config: base_url")
      default: ("http://localhost:8000", "default")
      }
    #expect(baseURL?.value == expected.0)
    #expect(baseURL?.description == expected.1)
  }

  @Test(arguments: Combination.all)
  func orgIDPrecedence(_ combination: Combination) {
    let orgID = combination.resolve().settings["org_id"]
    let expected: (String, String)? =
      switch Self.winner(combination, allowOption: true) {
      case "option": ("org-option", "--org-id")
      case "profile": ("org-profile", "profile staging: org_id")
      case "environment": ("org-env", "env PX0_ORG_ID")
      case "top": ("org-top", "config: org_id")
      default: nil
      }
    #expect(orgID?.value == expected?.0)
    #expect(orgID?.description == expected?.1)
  }

  /// The credential has no command-line option: `option` must change nothing.
  @Test(arguments: Combination.all)
  func credentialPrecedence(_ combination: Combination) {
    let credential = combination.resolve().credential
    let expected: (CredentialSource, String)? =
      switch Self.winner(combination, allowOption: false) {
      case "profile":
        (.file("~/.secrets/px0-staging"), "profile staging: credential_file ~/.secrets/px0-staging")
      case "environment": (.environment(["PX0_API_KEY"]), "env PX0_API_KEY")
      case "top": (.command("pass px0"), "config: credential_command")
      default: nil
      }
    #expect(credential?.source == expected?.0)
    #expect(credential?.description == expected?.1)
  }

  @Test func originsCarryTheFileAndLine() {
    let combination = Combination(option: false, profile: true, environment: true, topLevel: true)
    let resolved = combination.resolve()
    #expect(
      resolved.credential?.origin == .profile(name: "staging", path: "/etc/keyctl.toml", line: 20))
    #expect(resolved.baseURL?.origin.fileLocation == "/etc/keyctl.toml:21")
    let top = Combination(option: false, profile: nil, environment: false, topLevel: true).resolve()
    #expect(top.settings["org_id"]?.origin == .configFile(path: "/etc/keyctl.toml", line: 12))
    #expect(top.credential?.context == "config, /etc/keyctl.toml:10")
  }

  struct EnvironmentCredentialCase: Sendable, CustomTestStringConvertible {
    let environment: [String: String]
    let expected: String?
    var testDescription: String { expected ?? "none" }
  }

  @Test(arguments: [
    EnvironmentCredentialCase(
      environment: ["FAL_ADMIN_KEY": "a", "FAL_KEY": "b"], expected: "env FAL_ADMIN_KEY"),
    EnvironmentCredentialCase(
      environment: ["FAL_ADMIN_KEY": "", "FAL_KEY": "b"], expected: "env FAL_KEY"),
    EnvironmentCredentialCase(
      environment: ["FAL_KEY_ID": "i", "FAL_KEY_SECRET": "s"],
      expected: "env FAL_KEY_ID+FAL_KEY_SECRET"),
    EnvironmentCredentialCase(environment: ["FAL_KEY_ID": "i"], expected: nil),
    EnvironmentCredentialCase(environment: [:], expected: nil),
  ])
  func environmentCredentialOrder(_ testCase: EnvironmentCredentialCase) {
    let resolved = ConfigResolver.resolve(
      falInputs, profile: nil, environment: testCase.environment, file: nil)
    #expect(resolved.credential?.description == testCase.expected)
    #expect(resolved.baseURL?.description == "default")
  }

  @Test func profileWithoutThisProviderFallsBack() throws {
    let file = try parseConfig(
      """
      [fal]
      credential_env = "FAL_PROD"
      base_url = "https://fal-prod.example"
      [profile.staging.px0]
      org_id = "o"
      """)
    let staging = ProfileChoice(name: "staging", origin: "KEYCTL_PROFILE")
    let resolved = ConfigResolver.resolve(
      falInputs, profile: staging, environment: ["KEYCTL_FAL_BASE_URL": "https://env.example"],
      file: file)
    #expect(resolved.credential?.description == "config: credential_env FAL_PROD")
    #expect(resolved.credential?.source == .environment(["FAL_PROD"]))
    #expect(resolved.baseURL?.description == "env KEYCTL_FAL_BASE_URL")
  }

  struct ProfileCase: Sendable, CustomTestStringConvertible {
    let option: String?
    let environment: [String: String]
    let expected: ProfileChoice?
    var testDescription: String { "\(option ?? "-") \(environment) → \(expected?.name ?? "none")" }
  }

  @Test(arguments: [
    ProfileCase(option: nil, environment: [:], expected: nil),
    ProfileCase(option: nil, environment: ["KEYCTL_PROFILE": ""], expected: nil),
    ProfileCase(
      option: nil, environment: ["KEYCTL_PROFILE": "prod"],
      expected: ProfileChoice(name: "prod", origin: "KEYCTL_PROFILE")),
    ProfileCase(
      option: "staging", environment: ["KEYCTL_PROFILE": "prod"],
      expected: ProfileChoice(name: "staging", origin: "--profile")),
    ProfileCase(
      option: "empty", environment: [:], expected: ProfileChoice(name: "empty", origin: "--profile")
    ),
  ])
  func choosesTheProfile(_ testCase: ProfileCase) throws {
    let file = try parseConfig("[profile.staging.fal]\n[profile.prod.px0]\n[profile.empty]\n")
    let choice = try ProfileChoice.choose(
      option: testCase.option, environment: testCase.environment, file: file, searchedPath: nil)
    #expect(choice == testCase.expected)
  }

  @Test func unknownProfileListsTheKnownOnes() throws {
    let file = try parseConfig("[profile.staging.fal]\n[profile.prod.px0]\n")
    let error = try #require(throws: KeyError.self) {
      try ProfileChoice.choose(
        option: "stagign", environment: [:], file: file, searchedPath: "config.toml")
    }
    #expect(error.exitCode == 2)
    #expect(error.message == "unknown profile 'stagign' (from --profile). Did you mean 'staging'?")
    #expect(error.hint == "Profiles in config.toml: prod, staging.")
    let fromEnvironment = try #require(throws: KeyError.self) {
      try ProfileChoice.choose(
        option: nil, environment: ["KEYCTL_PROFILE": "qa"], file: file, searchedPath: nil)
    }
    #expect(fromEnvironment.message == "unknown profile 'qa' (from KEYCTL_PROFILE).")
  }

  @Test func profileWithoutAFileIsUnknown() throws {
    let error = try #require(throws: KeyError.self) {
      try ProfileChoice.choose(
        option: "staging", environment: [:], file: nil,
        searchedPath: "/h/.config/keyctl/config.toml")
    }
    #expect(error.exitCode == 2)
    #expect(
      error.message.contains("there is no config file (looked for /h/.config/keyctl/config.toml)"))
    let empty = try #require(throws: KeyError.self) {
      try ProfileChoice.choose(
        option: "x", environment: [:], file: parseConfig("[fal]"), searchedPath: nil)
    }
    #expect(empty.hint == "config.toml defines no profiles.")
  }
}

@Suite struct ConfigLocationTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let environment: [String: String]
    let expected: ConfigLocation?
    var testDescription: String { "\(environment.keys.sorted()) → \(expected?.path ?? "none")" }
  }

  @Test(arguments: [
    Case(
      environment: ["KEYCTL_CONFIG": "/x/k.toml", "XDG_CONFIG_HOME": "/xdg", "HOME": "/h"],
      expected: ConfigLocation(path: "/x/k.toml", variable: "KEYCTL_CONFIG")),
    Case(
      environment: ["KEYCTL_CONFIG": "rel/k.toml"],
      expected: ConfigLocation(path: "rel/k.toml", variable: "KEYCTL_CONFIG")),
    Case(
      environment: ["KEYCTL_CONFIG": "", "XDG_CONFIG_HOME": "/xdg", "HOME": "/h"],
      expected: ConfigLocation(path: "/xdg/keyctl/config.toml", variable: "XDG_CONFIG_HOME")),
    Case(
      environment: ["XDG_CONFIG_HOME": "/xdg/"],
      expected: ConfigLocation(path: "/xdg/keyctl/config.toml", variable: "XDG_CONFIG_HOME")),
    Case(
      environment: ["XDG_CONFIG_HOME": "relative/xdg", "HOME": "/h"],
      expected: ConfigLocation(path: "/h/.config/keyctl/config.toml", variable: "HOME")),
    Case(
      environment: ["XDG_CONFIG_HOME": "", "HOME": "/h/"],
      expected: ConfigLocation(path: "/h/.config/keyctl/config.toml", variable: "HOME")),
    Case(environment: [:], expected: nil),
    Case(environment: ["HOME": ""], expected: nil),
    Case(environment: ["XDG_CONFIG_HOME": "relative"], expected: nil),
  ])
  func resolvesThePath(_ testCase: Case) {
    #expect(ConfigLocation.resolve(environment: testCase.environment) == testCase.expected)
  }

  @Test func missingFileIsFineUnlessNamed() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path + "/absent.toml"
    #expect(
      try ConfigFile.load(ConfigLocation(path: path, variable: "HOME"), schema: testSchema) == nil)
    #expect(try ConfigFile.load(nil, schema: testSchema) == nil)
    let error = try #require(throws: KeyError.self) {
      try ConfigFile.load(ConfigLocation(path: path, variable: "KEYCTL_CONFIG"), schema: testSchema)
    }
    #expect(error.exitCode == 2)
    #expect(
      error.message == "cannot read the config file \(path) (from KEYCTL_CONFIG): no such file")
  }

  @Test func unreadableFileIsAnErrorNamingIt() throws {
    let directory = try TemporaryDirectory()
    // A directory where the file should be is unreadable as a file, even for root.
    let path = try directory.makeDirectory("config.toml")
    let error = try #require(throws: KeyError.self) {
      try ConfigFile.load(ConfigLocation(path: path, variable: "HOME"), schema: testSchema)
    }
    #expect(error.exitCode == 2)
    #expect(
      error.message == "cannot read the config file \(path) (from HOME): it is not a regular file")
  }

  @Test(.enabled(if: getuid() != 0, "root reads a file whatever its mode"))
  func fileWithoutReadPermissionIsAnError() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write("config.toml", "[fal]\n", mode: 0o000)
    let error = try #require(throws: KeyError.self) {
      try ConfigFile.load(
        ConfigLocation(path: path, variable: "XDG_CONFIG_HOME"), schema: testSchema)
    }
    #expect(error.message.hasSuffix(": permission denied"))
  }

  @Test func loadsAndParsesTheFile() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write("config.toml", "[fal]\nbase_url = \"https://x.example\"\n")
    let file = try ConfigFile.load(
      ConfigLocation(path: path, variable: "KEYCTL_CONFIG"), schema: testSchema)
    #expect(file?.path == path)
    #expect(file?.providers["fal"]?.baseURL?.value == "https://x.example")
    let bad = try directory.write("bad.toml", "[fal]\nbase_url = 1\n")
    let error = try #require(throws: KeyError.self) {
      try ConfigFile.load(ConfigLocation(path: bad, variable: "HOME"), schema: testSchema)
    }
    #expect(error.message.hasPrefix("\(bad):2: "))
  }
}

/// A directory under the system's temporary directory, removed when the value is released.
final class TemporaryDirectory: Sendable {
  /// Its absolute path.
  let path: String

  init() throws {
    let base = NSTemporaryDirectory()
    let separator = base.hasSuffix("/") ? "" : "/"
    var template = Array((base + separator + "keyctl-test-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else { throw KeyError(.unexpected, "mkdtemp failed") }
    path = String(cString: made)
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// Writes `text` to `name` with `mode`, returning its path.
  @discardableResult
  func write(_ name: String, _ text: String, mode: mode_t = 0o600) throws -> String {
    let file = path + "/" + name
    guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8)) else {
      throw KeyError(.unexpected, "cannot write \(file)")
    }
    guard chmod(file, mode) == 0 else { throw KeyError(.unexpected, "cannot chmod \(file)") }
    return file
  }

  /// Makes a subdirectory, returning its path.
  func makeDirectory(_ name: String) throws -> String {
    let directory = path + "/" + name
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    return directory
  }
}
