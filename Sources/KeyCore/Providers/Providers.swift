/// The providers keyctl knows, in output order: the one list a provider is
/// added to.
///
/// Everything else — `ProviderID.allCases`, the registry's table, the config
/// schema, help, `keyctl providers`, the audit rules — is derived from it.
public enum Providers {
  /// Every provider's descriptor; the order is the order of listings.
  public static let all: [ProviderDescriptor] = [.fal, .px0, .cartesia, .openrouter]

  /// The ids of `all`, in order.
  static let ids = all.map(\.id)

  /// Each id's place in `all`, for sorting.
  static let order = Dictionary(
    all.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })

  /// Each id's descriptor.
  static let table = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
}
