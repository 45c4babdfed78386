import KeyCore

extension GlobalOptions {
  /// The run's configuration: the config file the environment points at,
  /// parsed, and the profile `--profile` or `KEYCTL_PROFILE` chose.
  ///
  /// Only commands that talk to providers or show them call this (through
  /// `registry`), so `help`, `--version` and `completion` work with a broken
  /// file. Throws the file's usage error (exit 2) or an unknown profile's.
  func configuration(_ context: CommandContext) throws -> Configuration {
    do throws(KeyError) {
      return try Configuration.load(
        environment: context.environment, profileOption: profile,
        commandTimeout: context.credentialTimeout)
    } catch {
      // Like every usage error, it points to help, whose CONFIG FILE section
      // says where the file is and what it holds.
      throw error.kind == .usage ? Self.pointingToHelp(error) : error
    }
  }

  /// `error` with "See 'keyctl --help'." after its hint.
  private static func pointingToHelp(_ error: KeyError) -> KeyError {
    var pointed = error
    pointed.hint = (error.hint.map { $0 + "\n" } ?? "") + "See 'keyctl --help'."
    return pointed
  }

  /// The registry a command that talks to providers builds its adapters
  /// from: the config file and profile, the environment, and this call's
  /// client settings. The one way keyctl's commands get one, so that none can
  /// ignore the config file.
  func registry(_ context: CommandContext) throws -> ProviderRegistry {
    ProviderRegistry(
      configuration: try configuration(context), settings: clientSettings(context),
      descriptors: context.descriptors)
  }
}
