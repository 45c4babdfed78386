import KeyCore

/// `--sort created_at|name`, with `-` for descending. Sorting needs the whole
/// list, so it cannot be combined with `--limit` or `--cursor`.
struct KeySort {
  let field: KeyField
  let descending: Bool

  init?(_ invocation: Invocation) throws {
    guard var text = invocation.string("sort") else { return nil }
    descending = text.hasPrefix("-")
    if descending { text.removeFirst() }
    guard let field = KeyField(rawValue: text), field == .createdAt || field == .name else {
      throw invocation.usageError(
        "invalid value '\(invocation.string("sort") ?? "")' for '--sort': expected created_at or "
          + "name (prefix - for descending)")
    }
    if invocation.has("limit") || invocation.has("cursor") {
      throw invocation.usageError(
        "'--sort' needs the whole list, so it cannot be combined with '--limit' or '--cursor'")
    }
    self.field = field
  }

  /// The keys in order; keys without the field go last, ties keep their listing order.
  func apply(_ keys: [ApiKey]) -> [ApiKey] {
    let indexed = keys.enumerated().map { ($0.offset, $0.element) }
    let ordered = indexed.sorted { left, right in
      let order = compare(left.1, right.1)
      return order == 0 ? left.0 < right.0 : order < 0
    }
    return ordered.map(\.1)
  }

  private func compare(_ left: ApiKey, _ right: ApiKey) -> Int {
    switch field {
    case .name:
      return ordered(left.name?.lowercased(), right.name?.lowercased())
    default:
      return ordered(left.createdAt, right.createdAt)
    }
  }

  private func ordered<T: Comparable>(_ left: T?, _ right: T?) -> Int {
    switch (left, right) {
    case (nil, nil): return 0
    case (nil, _): return 1
    case (_, nil): return -1
    case (let left?, let right?):
      if left == right { return 0 }
      return (left < right) != descending ? -1 : 1
    }
  }
}
