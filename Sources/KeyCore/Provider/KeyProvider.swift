/// One provider's key API behind keyctl's common vocabulary.
///
/// This is the seam between the command line and the providers: the commands
/// only ever see pages of normalized keys and created keys, and each adapter
/// owns its wire types, paging parameters and error format.
public protocol KeyProvider: Sendable {
  /// Which provider this is.
  var id: ProviderID { get }

  /// Fetches the page at `position`; the returned page says where the next one is.
  func page(at position: PagePosition, options: ListOptions) async throws -> Page

  /// Creates a key; providers whose API cannot throw `KeyError` of kind `.unsupported`.
  func create(_ request: CreateRequest) async throws -> CreatedKey
}

extension KeyProvider {
  /// The page size actually requested for these options: the user's choice
  /// clamped to what the provider serves, else the provider's maximum.
  func pageSize(for options: ListOptions) -> Int? {
    guard let maximum = id.capabilities.maxPageSize else { return nil }
    return min(maximum, max(1, options.pageSize ?? maximum))
  }
}
