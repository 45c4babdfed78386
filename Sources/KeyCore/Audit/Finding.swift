/// One broken rule on one key: what `keyctl audit` reports.
///
/// `provider`, `id` and `name` are read from `key` rather than stored beside
/// it, so a finding cannot disagree with the key it is about.
public struct Finding: Sendable, Equatable {
  /// The rule the key breaks.
  public var rule: AuditRule
  /// Why, with dates and day counts: "last used 2026-01-02, 91 days before 2026-04-03".
  public var detail: String
  /// The key, normalized, for `-o json`.
  public var key: ApiKey

  /// Creates a finding.
  public init(rule: AuditRule, detail: String, key: ApiKey) {
    self.rule = rule
    self.detail = detail
    self.key = key
  }

  /// The key's provider.
  public var provider: ProviderID { key.provider }
  /// The key's id.
  public var id: String { key.id }
  /// The key's name, if it has one.
  public var name: String? { key.name }
}
