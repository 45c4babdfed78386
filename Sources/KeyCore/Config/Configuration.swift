/// What one run of keyctl knows about where provider settings come from: the
/// environment, the config file (if there is one), the profile chosen, and the
/// credentials read so far.
///
/// Built once per run by the commands that talk to providers or show them, so
/// that `help`, `--version` and `completion` never read the file (a broken file
/// must not stop them), and shared by every provider the run uses, so that a
/// `credential_command` runs at most once per run however often its provider
/// is asked for.
public struct Configuration: Sendable {
  /// The environment: provider variables, `KEYCTL_PROFILE`, `HOME` for `~/`,
  /// and what a `credential_command` runs with.
  public let environment: [String: String]
  /// Where the config file was looked for; nil when nothing says (`HOME` unset).
  public let location: ConfigLocation?
  /// The parsed file; nil when there is none.
  public let file: ConfigFile?
  /// The profile in use, and what chose it; nil when none was asked for.
  public let profile: ProfileChoice?
  /// How credentials are read (for sources that need no command).
  private let reader: CredentialReader
  /// The credentials read so far, each at most once; copies of this value share it.
  private let cache: CredentialCache

  /// Creates a configuration from parts already read; `load` is the usual way.
  /// `commandTimeout` is how long a `credential_command` may run (DESIGN.md:
  /// 30 s; tests shorten it) and `standardError` the descriptor its stderr goes to.
  public init(
    environment: [String: String], location: ConfigLocation? = nil, file: ConfigFile? = nil,
    profile: ProfileChoice? = nil, commandTimeout: Duration = .seconds(30),
    standardError: Int32 = 2
  ) {
    self.environment = environment
    self.location = location
    self.file = file
    self.profile = profile
    let reader = CredentialReader(
      environment: environment, commandTimeout: commandTimeout, standardError: standardError)
    self.reader = reader
    self.cache = CredentialCache(reader: reader)
  }

  /// Reads the config file the environment points at (`KEYCTL_CONFIG`, else
  /// `XDG_CONFIG_HOME`, else `HOME`) and chooses the profile (`--profile`, given
  /// as `profileOption`, else `KEYCTL_PROFILE`).
  ///
  /// Throws the usage error (exit 2) of a file that cannot be read or parsed,
  /// of a missing file that `KEYCTL_CONFIG` names, and of an unknown profile
  /// (listing the file's profiles). Runs no command and reads no credential.
  public static func load(
    environment: [String: String], profileOption: String?,
    schema: ConfigSchema = ProviderRegistry.configSchema,
    commandTimeout: Duration = .seconds(30), standardError: Int32 = 2
  ) throws(KeyError) -> Configuration {
    let location = ConfigLocation.resolve(environment: environment)
    let file = try ConfigFile.load(location, schema: schema)
    let profile = try ProfileChoice.choose(
      option: profileOption, environment: environment, file: file, searchedPath: location?.path)
    return Configuration(
      environment: environment, location: location, file: file, profile: profile,
      commandTimeout: commandTimeout, standardError: standardError)
  }

  /// One provider's effective settings, by DESIGN.md's precedence.
  public func resolve(
    _ descriptor: ProviderDescriptor, overrides: ConfigOverrides = ConfigOverrides()
  )
    -> ProviderConfig
  {
    ConfigResolver.resolve(
      descriptor.configInputs, overrides: overrides, profile: profile, environment: environment,
      file: file)
  }

  /// The credential `resolved` names, read (a command run) on first use only.
  public func credential(_ resolved: ResolvedCredential, provider: ProviderID)
    async throws(KeyError) -> Credential
  {
    try await cache.credential(for: provider.rawValue, resolved)
  }

  /// The credential from a variable or a file, read now; nil for a
  /// `credential_command`, which this never runs.
  public func credentialWithoutRunning(_ resolved: ResolvedCredential, provider: ProviderID)
    -> Result<Credential, KeyError>?
  {
    reader.readWithoutRunning(resolved, provider: provider.rawValue)
  }

  /// The profile names the config file defines, for shell completion: read
  /// without a network, a credential or a command, and never failing.
  ///
  /// A broken file still offers the profiles whose `[profile.NAME…]` headers
  /// parse on their own (so a typo elsewhere does not take completion away);
  /// no file, an unreadable one or `HOME` unset give none.
  public static func profileNames(environment: [String: String]) -> [String] {
    guard let location = ConfigLocation.resolve(environment: environment),
      case .success(let bytes) = readFile(location.path, limit: ConfigFile.maximumSize)
    else { return [] }
    var names: Set<String> = []
    for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) {
      guard line.first(where: { $0 != 0x20 && $0 != 0x09 }) == 0x5B,
        let tables = try? TOMLParser.parse(line)
      else { continue }
      for table in tables where table.path.first == ConfigSchema.profileTable {
        if table.path.count >= 2, !table.path[1].isEmpty { names.insert(table.path[1]) }
      }
    }
    return names.sorted()
  }
}
