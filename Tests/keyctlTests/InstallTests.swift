import Foundation
import Testing

@testable import keyctl

/// `Scripts/install` end to end: a release build in `.build-install`, the five
/// files under a temporary prefix, each of them used as a user would, then
/// `--uninstall` removing exactly those files.
///
/// The build takes minutes and both cores, so it runs only when asked:
/// `KEYCTL_TEST_INSTALL=1 swift test --filter InstallTests`. `.ci/run` asks,
/// once, in a step of its own after the suite: run beside the end-to-end
/// tests, the build would starve the ones that bound how fast keyctl gives up.
@Suite(
  .enabled(
    if: ProcessInfo.processInfo.environment["KEYCTL_TEST_INSTALL"] == "1",
    "builds a release keyctl: set KEYCTL_TEST_INSTALL=1 (.ci/run does)"))
struct InstallTests {
  static let script = Simulator.packageRoot.appendingPathComponent("Scripts/install")

  /// The files the script installs, relative to the prefix.
  static let installed = [
    "bin/keyctl",
    "share/man/man1/keyctl.1",
    "share/bash-completion/completions/keyctl",
    "share/zsh/site-functions/_keyctl",
    "share/fish/vendor_completions.d/keyctl.fish",
  ]

  /// Every regular file under `directory`, relative to it, sorted.
  static func files(under directory: URL) -> [String] {
    let base = directory.resolvingSymlinksInPath().path + "/"
    let enumerator = FileManager.default.enumerator(
      at: directory.resolvingSymlinksInPath(), includingPropertiesForKeys: [.isRegularFileKey])
    var found: [String] = []
    while let url = enumerator?.nextObject() as? URL {
      guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else {
        continue
      }
      found.append(String(url.resolvingSymlinksInPath().path.dropFirst(base.count)))
    }
    return found.sorted()
  }

  @Test func installsUsesAndUninstallsExactlyItsFiles() async throws {
    let prefix = try ExternalTool.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: prefix) }
    let install = try await ExternalTool.run(Self.script.path, ["--prefix", prefix.path])
    #expect(install.status == 0, "Scripts/install failed: \(install.stderr)")
    #expect(Self.files(under: prefix) == Self.installed.sorted())
    for file in Self.installed {
      #expect(install.stdout.contains("installed \(prefix.path)/\(file)"), "\(file)")
    }

    // The binary runs.
    let binary = prefix.appendingPathComponent("bin/keyctl").path
    let version = try await ExternalTool.run(binary, ["--version"])
    #expect(version.status == 0)
    #expect(version.stdout == "keyctl \(Version.current)\n")

    // man reads the installed page.
    let man = try ExternalTool.require("man")
    var environment = ProcessInfo.processInfo.environment
    environment["MANPAGER"] = "cat"
    environment["MANWIDTH"] = "80"
    let page = prefix.appendingPathComponent("share/man/man1/keyctl.1").path
    let shown = try await ExternalTool.run(man, ["-l", page], environment: environment)
    #expect(shown.status == 0)
    #expect(shown.stderr.isEmpty, "man: \(shown.stderr)")
    #expect(shown.stdout.contains("KEYCTL(1)"))
    #expect(shown.stdout.contains("keyctl completion"))

    // bash completes from the installed file, asking the installed binary.
    let bashScript = try String(
      contentsOf: prefix.appendingPathComponent("share/bash-completion/completions/keyctl"),
      encoding: .utf8)
    let cases: [CompletionCases.Case] = [
      .init(words: ["pro"], expected: ["providers"]),
      .init(words: ["list", "-p", ""], expected: ["fal", "px0", "cartesia", "openrouter"]),
      .init(words: ["list", "-p", "fal,o"], expected: ["fal,openrouter"]),
      .init(words: ["list", "--output", ""], expected: ["table", "json", "ndjson"]),
    ]
    let replies = try await BashCompletionTests.complete(
      cases, script: bashScript, program: binary)
    #expect(replies == cases.map(\.expected))

    // The other two scripts parse.
    if let zsh = ExternalTool.path("zsh") {
      let path = prefix.appendingPathComponent("share/zsh/site-functions/_keyctl").path
      #expect(try await ExternalTool.run(zsh, ["-n", path]).status == 0)
    }
    if let fish = ExternalTool.path("fish") {
      let path = prefix.appendingPathComponent("share/fish/vendor_completions.d/keyctl.fish").path
      #expect(try await ExternalTool.run(fish, ["--no-config", "-n", path]).status == 0)
    }

    // Uninstalling removes those five files and nothing else.
    let bin = prefix.appendingPathComponent("bin")
    try "#!/bin/sh\n".write(
      to: bin.appendingPathComponent("other-tool"), atomically: true, encoding: .utf8)
    try "other\n".write(
      to: prefix.appendingPathComponent("share/man/man1/other.1"), atomically: true,
      encoding: .utf8)
    let uninstall = try await ExternalTool.run(
      Self.script.path, ["--uninstall", "--prefix", prefix.path])
    #expect(uninstall.status == 0, "\(uninstall.stderr)")
    #expect(Self.files(under: prefix) == ["bin/other-tool", "share/man/man1/other.1"])
    for file in Self.installed {
      #expect(uninstall.stdout.contains("removed \(prefix.path)/\(file)"), "\(file)")
    }

    // Another program's keyctl (keyutils') is neither overwritten nor removed.
    let other = try ExternalTool.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: other) }
    let foreign = other.appendingPathComponent("bin/keyctl")
    try FileManager.default.createDirectory(
      at: foreign.deletingLastPathComponent(), withIntermediateDirectories: true)
    let keyutils = "#!/bin/sh\necho 'keyctl from keyutils-1.6.3 (Built 2023-01-01)'\n"
    try keyutils.write(to: foreign, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes(
      [.posixPermissions: 0o755], ofItemAtPath: foreign.path)
    let refused = try await ExternalTool.run(
      Self.script.path, ["--no-build", "--prefix", other.path])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("\(foreign.path) exists and was not installed by keyctl"))
    #expect(Self.files(under: other) == ["bin/keyctl"])
    let kept = try await ExternalTool.run(
      Self.script.path, ["--uninstall", "--prefix", other.path])
    #expect(kept.status == 0)
    #expect(kept.stderr.contains("left \(foreign.path): keyctl did not install it"))
    #expect(try String(contentsOf: foreign, encoding: .utf8) == keyutils)
  }
}
