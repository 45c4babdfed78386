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
