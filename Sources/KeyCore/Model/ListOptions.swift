/// Provider filters for `keyctl list`, applied by the provider itself.
///
/// Each adapter reads the fields its API takes; keyctl's own client-side
/// filters (name, fields, sort) live in the command, not here.
public struct ListOptions: Sendable, Equatable {
  /// Requested page size; each adapter clamps it to what its API serves.
  public var pageSize: Int?
  /// fal: ask for `expand=creator_info`.
  public var expandCreator = false
  /// Cartesia: free-text query (`q`).
  public var query: String?
  /// OpenRouter: include disabled keys.
  public var includeDisabled = false
  /// OpenRouter: include expired keys.
  public var includeExpired = false
  /// OpenRouter: the workspace to list.
  public var workspaceID: String?

  /// Creates options with every filter off.
  public init() {}
}

extension ListOptions {
  /// A short fingerprint of the provider-side filters (not the page size), stored
  /// in cursors so a cursor is only resumed with the filters that made it.
  public var fingerprint: String {
    let text = [
      expandCreator ? "e" : "", query ?? "", includeDisabled ? "d" : "", includeExpired ? "x" : "",
      workspaceID ?? "",
    ].joined(separator: "\u{1}")
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return String(hash, radix: 16)
  }
}
