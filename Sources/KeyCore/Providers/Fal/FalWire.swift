import Foundation

/// fal's JSON shapes, exactly as its API sends them, each read once from a
/// strictly parsed body (`init(json:)`).
enum FalWire {
  /// `GET /keys`: a page of keys and where the next one is. Each key is
  /// handed to `each` with its `raw` as it is read, so the adapter's mapping
  /// takes it over without a copy (`Element` is the normalized key).
  struct ListResponse<Element> {
    /// The page's keys, as `each` made them.
    let keys: [Element]
    /// The cursor of the next page, read unredacted so it can be checked.
    let nextCursor: String?
    /// Whether more pages follow; older answers leave it out.
    let hasMore: Bool?

    /// Reads a page; `keys` is required, the rest optional.
    init(json: JSONValue, _ each: (Key, RawJSON) -> Element) throws(JSONReadError) {
      keys = try json.map("keys") { element throws(JSONReadError) in
        each(try Key(json: element), element.raw())
      }
      nextCursor = try json.optional("next_cursor")?.unredactedString()
      hasMore = try json.optionalBool("has_more")
    }
  }

  /// One listed key; only `key_id` is required.
  struct Key {
    let keyID: String
    let alias: String?
    let scope: String?
    let createdAt: String?
    let creatorNickname: String?
    let creatorEmail: String?

    /// Reads one key object.
    init(json: JSONValue) throws(JSONReadError) {
      keyID = try json.string("key_id")
      alias = try json.optionalString("alias")
      scope = try json.optionalString("scope")
      createdAt = try json.optionalString("created_at")
      creatorNickname = try json.optionalString("creator_nickname")
      creatorEmail = try json.optionalString("creator_email")
    }
  }

  /// `POST /keys` body: `{"alias": …}`.
  struct CreateRequest {
    let alias: String

    /// The body as sent.
    var body: Data { JSONText.body([("alias", .string(alias))]) }
  }

  /// The 201 answer to `POST /keys`: the id and the secret, once.
  struct CreateResponse {
    let keyID: String
    let keySecret: String?
    let key: String?

    /// Reads the answer; the secrets are read unredacted, to be checked and printed.
    init(json: JSONValue) throws(JSONReadError) {
      keyID = try json.string("key_id")
      keySecret = try json.optional("key_secret")?.unredactedString()
      key = try json.optional("key")?.unredactedString()
    }
  }

  /// fal's error body: `{"error":{"type","message","request_id"}}`, or a
  /// FastAPI-style `{"detail": "…"}` from its proxies.
  struct ErrorResponse {
    let type: String?
    let message: String?
    let requestID: String?
    let detail: String?

    /// Reads whichever of the two shapes the body has; a field of another
    /// type is left out rather than losing the rest.
    init(json: JSONValue) {
      let error = try? json.optional("error")
      type = try? error?.optionalString("type")
      message = try? error?.optionalString("message")
      requestID = try? error?.optionalString("request_id")
      detail = try? json.optionalString("detail")
    }
  }
}
