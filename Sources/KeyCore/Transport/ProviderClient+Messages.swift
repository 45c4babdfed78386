extension ProviderClient {
  /// What to tell the user after an HTTP error status, by the kind it maps to.
  ///
  /// "Try again later" is said only where waiting can help (5xx, an answer
  /// keyctl cannot place); a 4xx the user cannot fix gets no such false hope,
  /// and a create that may have reached the provider says how to check for the key.
  func statusHint(_ kind: KeyError.Kind, status: Int, idempotent: Bool, attempts: Int) -> String? {
    switch kind {
    case .auth where status == 402:
      return "\(provider.displayName) asks for payment (HTTP 402): the account may be out of "
        + "credits; check its billing."
    case .auth:
      return authHint
    case .rateLimited:
      return
        "Rate limited after \(attempts) attempt(s); wait and try again, or raise --max-retries."
    case .server where (400..<500).contains(status):
      return "\(provider.displayName) refused the request; repeating it will not help."
    case .server, .badResponse, .unexpected:
      return idempotent ? "Try again later." : Self.mayHaveHappened(provider)
    default:
      return nil
    }
  }
}

extension ProviderClient {
  /// `value` with exactly two decimals (`0.40`, `30.00`), written by hand:
  /// `String(format:)` goes through the locale. Waits are at most a minute or
  /// so; anything not finite or absurdly large is printed as Swift spells it.
  static func twoDecimals(_ value: Double) -> String {
    guard value.isFinite, abs(value) < 1e15 else { return "\(value)" }
    let hundredths = Int((abs(value) * 100).rounded())
    let fraction = hundredths % 100
    return (value < 0 && hundredths > 0 ? "-" : "") + "\(hundredths / 100)."
      + (fraction < 10 ? "0" : "") + "\(fraction)"
  }
}
