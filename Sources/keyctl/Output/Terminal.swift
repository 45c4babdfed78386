/// How output should look on this stdout: colours only for a person at a
/// terminal who has not opted out.
struct Terminal: Sendable {
  /// Whether escape codes for colour and bold may be written.
  let useColor: Bool

  /// Decides once per command; only a non-empty `NO_COLOR` opts out, as
  /// no-color.org specifies (`NO_COLOR=` left empty keeps colour on).
  init(isTTY: Bool, environment: [String: String], noColorFlag: Bool) {
    let noColorSet = !(environment["NO_COLOR"] ?? "").isEmpty
    useColor = isTTY && !noColorFlag && !noColorSet && environment["TERM"] != "dumb"
  }

  /// A table header.
  func bold(_ text: String) -> String { style(text, "1") }

  /// A key status: green when active, yellow when disabled, red when expired.
  func status(_ text: String) -> String {
    switch text {
    case "active": style(text, "32")
    case "disabled": style(text, "33")
    case "expired": style(text, "31")
    default: text
    }
  }

  /// `text` in an SGR style, or as is without colour.
  private func style(_ text: String, _ code: String) -> String {
    useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  /// Help width: `COLUMNS` when it is a sensible number (at most 200, for
  /// readable lines), else 80.
  static func width(_ environment: [String: String]) -> Int {
    min(columns(environment) ?? 80, 200)
  }

  /// The width tables are fitted to: nil (never cut) unless stdout is a
  /// terminal; then the width the terminal reports, else `COLUMNS`, else nil —
  /// a terminal of unknown width is not guessed at, so nothing is cut.
  static func tableWidth(isTTY: Bool, reported: Int?, environment: [String: String]) -> Int? {
    guard isTTY else { return nil }
    if let reported, reported > 0 { return reported }
    return columns(environment)
  }

  /// `COLUMNS` when it is a whole number of at least 40 (narrower is a
  /// mistake, not a terminal).
  private static func columns(_ environment: [String: String]) -> Int? {
    guard let text = environment["COLUMNS"], let columns = Int(text), columns >= 40 else {
      return nil
    }
    return columns
  }
}
