import Foundation

extension ProviderDescriptor {
  /// The base URL to use: `--base-url`, else the environment, else the default.
  ///
  /// Parsed by `ParsedBaseURL`, not matched by prefix: plain `http://` only for a
  /// loopback host, and never a user name, query, fragment or out-of-range port,
  /// so the admin credential cannot cross a network in the clear or go somewhere
  /// the text only appears to name. A refusal is a usage error naming the
  /// option or variable the URL came from, thrown before any request.
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
    let chosen = text ?? defaultBaseURL
    let parsed: ParsedBaseURL
    do {
      parsed = try ParsedBaseURL.parse(chosen)
    } catch {
      guard text != nil else { throw KeyError(.unexpected, "invalid default base URL") }
      throw KeyError.usage(
        "\(source) '\(ParsedBaseURL.displayed(chosen))' \(error.description) "
          + "(expected e.g. \(defaultBaseURL))")
    }
    guard let url = URL(string: parsed.text) else {
      throw KeyError.usage(
        "\(source) '\(ParsedBaseURL.displayed(chosen))' is not a URL keyctl can use "
          + "(expected e.g. \(defaultBaseURL))")
    }
    return url
  }
}
