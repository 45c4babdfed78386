import KeyCore

/// Writes a listing in one output format as batches of keys arrive.
protocol ListWriter {
  /// Takes the next keys in output order.
  mutating func write(_ keys: [ApiKey]) throws
  /// Ends the output once every provider has answered or failed.
  mutating func finish(nextCursor: String?, errors: [KeyError]) throws
}

/// `-o ndjson`: one key per line, flushed after every batch so a pipeline sees
/// keys while later pages are still being fetched; memory stays flat.
struct NDJSONWriter: ListWriter {
  /// Where the lines go.
  let sink: OutputSink
  /// The fields of each object, in order.
  let fields: [KeyField]

  /// Writes one line per key and flushes, so a pipeline sees them now.
  mutating func write(_ keys: [ApiKey]) throws {
    var json = JSONText()
    json.bytes.reserveCapacity(keys.count * 400)
    for key in keys {
      KeyField.appendObject(key, fields: fields, to: &json)
      json.raw("\n")
    }
    try sink.write(bytes: json.bytes)
    try sink.flush()
  }

  /// Flushes; the cursor and errors go to stderr (the command writes them).
  mutating func finish(nextCursor: String?, errors: [KeyError]) throws {
    try sink.flush()
  }
}

/// `-o json`: one document `{"keys":[…],"next_cursor":…,"errors":[…]}`, written
/// as keys arrive so that even a 100,000-key listing holds one page in memory.
struct JSONEnvelopeWriter: ListWriter {
  /// Where the document goes.
  let sink: OutputSink
  /// The fields of each key object, in order.
  let fields: [KeyField]
  /// The open `keys` array.
  private var keys = StreamedArray(opening: "{\"keys\":[")

  /// A writer that has written nothing yet.
  init(sink: OutputSink, fields: [KeyField]) {
    self.sink = sink
    self.fields = fields
  }

  /// Writes the keys into the open `keys` array.
  mutating func write(_ keys: [ApiKey]) throws {
    var json = JSONText()
    json.bytes.reserveCapacity(keys.count * 400 + 16)
    for key in keys {
      self.keys.next(&json)
      KeyField.appendObject(key, fields: fields, to: &json)
    }
    try sink.write(bytes: json.bytes)
  }

  /// Closes the array and writes `next_cursor` and `errors`.
  mutating func finish(nextCursor: String?, errors: [KeyError]) throws {
    var json = JSONText()
    keys.close(&json, errors: errors) { json in
      json.raw("\"next_cursor\":")
      json.string(nextCursor)
    }
    try sink.write(bytes: json.bytes)
    try sink.flush()
  }
}

/// The array a streamed JSON document opens with (`{"keys":[` for `list`,
/// `{"findings":[` for `audit`), written element by element as data arrives:
/// the opening goes out with the first element, a comma before every later one.
struct StreamedArray {
  /// The document's start up to the array's `[`.
  let opening: StaticString
  /// Whether the opening has been written.
  private var started = false

  /// An array of which nothing is written yet.
  init(opening: StaticString) {
    self.opening = opening
  }

  /// Writes what goes before the next element: the opening, or a comma.
  mutating func next(_ json: inout JSONText) {
    if started {
      json.raw(",")
    } else {
      json.raw(opening)
      started = true
    }
  }

  /// Ends the document: closes the array (writing the opening first when it
  /// had no element), then the caller's `members`, then `errors` — the way
  /// every listing document (`list`, `audit`) reports the providers that failed.
  func close(
    _ json: inout JSONText, errors: [KeyError], members: (inout JSONText) -> Void
  ) {
    if !started { json.raw(opening) }
    json.raw("],")
    members(&json)
    json.raw(",")
    Self.appendErrors(errors, to: &json)
    json.raw("}\n")
  }

  /// `"errors":[{"provider","kind","status","message","request_id"},…]`.
  private static func appendErrors(_ errors: [KeyError], to json: inout JSONText) {
    json.raw("\"errors\":[")
    for (index, error) in errors.enumerated() {
      if index > 0 { json.raw(",") }
      ErrorRenderer.appendJSON(error, provider: true, to: &json)
    }
    json.raw("]")
  }
}

/// `-o table`: aligned columns for people (`Table`). Widths need every row, so
/// rows are collected (as short strings) and printed at the end; on a
/// terminal the name column is shortened to fit, ids are never cut.
struct TableWriter: ListWriter {
  /// Where the table goes.
  let sink: OutputSink
  /// Colour or not.
  let terminal: Terminal
  /// The terminal's width to fit to, or nil to never cut.
  let width: Int?
  /// Where "No keys found." and the cursor hint go.
  let stderr: OutputSink
  /// The fields shown, one column each.
  private let fields: [KeyField]
  /// The rows so far.
  private var table: Table

  /// A writer of `fields` as columns.
  init(sink: OutputSink, fields: [KeyField], terminal: Terminal, width: Int?, stderr: OutputSink) {
    self.sink = sink
    self.fields = fields
    self.terminal = terminal
    self.width = width
    self.stderr = stderr
    table = Table(
      columns: fields.map { field in
        Table.Column(
          header: field.header, style: field == .status ? .status : .plain,
          shrinks: field == .name)
      })
  }

  /// Collects the keys' rows.
  mutating func write(_ keys: [ApiKey]) throws {
    for key in keys { table.append(fields.map { $0.text(of: key) }) }
  }

  /// Prints the table (or "No keys found." on stderr), then the cursor hint.
  mutating func finish(nextCursor: String?, errors: [KeyError]) throws {
    if table.isEmpty {
      if errors.isEmpty { stderr.line("No keys found.") }
    } else {
      try sink.write(table.render(width: width, terminal: terminal))
    }
    try sink.flush()
    if let nextCursor {
      stderr.line("More keys remain; continue with: --cursor \(nextCursor)")
    }
  }
}
