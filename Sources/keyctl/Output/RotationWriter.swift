import Foundation
import KeyCore

/// What `keyctl rotate` does, or is about to do, with the old key (its
/// `old_key` in JSON).
enum OldKeyFate: String, Sendable {
  /// Deleted (the default).
  case deleted
  /// Disabled, reversibly (`--disable-old`, OpenRouter).
  case disabled
  /// Left as it is (`--keep-old`), for a `keyctl delete` later.
  case kept
  /// Given a new secret under the same id (`--in-place`, px0).
  case regenerated

  /// How a dry run says it: "would be deleted", "kept".
  var planned: String {
    self == .kept ? "kept" : "would be " + rawValue
  }
}

/// The one way `keyctl rotate` prints: the new key with its secret, or with
/// `--dry-run` the plan.
///
/// - `-q`: the secret alone, for `NEW=$(keyctl rotate -p fal "$OLD" -q --yes)`;
/// - json and ndjson: one line, `{"old":{key},"new":{key},"secret":"…",
///   "old_key":"deleted"|"disabled"|"kept"|"regenerated"}` — `old_key` is what
///   the next step is about to do, because this is written (and flushed)
///   before it, so that no later failure can lose the secret;
/// - table: the new key as `create` shows it, its `secret`, then `old` (the
///   old key's id) and `old_key`.
///
/// A dry run prints `{"old":{key},"create":{…}|null,"old_key":…}` (the
/// create request that would be sent, null for `--in-place`), or the old key
/// followed by `create` and `old_key` lines.
struct RotationWriter {
  /// The output format asked for.
  let format: OutputFormat
  /// Whether only the secret is printed.
  let quiet: Bool
  /// How the table looks on this stdout.
  let terminal: Terminal

  /// The old key's fields a dry run's table shows.
  static let planFields: [KeyField] = [
    .provider, .id, .name, .scope, .status, .createdAt, .expiresAt,
  ]

  /// The bytes for a finished step 3: the new key, its secret, and the plan for the old key.
  func render(old: ApiKey, new: ApiKey, secret: String, fate: OldKeyFate) -> [UInt8] {
    if quiet { return Array((secret + "\n").utf8) }
    if format == .table {
      var rows = CreateCommand.tableFields.map { [$0.rawValue, $0.text(of: new)] }
      rows.append(["secret", secret])
      rows.append(["old", Untrusted.blank(old.id)])
      rows.append(["old_key", fate.rawValue])
      return Self.table(rows, terminal)
    }
    return Self.document(old: old, fate: fate) { json in
      json.raw(",\"new\":")
      KeyField.appendObject(new, fields: KeyField.allCases, to: &json)
      json.raw(",\"secret\":")
      json.string(secret)
    }
  }

  /// The bytes for a dry run: the old key, the create request (nil for
  /// `--in-place`), and what would happen to the old key.
  func renderPlan(old: ApiKey, request: CreateRequest?, fate: OldKeyFate) -> [UInt8] {
    if format == .table {
      var rows = Self.planFields.map { [$0.rawValue, $0.text(of: old)] }
      rows.append(["create", request.map(Self.summary) ?? "-"])
      rows.append(["old_key", fate.planned])
      return Self.table(rows, terminal)
    }
    return Self.document(old: old, fate: fate) { json in
      json.raw(",\"create\":")
      guard let request else {
        json.raw("null")
        return
      }
      json.raw("{\"provider\":")
      json.string(old.provider.rawValue)
      json.raw(",\"name\":")
      json.string(request.name)
      json.raw(",\"operation\":")
      json.string(request.operation)
      json.raw(",\"team_ids\":[")
      for (index, team) in request.teamIDs.enumerated() {
        if index > 0 { json.raw(",") }
        json.string(team)
      }
      json.raw("],\"limit\":")
      json.number(request.creditLimit)
      json.raw(",\"limit_reset\":")
      json.string(request.limitReset)
      json.raw(",\"include_byok_in_limit\":")
      if let include = request.includeByokInLimit { json.bool(include) } else { json.raw("null") }
      json.raw(",\"expires_at\":")
      json.date(request.expiresAt)
      json.raw(",\"workspace_id\":")
      json.string(request.workspaceID)
      json.raw("}")
    }
  }

  /// `{"old":{key}` + what `middle` writes + `,"old_key":…}` and a newline:
  /// the frame both JSON shapes share.
  private static func document(
    old: ApiKey, fate: OldKeyFate, _ middle: (inout JSONText) -> Void
  ) -> [UInt8] {
    var json = JSONText()
    json.raw("{\"old\":")
    KeyField.appendObject(old, fields: KeyField.allCases, to: &json)
    middle(&json)
    json.raw(",\"old_key\":")
    json.string(fate.rawValue)
    json.raw("}\n")
    return json.bytes
  }

  /// The create request in words: the name, then each setting it carries.
  static func summary(_ request: CreateRequest) -> String {
    var parts = ["name " + ShellWord.quoted(Untrusted.blank(request.name))]
    if let operation = request.operation { parts.append("operation \(operation)") }
    if !request.teamIDs.isEmpty {
      parts.append("team_ids " + request.teamIDs.joined(separator: ","))
    }
    if let limit = request.creditLimit {
      var number = JSONText()
      number.number(limit)
      parts.append("limit " + String(decoding: number.bytes, as: UTF8.self))
    }
    if let reset = request.limitReset { parts.append("limit_reset \(reset)") }
    if let include = request.includeByokInLimit { parts.append("include_byok_in_limit \(include)") }
    if let expires = request.expiresAt { parts.append("expires_at " + ISO8601.format(expires)) }
    if let workspace = request.workspaceID { parts.append("workspace_id \(workspace)") }
    return parts.joined(separator: ", ")
  }

  /// `field  value` lines, laid out by the one table, never cut.
  private static func table(_ rows: [[String]], _ terminal: Terminal) -> [UInt8] {
    var table = Table(columns: [Table.Column(header: ""), Table.Column(header: "")])
    table.showsHeader = false
    for row in rows { table.append(row) }
    return Array(table.render(width: nil, terminal: terminal).utf8)
  }
}
