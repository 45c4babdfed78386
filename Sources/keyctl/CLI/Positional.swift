/// One positional argument (`help COMMAND`, `get ID`, `delete ID...|-`,
/// `completion SHELL`) as the parser, the help page, the man page and the
/// completion generators see it.
struct PositionalSpec: Sendable {
  /// The placeholder people read (`COMMAND`, `ID`).
  let name: String
  /// One sentence for the help page, without the list of choices.
  let help: String
  /// Whether it takes every remaining argument (`ID...`).
  let repeatable: Bool
  /// Whether leaving it out is a usage error.
  let required: Bool
  /// Whether `-` alone means "read the values from stdin, one a line".
  let readsStdin: Bool
  /// The values it accepts, when they form a known set.
  let choices: Choices?
  /// Checks the arguments it took (never empty) and types them, erased.
  let convert: @Sendable ([String], ValueContext) throws -> any Sendable

  /// `[COMMAND]`, `ID...` or `SHELL`, as a usage line writes it.
  var synopsis: String {
    let text = name + (repeatable ? "..." : "")
    return required ? text : "[\(text)]"
  }
}

/// A positional argument declared once with the type commands read it as:
/// `invocation[HelpCommand.topic]`.
struct Positional<Value: Sendable>: Sendable {
  /// The untyped description the parser and the help page use.
  let spec: PositionalSpec
  /// The value when the argument is not given.
  let absent: Value

  /// Declares a positional argument; `convert` gets the arguments it took
  /// (one, or all that remained for a repeatable one) and throws a usage error
  /// for a bad one.
  init(
    _ name: String, repeatable: Bool = false, required: Bool = false, readsStdin: Bool = false,
    choices: Choices? = nil, help: String, absent: Value,
    convert: @escaping @Sendable ([String], ValueContext) throws -> Value
  ) {
    spec = PositionalSpec(
      name: name, help: help, repeatable: repeatable, required: required, readsStdin: readsStdin,
      choices: choices, convert: { try convert($0, $1) })
    self.absent = absent
  }
}
