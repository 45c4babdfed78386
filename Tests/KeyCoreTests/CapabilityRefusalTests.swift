import Foundation
import Testing

@testable import KeyCore

/// An operation a provider's API cannot do is refused with exit 8 before any
/// request: by the registry when asked for it, and by the adapter itself.
@Suite struct CapabilityRefusalTests {
  /// Credentials for every provider, and px0's organization.
  static let environment = [
    "FAL_ADMIN_KEY": "id:secret", "PX0_ACCESS_TOKEN": "sess_x",
    "PX0_ORG_ID": "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f", "CARTESIA_ADMIN_KEY": "sk_car_admin_x",
    "OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-x",
  ]

  /// Every (provider, operation) pair the provider's API cannot do (DESIGN.md
  /// "Key lifecycle"): fal update and regenerate, Cartesia everything but
  /// list and get, OpenRouter regenerate.
  static let unsupported: [(ProviderID, Capabilities.Operation)] = [
    (.fal, .update), (.fal, .regenerate), (.cartesia, .create), (.cartesia, .update),
    (.cartesia, .delete), (.cartesia, .regenerate), (.openrouter, .regenerate),
  ]

  @Test func theTableIsExactlyWhatTheCapabilitiesLeaveOut() {
    let derived = ProviderID.allCases.flatMap { id in
      Capabilities.Operation.allCases.filter { !id.capabilities.supports($0) }.map { (id, $0) }
    }
    #expect(derived.map { "\($0.0) \($0.1)" } == Self.unsupported.map { "\($0.0) \($0.1)" })
  }

  @Test(arguments: unsupported)
  func theRegistryRefusesBeforeCredentialsOrRequests(
    _ id: ProviderID, _ operation: Capabilities.Operation
  ) throws {
    let transport = MockTransport()
    // No credentials at all: the refusal comes first, as exit 8, not exit 3.
    let error = try #require(throws: KeyError.self) {
      try makeProvider(id, environment: [:], transport: transport, for: [.list, operation])
    }
    #expect(error.kind == .unsupported)
    #expect(error.exitCode == 8)
    #expect(error.provider == id)
    let what = "\(id.displayName)'s API has no endpoint to \(operation.rawValue) keys"
    #expect(error.message == what + (operation == .create ? "; create them in its dashboard" : ""))
    #expect(error.hint == "See 'keyctl providers' for what each provider supports.")
    #expect(transport.requests.isEmpty)
  }

  @Test(arguments: unsupported)
  func theAdapterRefusesWithoutARequest(_ id: ProviderID, _ operation: Capabilities.Operation)
    async throws
  {
    let transport = MockTransport()
    let provider = try makeProvider(id, environment: Self.environment, transport: transport)
    let error = await #expect(throws: KeyError.self) {
      try await Self.perform(operation, on: provider)
    }
    #expect(error?.kind == .unsupported)
    #expect(error?.provider == id)
    #expect(transport.requests.isEmpty)
  }

  @Test func theRegistryBuildsWhatTheProviderSupports() throws {
    let provider = try makeProvider(
      .px0, environment: Self.environment, transport: MockTransport(),
      for: Capabilities.Operation.allCases)
    #expect(provider.id == .px0)
  }

  /// An adapter that lags its provider's capabilities (it declares get, the
  /// adapter has no `key(id:)`) still sends nothing, and says keyctl is the gap.
  @Test func anUnimplementedOperationIsRefusedNamingKeyctl() async throws {
    let stub = StubProvider(id: .cartesia, count: 1)
    let error = await #expect(throws: KeyError.self) { _ = try await stub.key(id: "k") }
    #expect(error?.kind == .unsupported)
    #expect(error?.message == "keyctl cannot get Cartesia keys yet")
  }

  @Test func changesSayWhetherTheyChangeAnything() {
    var changes = KeyChanges()
    #expect(changes.isEmpty)
    changes.creditLimit = .set(nil)
    #expect(!changes.isEmpty)
    #expect(changes.creditLimit.value == .some(nil))
    #expect(Change<Double?>.leave.value == nil)
    changes = KeyChanges()
    changes.teamIDs = []
    #expect(!changes.isEmpty)
    #expect(DeleteOutcome.notFound.rawValue == "not_found")
  }

  /// Calls the adapter's method for `operation`.
  static func perform(_ operation: Capabilities.Operation, on provider: any KeyProvider)
    async throws
  {
    switch operation {
    case .list: _ = try await provider.page(at: .start, options: ListOptions())
    case .get: _ = try await provider.key(id: "k1")
    case .create: _ = try await provider.create(CreateRequest(name: "n"))
    case .update:
      var changes = KeyChanges()
      changes.name = "n"
      _ = try await provider.update(id: "k1", changes)
    case .delete: _ = try await provider.delete(id: "k1")
    case .regenerate: _ = try await provider.regenerate(id: "k1")
    }
  }
}
