extension KeyError {
  /// The error (exit 8) for an operation `provider` cannot do, raised before
  /// any request: by the registry and the commands when the provider's
  /// capabilities leave it out, and by an adapter that does not implement it.
  ///
  /// The message says which: the provider's API has no such endpoint, or (an
  /// adapter that lags its capabilities) keyctl does not do it yet.
  public static func unsupported(_ operation: Capabilities.Operation, by provider: ProviderID)
    -> KeyError
  {
    let name = provider.displayName
    let message: String
    if !provider.capabilities.supports(operation) {
      message =
        operation == .create
        ? "\(name)'s API has no endpoint to create keys; create them in its dashboard"
        : "\(name)'s API has no endpoint to \(operation.rawValue) keys"
    } else {
      message = "keyctl cannot \(operation.rawValue) \(name) keys yet"
    }
    return KeyError(
      .unsupported, message, provider: provider,
      hint: "See 'keyctl providers' for what each provider supports.")
  }
}
