/// A key that was just created, with the secret the provider shows only once.
public struct CreatedKey: Sendable {
  /// The new key's metadata.
  public var key: ApiKey
  /// The value a client authenticates with (fal `id:secret`, px0 `ak_…`, OpenRouter `sk-or-v1-…`).
  public var secret: String

  /// Pairs a key with its secret.
  public init(key: ApiKey, secret: String) {
    self.key = key
    self.secret = secret
  }
}
