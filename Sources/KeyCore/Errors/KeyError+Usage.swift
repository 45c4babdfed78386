extension KeyError {
  /// A usage error that points the user at the relevant help page.
  public static func usage(_ message: String, help: String = "keyctl --help") -> KeyError {
    KeyError(.usage, message, hint: "See '\(help)'.")
  }
}
