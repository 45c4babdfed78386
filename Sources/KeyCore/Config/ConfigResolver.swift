/// Where an effective setting came from, for `keyctl providers` and for errors
/// that must blame the right place (an option, a variable, a line of the file).
public enum ConfigOrigin: Sendable, Hashable {
  /// A command-line option, e.g. `--base-url`.
  case commandLine(option: String)
  /// Environment variables keyctl reads by itself (`FAL_ADMIN_KEY`, `PX0_ORG_ID`, …).
  case environment([String])
  /// A `[profile.NAME.PROVIDER]` table of the file at `path`, line `line`.
  case profile(name: String, path: String, line: Int)
  /// A top-level `[PROVIDER]` table of the file at `path`, line `line`.
  case configFile(path: String, line: Int)
  /// keyctl's built-in default.
  case builtIn

  /// Where in the config file, as `PATH:LINE`, when the value came from it.
  public var fileLocation: String? {
    switch self {
    case .profile(_, let path, let line), .configFile(let path, let line): "\(path):\(line)"
    case .commandLine, .environment, .builtIn: nil
    }
  }

  /// The origin as `keyctl providers` prints it, before the key:
  /// `profile staging`, `config`, `env`, `--base-url`, `default`.
  var label: String {
    switch self {
    case .commandLine(let option): option
    case .environment(let names): "env " + names.joined(separator: "+")
    case .profile(let name, _, _): "profile \(name)"
    case .configFile: "config"
    case .builtIn: "default"
    }
  }
}

/// The effective credential source of one provider.
public struct ResolvedCredential: Sendable, Hashable {
  /// How to get the credential.
  public var source: CredentialSource
  /// Where that source was chosen.
  public var origin: ConfigOrigin

  /// Creates a resolved credential.
  public init(source: CredentialSource, origin: ConfigOrigin) {
    self.source = source
    self.origin = origin
  }

  /// What `keyctl providers` shows, without running anything or reading a
  /// secret: `env FAL_ADMIN_KEY`, `profile staging: credential_file
  /// ~/.secrets/fal-staging`, `config: credential_env PX0_PROD_TOKEN`,
  /// `config: credential_command` (a command is not repeated: it may be long
  /// and is not needed to know where the credential comes from).
  public var description: String {
    switch (origin, source) {
    case (.environment, _):
      origin.label
    case (_, .environment(let names)):
      "\(origin.label): credential_env \(names.joined(separator: "+"))"
    case (_, .file(let path)):
      "\(origin.label): credential_file \(path)"
    case (_, .command):
      "\(origin.label): credential_command"
    }
  }

  /// Where the source was set, for error messages: `profile staging, PATH:LINE`,
  /// `config, PATH:LINE` or `environment`.
  var context: String {
    switch origin {
    case .profile(let name, let path, let line): "profile \(name), \(path):\(line)"
    case .configFile(let path, let line): "config, \(path):\(line)"
    case .environment: "environment"
    case .commandLine(let option): option
    case .builtIn: "default"
    }
  }
}

/// One effective string setting (base URL, org id, workspace id).
public struct ResolvedSetting: Sendable, Hashable {
  /// The value.
  public var value: String
  /// Where it came from.
  public var origin: ConfigOrigin
  /// The config-file key it corresponds to (`base_url`, `org_id`, …), for the description.
  public var key: String

  /// Creates a resolved setting.
  public init(value: String, origin: ConfigOrigin, key: String) {
    self.value = value
    self.origin = origin
    self.key = key
  }

  /// What `keyctl providers` shows as the source: `--base-url`,
  /// `env KEYCTL_FAL_BASE_URL`, `profile staging: base_url`, `config: org_id`, `default`.
  public var description: String {
    switch origin {
    case .profile, .configFile: "\(origin.label): \(key)"
    case .commandLine, .environment, .builtIn: origin.label
    }
  }

  /// Where the value was set, as an error about it says: `--base-url`,
  /// `KEYCTL_FAL_BASE_URL`, or `PATH:LINE base_url` (so an editor can jump there).
  var blame: String {
    switch origin {
    case .commandLine(let option): option
    case .environment(let names): names.joined(separator: "+")
    case .profile(_, let path, let line), .configFile(let path, let line): "\(path):\(line) \(key)"
    case .builtIn: "the default \(key)"
    }
  }
}

/// What the resolver needs to know about one provider: its name and the
/// variables and default it reads. An input, because the provider descriptors
/// own these facts.
public struct ProviderConfigInputs: Sendable {
  /// The provider's name, as in the config file's tables (`fal`).
  public var name: String
  /// The credential variables in the order tried; an inner list of several
  /// names is one credential made of all of them joined with `:` (fal's
  /// `FAL_KEY_ID` + `FAL_KEY_SECRET`), used only when all are set.
  public var credentialVariables: [[String]]
  /// The base-URL variables in the order tried.
  public var baseURLVariables: [String]
  /// The built-in base URL; nil when the provider has none.
  public var defaultBaseURL: String?
  /// The provider's extra settings (`org_id`) and the variables that set each
  /// (`PX0_ORG_ID`), in the order tried; a setting no variable sets maps to `[]`.
  public var settingVariables: [String: [String]]

  /// Creates the inputs.
  public init(
    name: String, credentialVariables: [[String]], baseURLVariables: [String],
    defaultBaseURL: String?, settingVariables: [String: [String]] = [:]
  ) {
    self.name = name
    self.credentialVariables = credentialVariables
    self.baseURLVariables = baseURLVariables
    self.defaultBaseURL = defaultBaseURL
    self.settingVariables = settingVariables
  }
}

/// A value given on the command line, and the option that gave it.
public struct CommandLineValue: Sendable, Hashable {
  /// The value.
  public var value: String
  /// The option as typed, e.g. `--org-id`.
  public var option: String

  /// Creates a command-line value.
  public init(_ value: String, option: String) {
    self.value = value
    self.option = option
  }
}

/// The command-line options that override one provider's settings. There is no
/// credential here on purpose: a secret on the command line lands in shell
/// history and `ps`.
public struct ConfigOverrides: Sendable {
  /// `--base-url`.
  public var baseURL: CommandLineValue?
  /// Extra settings by config key (`org_id` → `--org-id …`).
  public var settings: [String: CommandLineValue]

  /// Creates overrides; the default overrides nothing.
  public init(baseURL: CommandLineValue? = nil, settings: [String: CommandLineValue] = [:]) {
    self.baseURL = baseURL
    self.settings = settings
  }
}

/// The profile a run uses and what chose it.
public struct ProfileChoice: Sendable, Hashable {
  /// The profile's name.
  public var name: String
  /// `--profile` or `KEYCTL_PROFILE`, for messages.
  public var origin: String

  /// Creates a choice.
  public init(name: String, origin: String) {
    self.name = name
    self.origin = origin
  }

  /// `--profile NAME` (even empty: it was typed), else a non-empty
  /// `KEYCTL_PROFILE`, else no profile; refused (exit 2, listing the file's
  /// profiles) when the file does not define it. `searchedPath` is the config
  /// path looked at, for the message when there is no file at all.
  public static func choose(
    option: String?, environment: [String: String], file: ConfigFile?, searchedPath: String?
  ) throws(KeyError) -> ProfileChoice? {
    let choice: ProfileChoice
    if let option {
      choice = ProfileChoice(name: option, origin: "--profile")
    } else if let name = environment["KEYCTL_PROFILE"], !name.isEmpty {
      choice = ProfileChoice(name: name, origin: "KEYCTL_PROFILE")
    } else {
      return nil
    }
    guard let file else {
      let place = searchedPath.map { " (looked for \($0))" } ?? ""
      throw KeyError(
        .usage,
        "unknown profile '\(choice.name)' (from \(choice.origin)): there is no config "
          + "file\(place)",
        hint: "Define it in the config file as [profile.\(choice.name).PROVIDER] tables.")
    }
    guard file.profiles[choice.name] == nil else { return choice }
    let known = file.profileNames
    let suggestion = Suggestion.closest(to: choice.name, in: known).map { " Did you mean '\($0)'?" }
    throw KeyError(
      .usage, "unknown profile '\(choice.name)' (from \(choice.origin)).\(suggestion ?? "")",
      hint: known.isEmpty
        ? "\(file.path) defines no profiles."
        : "Profiles in \(file.path): " + known.joined(separator: ", ") + ".")
  }
}

/// The effective settings of one provider: a credential source, a base URL and
/// the extra settings, each with where it came from.
public struct ProviderConfig: Sendable, Hashable {
  /// The provider's name.
  public var provider: String
  /// Where the credential comes from; nil when nothing names one (then the
  /// provider has no credentials: exit 3 when it is used).
  public var credential: ResolvedCredential?
  /// The base URL; nil only when nothing sets one and there is no default.
  public var baseURL: ResolvedSetting?
  /// Extra settings that something sets (`org_id`, `workspace_id`), by key.
  public var settings: [String: ResolvedSetting]

  /// Creates a provider config.
  public init(
    provider: String, credential: ResolvedCredential?, baseURL: ResolvedSetting?,
    settings: [String: ResolvedSetting]
  ) {
    self.provider = provider
    self.credential = credential
    self.baseURL = baseURL
    self.settings = settings
  }
}

/// DESIGN.md's precedence, as a pure function.
///
/// A command-line option beats everything. With a profile chosen, what the
/// profile sets beats the environment (the profile was asked for by name);
/// whatever it leaves unset falls back to the environment, then the top-level
/// table, then the default. Without a profile: the environment, then the
/// top-level table, then the default. Each setting is resolved on its own, so a
/// profile that sets only `base_url` still takes its credential from the
/// environment.
public enum ConfigResolver {
  /// Resolves one provider. `profile` must come from `ProfileChoice.choose`
  /// (which refuses unknown profiles); a profile without a table for this
  /// provider sets nothing for it.
  public static func resolve(
    _ inputs: ProviderConfigInputs, overrides: ConfigOverrides = ConfigOverrides(),
    profile: ProfileChoice?, environment: [String: String], file: ConfigFile?
  ) -> ProviderConfig {
    let topTable = file?.providers[inputs.name]
    let profileTable = profile.flatMap { file?.profiles[$0.name]?[inputs.name] }
    func fileOrigin(_ line: Int, profile isProfile: Bool) -> ConfigOrigin {
      let path = file?.path ?? ""
      if isProfile, let profile { return .profile(name: profile.name, path: path, line: line) }
      return .configFile(path: path, line: line)
    }
    func variable(_ names: [String]) -> (name: String, value: String)? {
      for name in names {
        if let value = environment[name], !value.isEmpty { return (name, value) }
      }
      return nil
    }

    // The credential: never from the command line.
    var credential: ResolvedCredential?
    if let entry = profileTable?.credential {
      credential = ResolvedCredential(
        source: entry.value, origin: fileOrigin(entry.line, profile: true))
    } else if let names = inputs.credentialVariables.first(where: { group in
      !group.isEmpty && group.allSatisfy { Credential.isSet($0, in: environment) }
    }) {
      credential = ResolvedCredential(source: .environment(names), origin: .environment(names))
    } else if let entry = topTable?.credential {
      credential = ResolvedCredential(
        source: entry.value, origin: fileOrigin(entry.line, profile: false))
    }

    /// One string setting down the chain.
    func setting(
      _ key: String, option: CommandLineValue?, variables: [String],
      fromTable: (ConfigFile.Table) -> ConfigEntry<String>?, builtIn: String?
    ) -> ResolvedSetting? {
      if let option {
        return ResolvedSetting(
          value: option.value, origin: .commandLine(option: option.option), key: key)
      }
      if let entry = profileTable.flatMap(fromTable) {
        return ResolvedSetting(
          value: entry.value, origin: fileOrigin(entry.line, profile: true), key: key)
      }
      if let found = variable(variables) {
        return ResolvedSetting(value: found.value, origin: .environment([found.name]), key: key)
      }
      if let entry = topTable.flatMap(fromTable) {
        return ResolvedSetting(
          value: entry.value, origin: fileOrigin(entry.line, profile: false), key: key)
      }
      return builtIn.map { ResolvedSetting(value: $0, origin: .builtIn, key: key) }
    }

    let baseURL = setting(
      "base_url", option: overrides.baseURL, variables: inputs.baseURLVariables,
      fromTable: \.baseURL, builtIn: inputs.defaultBaseURL)
    var keys = Set(inputs.settingVariables.keys).union(overrides.settings.keys)
    for table in [topTable, profileTable].compactMap({ $0 }) { keys.formUnion(table.settings.keys) }
    var settings: [String: ResolvedSetting] = [:]
    for key in keys {
      settings[key] = setting(
        key, option: overrides.settings[key], variables: inputs.settingVariables[key] ?? [],
        fromTable: { $0.settings[key] }, builtIn: nil)
    }
    return ProviderConfig(
      provider: inputs.name, credential: credential, baseURL: baseURL, settings: settings)
  }
}
