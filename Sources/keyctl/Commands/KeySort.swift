import KeyCore

/// `--sort created_at|name`, with `-` for descending. Sorting needs the whole
/// list, so `list` refuses it with `--limit` or `--cursor`.
struct KeySort: Sendable {
  /// The fields a list can be sorted by.
  static let fields: [KeyField] = [.createdAt, .name]
  /// Every value `--sort` takes, for help and completion.
  static let choices = fields.flatMap { [$0.rawValue, "-" + $0.rawValue] }

  /// The field compared.
  let field: KeyField
  /// Whether the order is reversed (keys without the field still go last).
  let descending: Bool

  /// Reads `--sort`'s value, or throws the usage error naming the choices.
  init(_ text: String, _ context: ValueContext) throws {
    descending = text.hasPrefix("-")
    guard let field = KeyField(rawValue: String(text.dropFirst(descending ? 1 : 0))),
      Self.fields.contains(field)
    else {
      let suggestion =
        Suggestions.closest(to: text, in: Self.choices).map { ". Did you mean '\($0)'?" } ?? ""
      throw context.invalid(
        text, expected: "created_at or name (prefix - for descending)\(suggestion)")
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

  /// -1, 0 or 1 as `left` goes before, with or after `right`.
  private func compare(_ left: ApiKey, _ right: ApiKey) -> Int {
    switch field {
    case .name:
      return ordered(left.name?.lowercased(), right.name?.lowercased())
    default:
      return ordered(left.createdAt, right.createdAt)
    }
  }

  /// `compare` for optional values: nil last, whatever the direction.
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
