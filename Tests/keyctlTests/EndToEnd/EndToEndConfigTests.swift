import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The config file end to end: the real binary, a temporary config file, a
/// secret file (0600) and credential commands, against the simulator.
@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndConfigTests {
  static let counts = [
    "--fal-keys", "3", "--px0-keys", "3", "--cartesia-keys", "3", "--openrouter-keys", "10",
  ]
  static let orgID = Simulator.credentials["PX0_ORG_ID"] ?? ""
  /// The simulator's second OpenRouter workspace (every fifth seeded key).
  static let workspace = "6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"

  /// `provider`'s base URL on `sim`.
  static func url(_ sim: Simulator, _ provider: String) -> String {
    sim.baseURL + (Simulator.prefixes[provider] ?? "")
  }

  @Test func aSecretFileACommandAndAVariableListEveryProvider() async throws {
    let sim = try Simulator(Self.counts)
    let fixture = try ConfigFixture()
    try fixture.write("fal-admin", (Simulator.credentials["FAL_ADMIN_KEY"] ?? "") + "\n\n")
    try fixture.config(
      """
      # every provider configured a different way; no provider variable is set
      [fal]
      credential_file = "~/fal-admin"
      base_url = "\(Self.url(sim, "fal"))"

      [px0]
      credential_command = "echo px0 >> '\(fixture.file("runs"))'; printf 'sess_sim_admin\\n'"
      base_url = "\(Self.url(sim, "px0"))"
      org_id = "\(Self.orgID)"

      [cartesia]
      credential_env = "CARTESIA_PROD"
      base_url = "\(Self.url(sim, "cartesia"))"

      [openrouter]
      credential_command = "echo openrouter >> '\(fixture.file("runs"))'; echo sk-or-v1-mgmt-sim"
      base_url = "\(Self.url(sim, "openrouter"))"
      workspace_id = "\(Self.workspace)"
      """)
    let result = try await Keyctl.run(
      ["list", "-o", "json"],
      environment: fixture.environment(["CARTESIA_PROD": "sk_car_admin_sim"]))
    #expect(result.status == 0, "\(result.stderr)")
    let keys = try result.keys()
    let counts = Dictionary(grouping: keys) { $0["provider"] as? String ?? "" }.mapValues(\.count)
    // OpenRouter's 10 seeded keys: every fifth in the second workspace, which the file names.
    #expect(counts == ["fal": 3, "px0": 3, "cartesia": 3, "openrouter": 2])
    #expect(!result.stderr.contains("skipping"))
    // Each command once, in provider order.
    #expect(fixture.read("runs") == "px0\nopenrouter\n")
    let openrouter = requests(try await sim.log(), "openrouter")
    #expect(
      openrouter.allSatisfy {
        ($0["query"] as? [String: [String]])?["workspace_id"] == [Self.workspace]
      })
    expectClean(result)
  }

  @Test func aProfileBeatsTheEnvironmentAndWithoutOneTheEnvironmentWins() async throws {
    let sim = try Simulator(Self.counts)
    let fixture = try ConfigFixture()
    try fixture.write("fal-staging", Simulator.credentials["FAL_ADMIN_KEY"] ?? "")
    try fixture.config(
      """
      [fal]
      credential_command = "touch '\(fixture.file("top-ran"))'; exit 1"

      [profile.staging.fal]
      credential_file = "~/fal-staging"
      base_url = "\(Self.url(sim, "fal"))"
      """)
    // The environment holds fal's 403 user key and a base URL where nothing listens.
    let wrong = fixture.environment([
      "FAL_ADMIN_KEY": "sim_fal_user:sim-fal-user-secret",
      "KEYCTL_FAL_BASE_URL": "http://127.0.0.1:9/fal/v1",
    ])
    let staging = try await Keyctl.run(
      ["list", "-p", "fal", "--profile", "staging", "-o", "json"], environment: wrong)
    #expect(staging.status == 0, "\(staging.stderr)")
    #expect(try staging.keys().count == 3)
    let viaVariable = try await Keyctl.run(
      ["list", "-p", "fal", "-o", "json"],
      environment: wrong.merging(["KEYCTL_PROFILE": "staging"]) { $1 })
    #expect(viaVariable.status == 0, "\(viaVariable.stderr)")

    // No profile: the environment beats the top-level table, whose command never runs.
    let environment = fixture.environment([
      "FAL_ADMIN_KEY": Simulator.credentials["FAL_ADMIN_KEY"] ?? "",
      "KEYCTL_FAL_BASE_URL": Self.url(sim, "fal"),
    ])
    let plain = try await Keyctl.run(["list", "-p", "fal", "-o", "json"], environment: environment)
    #expect(plain.status == 0, "\(plain.stderr)")
    #expect(!fixture.exists("top-ran"), "the top-level command ran though the environment is set")
    expectClean(staging)
    expectClean(plain)
  }

  @Test func theCommandLineBeatsTheProfileAndTheProfileFallsBackToTheEnvironment() async throws {
    let sim = try Simulator(Self.counts)
    let fixture = try ConfigFixture()
    try fixture.config(
      """
      [profile.staging.px0]
      base_url = "http://127.0.0.1:9/px0"
      org_id = "00000000-0000-4000-8000-000000000000"
      """)
    // The profile sets no credential: PX0_ACCESS_TOKEN is used; its base URL and
    // org id are wrong, and the options beat them.
    let environment = fixture.environment([
      "PX0_ACCESS_TOKEN": Simulator.credentials["PX0_ACCESS_TOKEN"] ?? ""
    ])
    let result = try await Keyctl.run(
      [
        "list", "-p", "px0", "--profile", "staging", "--base-url", Self.url(sim, "px0"),
        "--org-id", Self.orgID, "-o", "json",
      ], environment: environment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try result.keys().count == 3)
    let refused = try await Keyctl.run(
      ["list", "-p", "px0", "--profile", "staging", "--base-url", Self.url(sim, "px0")],
      environment: environment)
    // Without --org-id the profile's org id is sent (one of no org: refused).
    #expect(refused.status == 3, "\(refused.stderr)")
    let sent = requests(try await sim.log(), "px0").compactMap {
      ($0["query"] as? [String: [String]])?["org_id"]
    }
    #expect(sent == [[Self.orgID], ["00000000-0000-4000-8000-000000000000"]])
    expectClean(result)
  }

  @Test func aCredentialCommandsStderrPassesThroughButItsFailureNeverQuotesIt() async throws {
    let sim = try Simulator(Self.counts)
    let fixture = try ConfigFixture()
    try fixture.config(
      """
      [profile.ci.fal]
      base_url = "\(Self.url(sim, "fal"))"
      credential_command = "echo 'vault: token expired' >&2; echo sim_fal_admin:$((6 * 7))x; exit 2"
      """)
    let result = try await Keyctl.run(
      ["list", "-p", "fal", "--profile", "ci"], environment: fixture.environment())
    #expect(result.status == 3)
    let lines = result.stderr.split(separator: "\n").map(String.init)
    #expect(lines.first == "vault: token expired", "the command's own stderr reaches the user")
    #expect(
      lines.dropFirst().first?.hasPrefix(
        "keyctl: fal credential_command `echo 'vault: token expired'") == true)
    #expect(lines.dropFirst().first?.contains("(profile ci, \(fixture.configPath):3)") == true)
    #expect(lines.dropFirst().first?.hasSuffix("failed: it exited with status 2") == true)
    #expect(!result.allOutput.contains("sim_fal_admin:42x"))
    #expect(try await sim.log().isEmpty, "a request was sent without a credential")
  }

  @Test func aCredentialFileReadableByOthersIsRefusedBeforeAnyRequest() async throws {
    let sim = try Simulator(Self.counts)
    let fixture = try ConfigFixture()
    try fixture.write("fal", Simulator.credentials["FAL_ADMIN_KEY"] ?? "", mode: 0o644)
    try fixture.config(
      "[fal]\ncredential_file = \"~/fal\"\nbase_url = \"\(Self.url(sim, "fal"))\"\n")
    let result = try await Keyctl.run(
      ["list", "-p", "fal"], environment: fixture.environment())
    #expect(result.status == 3)
    #expect(result.stderr.contains("is readable by group or others (mode 0644)"))
    #expect(try await sim.log().isEmpty)
    expectClean(result)
  }

  @Test(arguments: ["file", "command"])
  func aSecretFromTheFileIsRedactedWhenTheServerEchoesIt(_ source: String) async throws {
    let sim = try Simulator(Self.counts)
    try await sim.fault(["provider": "fal", "kind": "echo_auth", "times": -1])
    let fixture = try ConfigFixture()
    let key = Simulator.credentials["FAL_ADMIN_KEY"] ?? ""
    try fixture.write("fal", key + "\n")
    let line =
      source == "file"
      ? "credential_file = \"~/fal\"" : "credential_command = \"cat '\(fixture.file("fal"))'\""
    try fixture.config("[fal]\n\(line)\nbase_url = \"\(Self.url(sim, "fal"))\"\n")
    let result = try await Keyctl.run(
      ["list", "-p", "fal", "-v", "--max-retries", "0"], environment: fixture.environment())
    #expect(result.status == 6)
    #expect(result.stderr.contains("[REDACTED]"))
    expectClean(result)
  }

  @Test func providersShowsTheSourcesAndRunsNoCommand() async throws {
    let sim = try Simulator(Self.counts)
    let fixture = try ConfigFixture()
    try fixture.write("fal-staging", Simulator.credentials["FAL_ADMIN_KEY"] ?? "")
    try fixture.config(
      """
      [fal]
      credential_command = "touch '\(fixture.file("ran"))'; echo a:b"

      [profile.staging.fal]
      credential_file = "~/fal-staging"
      base_url = "\(Self.url(sim, "fal"))"
      """)
    let table = try await Keyctl.run(["providers"], environment: fixture.environment())
    #expect(table.status == 0, "\(table.stderr)")
    #expect(table.stdout.contains("config: credential_command (not run)"))
    let json = try await Keyctl.run(
      ["providers", "--json", "--profile", "staging"], environment: fixture.environment())
    #expect(json.status == 0)
    #expect(json.stdout.contains(#""source":"profile staging: credential_file ~/fal-staging""#))
    #expect(json.stdout.contains(#""masked":"****cret""#))
    #expect(!fixture.exists("ran"), "keyctl providers ran a credential command")
    #expect(try await sim.log().isEmpty, "keyctl providers sent a request")
    expectClean(table)
    expectClean(json)
  }

  @Test func helpVersionAndErrorsWithABrokenFile() async throws {
    let fixture = try ConfigFixture()
    try fixture.config("[fal]\nbase_url = \"https://fal.example/v1\"\nbase_url = \"again\"\n")
    for arguments in [["--help"], ["--version"], ["help", "providers"], ["list", "--help"]] {
      let result = try await Keyctl.run(arguments, environment: fixture.environment())
      #expect(result.status == 0, "\(arguments): \(result.stderr)")
    }
    let list = try await Keyctl.run(["list"], environment: fixture.environment())
    #expect(list.status == 2)
    #expect(
      list.stderr.hasPrefix(
        "keyctl: \(fixture.configPath):3: duplicate key 'base_url' in [fal] (first set on line 2)"))
    let missing = try await Keyctl.run(
      ["providers"], environment: ["KEYCTL_CONFIG": fixture.path + "/missing.toml"])
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("no such file"))
  }

  @Test func withoutHOMEThereIsNoFileAndTildeCannotBeExpanded() async throws {
    let sim = try Simulator(Self.counts)
    var environment = sim.environment(["fal"])
    environment["HOME"] = nil
    let plain = try await Keyctl.run(["list", "-p", "fal", "-o", "json"], environment: environment)
    #expect(plain.status == 0, "\(plain.stderr)")
    #expect(try plain.keys().count == 3)
    let profile = try await Keyctl.run(["list", "--profile", "x"], environment: environment)
    #expect(profile.status == 2)
    #expect(
      profile.stderr.contains("unknown profile 'x' (from --profile): there is no config file"))

    let fixture = try ConfigFixture()
    try fixture.config(
      "[profile.home.fal]\ncredential_file = \"~/fal\"\nbase_url = \"\(Self.url(sim, "fal"))\"\n")
    let tilde = try await Keyctl.run(
      ["list", "-p", "fal", "--profile", "home"],
      environment: ["PATH": "/usr/bin:/bin", "KEYCTL_CONFIG": fixture.configPath])
    #expect(tilde.status == 3)
    #expect(tilde.stderr.contains("cannot be found: HOME is not set, so ~ cannot be expanded"))
  }

  /// keyctl blocks SIGINT, SIGTERM and SIGHUP in its threads and ignores
  /// SIGPIPE; a command that inherited that would outlive Ctrl-C or mishandle
  /// a closed pipe, so it must start with nothing blocked and those defaults.
  @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/status")))
  func aCredentialCommandStartsWithNoSignalBlockedOrIgnored() async throws {
    let sim = try Simulator(Self.counts)
    let fixture = try ConfigFixture()
    try fixture.write(
      "check.sh",
      """
      blocked=$(sed -n 's/^SigBlk:[[:space:]]*//p' /proc/$$/status)
      ignored=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status)
      echo "blocked $blocked ignored $ignored" > '\(fixture.file("masks"))'
      # SIGHUP, SIGINT, SIGPIPE and SIGTERM: 0x1, 0x2, 0x1000, 0x4000
      [ $((0x$blocked)) -eq 0 ] && [ $((0x$ignored & 0x5003)) -eq 0 ] || exit 1
      cat '\(fixture.file("fal"))'
      """)
    try fixture.write("fal", Simulator.credentials["FAL_ADMIN_KEY"] ?? "")
    try fixture.config(
      """
      [fal]
      base_url = "\(Self.url(sim, "fal"))"
      credential_command = "sh '\(fixture.file("check.sh"))'"
      """)
    let result = try await Keyctl.run(
      ["list", "-p", "fal", "-o", "json"], environment: fixture.environment())
    #expect(result.status == 0, "\(result.stderr) \(fixture.read("masks"))")
    #expect(fixture.read("masks").hasPrefix("blocked 0000000000000000"))
  }

  /// The command sends keyctl its Ctrl-C itself once its child runs, so the
  /// signal lands while keyctl waits on it however late a loaded machine
  /// schedules this test (a test that slept, then signalled, could be woken
  /// only after the command's 30 s limit had ended it).
  @Test func ctrlCDuringACredentialCommandExits130AndEndsIt() async throws {
    let sim = try Simulator(Self.counts)
    let fixture = try ConfigFixture()
    let pids = fixture.file("pids")
    try fixture.config(
      """
      [fal]
      base_url = "\(Self.url(sim, "fal"))"
      credential_command = "sleep 600 & echo $$ $! > '\(pids)'; kill -INT $PPID; wait"
      """)
    let finished = await
      (try RunningKeyctl(["list", "-p", "fal"], environment: fixture.environment()))
      .finish()
    #expect(!finished.killedByWatchdog)
    #expect(finished.exitedNormally)
    #expect(finished.result.status == 130, "\(finished.result.stderr)")
    #expect(finished.result.stderr.contains("interrupted while running fal credential_command"))
    #expect(!finished.result.stderr.contains("did not finish within"))
    let children = fixture.read("pids").split(separator: " ").compactMap {
      pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    #expect(children.count == 2)
    for pid in children {
      // Gone (ESRCH) or at most a zombie no one waits for: never still sleeping.
      #expect(try await waitUntil(seconds: 15) { processIsGone(pid) }, "pid \(pid) still runs")
    }
    #expect(try await sim.log().isEmpty)
  }
}

/// Whether `pid` no longer runs: it does not exist, or it is a zombie.
private func processIsGone(_ pid: pid_t) -> Bool {
  if kill(pid, 0) != 0 { return true }
  let status = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
  guard let close = status.lastIndex(of: ")") else { return true }
  return status[close...].dropFirst(2).first == "Z"
}
