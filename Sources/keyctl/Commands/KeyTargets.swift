import Foundation
import KeyCore

/// One key a command acts on: where it is, its id, and its name when known
/// (from a `keyctl list -o ndjson` line, or from looking it up), which the
/// results and the confirmation list show beside the id.
struct KeyTarget: Sendable, Equatable {
  /// The provider that holds the key.
  let provider: ProviderID
  /// The key's id at that provider.
  let id: String
  /// The key's name, when known.
  var name: String?
}

/// The keys of one `keyctl delete`: from its arguments, or from stdin
/// (`-`), checked whole before the first request.
enum KeyTargets {
  /// The most keys one call takes: beyond it a mistake (a whole listing piped
  /// unfiltered) is likelier than a plan, and memory stays bounded.
  static let maxKeys = 100_000
  /// The longest stdin line read (a `list -o ndjson` line with a big `raw`
  /// fits easily).
  static let maxLineBytes = 64 * 1024
  /// The most stdin lines read, blank and repeated ones included: repeats are
  /// kept once, so without it an endless stdin of one id (`yes ID |`) would
  /// be read for ever, and nothing is sent until stdin ends.
  static let maxLines = 10 * maxKeys

  /// The keys named as arguments, all at `provider`; a repeated id is kept once.
  static func arguments(
    _ ids: [String], provider: ProviderID, _ invocation: Invocation
  ) throws -> [KeyTarget] {
    var targets = Unique()
    for id in ids {
      let checked: String
      do {
        checked = try KeyID.checked(id, for: provider)
      } catch var error as KeyError {
        error.hint = "See '\(invocation.helpPage)'; copy ids from 'keyctl list -p \(provider)'."
        throw error
      }
      try targets.add(KeyTarget(provider: provider, id: checked), invocation)
    }
    return targets.list
  }

  /// The keys on stdin, one a line: a bare id (at `provider`, which must then
  /// be given), or a JSON object with `provider` and `id` (of `provider`, when
  /// it is given). Blank lines are skipped, repeated keys kept once; any other
  /// line is a usage error naming its number, raised before anything is sent.
  static func lines(
    from input: StandardInput, provider: ProviderID?, _ invocation: Invocation
  ) async throws -> [KeyTarget] {
    var reader = LineReader(input, limit: maxLineBytes)
    var targets = Unique()
    while true {
      let bytes: [UInt8]
      do {
        guard let next = try await reader.next() else { break }
        bytes = next
      } catch let tooLong as LineReader.TooLong {
        throw invocation.usageError(
          "stdin line \(tooLong.line) is longer than \(maxLineBytes / 1024) KiB")
      }
      let line = bytes.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop {
        $0 == 0x20 || $0 == 0x09
      }
      .reversed()
      guard reader.number <= maxLines else {
        throw invocation.usageError(
          "stdin has more than \(maxLines) lines; nothing was sent. Give at most "
            + "\(maxKeys) keys, once each")
      }
      if line.isEmpty { continue }
      let target = try parse(Array(line), number: reader.number, provider: provider, invocation)
      try targets.add(target, invocation)
    }
    return targets.list
  }

  /// One non-blank stdin line as a key.
  private static func parse(
    _ line: [UInt8], number: Int, provider: ProviderID?, _ invocation: Invocation
  ) throws -> KeyTarget {
    func refuse(_ problem: String) -> KeyError {
      invocation.usageError("stdin line \(number): \(problem)")
    }
    // What starts like JSON is read as JSON: an array or a quoted string is a
    // mistake to report, not an id that happens to be printable.
    if let first = line.first, "{[\"".utf8.contains(first) {
      let reference: KeyReference
      do {
        reference = try KeyReference(jsonLine: line)
      } catch {
        throw refuse(error.description)
      }
      guard let named = ProviderID.allCases.first(where: { $0.rawValue == reference.provider })
      else {
        throw refuse(
          "unknown provider '\(Untrusted.bounded(reference.provider, limit: 64))': expected one "
            + "of \(ProviderNames.list)")
      }
      if let provider, named != provider {
        throw refuse(
          "a \(named.rawValue) key, but this call deletes \(provider.rawValue) keys (-p "
            + "\(provider.rawValue)); drop -p to delete keys of every provider the lines name")
      }
      do {
        return KeyTarget(
          provider: named, id: try KeyID.checked(reference.id, for: named), name: reference.name)
      } catch let error as KeyError {
        throw refuse(error.message)
      }
    }
    let id = String(decoding: line, as: UTF8.self)
    if let problem = KeyID.problem(id, for: provider ?? .fal) {
      throw refuse("neither a key id nor a JSON key object (\(KeyID.shown(id)): \(problem))")
    }
    guard let provider else {
      throw refuse(
        "a bare id needs the provider: give -p NAME, or pipe JSON lines with \"provider\" and "
          + "\"id\" (keyctl list -o ndjson)")
    }
    return KeyTarget(provider: provider, id: (try? KeyID.checked(id, for: provider)) ?? id)
  }

  /// Keys in first-seen order, each (provider, id) once, at most `maxKeys`.
  private struct Unique {
    /// The keys kept, in order.
    private(set) var list: [KeyTarget] = []
    /// The keys kept, for finding repeats.
    private var seen: Set<String> = []

    /// Keeps `target` unless it is a repeat; refuses key number `maxKeys + 1`.
    mutating func add(_ target: KeyTarget, _ invocation: Invocation) throws {
      guard seen.insert(target.provider.rawValue + "\u{0}" + target.id).inserted else { return }
      guard list.count < KeyTargets.maxKeys else {
        throw invocation.usageError(
          "more than \(KeyTargets.maxKeys) keys in one call; split them into smaller batches")
      }
      list.append(target)
    }
  }
}
