extension KeyError {
  /// The error (exit 4) for an id the provider has no key under: said the
  /// same way whether the provider answered 404 (Cartesia, OpenRouter) or
  /// keyctl looked through its whole listing (fal, px0), so a script sees one
  /// message for one situation. The provider is named as `-p` takes it.
  ///
  /// `status` and `requestID` are the provider's 404, when there was one.
  public static func noSuchKey(
    _ id: String, at provider: ProviderID, status: Int? = nil, requestID: String? = nil
  ) -> KeyError {
    KeyError(
      .notFound, "no key \(Untrusted.bounded(id, limit: KeyID.maxBytes)) at \(provider.rawValue)",
      provider: provider, status: status, requestID: requestID,
      hint: "See the keys there with 'keyctl list -p \(provider.rawValue)'.")
  }
}
