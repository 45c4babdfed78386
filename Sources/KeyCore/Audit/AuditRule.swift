/// The rules `keyctl audit` checks, named as `--rules` and the output spell them.
///
/// The order of `allCases` is the order DESIGN.md lists them, and the order in
/// which one key's findings are reported, so output never depends on a set's order.
public enum AuditRule: String, CaseIterable, Sendable, Hashable {
  /// `expires_at` ≤ as-of.
  case expired
  /// as-of < `expires_at` ≤ as-of + expiring-days.
  case expiring
  /// The provider reports the key as disabled.
  case disabled
  /// Last used more than unused-days before as-of.
  case unused
  /// Never used, and created more than unused-days before as-of.
  case neverUsed = "never_used"
  /// Created more than max-age days before as-of.
  case old
  /// The key's creator has left the organization.
  case creatorLeft = "creator_left"

  /// The field of the normalized key this rule reads.
  public var field: Capabilities.ReportedField {
    switch self {
    case .expired, .expiring: .expiresAt
    case .disabled: .status
    case .unused, .neverUsed: .lastUsedAt
    case .old: .createdAt
    case .creatorLeft: .creatorMembership
    }
  }

  /// Whether the rule applies to `provider`'s keys: only when the provider
  /// reports the field the rule reads (its descriptor's capabilities say so).
  /// A provider that does not track last use reports `null` for every key,
  /// and `never_used` must not read that as "never used".
  public func applies(to provider: ProviderID) -> Bool {
    provider.capabilities.reports(field)
  }

  /// The providers whose keys this rule is applied to (DESIGN.md "Audit"),
  /// derived from the descriptors.
  public var providers: Set<ProviderID> {
    Set(ProviderID.allCases.filter(applies(to:)))
  }

  /// Parses `--rules LIST`: comma-separated rule names, spaces around them
  /// ignored, repeats counted once, in `allCases` order.
  ///
  /// An empty list or an unknown name is a usage error (exit 2) with a "did you
  /// mean", before any request is sent.
  public static func parseList(_ text: String, option: String = "--rules") throws(KeyError)
    -> [AuditRule]
  {
    let names = allCases.map(\.rawValue)
    var chosen = Set<AuditRule>()
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      let name = part.trimmingSpaces
      guard !name.isEmpty else {
        throw KeyError.usage(
          "\(option) needs a comma-separated list of rules, without empty items; rules: "
            + names.joined(separator: ", "))
      }
      guard let rule = AuditRule(rawValue: name) else {
        let suggestion = Suggestion.closest(to: name, in: names).map { " Did you mean '\($0)'?" }
        throw KeyError.usage(
          "unknown rule '\(name)' in \(option).\(suggestion ?? "") Rules: "
            + names.joined(separator: ", "))
      }
      chosen.insert(rule)
    }
    return allCases.filter(chosen.contains)
  }
}

extension Substring {
  /// The text without spaces and tabs at either end (no Foundation, no locale).
  fileprivate var trimmingSpaces: String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    guard let first = firstIndex(where: { !isSpace($0) }),
      let last = lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(self[first...last])
  }
}
