import KeyCore

/// Looks many keys up at once, for `delete --dry-run` and the list a
/// confirmation prompt shows, with the fewest requests each provider allows.
///
/// A provider with a get endpoint is asked once per key (at most `width` at
/// once); a provider without one (fal; px0's one page) is paged through once
/// for all its keys, stopping as soon as every one is found, instead of once
/// per key (`Capabilities.keyLookup`).
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
  static func find(
    _ targets: [KeyTarget], adapters: [ProviderID: any KeyProvider], width: Int
  ) async throws -> [Found] {
    var found = [Found](repeating: .notFound, count: targets.count)
    var endpoint: [Int] = []
    var listing: [ProviderID: [Int]] = [:]
    for (index, target) in targets.enumerated() {
      if target.provider.capabilities.keyLookup == .listing {
        listing[target.provider, default: []].append(index)
      } else {
        endpoint.append(index)
      }
    }
    for provider in listing.keys.sorted() {
      guard let adapter = adapters[provider], let indices = listing[provider] else { continue }
      for (index, result) in try await pass(adapter, ids: indices.map { targets[$0].id }) {
        found[indices[index]] = result
      }
    }
    let asked = endpoint
    try await Window.run(
      count: asked.count, width: width,
      job: { position in
        let target = targets[asked[position]]
        guard let adapter = adapters[target.provider] else {
          return Found.failed(KeyError(.unexpected, "no adapter for \(target.provider)"))
        }
        do {
          return .key(try await adapter.key(id: target.id))
        } catch let error as KeyError where error.kind == .notFound {
          return .notFound
        } catch let error as KeyError {
          return .failed(error)
        } catch is CancellationError {
          return .failed(KeyError(.interrupted, "interrupted"))
        } catch {
          return .failed(KeyError(.unexpected, "\(error)"))
        }
      },
      skipped: { _ in .failed(KeyError(.interrupted, "interrupted")) },
      deliver: { position, result in found[asked[position]] = result })
    if Task.isCancelled || found.contains(where: \.isInterruption) {
      throw KeyError(.interrupted, "interrupted while looking the keys up; nothing was changed")
    }
    return found
  }

  /// One pass over `adapter`'s listing for `ids`, stopping once all are seen.
  /// A listing that fails makes every id not yet seen `failed` with its error.
  private static func pass(_ adapter: any KeyProvider, ids: [String]) async throws
    -> [(Int, Found)]
  {
    var wanted: [String: [Int]] = [:]
    for (index, id) in ids.enumerated() { wanted[id, default: []].append(index) }
    var results: [(Int, Found)] = []
    do {
      for try await page in PageSequence(provider: adapter, options: ListOptions()) {
        for key in page.keys {
          for index in wanted.removeValue(forKey: key.id) ?? [] {
            results.append((index, .key(key)))
          }
        }
        if wanted.isEmpty { break }
      }
      for index in wanted.values.joined() { results.append((index, .notFound)) }
    } catch let error as KeyError {
      if error.kind == .interrupted { throw error }
      for index in wanted.values.joined() { results.append((index, .failed(error))) }
    }
    return results
  }
}

extension KeyLookup.Found {
  /// Whether the lookup was cut short by Ctrl-C (or SIGTERM, SIGHUP).
  var isInterruption: Bool {
    if case .failed(let error) = self { return error.kind == .interrupted }
    return false
  }

  /// The key, when one was found.
  var key: ApiKey? {
    if case .key(let key) = self { return key }
    return nil
  }
}
