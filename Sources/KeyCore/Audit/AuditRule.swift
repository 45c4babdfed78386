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

  /// The providers that report the field this rule reads (DESIGN.md "Audit").
  ///
  /// A rule is applied only to their keys: a provider that does not track last
  /// use reports `null` for every key, and `never_used` must not read that as
  /// "never used". Kept here, in one switch, until the provider descriptors own it.
  public var providers: Set<ProviderID> {
    switch self {
    case .expired, .expiring, .disabled: [.openrouter]
    case .unused, .neverUsed: [.px0, .openrouter]
    case .old: Set(ProviderID.allCases)
    case .creatorLeft: [.cartesia]
    }
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
