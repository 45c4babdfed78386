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
  let sink: OutputSink
  let fields: [KeyField]

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

  mutating func finish(nextCursor: String?, errors: [KeyError]) throws {
    try sink.flush()
  }
}

/// `-o json`: one document `{"keys":[…],"next_cursor":…,"errors":[…]}`, written
/// as keys arrive so that even a 100,000-key listing holds one page in memory.
struct JSONEnvelopeWriter: ListWriter {
  let sink: OutputSink
  let fields: [KeyField]
  private var started = false
  private var first = true

  init(sink: OutputSink, fields: [KeyField]) {
    self.sink = sink
    self.fields = fields
  }

  mutating func write(_ keys: [ApiKey]) throws {
    var json = JSONText()
    json.bytes.reserveCapacity(keys.count * 400 + 16)
    if !started {
      json.raw("{\"keys\":[")
      started = true
    }
    for key in keys {
      if !first { json.raw(",") }
      first = false
      KeyField.appendObject(key, fields: fields, to: &json)
    }
    try sink.write(bytes: json.bytes)
  }

  mutating func finish(nextCursor: String?, errors: [KeyError]) throws {
    var json = JSONText()
    json.raw(started ? "]" : "{\"keys\":[]")
    json.raw(",\"next_cursor\":")
    json.string(nextCursor)
    json.raw(",\"errors\":[")
    for (index, error) in errors.enumerated() {
      if index > 0 { json.raw(",") }
      json.raw("{\"provider\":")
      json.string(error.provider?.rawValue)
      json.raw(",\"kind\":")
      json.string(error.kind.rawValue)
      json.raw(",\"status\":")
      json.number(error.status)
      json.raw(",\"message\":")
      json.string(error.message)
      json.raw(",\"request_id\":")
      json.string(error.requestID)
      json.raw("}")
    }
    json.raw("]}\n")
    try sink.write(bytes: json.bytes)
    try sink.flush()
  }
}

/// `-o table`: aligned columns for people. Widths need every row, so rows are
/// collected (as short strings) and printed at the end; ids are never cut.
struct TableWriter: ListWriter {
  let sink: OutputSink
  let fields: [KeyField]
  let terminal: Terminal
  let stderr: OutputSink
  private var rows: [[String]] = []

  init(sink: OutputSink, fields: [KeyField], terminal: Terminal, stderr: OutputSink) {
    self.sink = sink
    self.fields = fields
    self.terminal = terminal
    self.stderr = stderr
  }

  mutating func write(_ keys: [ApiKey]) throws {
    for key in keys { rows.append(fields.map { $0.text(of: key) }) }
  }

  mutating func finish(nextCursor: String?, errors: [KeyError]) throws {
    if rows.isEmpty {
      if errors.isEmpty { stderr.line("No keys found.") }
    } else {
      let headers = fields.map { $0.rawValue.uppercased().replacingOccurrences(of: "_", with: " ") }
      var widths = headers.map(\.count)
      for row in rows {
        for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
      }
      var out = ""
      out += line(headers, widths, header: true)
      for row in rows { out += line(row, widths, header: false) }
      try sink.write(out)
    }
    try sink.flush()
    if let nextCursor {
      stderr.line("More keys remain; continue with: --cursor \(nextCursor)")
    }
  }

  /// One row; styling is applied after measuring, so escape codes never skew the widths.
  private func line(_ cells: [String], _ widths: [Int], header: Bool) -> String {
    var text = ""
    for (column, cell) in cells.enumerated() {
      let isLast = column == cells.count - 1
      if header {
        text += terminal.bold(cell)
      } else {
        text += fields[column] == .status ? terminal.status(cell) : cell
      }
      if !isLast { text += String(repeating: " ", count: widths[column] - cell.count + 2) }
    }
    return text + "\n"
  }
}
