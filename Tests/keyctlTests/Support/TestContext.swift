import Foundation
import KeyCore
import Testing

@testable import keyctl

/// What one in-process run of keyctl produced.
struct Outcome: Sendable {
  let code: Int32
  let stdout: String
  let stderr: String

  /// stdout and stderr together, for "never printed anywhere" checks.
  var allOutput: String { stdout + "\n" + stderr }
}

/// A transport for runs that must not touch the network: any request fails the test.
struct NoNetwork: HTTPTransport {
  func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    Issue.record("unexpected request: \(request.method) \(request.url.absoluteString)")
    throw TransportFailure.connection("no request was expected in this test")
  }
}

/// Builds contexts with memory sinks and runs keyctl in-process.
enum TestCLI {
  /// fal's admin key in tests: `key_id:key_secret`, as `FAL_ADMIN_KEY` holds it.
  static let falKeyID = "adm1n-key-id-7f3e"
  static let falKeySecret = "s3cr3t-fal-admin-9c41d2b8e5a7"
  static var falAdminKey: String { falKeyID + ":" + falKeySecret }

  /// The environment of the fal command tests.
  static let falEnvironment = [
    "FAL_ADMIN_KEY": falAdminKey,
    "KEYCTL_FAL_BASE_URL": "https://fal.test/v1",
  ]

  /// A memory context: nothing reaches the terminal, retries never wait.
  /// `tableWidth` is the terminal's width tables are fitted to (nil: never cut).
  static func context(
    environment: [String: String] = [:], transport: any HTTPTransport = NoNetwork(),
    stdoutIsTTY: Bool = false, tableWidth: Int? = nil
  ) -> CommandContext {
    CommandContext(
      environment: environment, stdout: OutputSink(), stderr: OutputSink(),
      stdoutIsTTY: stdoutIsTTY, tableWidth: tableWidth, transport: transport, sleep: { _ in })
  }

  /// Runs `keyctl arguments…` and captures its exit code, stdout and stderr.
  static func run(
    _ arguments: [String], environment: [String: String] = [:],
    transport: any HTTPTransport = NoNetwork(), stdoutIsTTY: Bool = false, tableWidth: Int? = nil
  ) async -> Outcome {
    let context = context(
      environment: environment, transport: transport, stdoutIsTTY: stdoutIsTTY,
      tableWidth: tableWidth)
    let code = await Runner.run(arguments, context: context)
    return Outcome(code: code, stdout: context.stdout.text, stderr: context.stderr.text)
  }

  /// Runs with fal's credentials and base URL set, against `fal`.
  static func runFal(
    _ arguments: [String], _ fal: FakeFal, extraEnvironment: [String: String] = [:]
  ) async -> Outcome {
    await run(
      arguments, environment: falEnvironment.merging(extraEnvironment) { _, new in new },
      transport: fal)
  }
}

/// JSON helpers for reading keyctl's output.
enum JSONOutput {
  /// Parses one JSON object, failing the test when it is not one.
  static func object(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws
    -> [String: Any]
  {
    let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(value as? [String: Any], sourceLocation: sourceLocation)
  }

  /// Parses one JSON array of objects.
  static func array(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws
    -> [[String: Any]]
  {
    let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(value as? [[String: Any]], sourceLocation: sourceLocation)
  }

  /// The non-empty lines of ndjson output, each parsed as an object.
  static func lines(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws
    -> [[String: Any]]
  {
    try text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }.map {
      try object(String($0), sourceLocation: sourceLocation)
    }
  }
}
