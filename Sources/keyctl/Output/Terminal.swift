/// How output should look on this stdout: colours only for a person at a
/// terminal who has not opted out.
struct Terminal: Sendable {
  let useColor: Bool

  /// Decides once per command; only a non-empty `NO_COLOR` opts out, as
  /// no-color.org specifies (`NO_COLOR=` left empty keeps colour on).
  init(isTTY: Bool, environment: [String: String], noColorFlag: Bool) {
    let noColorSet = !(environment["NO_COLOR"] ?? "").isEmpty
    useColor = isTTY && !noColorFlag && !noColorSet && environment["TERM"] != "dumb"
  }

  func bold(_ text: String) -> String { style(text, "1") }

  func status(_ text: String) -> String {
    switch text {
    case "active": style(text, "32")
    case "disabled": style(text, "33")
    case "expired": style(text, "31")
    default: text
    }
  }

  private func style(_ text: String, _ code: String) -> String {
    useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  /// Help width: `COLUMNS` when it is a sensible number, else 80.
  static func width(_ environment: [String: String]) -> Int {
    guard let text = environment["COLUMNS"], let columns = Int(text), columns >= 40 else {
      return 80
    }
    return min(columns, 200)
  }
}
