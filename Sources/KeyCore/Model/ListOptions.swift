/// The filters of one listing: those the provider applies, and keyctl's own
/// name filter, which the listing applies to every provider's keys.
///
/// Each adapter reads the provider-side fields its API takes. All of them, and
/// the name filter, shape which keys a listing returns, so all of them are
/// bound into its cursor (`fingerprint`): a cursor resumed with other filters
/// would skip or repeat keys. Presentation (fields, sort) lives in the command.
public struct ListOptions: Sendable, Equatable {
  /// Requested page size; each adapter clamps it to what its API serves.
  public var pageSize: Int?
  /// How many pages may be in flight at once where the provider's paging
  /// allows it (OpenRouter's offsets; `--concurrency`). Like the page size it
  /// is not a filter and not in the fingerprint: a windowed listing hands out
  /// exactly the pages a sequential one does. 1 asks one page after another.
  public var concurrency = 1
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
  /// keyctl's own filter (`--name-contains`, repeatable): only keys whose name
  /// contains one of these, ignoring case; empty keeps every key. Applied by
  /// the listing before `--limit` counts keys (see `NameFilter`).
  public var nameContains: [String] = []

  /// Creates options with every filter off.
  public init() {}
}

extension ListOptions {
  /// A short fingerprint of every filter that shapes the listing (not the page
  /// size), stored in cursors so a cursor is only resumed with the filters
  /// that made it.
  ///
  /// The name filter counts as the set of its lower-cased values (the order
  /// and case of `--name-contains` values select the same keys); without one,
  /// the text is what it has always been, so older cursors still resume.
  public var fingerprint: String {
    var text = [
      expandCreator ? "e" : "", query ?? "", includeDisabled ? "d" : "", includeExpired ? "x" : "",
      workspaceID ?? "",
    ].joined(separator: "\u{1}")
    if let filter = NameFilter(nameContains) {
      let values = Set(filter.needles).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      text += "\u{1}n" + values.map { "\($0.utf8.count):\($0)" }.joined()
    }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return String(hash, radix: 16)
  }
}

/// `--name-contains`: keeps the keys whose name contains any of its values,
/// without regard to case.
///
/// Case is folded with the standard library's `lowercased()`, which is the
/// same whatever the locale. A key without a name never matches. It lives in
/// KeyCore so that every listing (`list`, and `audit` next) filters the same way.
public struct NameFilter: Sendable, Equatable {
  /// The values, lower-cased.
  public let needles: [String]

  /// The filter of `values`, or nil when there are none (no filter).
  public init?(_ values: [String]) {
    guard !values.isEmpty else { return nil }
    needles = values.map { $0.lowercased() }
  }

  /// Whether `key`'s name contains one of the values.
  public func matches(_ key: ApiKey) -> Bool {
    guard let name = key.name?.lowercased() else { return false }
    return needles.contains { name.firstRange(of: $0) != nil }
  }
}
