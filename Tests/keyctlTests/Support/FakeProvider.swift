import Foundation
import Testing

@testable import KeyCore
@testable import keyctl

/// A provider in memory behind the `KeyProvider` protocol, for the commands'
/// own logic (stdin, confirmation, concurrency, ordering, interruption, the
/// steps of a rotation) without any HTTP: it takes the place of one real
/// provider's adapter (same id, same capabilities) in a test's descriptors.
///
/// It records every call in order, counts deletes in flight (and the most at
/// once), can hold a delete until the test releases it or until it is
/// cancelled, answers deletes after a per-id delay (so they finish out of
/// order), and fails chosen calls with chosen errors.
final class FakeProvider: KeyProvider, @unchecked Sendable {
  let id: ProviderID
  private let lock = NSLock()
  private var keys: [ApiKey]
  private var calls: [String] = []
  private var running = 0
  private var mostRunning = 0
  private var finishedDeletes = 0
  private var created = 0
  private var held: Set<String> = []

  /// The page size of the fake's listing (a listing provider is paged).
  var pageSize = 2
  /// Seconds a delete of an id takes.
  var deleteDelay: @Sendable (String) -> Double = { _ in 0 }
  /// Errors chosen calls throw, by `"<call> <id>"` (`"delete k1"`, `"create"`, `"get k1"`, `"update k1"`).
  var failures: [String: KeyError] = [:]
  /// Called when a delete starts, with the id (a test reads stdout there).
  var onDelete: @Sendable (String) -> Void = { _ in }
  /// Whether a delete of an unknown id says deleted (fal) rather than not found.
  var deletesAnything = false

  /// A provider holding keys `names` (ids `k1`, `k2`, …) at `id`.
  init(_ id: ProviderID, names: [String]) {
    self.id = id
    self.keys = names.enumerated().map { index, name in
      FakeProvider.key(id, "k\(index + 1)", name: name)
    }
  }

  /// A provider holding exactly `keys`.
  init(_ id: ProviderID, keys: [ApiKey]) {
    self.id = id
    self.keys = keys
  }

  /// A key as an adapter would normalize it.
  static func key(_ provider: ProviderID, _ id: String, name: String?) -> ApiKey {
    ApiKey(
      provider: provider, id: id, name: name,
      createdAt: Date(timeIntervalSince1970: 1_767_225_600), scope: "API",
      raw: (try? RawJSON(parsing: Data("{\"id\":\"\(id)\"}".utf8))) ?? .null)
  }

  /// Every call so far, in order: `list`, `get k1`, `keys k1,k2`, `create NAME`,
  /// `delete k1`, `update k1`, `regenerate k1`.
  var log: [String] { lock.withLock { calls } }
  /// The ids still held.
  var ids: [String] { lock.withLock { keys.map(\.id) } }
  /// The most deletes that were in flight at once.
  var mostInFlight: Int { lock.withLock { mostRunning } }
  /// Deletes that have finished (answered or failed).
  var deletesFinished: Int { lock.withLock { finishedDeletes } }
  /// Deletes in flight now.
  var inFlight: Int { lock.withLock { running } }

  /// Makes deletes of `ids` wait until `release` (or until cancelled).
  func hold(_ ids: [String]) { lock.withLock { held.formUnion(ids) } }
  /// Lets held deletes of `ids` go on.
  func release(_ ids: [String]) { lock.withLock { held.subtract(ids) } }

  /// The secret of the `number`th key created.
  static func secret(_ number: Int) -> String { "fake-secret-\(number)-7c1e9a" }

  /// A descriptor of `id` with this fake as its adapter, and the real provider's facts.
  func descriptor() throws -> ProviderDescriptor {
    let real = try #require(Providers.table[id])
    return ProviderDescriptor(
      id: real.id, displayName: real.displayName, capabilities: real.capabilities,
      credentialSources: real.credentialSources, credentialAdvice: real.credentialAdvice,
      baseURLVariables: real.baseURLVariables, defaultBaseURL: real.defaultBaseURL,
      settings: real.settings, keyIDsAreUUIDs: real.keyIDsAreUUIDs,
      authorization: real.authorization, extraHeaders: real.extraHeaders,
      idempotencyKeyHeader: real.idempotencyKeyHeader, authHint: real.authHint,
      parseError: real.parseError, makeAdapter: { _ in self })
  }

  private func record(_ call: String) throws {
    let failure: KeyError? = lock.withLock {
      calls.append(call)
      return failures[call]
    }
    if let failure { throw failure }
  }

  func page(at position: PagePosition, options: ListOptions) async throws -> Page {
    try record("list")
    var start = 0
    if case .token(let token) = position { start = Int(token) ?? 0 }
    return lock.withLock {
      let end = min(keys.count, start + pageSize)
      return Page(
        keys: Array(keys[start..<end]), next: end < keys.count ? .token(String(end)) : nil)
    }
  }

  func key(id: String) async throws -> ApiKey {
    try record("get \(id)")
    return try stored(id)
  }

  /// The key held under `id`, or the provider's 404, without recording a call.
  private func stored(_ id: String) throws -> ApiKey {
    guard let key = lock.withLock({ keys.first { $0.id == id } }) else {
      throw KeyError.noSuchKey(id, at: self.id, status: 404)
    }
    return key
  }

  /// All of `ids` at once, as the real adapters do (one listing pass at fal
  /// and px0): recorded as one call, `keys k1,k2`.
  func keys(ids: [String]) async throws -> [ApiKey?] {
    try record("keys " + ids.joined(separator: ","))
    return lock.withLock { ids.map { id in keys.first { $0.id == id } } }
  }

  /// The old key's name (or `name`), as fal's adapter carries it.
  func replacement(for old: ApiKey, name: String?) throws -> CreateRequest {
    CreateRequest(name: try replacementName(for: old, name: name))
  }

  func create(_ request: CreateRequest) async throws -> CreatedKey {
    try record("create \(request.name)")
    return lock.withLock {
      created += 1
      let key = FakeProvider.key(id, "new\(created)", name: request.name)
      keys.insert(key, at: 0)
      return CreatedKey(key: key, secret: FakeProvider.secret(created))
    }
  }

  func update(id: String, _ changes: KeyChanges) async throws -> ApiKey {
    try record("update \(id)")
    return try stored(id)
  }

  func regenerate(id: String) async throws -> CreatedKey {
    try record("regenerate \(id)")
    let key = try stored(id)
    return lock.withLock {
      created += 1
      return CreatedKey(key: key, secret: FakeProvider.secret(created))
    }
  }

  func delete(id: String) async throws -> DeleteOutcome {
    lock.withLock {
      running += 1
      mostRunning = max(mostRunning, running)
    }
    defer {
      lock.withLock {
        running -= 1
        finishedDeletes += 1
      }
    }
    onDelete(id)
    try record("delete \(id)")
    do {
      try await Task.sleep(nanoseconds: UInt64(deleteDelay(id) * 1e9))
      while lock.withLock({ held.contains(id) }) { try await Task.sleep(nanoseconds: 2_000_000) }
    } catch {
      throw KeyError(.interrupted, "interrupted", provider: self.id)
    }
    let existed = lock.withLock {
      let before = keys.count
      keys.removeAll { $0.id == id }
      return keys.count < before
    }
    return existed || deletesAnything ? .deleted : .notFound
  }
}

/// Runs keyctl in-process against fake providers.
enum FakeCLI {
  /// Credentials for every provider (the fakes ignore them; the registry checks they are set).
  static let environment = [
    "FAL_ADMIN_KEY": "fake:admin", "PX0_ACCESS_TOKEN": "sess_fake",
    "PX0_ORG_ID": "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f", "CARTESIA_ADMIN_KEY": "sk_car_admin_fake",
    "OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-fake",
  ]

  /// A context whose providers are `fakes` (the others real, unreachable).
  static func context(
    _ fakes: [FakeProvider], stdin: String = "", terminal: Bool = false,
    stdout: OutputSink = OutputSink(), environment: [String: String] = environment
  ) throws -> CommandContext {
    var context = TestCLI.context(environment: environment)
    context.stdout = stdout
    context.stdin = StandardInput(text: stdin)
    context.stdinIsTTY = terminal
    context.stderrIsTTY = terminal
    let replaced = try fakes.map { try $0.descriptor() }
    context.descriptors = Providers.all.map { real in
      replaced.first { $0.id == real.id } ?? real
    }
    return context
  }

  /// Runs `arguments` to the end.
  static func run(
    _ arguments: [String], _ fakes: [FakeProvider], stdin: String = "", terminal: Bool = false,
    stdout: OutputSink = OutputSink(), environment: [String: String] = environment
  ) async throws -> Outcome {
    let context = try context(
      fakes, stdin: stdin, terminal: terminal, stdout: stdout, environment: environment)
    let code = await Runner.run(arguments, context: context)
    return Outcome(code: code, stdout: context.stdout.text, stderr: context.stderr.text)
  }
}

/// A command line keyctl must refuse before any request: its arguments, the
/// exit code and (part of) the message.
struct RefusedCall: Sendable, CustomTestStringConvertible {
  let arguments: [String]
  let code: Int32
  let message: String
  var testDescription: String { arguments.joined(separator: " ") }
}
