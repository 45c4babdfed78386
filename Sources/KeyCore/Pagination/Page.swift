/// Where a provider's listing stands: at its start, or at a provider-specific
/// token (fal's cursor, Cartesia's last id, OpenRouter's offset).
public enum PagePosition: Sendable, Hashable {
  /// The first page.
  case start
  /// A later page, named the provider's way.
  case token(String)
}

/// One page of keys and where the next page is, if there is one.
public struct Page: Sendable {
  /// The keys of this page, in the provider's order.
  public var keys: [ApiKey]
  /// The next page's position, or nil at the end.
  public var next: PagePosition?

  /// Creates a page.
  public init(keys: [ApiKey], next: PagePosition?) {
    self.keys = keys
    self.next = next
  }
}
