/// The providers keyctl speaks to.
///
/// The raw value is the name users type after `-p`, and `allCases` is the fixed
/// order in which a multi-provider listing prints keys, so that output order
/// never depends on which provider answered first.
public enum ProviderID: String, CaseIterable, Sendable, Hashable, Comparable {
  /// fal.ai's platform API.
  case fal
  /// px0, the self-hosted prompt infrastructure server.
  case px0
  /// Cartesia's admin API.
  case cartesia
  /// OpenRouter's management API.
  case openrouter

  /// The name people read in messages ("OpenRouter", not "openrouter").
  public var displayName: String {
    switch self {
    case .fal: "fal"
    case .px0: "px0"
    case .cartesia: "Cartesia"
    case .openrouter: "OpenRouter"
    }
  }

  /// What the provider's API can do; drives `keyctl providers`, help text and
  /// the "not supported" errors before any request is sent.
  public var capabilities: Capabilities {
    switch self {
    case .fal: Capabilities(canCreate: true, paging: .cursor, maxPageSize: 100)
    case .px0: Capabilities(canCreate: true, paging: .none, maxPageSize: nil)
    case .cartesia: Capabilities(canCreate: false, paging: .startingAfter, maxPageSize: 100)
    case .openrouter: Capabilities(canCreate: true, paging: .offset, maxPageSize: 100)
    }
  }

  /// Orders providers the way listings print them.
  public static func < (lhs: ProviderID, rhs: ProviderID) -> Bool {
    guard let left = allCases.firstIndex(of: lhs), let right = allCases.firstIndex(of: rhs) else {
      return false
    }
    return left < right
  }
}
