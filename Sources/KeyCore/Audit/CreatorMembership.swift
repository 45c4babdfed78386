import Foundation

/// Reads Cartesia's `creator_still_in_org` from a key's raw object, which the
/// normalized `ApiKey` does not carry.
///
/// Kept to this one function so that it can move onto KeyCore's own JSON
/// reader in one edit; until then Foundation's `JSONDecoder` (which, unlike
/// `JSONSerialization`, needs no locale) reads the one top-level field.
enum CreatorMembership {
  /// The top-level field, nothing else.
  private struct Probe: Decodable {
    let creatorStillInOrg: Bool?

    enum CodingKeys: String, CodingKey {
      case creatorStillInOrg = "creator_still_in_org"
    }
  }

  /// `creator_still_in_org` when the raw object has it as a boolean; nil when it
  /// is missing, null, another type, or the raw bytes are not an object (then
  /// nothing is known and `creator_left` reports nothing).
  static func stillInOrganization(_ raw: RawJSON) -> Bool? {
    (try? JSONDecoder().decode(Probe.self, from: raw.bytes))?.creatorStillInOrg
  }
}
