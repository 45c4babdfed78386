import Foundation
import KeyCore
import Testing

@testable import keyctl

/// A network that is down: every request fails as a refused connection would.
private struct Unreachable: HTTPTransport {
  func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    throw TransportFailure.connection("unreachable in this test")
  }
}

/// The examples on the help pages (and so in the man page) are what people
/// copy: each keyctl invocation in them must get past keyctl's own checks.
/// Run against an unreachable network with every provider's credentials set,
/// an example may fail at the network (6), find nothing, or be refused by a
/// prompt nobody answers (1) — but never be a usage error (2).
@Suite struct HelpExampleTests {
  /// The environment: a credential and a base URL for every provider.
  static let environment = [
    "FAL_ADMIN_KEY": "id:secret", "KEYCTL_FAL_BASE_URL": "https://fal.test/v1",
    "PX0_API_KEY": "px0-secret", "PX0_ORG_ID": "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f",
    "KEYCTL_PX0_BASE_URL": "https://px0.test",
    "CARTESIA_API_KEY": "sk_car_secret", "KEYCTL_CARTESIA_BASE_URL": "https://cartesia.test",
    "OPENROUTER_MANAGEMENT_KEY": "sk-or-secret",
    "KEYCTL_OPENROUTER_BASE_URL": "https://openrouter.test/api/v1",
  ]

  /// Each `keyctl …` of every example, split into words: pipelines give one
  /// invocation per stage; redirections are dropped; stages that need a
  /// shell to expand (`$OLD`, quotes) are left out.
  static var invocations: [[String]] {
    var invocations: [[String]] = []
    for example in Commands.all.flatMap({ $0.spec.examples }) {
      for stage in example.split(separator: "|") {
        let words = stage.split(separator: " ").map(String.init)
        guard words.first == "keyctl", !stage.contains("$"), !stage.contains("'"),
          !stage.contains("\"")
        else { continue }
        var kept: [String] = []
        var index = 1
        while index < words.count, !["||", "&&", "#"].contains(words[index]) {
          if ["<", ">", "2>", ">>"].contains(words[index]) {
            index += 2
          } else {
            kept.append(words[index])
            index += 1
          }
        }
        invocations.append(kept)
      }
    }
    return invocations
  }

  @Test func thereAreExamplesToCheck() {
    #expect(Self.invocations.count >= 20)
  }

  @Test(arguments: invocations)
  func anExampleIsNeverAUsageError(_ arguments: [String]) async throws {
    // The profile the examples name (`--profile staging`).
    let fixture = try ConfigFixture()
    try fixture.config(
      """
      [profile.staging.fal]
      credential_env = "FAL_ADMIN_KEY"
      """)
    var environment = Self.environment
    environment["KEYCTL_CONFIG"] = fixture.configPath
    var context = TestCLI.context(environment: environment, transport: Unreachable())
    // A person at a terminal who answers nothing: confirmation is asked, not refused.
    context.stdinIsTTY = true
    context.stderrIsTTY = true
    let code = await Runner.run(arguments, context: context)
    #expect(code != 2, "keyctl \(arguments.joined(separator: " ")): \(context.stderr.text)")
  }
}
