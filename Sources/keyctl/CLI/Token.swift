/// One lexed command-line argument, remembering where it stood in argv.
enum Token: Equatable {
  /// `--name` or `--name=value`.
  case long(name: String, value: String?, index: Int)
  /// `-v`, `-vq` or `-ojson`: the characters after the dash.
  case short(cluster: String, index: Int)
  /// Anything that is not an option: a command, a value, a positional.
  case value(String, index: Int)
  /// `--`: everything after it is a value.
  case terminator(index: Int)
}

/// Splits argv into tokens before any parsing, so the parser works on a
/// uniform shape and every error can quote the exact argument.
enum Lexer {
  /// The tokens of `arguments`, in order; after `--` every argument is a value.
  static func tokens(_ arguments: [String]) -> [Token] {
    var tokens: [Token] = []
    var afterTerminator = false
    for (index, argument) in arguments.enumerated() {
      if afterTerminator {
        tokens.append(.value(argument, index: index))
      } else if argument == "--" {
        tokens.append(.terminator(index: index))
        afterTerminator = true
      } else if argument.hasPrefix("--") {
        let body = argument.dropFirst(2)
        if let equals = body.firstIndex(of: "=") {
          tokens.append(
            .long(
              name: String(body[..<equals]), value: String(body[body.index(after: equals)...]),
              index: index))
        } else {
          tokens.append(.long(name: String(body), value: nil, index: index))
        }
      } else if argument.hasPrefix("-"), argument.count > 1 {
        tokens.append(.short(cluster: String(argument.dropFirst()), index: index))
      } else {
        tokens.append(.value(argument, index: index))
      }
    }
    return tokens
  }
}
