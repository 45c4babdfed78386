import Foundation

/// OpenRouter's JSON shapes for its management API (`/keys`).
enum OpenRouterWire {
  struct ListResponse: Decodable {
    let data: [Key]
  }

  /// Only `hash` is required: OpenRouter adds fields often (the seed predates
  /// `last_used_at`), and a key missing one should still list.
  struct Key: Decodable {
    let hash: String
    let name: String?
    let disabled: Bool?
    let createdAt: String?
    let expiresAt: String?
    let lastUsedAt: String?
    let creatorUserID: String?

    enum CodingKeys: String, CodingKey {
      case hash, name, disabled
      case createdAt = "created_at"
      case expiresAt = "expires_at"
      case lastUsedAt = "last_used_at"
      case creatorUserID = "creator_user_id"
    }
  }

  /// Optional fields are nil to leave them out (synthesized `Encodable` skips
  /// nil): an explicit `null` would clear a limit rather than leave the default.
  struct CreateRequest: Encodable {
    let name: String
    let limit: Double?
    let limitReset: String?
    let includeByokInLimit: Bool?
    let expiresAt: String?
    let workspaceID: String?

    enum CodingKeys: String, CodingKey {
      case name, limit
      case limitReset = "limit_reset"
      case includeByokInLimit = "include_byok_in_limit"
      case expiresAt = "expires_at"
      case workspaceID = "workspace_id"
    }
  }

  struct CreateResponse: Decodable {
    let data: Key
    let key: String
  }

  /// `{"error":{"code","message","metadata"?}}`; the code repeats the HTTP
  /// status, so only the message is read.
  struct ErrorResponse: Decodable {
    struct Detail: Decodable {
      let message: String?
    }

    let error: Detail
  }
}
