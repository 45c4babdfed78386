import Foundation

/// What `keyctl create` asks a provider for.
///
/// One struct for every provider: each adapter reads the fields its API takes,
/// and the command line refuses a field given for a provider that does not take
/// it before a request is built.
public struct CreateRequest: Sendable, Equatable {
  /// The new key's name (fal `alias`, px0 and OpenRouter `name`).
  public var name: String
  /// px0: teams the key is limited to; empty means org-wide.
  public var teamIDs: [String] = []
  /// px0: `read_render`, `all` or `admin`.
  public var operation: String?
  /// OpenRouter: the credit limit in USD.
  public var creditLimit: Double?
  /// OpenRouter: `daily`, `weekly` or `monthly`.
  public var limitReset: String?
  /// OpenRouter: count bring-your-own-key usage against the limit.
  public var includeByokInLimit: Bool?
  /// OpenRouter: when the key expires (sent in UTC).
  public var expiresAt: Date?
  /// OpenRouter: the workspace that owns the key.
  public var workspaceID: String?

  /// Creates a request with just a name; set the provider options afterwards.
  public init(name: String) {
    self.name = name
  }
}
