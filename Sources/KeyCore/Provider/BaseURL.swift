import Foundation

extension ProviderID {
  /// The provider's public API root.
  public var defaultBaseURL: String {
    switch self {
    case .fal: "https://api.fal.ai/v1"
    case .px0: "http://localhost:8000"
    case .cartesia: "https://api.cartesia.ai"
    case .openrouter: "https://openrouter.ai/api/v1"
    }
  }

  /// The environment variables that override the base URL, in the order tried.
  public var baseURLVariables: [String] {
    switch self {
    case .fal: ["KEYCTL_FAL_BASE_URL"]
    case .px0: ["KEYCTL_PX0_BASE_URL", "PX0_HOST"]
    case .cartesia: ["KEYCTL_CARTESIA_BASE_URL", "CARTESIA_BASE_URL"]
    case .openrouter: ["KEYCTL_OPENROUTER_BASE_URL", "OPENROUTER_BASE_URL"]
    }
  }

  /// The base URL to use: `--base-url`, else the environment, else the default.
  ///
  /// Plain `http://` is accepted only for loopback hosts (px0's self-hosted
  /// default, the simulator): anywhere else the admin credential would cross
  /// the network in the clear.
  public func baseURL(override: String?, environment: [String: String]) throws -> URL {
    var source = "--base-url"
    var text = override
    if text == nil {
      for name in baseURLVariables {
        if let value = environment[name], !value.isEmpty {
          text = value
          source = name
          break
        }
      }
    }
    guard let text else {
      guard let url = URL(string: defaultBaseURL) else {
        throw KeyError(.unexpected, "invalid default base URL")
      }
      return url
    }
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
      let host = url.host, !host.isEmpty, url.query == nil
    else {
      throw KeyError.usage(
        "\(source) '\(text)' is not an absolute URL (expected e.g. \(defaultBaseURL))")
    }
    if scheme == "https" { return url }
    if scheme == "http", Self.isLoopback(host) { return url }
    throw KeyError.usage(
      "\(source) '\(text)' must use https:// (plain http:// is accepted only for localhost and "
        + "127.0.0.1, so credentials never cross a network unencrypted)")
  }

  static func isLoopback(_ host: String) -> Bool {
    let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    return name == "localhost" || name.hasSuffix(".localhost") || name == "::1"
      || name.hasPrefix("127.")
  }
}
