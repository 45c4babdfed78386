import Foundation

/// One API key in keyctl's normalized shape, the same for every provider.
///
/// Every field of the public output schema is here; a field the provider does
/// not report is nil and prints as `null`, so scripts never have to test for a
/// missing key. `raw` keeps the provider's own object so that nothing the
/// normalization dropped is lost to a script that needs it.
public struct ApiKey: Sendable, Equatable {
  /// Who created a key, as far as the provider says.
  public struct Creator: Sendable, Equatable {
    /// The creator's email address.
    public var email: String?
    /// The creator's display name or nickname.
    public var name: String?
    /// The provider's id for the creator.
    public var id: String?

    /// Creates a creator; every part is optional because providers report different parts.
    public init(email: String? = nil, name: String? = nil, id: String? = nil) {
      self.email = email
      self.name = name
      self.id = id
    }
  }

  /// Whether a key can be used, where the provider says so.
  public enum Status: String, Sendable {
    /// The key works.
    case active
    /// The key was switched off.
    case disabled
    /// The key's expiry date has passed.
    case expired
  }

  /// The provider that holds the key.
  public var provider: ProviderID
  /// The provider's identifier for the key (fal `key_id`, OpenRouter `hash`, …).
  public var id: String
  /// The human name: fal `alias`, px0 `name`, Cartesia `description`, OpenRouter `name`.
  public var name: String?
  /// When the key was created.
  public var createdAt: Date?
  /// fal's `scope` or px0's `operation`.
  public var scope: String?
  /// Status where the provider reports it.
  public var status: Status?
  /// When the key stops working, if it does.
  public var expiresAt: Date?
  /// When the key was last used, if the provider tracks it.
  public var lastUsedAt: Date?
  /// Who created the key.
  public var creator: Creator
  /// The provider's object as received (see `RawJSON` for what is made safe).
  public var raw: RawJSON
  /// What keyctl could not show of the key and why, one sentence each (e.g. a
  /// date outside the years 0001–9999, shown as null); `list` prints them on
  /// stderr. Server text quoted in them is already blanked and bounded.
  public var notes: [String]

  /// Creates a normalized key; adapters call this from their mapping code.
  public init(
    provider: ProviderID, id: String, name: String?, createdAt: Date?, scope: String? = nil,
    status: Status? = nil, expiresAt: Date? = nil, lastUsedAt: Date? = nil,
    creator: Creator = Creator(), raw: RawJSON, notes: [String] = []
  ) {
    self.provider = provider
    self.id = id
    self.name = name
    self.createdAt = createdAt
    self.scope = scope
    self.status = status
    self.expiresAt = expiresAt
    self.lastUsedAt = lastUsedAt
    self.creator = creator
    self.raw = raw
    self.notes = notes
  }
}
