import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The provider simulator (`Scripts/simulator`) running on a free loopback port
/// for one test, stopped when the test ends.
final class Simulator: @unchecked Sendable {
  /// Credentials the simulator accepts (documented in `Scripts/simulator/__main__.py`).
  static let credentials: [String: String] = [
    "FAL_ADMIN_KEY": "sim_fal_admin:sim-fal-admin-secret",
    "PX0_ACCESS_TOKEN": "sess_sim_admin",
    "PX0_ORG_ID": "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f",
    "CARTESIA_ADMIN_KEY": "sk_car_admin_sim",
    "OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-mgmt-sim",
  ]

  /// Where each provider lives on the simulator (its base URL's path).
  static let prefixes = [
    "fal": "/fal/v1", "px0": "/px0", "cartesia": "/cartesia", "openrouter": "/openrouter/api/v1",
  ]

  /// The path under the base URL each provider lists its keys at.
  static let listPaths = [
    "fal": "/keys", "px0": "/v1/api-keys", "cartesia": "/api-keys", "openrouter": "/keys",
  ]

  /// Every credential value, for asserting that none is ever printed.
  static var secrets: [String] {
    ["sim-fal-admin-secret", "sess_sim_admin", "sk_car_admin_sim", "sk-or-v1-mgmt-sim"]
  }

  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// python3's path, or nil when it is not installed.
  static let python: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let candidate = "\(directory)/python3"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }()

  let process = Process()
  let port: Int
  /// Where control requests go: 127.0.0.1, or `localhost` for a simulator bound
  /// to ::1 only (`--bind ::1`; URLSession in Swift 6.3 cannot reach `[::1]`).
  let host: String
  var baseURL: String { "http://\(host):\(port)" }

  /// Starts the simulator on a thread of its own and waits there for it to
  /// listen, so the wait (python's start-up, seconds on a loaded machine)
  /// holds none of the test threads other tests' timing depends on.
  static func start(_ arguments: [String] = []) async throws -> Simulator {
    try await offThePool { Result { try Simulator(arguments) } }.get()
  }

  /// Starts the simulator with extra arguments (key counts, delays, faults),
  /// blocking the calling thread until it listens (see `start`).
  init(_ arguments: [String] = []) throws {
    guard let python = Self.python else { throw SimulatorError.noPython }
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments =
      [Self.packageRoot.appendingPathComponent("Scripts/simulator").path, "--port", "0"] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    // The first line is `keyctl-sim listening on http://127.0.0.1:PORT`.
    var line = Data()
    let handle = output.fileHandleForReading
    while !line.contains(0x0A) {
      let chunk = handle.availableData
      if chunk.isEmpty { break }
      line += chunk
    }
    let text = String(decoding: line, as: UTF8.self)
    guard let portText = text.split(separator: ":").last?.prefix(while: \.isNumber),
      let port = Int(portText)
    else {
      process.terminate()
      throw SimulatorError.didNotStart(text)
    }
    self.port = port
    host = text.contains("[::1]") ? "localhost" : "127.0.0.1"
  }

  deinit {
    guard process.isRunning else { return }
    process.terminate()
    // Bounded wait, then SIGKILL: a test must never hang on a simulator that
    // ignores SIGTERM. Waited out on a thread of its own, not the test's: the
    // last reference usually drops on one of the few cooperative threads.
    let process = self.process
    Thread.detachNewThread {
      for _ in 0..<40 where process.isRunning { usleep(50_000) }
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
  }

  /// The environment that points keyctl at this simulator with valid credentials.
  func environment(_ providers: [String] = ["fal", "px0", "cartesia", "openrouter"])
    -> [String: String]
  {
    var environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
    let variables = [
      "fal": ["FAL_ADMIN_KEY"], "px0": ["PX0_ACCESS_TOKEN", "PX0_ORG_ID"],
      "cartesia": ["CARTESIA_ADMIN_KEY"], "openrouter": ["OPENROUTER_MANAGEMENT_KEY"],
    ]
    for provider in providers {
      environment["KEYCTL_\(provider.uppercased())_BASE_URL"] =
        baseURL + (Self.prefixes[provider] ?? "")
      for name in variables[provider] ?? [] { environment[name] = Self.credentials[name] }
    }
    return environment
  }

  /// Adds a fault rule (`POST /_sim/faults`).
  func fault(_ rule: [String: Any]) async throws {
    _ = try await control("POST", "/_sim/faults", body: rule)
  }

  /// The request log, oldest first.
  func log() async throws -> [[String: Any]] {
    let data = try await control("GET", "/_sim/log")
    return (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
  }

  /// Empties the request log (`DELETE /_sim/log`), so a test reads only what
  /// the command under test sent.
  func clearLog() async throws {
    _ = try await control("DELETE", "/_sim/log")
  }

  /// Connection and request counters.
  func stats() async throws -> [String: Any] {
    let data = try await control("GET", "/_sim/stats")
    return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
  }

  private func control(_ method: String, _ path: String, body: [String: Any]? = nil) async throws
    -> Data
  {
    guard let url = URL(string: baseURL + path) else { throw SimulatorError.didNotStart(path) }
    var request = URLRequest(url: url)
    request.httpMethod = method
    if let body {
      request.httpBody = try JSONSerialization.data(withJSONObject: body)
      request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    let (data, _) = try await URLSession.shared.data(for: request)
    return data
  }
}

enum SimulatorError: Error, CustomStringConvertible {
  case noPython
  case didNotStart(String)

  var description: String {
    switch self {
    case .noPython: "python3 is not installed; the end-to-end suite needs it for the simulator"
    case .didNotStart(let output): "the simulator did not start: \(output)"
    }
  }
}

/// Whether the end-to-end suite can run: it needs python3. Locally it is
/// skipped without it; under CI=true `EndToEndPrerequisiteTests` fails instead.
let endToEndAvailable = Simulator.python != nil
