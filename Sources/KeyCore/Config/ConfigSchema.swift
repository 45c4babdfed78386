/// Which tables and keys keyctl's config file may hold.
///
/// The provider names and each provider's extra keys (px0 `org_id`, OpenRouter
/// `workspace_id`) are an input rather than read from `ProviderID`, so that the
/// provider descriptors stay the one place that knows them: the registry builds
/// a schema from its descriptors (`ProviderRegistry.configSchema`), and tests
/// build small ones.
public struct ConfigSchema: Sendable, Equatable {
  /// The keys that name where a credential comes from; a table may set at most one.
  public static let credentialKeys = ["credential_env", "credential_file", "credential_command"]
  /// The keys every provider table accepts.
  public static let commonKeys = credentialKeys + ["base_url"]
  /// The name of the table that holds profiles: `[profile.NAME.PROVIDER]`.
  public static let profileTable = "profile"

  /// Provider names in the order messages list them.
  public let providerNames: [String]
  /// Each provider's keys beyond `commonKeys`.
  public let extraKeys: [String: [String]]

  /// Creates a schema from a literal: `["fal": [], "px0": ["org_id"], …]`, in that order.
  public init(providers: KeyValuePairs<String, [String]>) {
    self.init(providers: providers.map { (name: $0.key, extraKeys: $0.value) })
  }

  /// Creates a schema from a list built at run time (from provider descriptors).
  public init(providers: [(name: String, extraKeys: [String])]) {
    providerNames = providers.map(\.name)
    extraKeys = Dictionary(providers.map { ($0.name, $0.extraKeys) }) { first, _ in first }
  }

  /// Every key a provider's table accepts, in the order help and hints list them.
  public func allowedKeys(for provider: String) -> [String] {
    Self.commonKeys + (extraKeys[provider] ?? [])
  }

  /// Whether an unknown key looks like it holds a secret (`credential`, `api_key`,
  /// `adminToken`, …) rather than being a misspelt allowed key.
  ///
  /// A near miss of an allowed key (`credential_fil`) is a typo and gets a "did
  /// you mean"; anything else with a secret-sounding word in its name is refused
  /// as a literal secret, because the point of the three credential sources is
  /// that the file itself never holds one.
  static func looksLikeSecret(_ key: String, allowed: [String]) -> Bool {
    let lowered = key.lowercased()
    if allowed.contains(where: { Suggestion.editDistance(lowered, $0) <= 2 }) { return false }
    let words = Self.words(of: key)
    return words.contains(where: secretWords.contains)
      || secretWords.contains(String(lowered.filter { $0.isLetter }))
  }

  /// Words that, in a key's name, mean its value is probably a secret.
  private static let secretWords: Set<String> = [
    "apikey", "auth", "bearer", "credential", "credentials", "key", "keys", "pass", "passphrase",
    "passwd", "password", "private", "pwd", "secret", "secrets", "token", "tokens",
  ]

  /// A key's name split into lower-case words at `_`, `-`, `.`, spaces and camelCase humps.
  private static func words(of key: String) -> [String] {
    var words: [String] = []
    var current = ""
    var previousWasLower = false
    for character in key {
      if character == "_" || character == "-" || character == "." || character == " " {
        if !current.isEmpty { words.append(current) }
        current = ""
        previousWasLower = false
        continue
      }
      if character.isUppercase, previousWasLower, !current.isEmpty {
        words.append(current)
        current = ""
      }
      current += character.lowercased()
      previousWasLower = character.isLowercase
    }
    if !current.isEmpty { words.append(current) }
    return words
  }
}
