/// fal's JSON shapes, exactly as its API sends them.
enum FalWire {
  struct ListResponse: Decodable {
    let keys: [Key]
    let nextCursor: String?
    let hasMore: Bool?

    enum CodingKeys: String, CodingKey {
      case keys
      case nextCursor = "next_cursor"
      case hasMore = "has_more"
    }
  }

  struct Key: Decodable {
    let keyID: String
    let alias: String?
    let scope: String?
    let createdAt: String?
    let creatorNickname: String?
    let creatorEmail: String?

    enum CodingKeys: String, CodingKey {
      case keyID = "key_id"
      case alias, scope
      case createdAt = "created_at"
      case creatorNickname = "creator_nickname"
      case creatorEmail = "creator_email"
    }
  }

  struct CreateRequest: Encodable {
    let alias: String
  }

  struct CreateResponse: Decodable {
    let keyID: String
    let keySecret: String?
    let key: String?

    enum CodingKeys: String, CodingKey {
      case keyID = "key_id"
      case keySecret = "key_secret"
      case key
    }
  }

  struct ErrorResponse: Decodable {
    struct Detail: Decodable {
      let type: String?
      let message: String?
      let requestID: String?

      enum CodingKeys: String, CodingKey {
        case type, message
        case requestID = "request_id"
      }
    }

    let error: Detail?
    let detail: String?
  }
}
