import KeyCore

/// The one place a `KeyError` becomes text: `keyctl: <what happened>`, the
/// provider's request id when there is one, then what to do next.
///
/// Server text in an error was redacted, blanked and bounded where KeyCore
/// quoted it; everything is blanked once more here (`Untrusted.blank`), so no
/// error can move the cursor, recolour or reorder the user's terminal
/// whatever built it. A hint is keyctl's own text and keeps its line breaks
/// and indentation: only a line holding such a character is blanked.
enum ErrorRenderer {
  /// The error as the lines keyctl prints on stderr.
  static func render(_ error: KeyError) -> String {
    var text = "keyctl: " + Untrusted.blank(error.message)
    if let requestID = error.requestID { text += " (request id \(Untrusted.blank(requestID)))" }
    if let hint = error.hint {
      text +=
        "\n"
        + hint.split(separator: "\n", omittingEmptySubsequences: false)
        .map { line in
          Untrusted.holdsTerminalControls(String(line))
            ? Untrusted.blank(String(line)) : String(line)
        }.joined(separator: "\n")
    }
    return text
  }
}

extension ErrorRenderer {
  /// The error as a JSON object for scripts: `{"kind","status","message",
  /// "request_id"}`, with `"provider"` first when `provider` is true (a
  /// listing's `errors`, where the provider is not otherwise said). The one
  /// shape of an error in every JSON output keyctl writes.
  static func appendJSON(_ error: KeyError, provider: Bool, to json: inout JSONText) {
    if provider {
      json.raw("{\"provider\":")
      json.string(error.provider?.rawValue)
      json.raw(",\"kind\":")
    } else {
      json.raw("{\"kind\":")
    }
    json.string(error.kind.rawValue)
    json.raw(",\"status\":")
    json.number(error.status)
    json.raw(",\"message\":")
    json.string(error.message)
    json.raw(",\"request_id\":")
    json.string(error.requestID)
    json.raw("}")
  }
}
