import KeyCore

/// Looks many keys up at once, for `delete --dry-run` and the list a
/// confirmation prompt shows.
///
/// Each provider is asked once for all of its keys (`KeyProvider.keys(ids:)`),
/// so a provider found only by listing (fal, px0) is paged through once,
/// stopping when every id is found, rather than once per id. A provider whose
/// lookup fails marks its keys `failed`; the others still answer.
enum KeyLookup {
  /// What a lookup found.
  enum Found: Sendable {
    /// The key exists; here it is.
    case key(ApiKey)
    /// The provider has no such key.
    case notFound
    /// The lookup failed.
    case failed(KeyError)
  }

  /// What was found for each target, in the targets' order. An interruption
  /// is thrown (`.interrupted`): a half-done lookup is worth nothing.
  static func find(_ targets: [KeyTarget], adapters: [ProviderID: any KeyProvider]) async throws
    -> [Found]
  {
    var found = [Found](repeating: .notFound, count: targets.count)
    var byProvider: [ProviderID: [Int]] = [:]
    for (index, target) in targets.enumerated() {
      byProvider[target.provider, default: []].append(index)
    }
    for provider in byProvider.keys.sorted() {
      guard let indices = byProvider[provider] else { continue }
      do {
        guard let adapter = adapters[provider] else {
          throw KeyError(.unexpected, "no adapter for \(provider)", provider: provider)
        }
        let keys = try await adapter.keys(ids: indices.map { targets[$0].id })
        for (index, key) in zip(indices, keys) { found[index] = key.map(Found.key) ?? .notFound }
      } catch let error as KeyError where error.kind != .interrupted {
        for index in indices { found[index] = .failed(error) }
      } catch let error as KeyError where error.kind == .interrupted {
        throw interrupted
      } catch is CancellationError {
        throw interrupted
      } catch {
        let failure = KeyError(.unexpected, "\(error)", provider: provider)
        for index in indices { found[index] = .failed(failure) }
      }
      if Task.isCancelled { throw interrupted }
    }
    return found
  }
}

extension KeyLookup {
  /// Ctrl-C (or SIGTERM, SIGHUP) during the lookups: nothing was changed yet.
  static var interrupted: KeyError {
    KeyError(.interrupted, "interrupted while looking the keys up; nothing was changed")
  }
}

extension KeyLookup.Found {
  /// The key, when one was found.
  var key: ApiKey? {
    if case .key(let key) = self { return key }
    return nil
  }
}
