import Foundation

extension ProviderDescriptor {
  /// The base URL to use from the environment alone: `--base-url`, else the
  /// provider's variables, else the default — the resolver's chain without a
  /// config file, for callers that have none.
  public func baseURL(override: String?, environment: [String: String]) throws -> URL {
    let resolved = ConfigResolver.resolve(
      configInputs,
      overrides: ConfigOverrides(
        baseURL: override.map { CommandLineValue($0, option: "--base-url") }),
      profile: nil, environment: environment, file: nil)
    return try baseURL(resolved.baseURL)
  }

  /// The resolved base URL, checked; the default when nothing set one.
  ///
  /// Parsed by `ParsedBaseURL`, not matched by prefix: plain `http://` only for a
  /// loopback host, and never a user name, query, fragment or out-of-range port,
  /// so the admin credential cannot cross a network in the clear or go somewhere
  /// the text only appears to name. A refusal is a usage error naming where the
  /// URL came from (`--base-url`, the variable, or `FILE:LINE base_url`), thrown
  /// before any request and before any credential is read.
  public func baseURL(_ setting: ResolvedSetting?) throws -> URL {
    let chosen =
      setting ?? ResolvedSetting(value: defaultBaseURL, origin: .builtIn, key: "base_url")
    let parsed: ParsedBaseURL
    do {
      parsed = try ParsedBaseURL.parse(chosen.value)
    } catch {
      guard chosen.origin != .builtIn else {
        throw KeyError(.unexpected, "invalid default base URL")
      }
      throw KeyError.usage(
        "\(chosen.blame) '\(ParsedBaseURL.displayed(chosen.value))' \(error.description) "
          + "(expected e.g. \(defaultBaseURL))")
    }
    guard let url = URL(string: parsed.text) else {
      throw KeyError.usage(
        "\(chosen.blame) '\(ParsedBaseURL.displayed(chosen.value))' is not a URL keyctl can use "
          + "(expected e.g. \(defaultBaseURL))")
    }
    return url
  }

  /// The provider's settings that are set, checked against their rules: a
  /// required one present, a UUID one a UUID. A refusal is a usage error (exit 2)
  /// naming where the value came from, thrown before any credential is read
  /// (a password manager is not asked for a secret the call cannot use).
  func checkedSettings(_ resolved: [String: ResolvedSetting]) throws -> [String: String] {
    var checked: [String: String] = [:]
    for setting in settings {
      guard let value = resolved[setting.key] else {
        if let what = setting.requiredAs {
          let variables = setting.variables.map { ", set \($0)" }.joined()
          throw usage(
            "\(displayName) needs \(what): pass \(setting.option) "
              + "\(setting.format == .uuid ? "UUID" : "VALUE")\(variables), or set "
              + "\(setting.key) in the config file")
        }
        continue
      }
      if setting.format == .uuid, UUID(uuidString: value.value) == nil {
        // A value from the file is not repeated, as no value from it ever is: a
        // secret pasted into the wrong key must not reach the screen.
        let shown = value.origin.fileLocation == nil ? " '\(value.value)'" : ""
        throw usage(
          "\(value.blame)\(shown) is not a UUID (\(displayName)'s \(setting.key) is one, such as "
            + "123e4567-e89b-12d3-a456-426614174000)")
      }
      checked[setting.key] = value.value
    }
    return checked
  }

  /// A usage error about this provider.
  private func usage(_ message: String) -> KeyError {
    var error = KeyError.usage(message)
    error.provider = id
    return error
  }
}
