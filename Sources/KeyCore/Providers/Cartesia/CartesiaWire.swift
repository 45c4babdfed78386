/// Cartesia's JSON shapes for API version 2026-03-01, each read once from a
/// strictly parsed body (`init(json:)`).
enum CartesiaWire {
  /// `GET /api-keys`. `has_more` is required: it is the only end-of-list
  /// signal, so a body without it is refused rather than silently cut short.
  /// Each key is handed to `each` with its `raw` as it is read.
  struct ListResponse<Element> {
    /// The page's keys, as `each` made them.
    let data: [Element]
    /// Whether more pages follow.
    let hasMore: Bool
    /// The last key's id as sent (unredacted): the next page's position.
    let lastID: String?

    /// Reads a page.
    init(json: JSONValue, _ each: (Key, RawJSON) -> Element) throws(JSONReadError) {
      data = try json.map("data") { element throws(JSONReadError) in
        each(try Key(json: element), element.raw())
      }
      lastID = try json.array("data").last?.required("id").unredactedString()
      hasMore = try json.required("has_more").bool()
    }
  }

  /// One key; `id` is required, the rest read when present.
  struct Key {
    let id: String
    let description: String?
    let createdAt: String?
    let creatorEmail: String?

    /// Reads one key object.
    init(json: JSONValue) throws(JSONReadError) {
      id = try json.string("id")
      description = try json.optionalString("description")
      createdAt = try json.optionalString("created_at")
      creatorEmail = try json.optionalString("creator_email")
    }
  }

  /// The error body of version 2026-03-01.
  struct ErrorResponse {
    let errorCode: String?
    let title: String?
    let message: String?
    let requestID: String?
    let docURL: String?

    /// Reads the fields that are strings; any other is left out.
    init(json: JSONValue) {
      errorCode = try? json.optionalString("error_code")
      title = try? json.optionalString("title")
      message = try? json.optionalString("message")
      requestID = try? json.optionalString("request_id")
      docURL = try? json.optionalString("doc_url")
    }
  }
}
