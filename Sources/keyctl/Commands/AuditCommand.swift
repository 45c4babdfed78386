import Foundation
import KeyCore

extension Options {
  /// `--max-age DAYS`: the limit of `old`.
  static let maxAge: Option<Int?> = .days(
    "max-age", help: "old: a key created more than DAYS days before --as-of (default 90).")

  /// `--unused-days DAYS`: the limit of `unused` and `never_used`.
  static let unusedDays: Option<Int?> = .days(
    "unused-days",
    help: "unused: last used more than DAYS days before --as-of; never_used: never used and "
      + "created more than DAYS days before (default 30).")

  /// `--expiring-days DAYS`: how far ahead `expiring` looks.
  static let expiringDays: Option<Int?> = .days(
    "expiring-days", help: "expiring: expires within DAYS days after --as-of (default 14).")

  /// `--rules LIST`: which rules to check, by name.
  static let rules = Option<[AuditRule]?>(
    "rules", value: "LIST", choices: .fixed(AuditRule.allCases.map(\.rawValue)),
    commaSeparated: true, help: "Comma-separated rules to check (default: all).", absent: nil
  ) { values, context in
    try values.last.map { text in
      try context.keyCore { () throws(KeyError) in
        try AuditRule.parseList(text, option: context.shown)
      }
    }
  }

  /// `--as-of DATE`: the instant the rules are evaluated at.
  static let asOf = Option<Date?>(
    "as-of", value: "DATE",
    help: "Judge the keys as of this ISO-8601 date or date-time (a date alone is midnight UTC; "
      + "default: now), so a CI run can be repeated exactly.",
    absent: nil
  ) { values, context in
    try values.last.map { text in
      try context.keyCore { () throws(KeyError) in
        try Audit.parseAsOf(text, option: context.shown)
      }
    }
  }
}

extension Option where Value == Int? {
  /// A whole number of days, 0 or more, read by KeyCore's
  /// `AuditThresholds.parseDays` (digits only: no sign, fraction or unit);
  /// the last value wins.
  fileprivate static func days(_ long: String, help: String) -> Option {
    Option(long, value: "DAYS", help: help, absent: nil) { values, context in
      try values.last.map { text in
        try context.keyCore { () throws(KeyError) in
          try AuditThresholds.parseDays(text, option: context.shown)
        }
      }
    }
  }
}

extension ValueContext {
  /// The value KeyCore's parser makes of an option, or its usage error (which
  /// names the option and the value) pointing to this command's help page.
  fileprivate func keyCore<Value>(_ parse: () throws(KeyError) -> Value) throws -> Value {
    do {
      return try parse()
    } catch {
      throw usage(error.message)
    }
  }
}

/// `keyctl audit`: every key of the chosen providers checked against the
/// audit rules, so that `keyctl audit || page-the-team` is a CI gate.
enum AuditCommand: Command {
  /// The command's name, options and help.
  static let spec = CommandSpec(
    name: "audit",
    summary: "Report keys that are expired, expiring, disabled, unused, old or orphaned",
    usage:
      "keyctl audit [-p NAME]... [--max-age DAYS] [--unused-days DAYS] [--expiring-days DAYS] "
      + "[--rules LIST] [--as-of DATE]",
    discussion:
      "Lists every key of the chosen providers (OpenRouter's disabled and expired keys "
      + "included) and reports one finding per rule a key breaks: expired (expires_at at or "
      + "before --as-of), expiring (within --expiring-days after it), disabled, unused (last "
      + "used more than --unused-days before it), never_used (never used, and created more than "
      + "--unused-days before it), old (created more than --max-age days before it), "
      + "creator_left (the creator has left the organization). Days are whole days of 24 hours. "
      + "A rule is applied only to providers that report the field it reads (PROVIDERS below). "
      + "Exit 9 when there are findings and every provider answered, 7 when some providers "
      + "failed, 0 when there is nothing to report.",
    options: [
      Options.maxAge, Options.unusedDays, Options.expiringDays, Options.rules, Options.asOf,
      Options.orgID, Options.workspaceID.withHelp("The OpenRouter workspace whose keys to audit."),
      Options.pagingConcurrency,
    ],
    examples: [
      "keyctl audit",
      "keyctl audit -p openrouter,px0 --unused-days 45 --rules unused,never_used",
      "keyctl audit --as-of 2026-04-15 -o json | jq -r '.findings[] | [.provider, .id, .rule] | @tsv'",
      "keyctl audit -o ndjson > findings.ndjson || { cat findings.ndjson; exit 1; }",
    ],
    providerNote: { provider in
      let rules = AuditRule.allCases.filter { $0.applies(to: provider) }
      return "checks " + rules.map(\.rawValue).joined(separator: ", ")
    })

  /// Audits, writes findings as pages arrive, and reports each provider's failure.
  static func run(_ invocation: Invocation, _ context: CommandContext) async throws -> Int32 {
    var globals = try GlobalOptions(invocation, environment: context.environment)
    globals.connectionLimit = invocation.pagingConcurrency
    var thresholds = AuditThresholds()
    if let days = invocation[Options.maxAge] { thresholds.maxAgeDays = days }
    if let days = invocation[Options.unusedDays] { thresholds.unusedDays = days }
    if let days = invocation[Options.expiringDays] { thresholds.expiringDays = days }
    // Read once, so every key is judged at the same instant however long the listing takes.
    let asOf = invocation[Options.asOf] ?? Date()
    let setup = try await ListingProviders(globals, invocation, context)

    var writer = FindingWriter(
      format: globals.format, sink: context.stdout, stderr: context.stderr,
      terminal: globals.terminal(context), width: context.tableWidth)
    var request = AuditRequest(
      providers: setup.adapters, asOf: asOf, thresholds: thresholds,
      rules: invocation[Options.rules] ?? AuditRule.allCases,
      workspaceID: invocation[Options.workspaceID])
    request.concurrency = invocation.pagingConcurrency
    // A reader that goes away is not a quiet end here, unlike `list`: a gate
    // that stopped checking must not look like one that passed (Runner: exit 10).
    let result = try await Audit.run(request) { batch in
      try writer.write(batch.findings)
      KeyNotes.print(batch.keys, to: context.stderr)
    }
    let errors = setup.errors(adding: result.errors)
    let checked = setup.selected.map { ($0, result.checked[$0] ?? 0) }
    try writer.finish(checked: checked, errors: errors)
    for error in errors { context.stderr.line(ErrorRenderer.render(error)) }
    if !errors.isEmpty { return setup.exitCode(errors: errors) }
    return result.findings > 0 ? Audit.findingsExitCode : 0
  }
}

/// Writes an audit's findings in the format asked for:
///
/// - ndjson: one finding object per line, flushed after every page, so a
///   pipeline sees findings while later pages are still being fetched;
/// - json: `{"findings":[…],"checked":{"fal":N,…},"errors":[…]}`, the findings
///   written as they come;
/// - table: provider, id, name, rule and detail, laid out once every finding
///   is in (only findings are kept, as short strings, never the keys); with
///   none, nothing on stdout and, when every provider answered, "No findings
///   (N keys checked)." on stderr.
///
/// A finding object is `{"provider","id","name","rule","detail","key"}`, `key`
/// being the normalized key with every field.
struct FindingWriter {
  /// The format asked for.
  let format: OutputFormat
  /// stdout.
  let sink: OutputSink
  /// Where "No findings" goes.
  let stderr: OutputSink
  /// How the table looks on this stdout.
  let terminal: Terminal
  /// The terminal width a table is fitted to, or nil.
  let width: Int?
  /// The open `findings` array of the json document.
  private var findings = StreamedArray(opening: "{\"findings\":[")
  /// The table's rows, until `finish`.
  private var table = Table(columns: [
    Table.Column(header: "PROVIDER"), Table.Column(header: "ID"),
    Table.Column(header: "NAME", shrinks: true), Table.Column(header: "RULE"),
    Table.Column(header: "DETAIL"),
  ])

  /// A writer for one audit.
  init(
    format: OutputFormat, sink: OutputSink, stderr: OutputSink, terminal: Terminal, width: Int?
  ) {
    self.format = format
    self.sink = sink
    self.stderr = stderr
    self.terminal = terminal
    self.width = width
  }

  /// Writes (or, for the table, keeps) the findings of one page.
  mutating func write(_ batch: [Finding]) throws {
    guard !batch.isEmpty else { return }
    switch format {
    case .table:
      for finding in batch {
        table.append(
          [KeyField.provider, .id, .name].map { $0.text(of: finding.key) } + [
            finding.rule.rawValue, Untrusted.blank(finding.detail),
          ])
      }
    case .json:
      var json = JSONText()
      for finding in batch {
        findings.next(&json)
        Self.append(finding, to: &json)
      }
      try sink.write(bytes: json.bytes)
    case .ndjson:
      var json = JSONText()
      for finding in batch {
        Self.append(finding, to: &json)
        json.raw("\n")
      }
      try sink.write(bytes: json.bytes)
      try sink.flush()
    }
  }

  /// Ends the output: lays out the table (or says there is nothing to
  /// report), or closes the json document with `checked` and `errors`.
  mutating func finish(checked: [(ProviderID, Int)], errors: [KeyError]) throws {
    switch format {
    case .table:
      if table.isEmpty {
        // As `list` says "No keys found.": only when every provider answered;
        // otherwise the errors that follow say why there may be nothing.
        if errors.isEmpty {
          let total = checked.reduce(0) { $0 + $1.1 }
          stderr.line("No findings (\(total) \(total == 1 ? "key" : "keys") checked).")
        }
      } else {
        try sink.write(table.render(width: width, terminal: terminal))
      }
    case .json:
      var json = JSONText()
      findings.close(&json, errors: errors) { json in
        json.raw("\"checked\":{")
        for (index, (provider, count)) in checked.enumerated() {
          if index > 0 { json.raw(",") }
          json.string(provider.rawValue)
          json.raw(":")
          json.number(count)
        }
        json.raw("}")
      }
      try sink.write(bytes: json.bytes)
    case .ndjson:
      break
    }
    try sink.flush()
  }

  /// One finding object.
  private static func append(_ finding: Finding, to json: inout JSONText) {
    json.raw("{\"provider\":")
    json.string(finding.provider.rawValue)
    json.raw(",\"id\":")
    json.string(finding.id)
    json.raw(",\"name\":")
    json.string(finding.name)
    json.raw(",\"rule\":")
    json.string(finding.rule.rawValue)
    json.raw(",\"detail\":")
    json.string(finding.detail)
    json.raw(",\"key\":")
    KeyField.appendObject(finding.key, fields: KeyField.allCases, to: &json)
    json.raw("}")
  }
}
