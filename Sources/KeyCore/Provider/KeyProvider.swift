import Foundation

/// One provider's key API behind keyctl's common vocabulary.
///
/// This is the seam between the command line and the providers: the commands
/// only ever see pages of normalized keys, single keys, created keys and
/// outcomes, and each adapter owns its wire types, paging parameters and error
/// format. Nothing about scheduling or performance is part of it.
///
/// An operation the provider's API cannot do is declared in its
/// `Capabilities`; the registry and the commands refuse it (exit 8) before
/// building a request, and the default implementations below refuse it again,
/// without a request, if an adapter is asked anyway.
public protocol KeyProvider: Sendable {
  /// Which provider this is.
  var id: ProviderID { get }

  /// Fetches the page at `position`; the returned page says where the next one is.
  func page(at position: PagePosition, options: ListOptions) async throws -> Page

  /// Where the page after a full page fetched at `position` starts, when the
  /// position alone says so (OpenRouter: the offset plus its fixed page size);
  /// nil when only the page's answer can tell (a cursor, a last id, one page).
  /// A fact of the provider's paging, which lets a listing ask for the next
  /// pages before this one is in; each page's own answer still decides where
  /// the listing goes.
  func positionAfterFullPage(at position: PagePosition, options: ListOptions) -> PagePosition?

  /// Reads one key by its id; a key that does not exist is `KeyError.noSuchKey` (exit 4).
  func key(id: String) async throws -> ApiKey

  /// Looks several keys up at once, for a plan shown before anything changes
  /// (`delete --dry-run`, a confirmation prompt): the keys in the order of
  /// `ids`, nil where the provider has no such key. A provider found only by
  /// listing (fal, px0) reads its listing once for all of them, stopping when
  /// every id is found; the others are read one by one.
  func keys(ids: [String]) async throws -> [ApiKey?]

  /// Creates a key and returns it with its secret, which the provider shows only once.
  func create(_ request: CreateRequest) async throws -> CreatedKey

  /// Applies `changes` to a key and returns it as the provider now has it.
  func update(id: String, _ changes: KeyChanges) async throws -> ApiKey

  /// Deletes a key; `.notFound` when the provider says it had no such key.
  func delete(id: String) async throws -> DeleteOutcome

  /// Gives a key a new secret under the same id; the old secret stops working.
  func regenerate(id: String) async throws -> CreatedKey

  /// The create request for a rotation's replacement of `old`: its name (or
  /// `name`, when given) and every setting the provider's API lets keyctl
  /// carry over. The adapter decides, because only it knows which of the
  /// settings in `old.raw` its create takes (px0 operation and team;
  /// OpenRouter limit, reset, BYOK flag, workspace and a future expiry).
  /// Sends nothing; a key with no name and no `name` given is a usage error.
  func replacement(for old: ApiKey, name: String?) throws -> CreateRequest
}

extension KeyProvider {
  /// Nil: the next page's position comes only from the page's answer.
  public func positionAfterFullPage(at position: PagePosition, options: ListOptions)
    -> PagePosition?
  {
    nil
  }

  /// Refuses, without a request: this adapter does not read single keys.
  public func key(id: String) async throws -> ApiKey {
    throw KeyError.unsupported(.get, by: self.id)
  }

  /// Reads each key with `key(id:)`, one after the other; a key the provider
  /// does not have is nil, any other failure ends the lookup.
  public func keys(ids: [String]) async throws -> [ApiKey?] {
    var found: [ApiKey?] = []
    for id in ids {
      do {
        found.append(try await key(id: id))
      } catch let error as KeyError where error.kind == .notFound {
        found.append(nil)
      }
    }
    return found
  }

  /// Refuses, without a request: this adapter does not create keys.
  public func create(_ request: CreateRequest) async throws -> CreatedKey {
    throw KeyError.unsupported(.create, by: id)
  }

  /// Refuses: a provider that cannot create keys cannot replace one.
  public func replacement(for old: ApiKey, name: String?) throws -> CreateRequest {
    throw KeyError.unsupported(.create, by: id)
  }

  /// Refuses, without a request: this adapter does not change keys.
  public func update(id: String, _ changes: KeyChanges) async throws -> ApiKey {
    throw KeyError.unsupported(.update, by: self.id)
  }

  /// Refuses, without a request: this adapter does not delete keys.
  public func delete(id: String) async throws -> DeleteOutcome {
    throw KeyError.unsupported(.delete, by: self.id)
  }

  /// Refuses, without a request: this adapter does not regenerate keys.
  public func regenerate(id: String) async throws -> CreatedKey {
    throw KeyError.unsupported(.regenerate, by: self.id)
  }

  /// `id` checked for this provider (`KeyID.checked`): every lifecycle method
  /// calls it first, so a bad id is exit 2 with no request, whoever calls.
  func checked(_ id: String) throws -> String {
    try KeyID.checked(id, for: self.id)
  }

  /// The keys of `ids` found by walking the listing of `options` from the
  /// start, stopping at the page that holds the last one still missing: for
  /// providers without a get-one endpoint. `matching` folds an id into the
  /// form the provider compares (px0's UUIDs in any case).
  func listed(
    _ ids: [String], options: ListOptions, matching: @Sendable (String) -> String = { $0 }
  ) async throws -> [ApiKey?] {
    var missing = Set(ids.map(matching))
    var found: [String: ApiKey] = [:]
    guard !missing.isEmpty else { return [] }
    for try await page in PageSequence(provider: self, options: options) {
      for key in page.keys where missing.remove(matching(key.id)) != nil {
        found[matching(key.id)] = key
      }
      if missing.isEmpty { break }
    }
    return ids.map { found[matching($0)] }
  }

  /// `id`'s key, found by `listed`, or `KeyError.noSuchKey`.
  func listedKey(
    _ id: String, options: ListOptions, matching: @Sendable (String) -> String = { $0 }
  )
    async throws -> ApiKey
  {
    guard let key = try await listed([id], options: options, matching: matching).first ?? nil else {
      throw KeyError.noSuchKey(id, at: self.id)
    }
    return key
  }

  /// Runs `request` for the key `id`, turning the provider's 404 (or 410)
  /// into `KeyError.noSuchKey`, for endpoints where nothing but the key can be
  /// missing.
  func naming<T>(_ id: String, _ request: () async throws -> T) async throws -> T {
    do {
      return try await request()
    } catch let error as KeyError where error.kind == .notFound && error.status != nil {
      throw KeyError.noSuchKey(id, at: self.id, status: error.status, requestID: error.requestID)
    }
  }

  /// Runs a DELETE: `.deleted` when it succeeds, `.notFound` when the
  /// provider answers 404 (or 410), since a bulk delete reports that per key
  /// and carries on; every other failure is thrown.
  func deleteOutcome(_ request: () async throws -> Void) async throws -> DeleteOutcome {
    do {
      try await request()
      return .deleted
    } catch let error as KeyError where error.kind == .notFound && error.status != nil {
      return .notFound
    }
  }

  /// The name of `old`'s replacement: `name` when given, else the old key's.
  func replacementName(for old: ApiKey, name: String?) throws -> String {
    let chosen = name ?? old.name
    guard let chosen, !chosen.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw KeyError(
        .usage,
        "\(id.displayName) key \(old.id) has no name to give its replacement; name it with --name",
        provider: id)
    }
    return chosen
  }

  /// Refuses changes this provider cannot make, and an update that changes
  /// nothing, before any request: the command line checks the same, but an
  /// adapter must not silently drop what it was asked to do.
  func checkChanges(_ changes: KeyChanges, allowed: KeyChanges.Fields) throws {
    if changes.isEmpty {
      throw KeyError(.usage, "an update needs at least one change", provider: id)
    }
    let refused = changes.fields.subtracting(allowed)
    if let field = KeyChanges.Fields.names.first(where: { refused.contains($0.field) }) {
      throw KeyError(
        .usage, "\(id.displayName) cannot change a key's \(field.name)", provider: id)
    }
  }

  /// The page size actually requested for these options: the user's choice
  /// clamped to what the provider serves, else the provider's maximum.
  func pageSize(for options: ListOptions) -> Int? {
    guard let maximum = id.capabilities.maxPageSize else { return nil }
    return min(maximum, max(1, options.pageSize ?? maximum))
  }
}
