/// What one provider's key API supports, known before any request is made.
public struct Capabilities: Sendable, Equatable {
  /// How a provider's list endpoint moves from one page to the next.
  public enum Paging: String, Sendable {
    /// The whole list comes in one response.
    case none
    /// An opaque `cursor` / `next_cursor` pair (fal).
    case cursor
    /// The last id of a page is sent back as `starting_after` (Cartesia).
    case startingAfter = "starting_after"
    /// A numeric `offset` grown by the fixed page size (OpenRouter).
    case offset
  }

  /// Whether the provider's API can create keys at all.
  public var canCreate: Bool
  /// The paging style of the list endpoint.
  public var paging: Paging
  /// The largest page the provider serves, or nil when it has no page size.
  public var maxPageSize: Int?
}
