import Foundation
import Testing

/// A program a test drives (a shell, groff, man): where it is, and whether the
/// test should run. Locally a test skips when its program is missing; under
/// `CI=true` it runs anyway and fails, so CI cannot pass by skipping.
enum ExternalTool {
  /// Whether this run is CI's (`CI=true`), where missing programs are failures.
  static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

  /// The program's path on PATH, or nil.
  static func path(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let candidate = "\(directory)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// Whether a test needing `names` should run: they are all installed, or this is CI.
  static func available(_ names: String...) -> Bool {
    inCI || names.allSatisfy { path($0) != nil }
  }

  /// The program's path; records a failure naming `.ci/run` when it is missing.
  static func require(
    _ name: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> String {
    try #require(
      path(name), "\(name) is not installed (.ci/run installs it)", sourceLocation: sourceLocation)
  }

  /// Runs `executable` with `arguments` and `environment` (the test process's
  /// own when nil), stdin from /dev/null, to the end, off the cooperative pool.
  static func run(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
    currentDirectory: URL? = nil
  ) async throws -> RunResult {
    try await offThePool {
      Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment ?? ProcessInfo.processInfo.environment
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        return try Keyctl.runToEnd(process)
      }
    }.get()
  }

  /// Runs `body` in a fresh temporary directory holding `files` (name and
  /// contents), removed afterwards.
  static func withFiles<T>(
    _ files: [String: String], _ body: (URL) async throws -> T
  ) async throws -> T {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    for (name, contents) in files {
      try contents.write(
        to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    return try await body(directory)
  }

  /// The test's environment with the built keyctl first on PATH, so a
  /// completion script that asks `keyctl` reaches it. HOME and the XDG
  /// variables stay: keyctl finds the same config file (and so the same
  /// profiles) as the test process; zsh -f and fish --no-config read no
  /// start-up file from them.
  static var keyctlEnvironment: [String: String] {
    var environment = ProcessInfo.processInfo.environment
    let binDirectory = Keyctl.binary.deletingLastPathComponent().path
    environment["PATH"] = binDirectory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    return environment
  }

  /// A fresh temporary directory, removed by the caller.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "keyctl-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
