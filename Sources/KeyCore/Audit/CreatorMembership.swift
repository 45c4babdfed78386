/// Reads Cartesia's `creator_still_in_org` from a key's raw object, which the
/// normalized `ApiKey` does not carry.
enum CreatorMembership {
  /// `creator_still_in_org` when the raw object has it as a boolean; nil when it
  /// is missing, null, another type, or the raw bytes are not an object (then
  /// nothing is known and `creator_left` reports nothing).
  static func stillInOrganization(_ raw: RawJSON) -> Bool? {
    guard let document = try? JSONDocument(parsing: raw.bytes), document.root.kind == .object
    else { return nil }
    return try? document.root.optionalBool("creator_still_in_org")
  }
}
