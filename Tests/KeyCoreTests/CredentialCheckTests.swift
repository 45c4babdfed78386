import Foundation
import Testing

@testable import KeyCore

/// A credential that cannot go into a header is refused before any request,
/// naming its variable and never the secret; one trailing newline is trimmed.
@Suite struct CredentialCheckTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let provider: ProviderID
    let environment: [String: String]
    let variable: String
    let what: String
    var testDescription: String { "\(variable): \(what)" }
  }

  static let refused: [Case] = [
    Case(
      provider: .fal, environment: ["FAL_ADMIN_KEY": "id:se\ncret"], variable: "FAL_ADMIN_KEY",
      what: "line break"),
    Case(
      provider: .fal, environment: ["FAL_ADMIN_KEY": "id:secret\r"], variable: "FAL_ADMIN_KEY",
      what: "line break"),
    Case(
      provider: .fal, environment: ["FAL_ADMIN_KEY": "id:secret\n\n"],
      variable: "FAL_ADMIN_KEY", what: "line break"),
    Case(
      provider: .fal, environment: ["FAL_KEY": "id:sec\u{0}ret"], variable: "FAL_KEY",
      what: "control character"),
    Case(
      provider: .fal, environment: ["FAL_KEY_ID": "id", "FAL_KEY_SECRET": "sec\tret"],
      variable: "FAL_KEY_SECRET", what: "control character"),
    Case(
      provider: .fal, environment: ["FAL_KEY_ID": "i\rd", "FAL_KEY_SECRET": "secret"],
      variable: "FAL_KEY_ID", what: "line break"),
    Case(
      provider: .px0, environment: ["PX0_ACCESS_TOKEN": "sess_\u{7F}x", "PX0_ORG_ID": orgID],
      variable: "PX0_ACCESS_TOKEN", what: "control character"),
    Case(
      provider: .cartesia, environment: ["CARTESIA_ADMIN_KEY": "sk_car_\u{1B}[2J"],
      variable: "CARTESIA_ADMIN_KEY", what: "control character"),
    Case(
      provider: .openrouter, environment: ["OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-\u{85}x"],
      variable: "OPENROUTER_MANAGEMENT_KEY", what: "outside ASCII"),
    Case(
      provider: .openrouter, environment: ["OPENROUTER_API_KEY": "sk-or-v1-é"],
      variable: "OPENROUTER_API_KEY", what: "outside ASCII"),
  ]

  static let orgID = "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f"

  @Test(arguments: refused)
  func anUnsendableCredentialIsRefusedNamingItsVariable(_ test: Case) async throws {
    let transport = MockTransport()
    let error = #expect(throws: KeyError.self) {
      _ = try makeProvider(test.provider, environment: test.environment, transport: transport)
    }
    #expect(error?.kind == .auth)
    #expect(KeyError(error?.kind ?? .unexpected, "").exitCode == 3)
    #expect(error?.message.contains(test.variable) == true, "\(error?.message ?? "")")
    #expect(error?.message.contains(test.what) == true, "\(error?.message ?? "")")
    #expect(transport.requests.isEmpty)
    for value in test.environment.values where value.count > 4 {
      #expect(error?.message.contains(value) != true, "the secret was printed")
    }
    let credential = try #require(test.provider.credential(in: test.environment))
    #expect(credential.masked == "(unusable)")
  }

  /// `$(cat file)` strips newlines, but `VAR="$(printf 'k\n')"`-style values and
  /// files saved by editors end in one: exactly one `\n` or `\r\n` is trimmed.
  @Test(arguments: ["\n", "\r\n"])
  func oneTrailingLineBreakIsTrimmed(ending: String) async throws {
    let secret = "sim_fal_admin:secret-value"
    let transport = MockTransport([
      .json("GET", "/keys", query: ["limit": "100"], body: #"{"keys":[],"has_more":false}"#)
    ])
    let provider = try makeProvider(
      .fal, environment: ["FAL_ADMIN_KEY": secret + ending], transport: transport)
    _ = try await provider.page(at: .start, options: ListOptions())
    let sent = transport.requests.first?.headers.first { $0.name == "Authorization" }?.value
    #expect(sent == "Key " + secret)
  }

  @Test func aValueThatIsOnlyALineBreakCountsAsUnset() {
    #expect(ProviderID.fal.credential(in: ["FAL_ADMIN_KEY": "\n"]) == nil)
    #expect(
      ProviderID.fal.credential(in: ["FAL_ADMIN_KEY": "\r\n", "FAL_KEY": "a:b"])?.source
        == "FAL_KEY")
  }
}
