/// keyctl's version, printed by `--version` and sent in the User-Agent.
enum Version {
  /// The version, as `keyctl --version` prints it.
  static let current = "0.1.0"
}
