/// px0's JSON shapes, exactly as its server sends and takes them.
enum Px0Wire {
  struct ListResponse: Decodable {
    let apiKeys: [Key]

    enum CodingKeys: String, CodingKey {
      case apiKeys = "api_keys"
    }
  }

  /// Only `id` is required here: the other fields are read when present, so a
  /// server version that drops one still lists.
  struct Key: Decodable {
    let id: String
    let name: String?
    let operation: String?
    let createdAt: String?
    let lastUsedAt: String?

    enum CodingKeys: String, CodingKey {
      case id, name, operation
      case createdAt = "created_at"
      case lastUsedAt = "last_used_at"
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

  struct CreateResponse: Decodable {
    let id: String
    let name: String?
    let key: String
    let operation: String?
    let createdAt: String?

    enum CodingKeys: String, CodingKey {
      case id, name, key, operation
      case createdAt = "created_at"
    }
  }

  /// `{"error":"<message>"}`, the only error shape px0 sends.
  struct ErrorResponse: Decodable {
    let error: String
  }
}
