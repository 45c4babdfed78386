import Foundation

/// What keyctl accepts as a key id, from an argument or a line of stdin,
/// before it goes anywhere near a URL.
///
/// Ids are copied from listings into commands and scripts, so a real one is
/// always one plain token. Anything else — empty, huge, holding white space, a
/// control character or non-ASCII — is a slip in the input (a pasted tab, a
/// stray quote, the wrong column), and is refused (exit 2) before any request
/// rather than sent to a provider to mean who knows what. `.` and `..` are
/// refused too: as a path segment they would name the collection or its parent.
public enum KeyID {
  /// The longest id keyctl accepts, in bytes; every provider's ids are far shorter.
  public static let maxBytes = 256

  /// Why `id` cannot name a key at `provider`, or nil when it can: the reason
  /// alone ("it is empty"), for messages that name the id or its line themselves.
  public static func problem(_ id: String, for provider: ProviderID) -> String? {
    if id.isEmpty { return "it is empty" }
    if id.utf8.count > maxBytes { return "it is longer than \(maxBytes) bytes" }
    if id.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) {
      return "a key id is printable ASCII without spaces"
    }
    if id == "." || id == ".." { return "'.' and '..' name no key" }
    if provider.descriptor?.keyIDsAreUUIDs == true, UUID(uuidString: id) == nil {
      return
        "\(provider.displayName) key ids are UUIDs, such as 7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f"
    }
    return nil
  }

  /// `id` as keyctl sends it (a UUID lower-cased: providers print them so),
  /// or a usage error (exit 2) naming it and the reason.
  public static func checked(_ id: String, for provider: ProviderID) throws -> String {
    if let problem = problem(id, for: provider) {
      throw KeyError(
        .usage, "invalid key id \(shown(id)) for \(provider.rawValue): \(problem)",
        provider: provider,
        hint: "Copy the id from 'keyctl list -p \(provider.rawValue)'.")
    }
    return provider.descriptor?.keyIDsAreUUIDs == true ? id.lowercased() : id
  }

  /// The id quoted for a message: blanked and bounded, so a pasted escape
  /// sequence or a megabyte of input cannot take over the error line.
  public static func shown(_ id: String) -> String {
    "'" + Untrusted.bounded(id, limit: 80) + "'"
  }
}
