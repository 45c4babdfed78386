/// Removes secrets from any text keyctl might print.
///
/// Built from the credentials in use, it replaces each of them (and the
/// secret half of a fal `id:secret` pair) wherever it appears, including in a
/// body a misbehaving server echoed back.
public struct Redactor: Sendable {
  /// What a secret is replaced with.
  public static let mask = "[REDACTED]"
  private let secrets: [String]

  /// Creates a redactor for these secrets; short fragments are ignored so that
  /// ordinary words are never masked.
  public init(secrets: [String]) {
    var parts: Set<String> = []
    for secret in secrets where !secret.isEmpty {
      parts.insert(secret)
      if let colon = secret.firstIndex(of: ":") {
        parts.insert(String(secret[secret.index(after: colon)...]))
      }
    }
    self.secrets = parts.filter { $0.count >= 6 }.sorted { $0.count > $1.count }
  }

  /// The text with every known secret masked.
  public func redact(_ text: String) -> String {
    var result = text
    for secret in secrets where result.contains(secret) {
      result = result.replacingOccurrences(of: secret, with: Self.mask)
    }
    return result
  }
}
