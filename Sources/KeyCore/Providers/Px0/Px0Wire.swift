/// px0's JSON shapes, exactly as its server sends and takes them; the ones
/// keyctl reads are read once from a strictly parsed body (`init(json:)`).
enum Px0Wire {
  /// One listed key. Only `id` is required here: the other fields are read
  /// when present, so a server version that drops one still lists.
  struct Key {
    let id: String
    let name: String?
    let operation: String?
    let createdAt: String?
    let lastUsedAt: String?

    /// Reads one key object.
    init(json: JSONValue) throws(JSONReadError) {
      id = try json.string("id")
      name = try json.optionalString("name")
      operation = try json.optionalString("operation")
      createdAt = try json.optionalString("created_at")
      lastUsedAt = try json.optionalString("last_used_at")
    }
  }

  /// Optional fields are nil to leave them out of the body (synthesized
  /// `Encodable` skips nil), so px0 applies its own defaults.
  struct CreateRequest: Encodable {
    let name: String
    let orgID: String
    let teamIDs: [String]?
    let operation: String?

    enum CodingKeys: String, CodingKey {
      case name, operation
      case orgID = "org_id"
      case teamIDs = "team_ids"
    }
  }

  /// The 201 answer to a create: the key's fields and its secret, once.
  struct CreateResponse {
    let id: String
    let name: String?
    let key: String
    let operation: String?
    let createdAt: String?

    /// Reads the answer; the secret is read unredacted, to be checked and printed.
    init(json: JSONValue) throws(JSONReadError) {
      id = try json.string("id")
      name = try json.optionalString("name")
      key = try json.required("key").unredactedString()
      operation = try json.optionalString("operation")
      createdAt = try json.optionalString("created_at")
    }
  }
}
