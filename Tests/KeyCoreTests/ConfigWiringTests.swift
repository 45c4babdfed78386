import Foundation
import Testing

@testable import KeyCore

/// The registry built from a config file: the descriptors' variables, the
/// file's tables and a profile turn into the adapter's header, base URL and
/// settings; checks happen before a credential command runs; every source's
/// secret is redacted.
@Suite struct ConfigWiringTests {
  static let orgID = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
  static let workspace = "6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"

  /// A registry over the config file `text` (written to `directory`), with
  /// `environment` and the profile `profile` chosen as `--profile` would.
  static func registry(
    _ text: String, in directory: TemporaryDirectory, environment: [String: String] = [:],
    profile: String? = nil, transport: MockTransport
  ) throws -> ProviderRegistry {
    let path = try directory.write("config.toml", text)
    var environment = environment
    environment["KEYCTL_CONFIG"] = path
    environment["HOME"] = directory.path
    let configuration = try Configuration.load(
      environment: environment, profileOption: profile, commandTimeout: .seconds(5))
    return ProviderRegistry(configuration: configuration, settings: testSettings(transport))
  }

  @Test func aProfileSetsTheCredentialBaseURLAndSettings() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("px0-staging", "sess_from_file_0123\n\n")
    let text = """
      [px0]
      base_url = "https://px0.prod.example"
      org_id = "11111111-2222-4333-8444-555555555555"

      [profile.staging.px0]
      credential_file = "~/px0-staging"
      base_url = "https://px0.staging.example"
      org_id = "\(Self.orgID)"
      """
    let transport = MockTransport([
      .json("GET", "/v1/api-keys", query: ["org_id": Self.orgID], body: #"{"api_keys":[]}"#)
    ])
    let registry = try Self.registry(
      text, in: directory, environment: ["PX0_ACCESS_TOKEN": "sess_env_ignored"],
      profile: "staging", transport: transport)
    let provider = try await registry.make(.px0)
    _ = try await collect(provider)
    let sent = try #require(transport.requests.first)
    #expect(sent.url.absoluteString.hasPrefix("https://px0.staging.example/v1/api-keys"))
    // Two trailing newlines trimmed: what an editor leaves is not part of the secret.
    #expect(sent.header("Authorization") == "Bearer sess_from_file_0123")
  }

  @Test func withoutAProfileTheEnvironmentBeatsTheTopLevelTable() async throws {
    let directory = try TemporaryDirectory()
    let text = """
      [fal]
      credential_env = "FAL_FROM_CONFIG"
      base_url = "https://fal.config.example/v1"
      """
    let transport = MockTransport([.json("GET", "/keys", query: ["limit": "100"], body: "{}")])
    let registry = try Self.registry(
      text, in: directory,
      environment: [
        "FAL_ADMIN_KEY": "env:admin-secret-0001", "FAL_FROM_CONFIG": "cfg:never-used",
        "KEYCTL_FAL_BASE_URL": "https://fal.env.example/v1",
      ], transport: transport)
    _ = try? await collect(try await registry.make(.fal))
    let sent = try #require(transport.requests.first)
    #expect(sent.url.absoluteString.hasPrefix("https://fal.env.example/v1/keys"))
    #expect(sent.header("Authorization") == "Key env:admin-secret-0001")
  }

  @Test func theCommandLineBeatsAProfile() async throws {
    let directory = try TemporaryDirectory()
    let flagOrg = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    let text = """
      [profile.staging.px0]
      credential_env = "PX0_STAGING"
      base_url = "https://px0.staging.example"
      org_id = "\(Self.orgID)"
      """
    let transport = MockTransport([
      .json("GET", "/v1/api-keys", query: ["org_id": flagOrg], body: #"{"api_keys":[]}"#)
    ])
    let registry = try Self.registry(
      text, in: directory, environment: ["PX0_STAGING": "sess_staging"], profile: "staging",
      transport: transport)
    let provider = try await registry.make(
      .px0,
      overrides: ProviderRegistry.Overrides(baseURL: "https://px0.option.example", orgID: flagOrg))
    _ = try await collect(provider)
    #expect(
      transport.requests.first?.url.absoluteString.hasPrefix("https://px0.option.example/") == true)
  }

  @Test func aBadBaseURLInTheFileNamesItsLineBeforeTheCommandRuns() async throws {
    let directory = try TemporaryDirectory()
    let marker = directory.path + "/ran"
    let text = """
      [fal]
      credential_command = "touch '\(marker)'; echo a:b"
      # plain http to a remote host
      base_url = "http://fal.example/v1"
      """
    let transport = MockTransport()
    let registry = try Self.registry(text, in: directory, transport: transport)
    let error = await #expect(throws: KeyError.self) { _ = try await registry.make(.fal) }
    #expect(error?.kind == .usage)
    #expect(error?.message.hasPrefix("\(directory.path)/config.toml:4 base_url 'http://") == true)
    #expect(!FileManager.default.fileExists(atPath: marker), "the command ran")
    #expect(transport.requests.isEmpty)
  }

  @Test func aBadOrgIDInTheFileNamesItsLineAndNotItsValue() async throws {
    let directory = try TemporaryDirectory()
    let marker = directory.path + "/ran"
    let text = """
      [profile.ci.px0]
      credential_command = "touch '\(marker)'; echo sess_x"
      org_id = "sess_pasted_by_mistake"
      """
    let registry = try Self.registry(
      text, in: directory, profile: "ci", transport: MockTransport())
    let error = await #expect(throws: KeyError.self) { _ = try await registry.make(.px0) }
    #expect(error?.kind == .usage)
    #expect(error?.provider == .px0)
    #expect(
      error?.message.hasPrefix("\(directory.path)/config.toml:3 org_id is not a UUID") == true)
    #expect(error?.message.contains("sess_pasted") == false)
    #expect(!FileManager.default.fileExists(atPath: marker), "the command ran")
  }

  @Test func aMissingOrgIDNamesEveryWayToSetIt() async throws {
    let directory = try TemporaryDirectory()
    let registry = try Self.registry(
      "[px0]\ncredential_env = \"PX0_X\"\n", in: directory, environment: ["PX0_X": "sess_x"],
      transport: MockTransport())
    let error = await #expect(throws: KeyError.self) { _ = try await registry.make(.px0) }
    #expect(
      error?.message
        == "px0 needs an organization: pass --org-id UUID, set PX0_ORG_ID, or set org_id in the "
        + "config file")
  }

  @Test func theWorkspaceFromTheFileIsTheDefaultAndTheOptionBeatsIt() async throws {
    let directory = try TemporaryDirectory()
    let other = "0df9e665-d932-5740-b2c7-b52af166bc11"
    let text = """
      [openrouter]
      credential_env = "OR_KEY"
      workspace_id = "\(Self.workspace)"
      """
    let transport = MockTransport([
      .json(
        "GET", "/keys", query: ["offset": "0", "workspace_id": Self.workspace],
        body: #"{"data":[]}"#),
      .json("GET", "/keys", query: ["offset": "0", "workspace_id": other], body: #"{"data":[]}"#),
    ])
    let registry = try Self.registry(
      text, in: directory, environment: ["OR_KEY": "sk-or-v1-config"], transport: transport)
    let provider = try await registry.make(.openrouter)
    _ = try await collect(provider)
    var options = ListOptions()
    options.workspaceID = other
    _ = try await collect(provider, options: options)
    #expect(transport.unusedSteps.isEmpty)
  }

  @Test func aCredentialCommandRunsOnceForEveryUseInARun() async throws {
    let directory = try TemporaryDirectory()
    let counter = directory.path + "/runs"
    let text = """
      [fal]
      credential_command = "echo run >> '\(counter)'; echo cmd-id:cmd-secret-0042"
      """
    let transport = MockTransport()
    let registry = try Self.registry(text, in: directory, transport: transport)
    #expect(registry.isConfigured(.fal), "a command counts as configured")
    #expect(!FileManager.default.fileExists(atPath: counter), "isConfigured ran the command")
    for _ in 0..<3 {
      let provider = try await registry.make(.fal)
      #expect(try client(of: provider).headers.first?.value == "Key cmd-id:cmd-secret-0042")
    }
    let runs = try String(contentsOfFile: counter, encoding: .utf8)
    #expect(runs == "run\n")
  }

  @Test func aSecretFromAFileOrACommandIsRedactedFromErrors() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("fal", "file-id:file-secret-31337\n")
    let text = """
      [fal]
      credential_file = "~/fal"

      [cartesia]
      credential_command = "printf sk_car_from_command_777"
      """
    for (id, secret) in [
      (ProviderID.fal, "file-secret-31337"), (.cartesia, "sk_car_from_command_777"),
    ] {
      // A server that echoes the credential in a plain-text error page.
      let transport = MockTransport([
        MockTransport.Step(
          expectation: "any GET", matches: { $0.method == "GET" },
          respond: { _ in
            HTTPResponse(
              status: 500, headers: ["Content-Type": "text/plain"],
              body: Data("bad key \(secret) given".utf8))
          })
      ])
      let registry = try Self.registry(text, in: directory, transport: transport)
      let provider = try await registry.make(id)
      let error = await #expect(throws: KeyError.self) { _ = try await collect(provider) }
      let message = error.map { "\($0.message) \($0.hint ?? "")" } ?? ""
      #expect(message.contains("bad key [REDACTED] given"), "\(message)")
      #expect(!message.contains(secret), "\(message)")
    }
  }

  @Test func aCredentialThatCannotBeSentNamesItsSource() async throws {
    let directory = try TemporaryDirectory()
    try directory.write("fal", "id:s\u{E9}cret-non-ascii\n")
    let registry = try Self.registry(
      "[fal]\ncredential_file = \"~/fal\"\n", in: directory, transport: MockTransport())
    let error = await #expect(throws: KeyError.self) { _ = try await registry.make(.fal) }
    #expect(error?.kind == .auth)
    #expect(
      error?.message
        == "the fal credential cannot be sent: config: credential_file ~/fal holds a character "
        + "outside ASCII; nothing was sent")
  }

  @Test func theProviderOwnVariablesStillSkipAValueThatIsOnlyANewline() {
    // The resolver and the reader agree: FAL_ADMIN_KEY="\n" is unset, FAL_KEY is used.
    let configuration = Configuration(environment: ["FAL_ADMIN_KEY": "\n", "FAL_KEY": "k:1"])
    let credential = configuration.resolve(ProviderDescriptor.fal).credential
    #expect(credential?.source == .environment(["FAL_KEY"]))
  }
}

/// The profile names completion offers: from the file the environment points
/// at, never failing.
@Suite struct ProfileNamesTests {
  @Test func namesComeFromTheHeadersSorted() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write(
      "config.toml",
      "[profile.staging.fal]\n[profile.prod]\n[ profile . \"ci two\" . px0 ]\n[fal]\n")
    #expect(
      Configuration.profileNames(environment: ["KEYCTL_CONFIG": path])
        == ["ci two", "prod", "staging"])
  }

  @Test func aBrokenFileStillGivesTheHeadersThatParse() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write(
      "config.toml",
      "[profile.staging.fal]\nbase_url = \"unclosed\n[profile.prod.px0]\nnonsense key = 1\n"
        + "[profile.x.fal] trailing\n")
    #expect(
      Configuration.profileNames(environment: ["KEYCTL_CONFIG": path]) == ["prod", "staging"])
  }

  @Test func noFileNoHomeOrADirectoryGiveNone() throws {
    let directory = try TemporaryDirectory()
    #expect(Configuration.profileNames(environment: [:]).isEmpty)
    #expect(Configuration.profileNames(environment: ["HOME": directory.path]).isEmpty)
    #expect(Configuration.profileNames(environment: ["KEYCTL_CONFIG": directory.path]).isEmpty)
    #expect(
      Configuration.profileNames(environment: ["KEYCTL_CONFIG": directory.path + "/none"]).isEmpty)
  }
}
