import KeyCore

/// The one way a single key is printed: by `create`, `get` and `update`, and
/// by `rotate`, so that every command shows a key alike.
///
/// - table: one `field  value` line per field (the `Table` layout, no header;
///   `creator` as `email / name / id`), then `secret` when there is one;
/// - json and ndjson: the key object on one line, or, with a secret,
///   `{"key":{…},"secret":"…"}`;
/// - quiet (`-q`): the secret alone, for `KEY=$(keyctl create … -q)`.
struct SingleKeyWriter {
  /// The output format asked for.
  let format: OutputFormat
  /// Whether only the secret is printed.
  let quiet: Bool
  /// How the table looks on this stdout.
  let terminal: Terminal

  /// The bytes for one key and, for a new key, its secret. A table view is
  /// never cut to the terminal's width: this is where a whole name is read.
  func render(_ key: ApiKey, fields: [KeyField], secret: String?) -> [UInt8] {
    if quiet, let secret { return Array((secret + "\n").utf8) }
    if format == .table {
      var table = Table(columns: [Table.Column(header: ""), Table.Column(header: "")])
      table.showsHeader = false
      for field in fields { table.append([field.rawValue, field.detailText(of: key)]) }
      if let secret { table.append(["secret", secret]) }
      return Array(table.render(width: nil, terminal: terminal).utf8)
    }
    var json = JSONText()
    if let secret {
      json.raw("{\"key\":")
      KeyField.appendObject(key, fields: fields, to: &json)
      json.raw(",\"secret\":")
      json.string(secret)
      json.raw("}\n")
    } else {
      KeyField.appendObject(key, fields: fields, to: &json)
      json.raw("\n")
    }
    return json.bytes
  }
}
