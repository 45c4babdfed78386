import KeyCore

/// What happened to one key of `keyctl delete` (or would, with `--dry-run`).
struct KeyResult: Sendable {
  /// What happened.
  enum Outcome: Sendable {
    /// The provider deleted it (fal: or never had it; fal cannot tell).
    case deleted
    /// The provider said it has no such key.
    case notFound
    /// `--dry-run`: the key exists and would be deleted.
    case wouldDelete
    /// The request failed (or was never sent: `interrupted`).
    case failed(KeyError)
  }

  /// The key.
  var target: KeyTarget
  /// What happened to it.
  var outcome: Outcome

  /// `result` in JSON: `deleted`, `not_found`, `would_delete` or `failed`.
  var result: String {
    switch outcome {
    case .deleted: "deleted"
    case .notFound: "not_found"
    case .wouldDelete: "would_delete"
    case .failed: "failed"
    }
  }

  /// The first column of the table: `deleted`, `not found`, `would delete` or
  /// `failed: <what went wrong>`.
  var label: String {
    switch outcome {
    case .deleted: "deleted"
    case .notFound: "not found"
    case .wouldDelete: "would delete"
    case .failed(let error): "failed: " + Untrusted.blank(error.message)
    }
  }

  /// The error, when the result is `failed`.
  var error: KeyError? {
    if case .failed(let error) = outcome { return error }
    return nil
  }
}

/// Writes the results of `keyctl delete` in the format asked for:
///
/// - ndjson: one result object per line, each flushed as it is written, so a
///   script sees each key's result as soon as every earlier one is known;
/// - json: `{"results":[…]}`, its elements written as they come;
/// - table: one line per key — result, provider, id, name when known — laid
///   out once every result is in (columns are aligned over all of them).
///
/// A result object is `{"provider","id","result","error"}`; `error` is null or
/// `{"kind","status","message","request_id"}`.
struct ResultWriter {
  /// The format asked for.
  let format: OutputFormat
  /// stdout.
  let sink: OutputSink
  /// How the table looks on this stdout.
  let terminal: Terminal
  /// The terminal width a table is fitted to, or nil.
  let width: Int?
  /// The table's rows, until `finish`.
  private var table = Table(
    columns: [
      Table.Column(header: "RESULT"), Table.Column(header: "PROVIDER"),
      Table.Column(header: "ID"), Table.Column(header: "NAME", shrinks: true),
    ], showsHeader: false)
  /// How many results were written.
  private var written = 0

  /// A writer for one call's results.
  init(format: OutputFormat, sink: OutputSink, terminal: Terminal, width: Int?) {
    self.format = format
    self.sink = sink
    self.terminal = terminal
    self.width = width
  }

  /// Writes (or, for the table, keeps) one result.
  mutating func write(_ result: KeyResult) throws {
    defer { written += 1 }
    switch format {
    case .table:
      table.append([
        result.label, result.target.provider.rawValue, Untrusted.blank(result.target.id),
        Untrusted.blank(result.target.name ?? ""),
      ])
    case .json:
      var json = JSONText()
      json.raw(written == 0 ? "{\"results\":[" : ",")
      Self.append(result, to: &json)
      try sink.write(bytes: json.bytes)
      try sink.flush()
    case .ndjson:
      var json = JSONText()
      Self.append(result, to: &json)
      json.raw("\n")
      try sink.write(bytes: json.bytes)
      try sink.flush()
    }
  }

  /// Ends the output: closes the JSON document, or lays out the table.
  mutating func finish() throws {
    switch format {
    case .table:
      // An unknown name leaves the last cell empty: no line ends in spaces.
      let text = table.render(width: width, terminal: terminal)
        .split(separator: "\n", omittingEmptySubsequences: false)
        .map { line in String(line.reversed().drop { $0 == " " }.reversed()) }
        .joined(separator: "\n")
      try sink.write(text)
    case .json:
      try sink.write(written == 0 ? "{\"results\":[]}\n" : "]}\n")
    case .ndjson:
      break
    }
    try sink.flush()
  }

  /// One result object.
  private static func append(_ result: KeyResult, to json: inout JSONText) {
    json.raw("{\"provider\":")
    json.string(result.target.provider.rawValue)
    json.raw(",\"id\":")
    json.string(result.target.id)
    json.raw(",\"result\":")
    json.string(result.result)
    json.raw(",\"error\":")
    if let error = result.error {
      ErrorRenderer.appendJSON(error, provider: false, to: &json)
    } else {
      json.raw("null")
    }
    json.raw("}")
  }
}
