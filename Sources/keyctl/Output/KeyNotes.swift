import KeyCore

/// What keyctl could not show of a key (`ApiKey.notes`: a date out of range,
/// shown as null), said on stderr by every command that prints keys.
enum KeyNotes {
  /// One stderr line per note: `keyctl: <provider> key <id>: <note>`, blanked.
  static func print(_ keys: [ApiKey], to stderr: OutputSink) {
    for key in keys where !key.notes.isEmpty {
      let id = Untrusted.bounded(key.id, limit: 128)
      for note in key.notes {
        stderr.line("keyctl: \(key.provider.rawValue) key \(id): \(Untrusted.blank(note))")
      }
    }
  }
}
