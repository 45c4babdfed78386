import Foundation
import Testing

/// The README's example script, run as the README runs it: under
/// `Scripts/with-simulator`, with the built keyctl on PATH.
@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct ExampleScriptTests {
  static let root = Simulator.packageRoot

  /// Runs `command` (bash) under `Scripts/with-simulator SIMULATOR-ARGS --`.
  static func withSimulator(_ simulatorArguments: [String], _ command: String) async throws
    -> RunResult
  {
    var environment = ProcessInfo.processInfo.environment
    let binDirectory = Keyctl.binary.deletingLastPathComponent().path
    environment["PATH"] = binDirectory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    return try await ExternalTool.run(
      root.appendingPathComponent("Scripts/with-simulator").path,
      simulatorArguments + ["--", "bash", "-c", command], environment: environment,
      currentDirectory: root)
  }

  /// A new key's secret alone on stdout; on stderr the new key and the
  /// command that deletes each older CI key, never the new one.
  @Test func rotateCIKeysCreatesOneKeyAndNamesTheOlderOnes() async throws {
    let result = try await Self.withSimulator(
      ["--fal-keys", "3"],
      "old=$(keyctl create -p fal --name ci-old -q) && echo \"OLD ${old%%:*}\" >&2 && "
        + "Scripts/examples/rotate-ci-keys.sh")
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 1)
    let secret = String(try #require(lines.first))
    let parts = secret.split(separator: ":")
    #expect(parts.count == 2)
    let newID = String(try #require(parts.first))
    let oldLine = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix("OLD ") })
    let oldID = String(oldLine.dropFirst(4))
    #expect(result.stderr.contains("created fal key \(newID) named ci-"))
    #expect(result.stderr.contains("  keyctl delete -p fal \(oldID)\n"))
    #expect(!result.stderr.contains("keyctl delete -p fal \(newID)"))
    #expect(!result.stderr.contains(String(parts[1])), "the secret went to stderr")
  }

  /// A failing provider stops the script with keyctl's exit code and no
  /// secret: what the README's fault example shows.
  @Test func rotateCIKeysStopsWithKeyctlsCodeWhenTheProviderFails() async throws {
    let result = try await Self.withSimulator(
      ["--fault", #"{"provider":"fal","kind":"status","status":503,"times":-1}"#],
      "Scripts/examples/rotate-ci-keys.sh")
    #expect(result.status == 6)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("fal answered HTTP 503"))
    #expect(!result.stderr.contains("rotate-ci-keys: created"))
  }
}
