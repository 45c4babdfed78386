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

  /// Reads one key by its id; a key that does not exist is `KeyError` of kind `.notFound`.
  func key(id: String) async throws -> ApiKey

  /// Creates a key and returns it with its secret, which the provider shows only once.
  func create(_ request: CreateRequest) async throws -> CreatedKey

  /// Applies `changes` to a key and returns it as the provider now has it.
  func update(id: String, _ changes: KeyChanges) async throws -> ApiKey

  /// Deletes a key; `.notFound` when the provider says it had no such key.
  func delete(id: String) async throws -> DeleteOutcome

  /// Gives a key a new secret under the same id; the old secret stops working.
  func regenerate(id: String) async throws -> CreatedKey

  /// The create request that replaces `old` when it is rotated: `name` (else
  /// the old key's name) and every setting the API lets keyctl carry over.
  /// The adapter decides, because only it knows which of its wire fields (in
  /// `old.raw`) a create takes back; an expiry is carried only while it is
  /// still after `now`. Reads nothing over the network.
  func replacement(for old: ApiKey, name: String?, now: Date) throws -> CreateRequest
}

extension KeyProvider {
  /// Refuses, without a request: this adapter does not read single keys.
  public func key(id: String) async throws -> ApiKey {
    throw KeyError.unsupported(.get, by: self.id)
  }

  /// Refuses, without a request: this adapter does not create keys.
  public func create(_ request: CreateRequest) async throws -> CreatedKey {
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

  /// Carries over the name only: what a provider whose keys have no other
  /// settings (fal: an alias and nothing else) can give a replacement.
  public func replacement(for old: ApiKey, name: String?, now: Date) throws -> CreateRequest {
    CreateRequest(name: name ?? old.name ?? "")
  }

  /// The page size actually requested for these options: the user's choice
  /// clamped to what the provider serves, else the provider's maximum.
  func pageSize(for options: ListOptions) -> Int? {
    guard let maximum = id.capabilities.maxPageSize else { return nil }
    return min(maximum, max(1, options.pageSize ?? maximum))
  }
}
