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
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errData = ErrorData()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
          errData.bytes = err.fileHandleForReading.readDataToEndOfFile()
          group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return RunResult(
          status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
          stderr: String(decoding: errData.bytes, as: UTF8.self))
      }
    }.get()
  }

  /// A fresh temporary directory, removed by the caller.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "keyctl-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

/// stderr's bytes, read on another thread; the DispatchGroup orders the write before the read.
private final class ErrorData: @unchecked Sendable {
  var bytes = Data()
}
