import Foundation

/// A key named by one line of JSON: an object with the string members
/// `provider` and `id`, as `keyctl delete -` reads its stdin.
///
/// Such a line is usually one that `keyctl list -o ndjson` printed, so that
/// `keyctl list … -o ndjson | keyctl delete - --yes` works; every other member
/// is ignored (a listed key has many), except that a string `name` is kept for
/// the people reading the results. The line is read by the one strict JSON
/// reader: what it refuses in a provider's body it refuses here too.
public struct KeyReference: Sendable, Equatable {
  /// The provider's name as the line spells it; the caller checks it is one keyctl knows.
  public let provider: String
  /// The key's id, exactly as the line holds it.
  public let id: String
  /// The key's name when the line has one (a listed key does), for the results table.
  public let name: String?

  /// Reads one line (without its line break); throws what is wrong with it in
  /// a phrase that follows "line N: ".
  public init(jsonLine: [UInt8]) throws(KeyReferenceError) {
    let document: JSONDocument
    do {
      document = try JSONDocument(parsing: Data(jsonLine))
    } catch {
      throw KeyReferenceError(
        description: "not valid JSON (\(error.reason) at byte \(error.offset + 1))")
    }
    let root = document.root
    guard root.kind == .object else {
      throw KeyReferenceError(description: "JSON that is \(root.kind.described), not an object")
    }
    let strings: (provider: String?, id: String?, name: String?)
    do {
      strings = (
        try Self.string(root.member("provider")), try Self.string(root.member("id")),
        try Self.string(root.member("name"))
      )
    } catch {
      throw KeyReferenceError(description: error.description)
    }
    guard let provider = strings.provider, let id = strings.id else {
      throw KeyReferenceError(
        description: "a JSON object without the string members \"provider\" and \"id\"")
    }
    self.provider = provider
    self.id = id
    self.name = strings.name
  }

  /// The member's text when it is a string, else nil (absent, null or another type).
  private static func string(_ value: JSONValue?) throws(JSONReadError) -> String? {
    guard let value, value.kind == .string else { return nil }
    return try value.unredactedString()
  }
}

/// Why a line does not name a key, e.g. "not valid JSON (a trailing comma at byte 31)".
public struct KeyReferenceError: Error, Sendable, CustomStringConvertible {
  /// The reason, as a phrase for "line N: …".
  public let description: String
}
