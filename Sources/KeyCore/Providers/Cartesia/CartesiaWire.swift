/// Cartesia's JSON shapes for API version 2026-03-01.
enum CartesiaWire {
  /// `has_more` is required: it is the only end-of-list signal, so a body
  /// without it is refused rather than silently cut short.
  struct ListResponse: Decodable {
    let data: [Key]
    let hasMore: Bool

    enum CodingKeys: String, CodingKey {
      case data
      case hasMore = "has_more"
    }
  }

  struct Key: Decodable {
    let id: String
    let description: String?
    let createdAt: String?
    let creatorEmail: String?

    enum CodingKeys: String, CodingKey {
      case id, description
      case createdAt = "created_at"
      case creatorEmail = "creator_email"
    }
  }

  struct ErrorResponse: Decodable {
    let errorCode: String?
    let title: String?
    let message: String?
    let requestID: String?
    let docURL: String?

    enum CodingKeys: String, CodingKey {
      case title, message
      case errorCode = "error_code"
      case requestID = "request_id"
      case docURL = "doc_url"
    }
  }
}
