/// A value of keyctl's TOML subset.
///
/// Only the scalar types DESIGN.md names: the schema decides which type each
/// key needs, so the parser keeps the type to say "must be a string, not an
/// integer" rather than guessing.
enum TOMLValue: Sendable, Equatable {
  /// A basic ("…") or literal ('…') string, escapes already applied.
  case string(String)
  /// A decimal, hexadecimal, octal or binary integer.
  case integer(Int64)
  /// A float, including `inf` and `nan`.
  case float(Double)
  /// `true` or `false`.
  case boolean(Bool)

  /// The type's name as an error message says it ("must be a string, not an integer").
  var typeName: String {
    switch self {
    case .string: "a string"
    case .integer: "an integer"
    case .float: "a float"
    case .boolean: "a boolean"
    }
  }
}

/// One `key = value` line, with where it was written so that schema errors can
/// point at it.
struct TOMLEntry: Sendable, Equatable {
  /// The key, unquoted.
  var key: String
  /// The parsed value.
  var value: TOMLValue
  /// 1-based line of the key.
  var line: Int
}

/// One table: its `[header]` path and its entries in file order.
struct TOMLTable: Sendable, Equatable {
  /// The header's dotted name split into parts; empty for the keys before any header.
  var path: [String]
  /// 1-based line of the header; 0 for the root table.
  var line: Int
  /// Its `key = value` lines in file order.
  var entries: [TOMLEntry]
}

/// A syntax or structure error, with the position a person needs to fix it.
struct TOMLError: Error, Sendable, Equatable {
  /// 1-based line.
  var line: Int
  /// 1-based column in characters (Unicode scalars), when it helps.
  var column: Int?
  /// What is wrong, without echoing any value (a value may be a secret).
  var message: String
}

/// A strict, hand-written parser for the TOML subset keyctl's config file uses.
///
/// Accepted: `[table]` headers with dotted (bare or quoted) names, `key = value`
/// with basic and literal strings, integers, floats, booleans, `#` comments and
/// blank lines. Everything else TOML has (arrays, inline tables, multi-line
/// strings, dates, dotted keys, `[[arrays of tables]]`) is refused by name rather
/// than misread, and so is every duplicate key or table, each with its line. It
/// is line-oriented because nothing in the subset spans lines, which keeps every
/// error's line number exact.
enum TOMLParser {
  /// Parses UTF-8 bytes into tables, the root table (keys before any header) first.
  static func parse(_ bytes: some Collection<UInt8>) throws(TOMLError) -> [TOMLTable] {
    let lines = try decodeLines(bytes)
    var state = State()
    for (index, line) in lines.enumerated() {
      var cursor = Cursor(scalars: line, line: index + 1)
      try state.parse(&cursor)
    }
    return state.tables
  }

  /// Decodes UTF-8 and splits it into lines, refusing invalid UTF-8 and a lone
  /// carriage return with the line where they occur.
  private static func decodeLines(_ bytes: some Collection<UInt8>) throws(TOMLError) -> [[Unicode
    .Scalar]]
  {
    var lines: [[Unicode.Scalar]] = []
    var current: [Unicode.Scalar] = []
    var iterator = bytes.makeIterator()
    var parser = Unicode.UTF8.ForwardParser()
    var pendingReturn = false
    decoding: while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let encoded):
        let scalar = Unicode.UTF8.decode(encoded)
        if pendingReturn, scalar != "\n" {
          throw TOMLError(
            line: lines.count + 1, column: current.count,
            message: "a carriage return not followed by a newline")
        }
        pendingReturn = false
        switch scalar {
        case "\n":
          lines.append(current)
          current = []
        case "\r":
          pendingReturn = true
        case "\u{FEFF}" where lines.isEmpty && current.isEmpty:
          continue  // A byte-order mark at the very start is allowed and means nothing.
        default:
          current.append(scalar)
        }
      case .error:
        throw TOMLError(
          line: lines.count + 1, column: current.count + 1, message: "the file is not valid UTF-8")
      case .emptyInput:
        break decoding
      }
    }
    if pendingReturn {
      throw TOMLError(
        line: lines.count + 1, column: current.count + 1,
        message: "a carriage return not followed by a newline")
    }
    lines.append(current)
    return lines
  }

  /// What the parser has seen so far: the tables, and which dotted paths are
  /// tables or values, to refuse redefinitions the way TOML does.
  private struct State {
    /// The tables in file order; the root table is always first.
    var tables = [TOMLTable(path: [], line: 0, entries: [])]
    /// Paths given by a `[header]`, with its line: defining one twice is an error.
    var explicitTables: [[String]: Int] = [:]
    /// Paths that exist as the parents of a header (`[a.b]` makes `a`), with the first line.
    var implicitTables: [[String]: Int] = [:]
    /// Paths that hold a value, with the line that set it.
    var values: [[String]: Int] = [:]

    /// Parses one line.
    mutating func parse(_ cursor: inout Cursor) throws(TOMLError) {
      cursor.skipSpace()
      guard let first = cursor.peek(), first != "#" else {
        try cursor.expectEndOfLine(after: nil)
        return
      }
      if first == "[" {
        try header(&cursor)
      } else {
        try entry(&cursor)
      }
    }

    /// `[a.b.c]`: checks it against every earlier table and value, then opens it.
    private mutating func header(_ cursor: inout Cursor) throws(TOMLError) {
      let line = cursor.line
      cursor.advance()
      if cursor.peek() == "[" {
        throw cursor.error("arrays of tables ([[…]]) are not supported in keyctl's config")
      }
      var path: [String] = []
      while true {
        cursor.skipSpace()
        path.append(try cursor.key(what: "a table name"))
        cursor.skipSpace()
        guard cursor.peek() == "." else { break }
        cursor.advance()
      }
      guard cursor.peek() == "]" else {
        if cursor.peek() == nil { throw cursor.error("the table header has no closing ']'") }
        throw cursor.error("expected '.' or ']' in the table header, found \(cursor.shown)")
      }
      cursor.advance()
      try cursor.expectEndOfLine(after: "the table header")
      let name = TOMLParser.display(path)
      for length in 1...path.count {
        let prefix = Array(path.prefix(length))
        if let valueLine = values[prefix] {
          throw TOMLError(
            line: line, column: nil,
            message: "[\(name)] cannot be a table: \(TOMLParser.display(prefix)) is already a "
              + "value (line \(valueLine))")
        }
      }
      if let earlier = explicitTables[path] {
        throw TOMLError(
          line: line, column: nil,
          message: "table [\(name)] is defined twice (first on line \(earlier))")
      }
      explicitTables[path] = line
      for length in 1..<path.count where implicitTables[Array(path.prefix(length))] == nil {
        implicitTables[Array(path.prefix(length))] = line
      }
      tables.append(TOMLTable(path: path, line: line, entries: []))
    }

    /// `key = value` in the table opened last.
    private mutating func entry(_ cursor: inout Cursor) throws(TOMLError) {
      let line = cursor.line
      let key = try cursor.key(what: "a key")
      cursor.skipSpace()
      if cursor.peek() == "." {
        throw cursor.error(
          "dotted keys are not supported in keyctl's config; put the key under a [table] header")
      }
      guard cursor.peek() == "=" else {
        if cursor.peek() == nil { throw cursor.error("expected '=' after the key '\(key)'") }
        throw cursor.error("expected '=' after the key '\(key)', found \(cursor.shown)")
      }
      cursor.advance()
      cursor.skipSpace()
      let value = try cursor.value()
      try cursor.expectEndOfLine(after: "the value")
      let index = tables.count - 1
      let path = tables[index].path + [key]
      let table =
        tables[index].path.isEmpty ? "" : " in [\(TOMLParser.display(tables[index].path))]"
      if let earlier = values[path] {
        throw TOMLError(
          line: line, column: nil,
          message: "duplicate key '\(key)'\(table) (first set on line \(earlier))")
      }
      if let tableLine = explicitTables[path] ?? implicitTables[path] {
        throw TOMLError(
          line: line, column: nil,
          message: "'\(key)'\(table) is already a table (line \(tableLine))")
      }
      values[path] = line
      tables[index].entries.append(TOMLEntry(key: key, value: value, line: line))
    }
  }

  /// A dotted path as a person writes it, quoting the parts that are not bare keys.
  static func display(_ path: [String]) -> String {
    path.map { part in
      !part.isEmpty && part.unicodeScalars.allSatisfy(isBareKeyScalar) ? part : "\"\(part)\""
    }.joined(separator: ".")
  }

  /// Letters, digits, `_` and `-`: what TOML allows in a key without quotes.
  static func isBareKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case "A"..."Z", "a"..."z", "0"..."9", "_", "-": true
    default: false
    }
  }

  /// A position in one line.
  private struct Cursor {
    /// The line's characters, without its line break.
    let scalars: [Unicode.Scalar]
    /// 1-based line number.
    let line: Int
    /// 0-based index of the next character.
    var index = 0

    /// The next character, or nil at the end of the line.
    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
      index + offset < scalars.count ? scalars[index + offset] : nil
    }

    /// Moves past the next character.
    mutating func advance() { index += 1 }

    /// Skips spaces and tabs, the only whitespace inside a TOML line.
    mutating func skipSpace() {
      while let scalar = peek(), scalar == " " || scalar == "\t" { index += 1 }
    }

    /// The next character as an error message shows it: quoted, or described
    /// when quoting it would print something invisible.
    var shown: String {
      guard let scalar = peek() else { return "the end of the line" }
      if TOMLParser.isControl(scalar) { return "a control character" }
      return "'\(Character(scalar))'"
    }

    /// An error at the current column.
    func error(_ message: String) -> TOMLError {
      TOMLError(line: line, column: index + 1, message: message)
    }

    /// After a header or value: only spaces and a comment may follow.
    mutating func expectEndOfLine(after what: String?) throws(TOMLError) {
      skipSpace()
      guard let scalar = peek() else { return }
      guard scalar == "#" else {
        if let what { throw error("unexpected \(shown) after \(what)") }
        throw error("unexpected \(shown)")
      }
      advance()
      while let scalar = peek() {
        if scalar != "\t", TOMLParser.isControl(scalar) {
          throw error("a control character in a comment")
        }
        advance()
      }
    }

    /// A bare or quoted key.
    mutating func key(what: String) throws(TOMLError) -> String {
      switch peek() {
      case "\""?, "'"?:
        if peek(1) == peek(), peek(2) == peek() {
          throw error("multi-line strings cannot be keys")
        }
        return try string()
      case .some(let scalar) where TOMLParser.isBareKeyScalar(scalar):
        var text = ""
        while let scalar = peek(), TOMLParser.isBareKeyScalar(scalar) {
          text.unicodeScalars.append(scalar)
          advance()
        }
        return text
      default:
        throw error("expected \(what), found \(shown)")
      }
    }

    /// A value: string, number or boolean; anything else TOML has is refused by name.
    mutating func value() throws(TOMLError) -> TOMLValue {
      guard let first = peek() else { throw error("expected a value after '='") }
      switch first {
      case "\"", "'":
        if peek(1) == first, peek(2) == first {
          throw error("multi-line strings are not supported in keyctl's config")
        }
        return .string(try string())
      case "[":
        throw error("arrays are not supported in keyctl's config")
      case "{":
        throw error("inline tables are not supported in keyctl's config")
      default:
        break
      }
      let column = index + 1
      var word = ""
      while let scalar = peek(), TOMLParser.isWordScalar(scalar) {
        word.unicodeScalars.append(scalar)
        advance()
      }
      if word.isEmpty { throw error("expected a value, found \(shown)") }
      if let value = TOMLParser.scalarValue(word) { return value }
      let looksLikeDate =
        word.count >= 5 && word.unicodeScalars.prefix(4).allSatisfy(TOMLParser.isDigit)
        && word.unicodeScalars.dropFirst(4).first == "-"
      let isTime = word.count >= 3 && word.unicodeScalars.dropFirst(2).first == ":"
      if looksLikeDate || isTime {
        throw TOMLError(
          line: line, column: column,
          message: "dates and times are not supported in keyctl's config")
      }
      if let first = word.unicodeScalars.first,
        TOMLParser.isDigit(first) || first == "+" || first == "-"
      {
        throw TOMLError(line: line, column: column, message: "not a valid number")
      }
      throw TOMLError(
        line: line, column: column,
        message: "expected a value (a \"string\", a number, true or false); strings need quotes")
    }

    /// `"…"` (a basic string, with TOML's escapes) or `'…'` (a literal string,
    /// taken exactly as written), starting at its opening quote.
    mutating func string() throws(TOMLError) -> String {
      let quote = peek()
      let start = index + 1
      advance()
      var text = ""
      while true {
        guard let scalar = peek() else {
          throw TOMLError(line: line, column: start, message: "unterminated string")
        }
        advance()
        if scalar == quote { return text }
        if scalar == "\\", quote == "\"" {
          text.unicodeScalars.append(try escape())
          continue
        }
        if scalar != "\t", TOMLParser.isControl(scalar) {
          index -= 1
          let advice = quote == "\"" ? " (write it as an escape)" : ""
          throw error("a control character in a string\(advice)")
        }
        text.unicodeScalars.append(scalar)
      }
    }

    /// One escape after a backslash.
    private mutating func escape() throws(TOMLError) -> Unicode.Scalar {
      let column = index
      guard let scalar = peek() else {
        throw TOMLError(line: line, column: column, message: "unterminated string")
      }
      advance()
      switch scalar {
      case "b": return "\u{08}"
      case "t": return "\t"
      case "n": return "\n"
      case "f": return "\u{0C}"
      case "r": return "\r"
      case "e": return "\u{1B}"
      case "\"": return "\""
      case "\\": return "\\"
      case "u", "U":
        let count = scalar == "u" ? 4 : 8
        var value: UInt32 = 0
        for _ in 0..<count {
          guard let digit = peek(), let nibble = TOMLParser.hexValue(digit) else {
            throw TOMLError(
              line: line, column: column,
              message: "invalid escape: \\\(scalar) needs \(count) hexadecimal digits")
          }
          value = value &* 16 &+ nibble
          advance()
        }
        guard let result = Unicode.Scalar(value) else {
          throw TOMLError(
            line: line, column: column,
            message: "invalid escape: \\\(scalar) names no Unicode character")
        }
        return result
      default:
        let shown = TOMLParser.isControl(scalar) ? "" : String(Character(scalar))
        throw TOMLError(
          line: line, column: column,
          message: "invalid escape '\\\(shown)' (valid: \\b \\t \\n \\f \\r \\e \\\" \\\\ "
            + "\\uXXXX \\UXXXXXXXX)")
      }
    }
  }

  /// Characters a bare value (number, boolean, date) may be made of; reading the
  /// whole run first lets `12abc` be reported as one bad number.
  private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case "A"..."Z", "a"..."z", "0"..."9", "_", "-", "+", ".", ":": true
    default: false
    }
  }

  /// C0 controls, DEL and C1 controls: never allowed raw in a string or comment.
  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
  }

  private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
    ("0"..."9").contains(scalar)
  }

  private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
    switch scalar {
    case "0"..."9": scalar.value - 48
    case "a"..."f": scalar.value - 87
    case "A"..."F": scalar.value - 55
    default: nil
    }
  }

  /// A boolean, integer or float in TOML's spelling, or nil.
  static func scalarValue(_ word: String) -> TOMLValue? {
    switch word {
    case "true": return .boolean(true)
    case "false": return .boolean(false)
    case "inf", "+inf": return .float(.infinity)
    case "-inf": return .float(-.infinity)
    case "nan", "+nan", "-nan": return .float(.nan)
    default: break
    }
    var body = Substring(word)
    if let sign = body.first, sign == "+" || sign == "-" { body = body.dropFirst() }
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where body.hasPrefix(prefix) {
      // TOML allows no sign on these.
      guard word.first != "+", word.first != "-" else { return nil }
      let digits = body.dropFirst(2)
      guard underscoresValid(digits), digits.allSatisfy({ $0 == "_" || $0.isHexDigit }),
        let value = Int64(digits.filter { $0 != "_" }, radix: radix)
      else { return nil }
      return .integer(value)
    }
    let exponentIndex = body.firstIndex { $0 == "e" || $0 == "E" }
    let mantissa = body[..<(exponentIndex ?? body.endIndex)]
    let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, let integerPart = parts.first, isDecimalInteger(integerPart) else {
      return nil
    }
    if parts.count == 2 {
      guard isDigitRun(parts[1]) else { return nil }
    }
    if let exponentIndex {
      var exponent = body[body.index(after: exponentIndex)...]
      if let sign = exponent.first, sign == "+" || sign == "-" { exponent = exponent.dropFirst() }
      guard isDigitRun(exponent) else { return nil }
    }
    let plain = word.filter { $0 != "_" }
    if parts.count == 1, exponentIndex == nil {
      guard let value = Int64(plain) else { return nil }
      return .integer(value)
    }
    guard let value = Double(plain), value.isFinite else { return nil }
    return .float(value)
  }

  /// Digits with single underscores between them, and no leading zero (TOML's integer part).
  private static func isDecimalInteger(_ text: Substring) -> Bool {
    guard isDigitRun(text) else { return false }
    return text == "0" || text.first != "0"
  }

  /// One or more digits, with single underscores only between two digits.
  private static func isDigitRun(_ text: Substring) -> Bool {
    !text.isEmpty && text.allSatisfy { $0 == "_" || ("0"..."9").contains($0) }
      && underscoresValid(text)
  }

  /// Underscores only between two non-underscore characters.
  private static func underscoresValid(_ text: Substring) -> Bool {
    !text.isEmpty && text.first != "_" && text.last != "_" && !text.contains("__")
  }
}
