import Foundation
import Testing

@testable import KeyCore

/// Every HTTP status a provider can answer with has its documented kind and
/// exit code (DESIGN.md, README.md), and none is "unexpected" (exit 1 is kept
/// for bugs in keyctl).
@Suite struct StatusMappingTests {
  /// The documented table, written out independently of `KeyError.kind(forStatus:)`.
  static func documentedKind(_ status: Int) -> KeyError.Kind {
    if [400, 409, 413, 414, 422].contains(status) { return .usage }
    if [401, 402, 403].contains(status) { return .auth }
    if [404, 410].contains(status) { return .notFound }
    if status == 429 { return .rateLimited }
    if status == 408 || (300...399).contains(status) { return .network }
    if (400...599).contains(status) { return .server }
    return .badResponse
  }

  /// The documented exit code of each status class.
  static func documentedExitCode(_ status: Int) -> Int32 {
    switch status {
    case 400, 409, 413, 414, 422: 2
    case 401, 402, 403: 3
    case 404, 410: 4
    case 429: 5
    default: 6
    }
  }

  @Test(arguments: Array(400...599))
  func everyErrorStatusHasItsDocumentedKindAndExitCode(status: Int) {
    let kind = KeyError.kind(forStatus: status)
    #expect(kind == Self.documentedKind(status))
    #expect(KeyError(kind, "").exitCode == Self.documentedExitCode(status))
    #expect(kind != .unexpected)
  }

  /// Outside 400–599 (a 1xx or 2xx where an error was expected, 3xx, or a
  /// number no HTTP status has) the code is 6, never 1, and never a trap.
  @Test(arguments: [
    Int.min, -1, 0, 1, 99, 100, 101, 199, 200, 204, 299, 300, 304, 399, 600, 999, 1000, Int.max,
  ])
  func statusesOutsideTheErrorRangeAreProviderFailures(status: Int) {
    let kind = KeyError.kind(forStatus: status)
    #expect(kind == Self.documentedKind(status))
    #expect(KeyError(kind, "").exitCode == 6)
  }

  /// One case end to end through the client: the status, the kind, and a hint
  /// that fits it (no "try again later" for a 4xx nothing will change).
  struct ClientCase: Sendable, CustomTestStringConvertible {
    let status: Int
    let kind: KeyError.Kind
    let hintMentions: String?
    let hintLacks: String?
    var testDescription: String { "HTTP \(status)" }
  }

  static let clientCases: [ClientCase] = [
    ClientCase(status: 402, kind: .auth, hintMentions: "out of credits", hintLacks: "admin"),
    ClientCase(status: 410, kind: .notFound, hintMentions: nil, hintLacks: "Try again"),
    ClientCase(status: 413, kind: .usage, hintMentions: nil, hintLacks: "Try again"),
    ClientCase(status: 414, kind: .usage, hintMentions: nil, hintLacks: "Try again"),
    ClientCase(status: 451, kind: .server, hintMentions: "will not help", hintLacks: "Try again"),
    ClientCase(status: 405, kind: .server, hintMentions: "will not help", hintLacks: "Try again"),
    ClientCase(status: 501, kind: .server, hintMentions: "Try again later", hintLacks: nil),
    ClientCase(status: 599, kind: .server, hintMentions: "Try again later", hintLacks: nil),
    ClientCase(status: 600, kind: .badResponse, hintMentions: "Try again later", hintLacks: nil),
  ]

  @Test(arguments: clientCases)
  func theClientReportsTheStatusWithItsKindAndAFittingHint(_ test: ClientCase) async throws {
    let transport = MockTransport([
      .json(
        "GET", "/keys", query: ["offset": "0"], status: test.status,
        body: #"{"error":{"code":\#(test.status),"message":"no"}}"#)
    ])
    let provider = try makeProvider(
      .openrouter, environment: ["OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-test"],
      transport: transport)
    let error = try await #require(throws: KeyError.self) {
      try await provider.page(at: .start, options: ListOptions())
    }
    #expect(error.kind == test.kind)
    #expect(error.status == test.status)
    #expect(error.message.contains("HTTP \(test.status)"))
    if let mention = test.hintMentions {
      #expect(error.hint?.contains(mention) == true, "\(error.hint ?? "no hint")")
    }
    if let lacks = test.hintLacks {
      #expect(error.hint?.contains(lacks) != true, "\(error.hint ?? "no hint")")
    }
    #expect(transport.requests.count == 1, "a status that is not retryable was retried")
  }

  /// A create refused with a 4xx did not happen; one answered with a 5xx may have.
  @Test(arguments: [(451, false), (503, true)])
  func aCreateSaysTheKeyMayExistOnlyWhenItMight(status: Int, mayExist: Bool) async throws {
    let transport = MockTransport([
      .json("POST", "/keys", status: status, body: #"{"error":{"message":"no"}}"#)
    ])
    let provider = try makeProvider(
      .openrouter, environment: ["OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-test"],
      transport: transport)
    let error = try await #require(throws: KeyError.self) {
      try await provider.create(CreateRequest(name: "ci"))
    }
    #expect((error.hint?.contains("may exist") == true) == mayExist, "\(error.hint ?? "")")
  }
}
