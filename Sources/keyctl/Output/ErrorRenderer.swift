import KeyCore

/// The one place a `KeyError` becomes text: `keyctl: <what happened>`, the
/// provider's request id when there is one, then what to do next.
enum ErrorRenderer {
  static func render(_ error: KeyError) -> String {
    var text = "keyctl: " + error.message
    if let requestID = error.requestID { text += " (request id \(requestID))" }
    if let hint = error.hint { text += "\n" + hint }
    return text
  }
}
