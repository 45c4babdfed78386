/// What one `list` call asks for across its providers.
public struct ListingRequest: Sendable {
  /// The providers to list, in output order.
  public var providers: [any KeyProvider]
  /// Provider-side filters and page size.
  public var options: ListOptions
  /// Stop after this many keys and report a cursor.
  public var limit: Int?
  /// Resume from here.
  public var cursor: PageCursor?
  /// A further client-side filter applied before `limit` counts keys (after
  /// `options.nameContains`). It is not bound into the cursor: a caller using
  /// it must bind it some other way.
  public var keep: (@Sendable (ApiKey) -> Bool)?

  /// Creates a request.
  public init(
    providers: [any KeyProvider], options: ListOptions, limit: Int? = nil,
    cursor: PageCursor? = nil,
    keep: (@Sendable (ApiKey) -> Bool)? = nil
  ) {
    self.keep = keep
    self.providers = providers
    self.options = options
    self.limit = limit
    self.cursor = cursor
  }
}

/// How a listing ended.
public struct ListingResult: Sendable {
  /// Where to resume, when `--limit` stopped the listing before the end.
  public var nextCursor: PageCursor?
  /// Each provider that failed, in output order.
  public var errors: [KeyError]
}

/// Lists several providers at once and delivers their keys in a fixed order.
///
/// Every provider is fetched concurrently (pages within one provider stay in
/// order), but keys are delivered provider by provider in `providers` order,
/// so the output is the same whichever provider answers first. A failing
/// provider is reported in the result without stopping the others.
public enum Listing {
  /// Runs the listing, calling `deliver` with each batch of keys in output order.
  /// An error thrown by `deliver` (a closed pipe) stops everything and is rethrown.
  public static func run(
    _ request: ListingRequest, deliver: (ProviderID, [ApiKey]) async throws -> Void
  ) async throws -> ListingResult {
    let providers = request.providers
    let options = request.options
    let starts: [PageCursor.State] = providers.map { provider in
      request.cursor?.states[provider.id]
        ?? .at(.start, skip: 0, pageSize: provider.pageSize(for: options))
    }
    let channels = providers.indices.map { PageChannel(capacity: $0 == 0 ? 2 : Int.max) }
    let nameFilter = NameFilter(options.nameContains)
    let filtered = nameFilter != nil || request.keep != nil

    return try await withThrowingTaskGroup(of: Void.self) { group in
      for index in providers.indices {
        guard case .at(let position, let skip, let pageSize) = starts[index] else { continue }
        var providerOptions = options
        providerOptions.pageSize = pageSize
        let sequence = PageSequence(
          provider: providers[index], start: position, options: providerOptions)
        // Without a client-side filter no provider needs more than limit + skip keys
        // (saturating: --limit may be as large as Int.max).
        let budget = filtered ? nil : request.limit.map { Self.sum($0, skip) }
        let channel = channels[index]
        group.addTask { await produce(sequence, budget: budget, into: channel) }
      }

      var remaining = request.limit
      var states: [ProviderID: PageCursor.State] = [:]
      var errors: [KeyError] = []
      var stopped = false
      do {
        for index in providers.indices {
          let id = providers[index].id
          guard case .at(let startPosition, var skip, let pageSize) = starts[index], !stopped else {
            states[id] = starts[index]
            continue
          }
          var resumeAt = PageCursor.State.at(startPosition, skip: skip, pageSize: pageSize)
          do {
            while let page = try await channels[index].receive() {
              var batch: [ApiKey] = []
              var consumed = 0
              var full = false
              for key in page.keys {
                consumed += 1
                if skip > 0 {
                  skip -= 1
                  continue
                }
                if let nameFilter, !nameFilter.matches(key) { continue }
                if let keep = request.keep, !keep(key) { continue }
                batch.append(key)
                if let left = remaining, batch.count >= left {
                  full = true
                  break
                }
              }
              if !batch.isEmpty { try await handOver(id, batch, to: deliver) }
              remaining = remaining.map { $0 - batch.count }
              if full {
                if consumed < page.keys.count {
                  states[id] = .at(page.position, skip: consumed, pageSize: pageSize)
                } else {
                  states[id] = page.next.map { .at($0, skip: 0, pageSize: pageSize) } ?? .done
                }
                stopped = true
                break
              }
              resumeAt = page.next.map { .at($0, skip: 0, pageSize: pageSize) } ?? .done
            }
            if !stopped { states[id] = .done }
          } catch let error as KeyError {
            errors.append(error)
            states[id] = resumeAt
          }
        }
      } catch let failure as DeliveryFailure {
        for channel in channels { await channel.close() }
        group.cancelAll()
        throw failure.underlying
      }
      for channel in channels { await channel.close() }
      group.cancelAll()
      if Task.isCancelled { throw KeyError(.interrupted, "interrupted") }
      let unfinished = states.values.contains { $0 != .done }
      let cursor =
        stopped && unfinished ? PageCursor(states: states, filter: options.fingerprint) : nil
      return ListingResult(nextCursor: cursor, errors: errors)
    }
  }

  /// `a + b`, or `Int.max` when that overflows: a budget that large is "no budget".
  static func sum(_ a: Int, _ b: Int) -> Int {
    let (total, overflow) = a.addingReportingOverflow(b)
    return overflow ? (b < 0 ? Int.min : Int.max) : total
  }

  /// Wraps the writer's own failure so it is not mistaken for a provider's.
  private struct DeliveryFailure: Error {
    let underlying: any Error
  }

  private static func handOver(
    _ id: ProviderID, _ keys: [ApiKey], to deliver: (ProviderID, [ApiKey]) async throws -> Void
  ) async throws {
    do {
      try await deliver(id, keys)
    } catch {
      throw DeliveryFailure(underlying: error)
    }
  }

  private static func produce(_ sequence: PageSequence, budget: Int?, into channel: PageChannel)
    async
  {
    var produced = 0
    do {
      for try await page in sequence {
        guard await channel.send(page) else { return }
        produced += page.keys.count
        if let budget, produced >= budget { break }
      }
      await channel.finish(nil)
    } catch let error as KeyError {
      await channel.finish(error)
    } catch {
      let kind: KeyError.Kind = error is CancellationError ? .interrupted : .unexpected
      await channel.finish(
        KeyError(
          kind, "\(sequence.provider.id.displayName): \(error)", provider: sequence.provider.id))
    }
  }
}
