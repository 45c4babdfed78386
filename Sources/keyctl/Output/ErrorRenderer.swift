import KeyCore

/// The one place a `KeyError` becomes text: `keyctl: <what happened>`, the
/// provider's request id when there is one, then what to do next.
///
/// Messages can carry text a provider sent, so control characters are blanked
/// here: an error body must not be able to move the cursor or recolour the
/// user's terminal.
enum ErrorRenderer {
  static func render(_ error: KeyError) -> String {
    var text = "keyctl: " + printable(error.message)
    if let requestID = error.requestID { text += " (request id \(printable(requestID)))" }
    if let hint = error.hint { text += "\n" + hint }
    return text
  }

  private static func printable(_ text: String) -> String {
    String(
      String.UnicodeScalarView(
        text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
  }
}
