import Foundation
import Testing

/// `Benchmarks/run` installs nothing without asking: with tools missing and
/// no terminal it names them with the install command and stops before
/// building anything.
@Suite struct BenchmarkScriptTests {
  @Test func missingToolsAreNamedNotInstalled() async throws {
    let stubs = try ExternalTool.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: stubs) }
    // Only what the script needs to get as far as its tool check; apt-get,
    // sudo and swift are stubs, and apt-get or sudo leave a mark if run.
    for tool in ["dirname", "uname", "id", "grep", "sed", "cat"] {
      let path = try #require(ExternalTool.path(tool), "\(tool) is missing")
      try FileManager.default.createSymbolicLink(
        atPath: stubs.appendingPathComponent(tool).path, withDestinationPath: path)
    }
    let mark = stubs.appendingPathComponent("ran")
    for (name, body) in [
      ("apt-get", "echo apt-get >> '\(mark.path)'"), ("sudo", "echo sudo >> '\(mark.path)'"),
      ("swift", "echo swift >> '\(mark.path)'"),
    ] {
      let file = stubs.appendingPathComponent(name)
      try "#!/bin/sh\n\(body)\n".write(to: file, atomically: true, encoding: .utf8)
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
    }
    let bash = try ExternalTool.require("bash")
    let script = Simulator.packageRoot.appendingPathComponent("Benchmarks/run").path
    let result = try await ExternalTool.run(
      bash, [script, "--quick"], environment: ["PATH": stubs.path, "HOME": stubs.path])
    #expect(result.status == 1)
    #expect(result.stderr.contains("Benchmarks/run: missing: "))
    #expect(result.stderr.contains("hyperfine"))
    #expect(result.stderr.contains("apt-get install -y "))
    #expect(!FileManager.default.fileExists(atPath: mark.path), "something ran: apt-get or a build")
  }
}
