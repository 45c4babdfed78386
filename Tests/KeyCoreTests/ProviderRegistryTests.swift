import Foundation
import Testing

@testable import KeyCore

/// Builds an adapter through the registry, as the command line does, so adapter
/// tests exercise the real headers, auth hint and error parser.
func makeProvider(
  _ id: ProviderID, environment: [String: String], transport: MockTransport,
  overrides: ProviderRegistry.Overrides = ProviderRegistry.Overrides(),
  for operations: [Capabilities.Operation] = []
) throws -> any KeyProvider {
  try ProviderRegistry(environment: environment, settings: testSettings(transport))
    .makeWithoutRunning(
      id, overrides: overrides, for: operations)
}

/// The body a request carried, as text, for byte-for-byte comparison.
func sentBody(_ request: HTTPRequest?) -> String {
  String(decoding: request?.body ?? Data(), as: UTF8.self)
}

/// The configured client inside an adapter built by the registry.
func client(of provider: any KeyProvider) throws -> ProviderClient {
  switch provider {
  case let px0 as Px0Provider: return px0.client
  case let cartesia as CartesiaProvider: return cartesia.client
  case let openRouter as OpenRouterProvider: return openRouter.client
  case let fal as FalProvider: return fal.client
  default: throw KeyError(.unexpected, "unknown adapter \(type(of: provider))")
  }
}

private let orgID = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"

@Suite struct ProviderRegistryTests {
  struct CredentialCase: Sendable, CustomTestStringConvertible {
    let provider: ProviderID
    let environment: [String: String]
    let expected: String
    var testDescription: String { "\(provider) → \(expected)" }
  }

  static let credentialCases: [CredentialCase] = [
    CredentialCase(
      provider: .px0,
      environment: ["PX0_ACCESS_TOKEN": "sess_first", "PX0_API_KEY": "ak_second"],
      expected: "Bearer sess_first"),
    CredentialCase(
      provider: .px0, environment: ["PX0_ACCESS_TOKEN": "", "PX0_API_KEY": "ak_second"],
      expected: "Bearer ak_second"),
    CredentialCase(
      provider: .cartesia,
      environment: [
        "CARTESIA_ADMIN_KEY": "sk_car_admin_first", "CARTESIA_API_KEY": "sk_car_second",
      ],
      expected: "Bearer sk_car_admin_first"),
    CredentialCase(
      provider: .cartesia, environment: ["CARTESIA_API_KEY": "sk_car_second"],
      expected: "Bearer sk_car_second"),
    CredentialCase(
      provider: .openrouter,
      environment: [
        "OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-mgmt",
        "OPENROUTER_PROVISIONING_KEY": "sk-or-v1-prov",
        "OPENROUTER_API_KEY": "sk-or-v1-api",
      ],
      expected: "Bearer sk-or-v1-mgmt"),
    CredentialCase(
      provider: .openrouter,
      environment: [
        "OPENROUTER_PROVISIONING_KEY": "sk-or-v1-prov", "OPENROUTER_API_KEY": "sk-or-v1-api",
      ],
      expected: "Bearer sk-or-v1-prov"),
    CredentialCase(
      provider: .openrouter, environment: ["OPENROUTER_API_KEY": "sk-or-v1-api"],
      expected: "Bearer sk-or-v1-api"),
  ]

  @Test(arguments: credentialCases)
  func credentialPrecedence(_ testCase: CredentialCase) throws {
    var environment = testCase.environment
    environment["PX0_ORG_ID"] = orgID
    let provider = try makeProvider(
      testCase.provider, environment: environment, transport: MockTransport())
    let headers = try client(of: provider).headers
    #expect(headers.first?.name == "Authorization")
    #expect(headers.first?.value == testCase.expected)
  }

  @Test func cartesiaAlwaysNamesItsAPIVersion() throws {
    let provider = try makeProvider(
      .cartesia, environment: ["CARTESIA_ADMIN_KEY": "sk_car_admin_x"], transport: MockTransport())
    let headers = try client(of: provider).headers
    #expect(headers.map(\.name) == ["Authorization", "Cartesia-Version"])
    #expect(headers.last?.value == "2026-03-01")
  }

  @Test(arguments: [ProviderID.px0, .cartesia, .openrouter])
  func missingCredentialIsAnAuthError(_ id: ProviderID) throws {
    let error = try #require(throws: KeyError.self) {
      try makeProvider(id, environment: ["PX0_ORG_ID": orgID], transport: MockTransport())
    }
    #expect(error.kind == .auth)
    #expect(error.provider == id)
    #expect(error.hint?.contains(id.credentialVariables[0]) == true)
  }

  struct BaseURLCase: Sendable, CustomTestStringConvertible {
    let provider: ProviderID
    let credential: String
    let keyctlVariable: String
    let providerVariable: String
    var testDescription: String { provider.rawValue }
  }

  static let baseURLCases: [BaseURLCase] = [
    BaseURLCase(
      provider: .px0, credential: "PX0_ACCESS_TOKEN", keyctlVariable: "KEYCTL_PX0_BASE_URL",
      providerVariable: "PX0_HOST"),
    BaseURLCase(
      provider: .cartesia, credential: "CARTESIA_ADMIN_KEY",
      keyctlVariable: "KEYCTL_CARTESIA_BASE_URL", providerVariable: "CARTESIA_BASE_URL"),
    BaseURLCase(
      provider: .openrouter, credential: "OPENROUTER_MANAGEMENT_KEY",
      keyctlVariable: "KEYCTL_OPENROUTER_BASE_URL", providerVariable: "OPENROUTER_BASE_URL"),
  ]

  /// `--base-url` beats `KEYCTL_*`, which beats the provider's own variable,
  /// which beats the default.
  @Test(arguments: baseURLCases)
  func baseURLPrecedence(_ testCase: BaseURLCase) throws {
    var environment = [
      testCase.credential: "secret-value", "PX0_ORG_ID": orgID,
      testCase.keyctlVariable: "https://keyctl.example.com/api",
      testCase.providerVariable: "https://vendor.example.com/api",
    ]
    func baseURL(_ override: String? = nil) throws -> String {
      let provider = try makeProvider(
        testCase.provider, environment: environment, transport: MockTransport(),
        overrides: ProviderRegistry.Overrides(baseURL: override))
      return try client(of: provider).baseURL.absoluteString
    }
    #expect(try baseURL("https://flag.example.com") == "https://flag.example.com")
    #expect(try baseURL() == "https://keyctl.example.com/api")
    environment[testCase.keyctlVariable] = ""
    #expect(try baseURL() == "https://vendor.example.com/api")
    environment[testCase.providerVariable] = nil
    #expect(try baseURL() == testCase.provider.defaultBaseURL)
  }

  @Test(arguments: [
    ("http://localhost:8000", true), ("http://127.0.0.1:9000/v1", true), ("http://[::1]:80", true),
    ("http://api.example.com", false), ("http://10.0.0.5:8000", false),
    ("https://px0.internal.example", true),
  ])
  func plainHTTPOnlyOnLoopback(_ url: String, _ accepted: Bool) throws {
    let environment = ["PX0_ACCESS_TOKEN": "sess_token", "PX0_ORG_ID": orgID, "PX0_HOST": url]
    if accepted {
      let provider = try makeProvider(.px0, environment: environment, transport: MockTransport())
      #expect(try client(of: provider).baseURL.absoluteString == url)
    } else {
      let error = try #require(throws: KeyError.self) {
        try makeProvider(.px0, environment: environment, transport: MockTransport())
      }
      #expect(error.kind == .usage)
      #expect(error.message.contains("PX0_HOST"))
      #expect(error.message.contains("https://"))
    }
  }

  @Test func px0DefaultsToTheLocalServer() throws {
    let provider = try makeProvider(
      .px0, environment: ["PX0_ACCESS_TOKEN": "sess_token", "PX0_ORG_ID": orgID],
      transport: MockTransport())
    #expect(try client(of: provider).baseURL.absoluteString == "http://localhost:8000")
  }
}
