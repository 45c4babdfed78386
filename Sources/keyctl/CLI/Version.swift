/// keyctl's version, printed by `--version` and sent in the User-Agent.
enum Version {
  static let current = "0.1.0"
}
