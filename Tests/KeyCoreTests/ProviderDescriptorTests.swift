import Foundation
import Testing

@testable import KeyCore

/// The descriptor table: every provider's facts as DESIGN.md and PROVIDERS.md
/// give them, the order of `Providers.all`, lookup, and what is derived from it
/// (config schema and inputs, audit rule coverage, a registry of other providers).
@Suite struct ProviderDescriptorTests {
  /// One provider's facts, spelt out from DESIGN.md's tables.
  struct Facts: Sendable, CustomTestStringConvertible {
    let id: ProviderID
    let displayName: String
    let operations: Set<Capabilities.Operation>
    let paging: Capabilities.Paging
    let maxPageSize: Int?
    let reported: Set<Capabilities.ReportedField>
    let credentials: [[String]]
    let baseURLVariables: [String]
    let defaultBaseURL: String
    let settings: [String]
    let authPrefix: String
    let extraHeaders: [String]
    let idempotencyKeyHeader: String?
    var testDescription: String { id.rawValue }
  }

  static let facts: [Facts] = [
    Facts(
      id: .fal, displayName: "fal", operations: [.list, .get, .create, .delete], paging: .cursor,
      maxPageSize: 100, reported: [.createdAt],
      credentials: [["FAL_ADMIN_KEY"], ["FAL_KEY"], ["FAL_KEY_ID", "FAL_KEY_SECRET"]],
      baseURLVariables: ["KEYCTL_FAL_BASE_URL"], defaultBaseURL: "https://api.fal.ai/v1",
      settings: [], authPrefix: "Key ", extraHeaders: [], idempotencyKeyHeader: "Idempotency-Key"),
    Facts(
      id: .px0, displayName: "px0",
      operations: [.list, .get, .create, .update, .delete, .regenerate], paging: .none,
      maxPageSize: nil, reported: [.createdAt, .lastUsedAt],
      credentials: [["PX0_ACCESS_TOKEN"], ["PX0_API_KEY"]],
      baseURLVariables: ["KEYCTL_PX0_BASE_URL", "PX0_HOST"],
      defaultBaseURL: "http://localhost:8000", settings: ["org_id"], authPrefix: "Bearer ",
      extraHeaders: [], idempotencyKeyHeader: nil),
    Facts(
      id: .cartesia, displayName: "Cartesia", operations: [.list, .get], paging: .startingAfter,
      maxPageSize: 100, reported: [.createdAt, .creatorMembership],
      credentials: [["CARTESIA_ADMIN_KEY"], ["CARTESIA_API_KEY"]],
      baseURLVariables: ["KEYCTL_CARTESIA_BASE_URL", "CARTESIA_BASE_URL"],
      defaultBaseURL: "https://api.cartesia.ai", settings: [], authPrefix: "Bearer ",
      extraHeaders: ["Cartesia-Version: 2026-03-01"], idempotencyKeyHeader: nil),
    Facts(
      id: .openrouter, displayName: "OpenRouter",
      operations: [.list, .get, .create, .update, .delete], paging: .offset, maxPageSize: 100,
      reported: [.createdAt, .expiresAt, .lastUsedAt, .status],
      credentials: [
        ["OPENROUTER_MANAGEMENT_KEY"], ["OPENROUTER_PROVISIONING_KEY"], ["OPENROUTER_API_KEY"],
      ],
      baseURLVariables: ["KEYCTL_OPENROUTER_BASE_URL", "OPENROUTER_BASE_URL"],
      defaultBaseURL: "https://openrouter.ai/api/v1", settings: ["workspace_id"],
      authPrefix: "Bearer ", extraHeaders: [], idempotencyKeyHeader: nil),
  ]

  @Test(arguments: facts)
  func eachDescriptorHoldsItsProvidersFacts(_ facts: Facts) throws {
    let descriptor = try #require(ProviderRegistry.descriptor(for: facts.id))
    #expect(descriptor.id == facts.id)
    #expect(descriptor.displayName == facts.displayName)
    #expect(descriptor.capabilities.operations == facts.operations)
    #expect(descriptor.capabilities.paging == facts.paging)
    #expect(descriptor.capabilities.maxPageSize == facts.maxPageSize)
    #expect(descriptor.capabilities.reportedFields == facts.reported)
    #expect(descriptor.capabilities.canCreate == facts.operations.contains(.create))
    #expect(descriptor.credentialSources == facts.credentials)
    #expect(descriptor.credentialVariables == facts.credentials.flatMap { $0 })
    #expect(descriptor.baseURLVariables == facts.baseURLVariables)
    #expect(descriptor.defaultBaseURL == facts.defaultBaseURL)
    #expect(descriptor.settings.map(\.key) == facts.settings)
    #expect(descriptor.authorization == AuthHeader(name: "Authorization", prefix: facts.authPrefix))
    #expect(descriptor.extraHeaders.map { "\($0.name): \($0.value)" } == facts.extraHeaders)
    #expect(descriptor.idempotencyKeyHeader == facts.idempotencyKeyHeader)
    // Every variable the advice names is one keyctl reads.
    #expect(descriptor.credentialAdvice.contains(facts.credentials[0][0]))
    // The forwarding names the command line uses read the same descriptor.
    #expect(facts.id.displayName == facts.displayName)
    #expect(facts.id.capabilities == descriptor.capabilities)
    #expect(facts.id.credentialVariables == descriptor.credentialVariables)
    #expect(facts.id.baseURLVariables == facts.baseURLVariables)
    #expect(facts.id.defaultBaseURL == facts.defaultBaseURL)
  }

  @Test func theListIsTheOutputOrderAndEveryIdIsUnique() {
    let names = Providers.all.map(\.id.rawValue)
    #expect(names == ["fal", "px0", "cartesia", "openrouter"])
    #expect(ProviderID.allCases == Providers.all.map(\.id))
    #expect(Set(names).count == names.count)
    #expect(
      [ProviderID.openrouter, .fal, .cartesia, .px0].sorted() == [
        .fal, .px0, .cartesia, .openrouter,
      ])
  }

  @Test func lookupIsByExactNameAndAnUnknownNameHasNoFacts() {
    #expect(ProviderRegistry.descriptor(for: ProviderID(rawValue: "fal"))?.id == .fal)
    #expect(ProviderRegistry.descriptor(for: ProviderID(rawValue: "FAL")) == nil)
    let unknown = ProviderID(rawValue: "nope")
    #expect(ProviderRegistry.descriptor(for: unknown) == nil)
    #expect(unknown.displayName == "nope")
    #expect(unknown.capabilities == .none)
    #expect(!unknown.capabilities.supports(.list))
    #expect(unknown.credential(in: ["FAL_KEY": "a:b"]) == nil)
    #expect("\(unknown)" == "nope")
    // Unknown names sort after the known ones, by name.
    #expect(
      [ProviderID(rawValue: "b"), .openrouter, ProviderID(rawValue: "a"), .fal].sorted().map(
        \.rawValue) == ["fal", "openrouter", "a", "b"])
  }

  @Test func theRegistryRefusesAnUnknownProviderBeforeAnyRequest() throws {
    let transport = MockTransport()
    let error = try #require(throws: KeyError.self) {
      try makeProvider(ProviderID(rawValue: "nope"), environment: [:], transport: transport)
    }
    #expect(error.kind == .usage)
    #expect(error.message.contains("fal, px0, cartesia, openrouter"))
    #expect(transport.requests.isEmpty)
  }

  @Test func theConfigSchemaIsBuiltFromTheDescriptors() {
    let schema = ProviderRegistry.configSchema
    #expect(schema == testSchema)
    #expect(schema.providerNames == ["fal", "px0", "cartesia", "openrouter"])
    #expect(schema.allowedKeys(for: "px0").last == "org_id")
  }

  @Test func theConfigInputsAreTheDescriptorsVariables() throws {
    for (id, expected) in [(ProviderID.fal, falInputs), (.px0, px0Inputs)] {
      let inputs = try #require(id.descriptor).configInputs
      #expect(inputs.name == expected.name)
      #expect(inputs.credentialVariables == expected.credentialVariables)
      #expect(inputs.baseURLVariables == expected.baseURLVariables)
      #expect(inputs.defaultBaseURL == expected.defaultBaseURL)
      #expect(inputs.settingVariables == expected.settingVariables)
    }
    let openRouter = try #require(ProviderID.openrouter.descriptor).configInputs
    #expect(openRouter.settingVariables == ["workspace_id": []])
  }

  /// DESIGN.md "Audit": which providers report the field each rule reads.
  @Test(arguments: [
    (AuditRule.expired, [ProviderID.openrouter]), (.expiring, [.openrouter]),
    (.disabled, [.openrouter]), (.unused, [.px0, .openrouter]), (.neverUsed, [.px0, .openrouter]),
    (.old, [.fal, .px0, .cartesia, .openrouter]), (.creatorLeft, [.cartesia]),
  ])
  func auditRulesApplyWhereTheDescriptorsSayTheFieldIsReported(
    _ rule: AuditRule, _ providers: [ProviderID]
  ) {
    #expect(rule.providers == Set(providers))
    for id in ProviderID.allCases {
      #expect(rule.applies(to: id) == providers.contains(id))
    }
    #expect(!rule.applies(to: ProviderID(rawValue: "nope")))
  }

  /// A provider keyctl does not ship: one descriptor is all a registry needs to
  /// build its adapter with the right header, base URL and error parser.
  @Test func aRegistryBuildsAProviderFromItsDescriptorAlone() async throws {
    let id = ProviderID(rawValue: "fifth")
    let descriptor = ProviderDescriptor(
      id: id, displayName: "Fifth",
      capabilities: Capabilities(
        operations: [.list], paging: .none, maxPageSize: nil, reportedFields: [.createdAt]),
      credentialSources: [["FIFTH_TOKEN"]], credentialAdvice: "set FIFTH_TOKEN",
      baseURLVariables: ["KEYCTL_FIFTH_BASE_URL"], defaultBaseURL: "https://fifth.example/v1",
      authorization: AuthHeader(name: "X-Api-Key", prefix: ""),
      extraHeaders: [("Fifth-Version", "7")], authHint: { _ in "use an admin token" },
      parseError: { _ in ProviderErrorBody(message: "from the fifth parser") },
      makeAdapter: { parts in FifthProvider(id: id, client: parts.client) })
    let transport = MockTransport([
      .json("GET", "/v1/keys", status: 500, body: "{}")
    ])
    let registry = ProviderRegistry(
      environment: ["FIFTH_TOKEN": "tok_secret"], settings: testSettings(transport),
      descriptors: [descriptor])
    #expect(registry.descriptor(for: .fal) == nil)
    let provider = try registry.makeWithoutRunning(id)
    let error = await #expect(throws: KeyError.self) {
      _ = try await provider.page(at: .start, options: ListOptions())
    }
    #expect(error?.message.contains("from the fifth parser") == true)
    let sent = try #require(transport.requests.first)
    #expect(sent.url.absoluteString == "https://fifth.example/v1/keys")
    #expect(sent.header("X-Api-Key") == "tok_secret")
    #expect(sent.header("Fifth-Version") == "7")
    #expect(sent.connectionGroup == "fifth")
  }
}

/// The adapter of the test's fifth provider: one GET through the client.
private struct FifthProvider: KeyProvider {
  let id: ProviderID
  let client: ProviderClient

  func page(at position: PagePosition, options: ListOptions) async throws -> Page {
    _ = try await client.get("/keys")
    return Page(keys: [], next: nil)
  }
}
