/// Words safe to paste into a shell, for the commands keyctl suggests.
enum ShellWord {
  /// Whether `text` can stand in a command line unquoted: letters, digits and `-_.:@+=/,`.
  static func isPlain(_ text: String) -> Bool {
    !text.isEmpty
      && text.unicodeScalars.allSatisfy { scalar in
        scalar.isASCII
          && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
            || ("0"..."9").contains(scalar) || "-_.:@+=/,".unicodeScalars.contains(scalar))
      }
  }

  /// `text` as one shell word: as is when plain, else in single quotes (a quote
  /// inside becomes `'\''`), with control characters shown as `?` so that the
  /// suggestion cannot move the terminal.
  static func quoted(_ text: String) -> String {
    if isPlain(text) { return text }
    var word = "'"
    for scalar in text.unicodeScalars {
      if scalar == "'" {
        word += "'\\''"
      } else if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
        word += "?"
      } else {
        word.unicodeScalars.append(scalar)
      }
    }
    return word + "'"
  }
}
