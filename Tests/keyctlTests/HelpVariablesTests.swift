import KeyCore
import Testing

@testable import keyctl

/// `keyctl --help` names every variable a provider reads, on that provider's
/// row: a new user looking for what px0 needs finds PX0_ORG_ID beside
/// PX0_ACCESS_TOKEN, not only in the README.
@Suite struct HelpVariablesTests {
  @Test func everyProviderVariableIsOnItsRow() async throws {
    let page = await TestCLI.run(["--help"], environment: ["COLUMNS": "400"]).stdout
    for provider in ProviderID.allCases {
      let descriptor = try #require(provider.descriptor)
      let row = try #require(
        page.split(separator: "\n").first { $0.hasPrefix("  \(provider.rawValue) ") },
        "no CREDENTIALS row for \(provider.rawValue)")
      let variables =
        descriptor.credentialVariables + descriptor.baseURLVariables
        + descriptor.settings.flatMap(\.variables)
      for variable in variables {
        #expect(row.contains(variable), "\(variable) missing from \(provider.rawValue)'s row")
      }
    }
    #expect(page.contains("PX0_ACCESS_TOKEN, PX0_API_KEY; also: PX0_ORG_ID; base URL:"))
  }
}
