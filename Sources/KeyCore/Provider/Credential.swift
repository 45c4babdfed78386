/// A credential found in the environment, and where it was found.
public struct Credential: Sendable {
  /// The variable(s) it came from, e.g. `FAL_KEY` or `FAL_KEY_ID+FAL_KEY_SECRET`.
  public let source: String
  /// The secret itself; never printed.
  let secret: String

  /// Creates a credential.
  public init(source: String, secret: String) {
    self.source = source
    self.secret = secret
  }

  /// A form safe to show: the last four characters of a long secret, else nothing.
  public var masked: String {
    secret.count >= 16 ? "****" + secret.suffix(4) : "****"
  }
}

extension ProviderID {
  /// The environment variables that may hold this provider's credential, in the order tried.
  public var credentialVariables: [String] {
    switch self {
    case .fal: ["FAL_ADMIN_KEY", "FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET"]
    case .px0: ["PX0_ACCESS_TOKEN", "PX0_API_KEY"]
    case .cartesia: ["CARTESIA_ADMIN_KEY", "CARTESIA_API_KEY"]
    case .openrouter:
      ["OPENROUTER_MANAGEMENT_KEY", "OPENROUTER_PROVISIONING_KEY", "OPENROUTER_API_KEY"]
    }
  }

  /// How to say which variables to set, for a "no credentials" message.
  public var credentialAdvice: String {
    switch self {
    case .fal:
      "set FAL_ADMIN_KEY (an admin key, id:secret), or FAL_KEY, or FAL_KEY_ID and FAL_KEY_SECRET"
    case .px0: "set PX0_ACCESS_TOKEN (a session token, sess_…), or PX0_API_KEY"
    case .cartesia: "set CARTESIA_ADMIN_KEY (sk_car_admin_…), or CARTESIA_API_KEY"
    case .openrouter:
      "set OPENROUTER_MANAGEMENT_KEY, or OPENROUTER_PROVISIONING_KEY, or OPENROUTER_API_KEY"
    }
  }

  /// The credential in `environment`, by the documented precedence; empty values count as unset.
  public func credential(in environment: [String: String]) -> Credential? {
    func value(_ name: String) -> String? {
      guard let text = environment[name], !text.isEmpty else { return nil }
      return text
    }
    if self == .fal {
      if let key = value("FAL_ADMIN_KEY") {
        return Credential(source: "FAL_ADMIN_KEY", secret: key)
      }
      if let key = value("FAL_KEY") { return Credential(source: "FAL_KEY", secret: key) }
      if let id = value("FAL_KEY_ID"), let secret = value("FAL_KEY_SECRET") {
        return Credential(source: "FAL_KEY_ID+FAL_KEY_SECRET", secret: id + ":" + secret)
      }
      return nil
    }
    for name in credentialVariables {
      if let key = value(name) { return Credential(source: name, secret: key) }
    }
    return nil
  }
}
