/// A setting an update leaves alone or sets, for settings that can also be
/// set to nothing (OpenRouter's `limit: null` removes the credit limit).
///
/// `Change<Double?>` says the three things apart: `.leave` sends nothing,
/// `.set(nil)` sends `null`, `.set(5)` sends `5`.
public enum Change<Value: Sendable & Equatable>: Sendable, Equatable {
  /// The update does not mention the setting.
  case leave
  /// The update sets the setting to this value.
  case set(Value)

  /// The value to set, or nil when the setting is left alone.
  public var value: Value? {
    if case .set(let value) = self { return value }
    return nil
  }
}

/// What `keyctl update` asks a provider to change on one key.
///
/// One struct for every provider, like `CreateRequest`: each adapter sends
/// exactly the changes given, and the command line refuses a change given for
/// a provider that cannot make it before a request is built. A field left nil
/// (or `.leave`) is not sent, so an update never resets what it was not asked
/// to touch.
public struct KeyChanges: Sendable, Equatable {
  /// px0, OpenRouter: the new name.
  public var name: String?
  /// OpenRouter: `true` to disable the key, `false` to enable it.
  public var disabled: Bool?
  /// OpenRouter: the credit limit in USD, or `.set(nil)` to remove it.
  public var creditLimit: Change<Double?> = .leave
  /// OpenRouter: `daily`, `weekly`, `monthly`, or `.set(nil)` for no reset.
  public var limitReset: Change<String?> = .leave
  /// OpenRouter: count bring-your-own-key usage against the limit.
  public var includeByokInLimit: Bool?
  /// px0: `read_render`, `all` or `admin`.
  public var operation: String?
  /// px0: the teams the key is limited to (empty: org-wide).
  public var teamIDs: [String]?

  /// Creates changes that change nothing; set the fields to change afterwards.
  public init() {}

  /// Whether nothing would change: `keyctl update` refuses that (exit 2).
  public var isEmpty: Bool { self == KeyChanges() }
}

extension KeyChanges {
  /// Which settings an update touches, so an adapter can refuse one its
  /// provider cannot change instead of silently leaving it out.
  public struct Fields: OptionSet, Sendable, Hashable {
    /// The bits.
    public let rawValue: Int

    /// Wraps bits.
    public init(rawValue: Int) {
      self.rawValue = rawValue
    }

    /// `name`.
    public static let name = Fields(rawValue: 1 << 0)
    /// `disabled`.
    public static let disabled = Fields(rawValue: 1 << 1)
    /// `creditLimit`.
    public static let creditLimit = Fields(rawValue: 1 << 2)
    /// `limitReset`.
    public static let limitReset = Fields(rawValue: 1 << 3)
    /// `includeByokInLimit`.
    public static let includeByokInLimit = Fields(rawValue: 1 << 4)
    /// `operation`.
    public static let operation = Fields(rawValue: 1 << 5)
    /// `teamIDs`.
    public static let teamIDs = Fields(rawValue: 1 << 6)

    /// Each field with the words a message uses for it, in a fixed order.
    static let names: [(field: Fields, name: String)] = [
      (.name, "name"), (.disabled, "disabled state"), (.creditLimit, "credit limit"),
      (.limitReset, "limit reset"), (.includeByokInLimit, "BYOK-in-limit setting"),
      (.operation, "operation"), (.teamIDs, "teams"),
    ]
  }

  /// The settings this update touches.
  public var fields: Fields {
    var fields: Fields = []
    if name != nil { fields.insert(.name) }
    if disabled != nil { fields.insert(.disabled) }
    if creditLimit != .leave { fields.insert(.creditLimit) }
    if limitReset != .leave { fields.insert(.limitReset) }
    if includeByokInLimit != nil { fields.insert(.includeByokInLimit) }
    if operation != nil { fields.insert(.operation) }
    if teamIDs != nil { fields.insert(.teamIDs) }
    return fields
  }
}
