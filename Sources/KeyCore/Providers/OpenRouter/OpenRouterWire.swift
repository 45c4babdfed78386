import Foundation

/// OpenRouter's JSON shapes for its management API (`/keys`); the ones keyctl
/// reads are read once from a strictly parsed body (`init(json:)`).
enum OpenRouterWire {
  /// `GET /keys`: one page of keys (there is no `has_more`). Each key is
  /// handed to `each` with its `raw` as it is read.
  struct ListResponse<Element> {
    /// The page's keys, as `each` made them.
    let data: [Element]

    /// Reads a page.
    init(json: JSONValue, _ each: (Key, RawJSON) -> Element) throws(JSONReadError) {
      data = try json.map("data") { element throws(JSONReadError) in
        each(try Key(json: element), element.raw())
      }
    }
  }

  /// Only `hash` is required: OpenRouter adds fields often (the seed predates
  /// `last_used_at`), and a key missing one should still list.
  struct Key {
    let hash: String
    let name: String?
    let disabled: Bool?
    let createdAt: String?
    let expiresAt: String?
    let lastUsedAt: String?
    let creatorUserID: String?

    /// Reads one key object.
    init(json: JSONValue) throws(JSONReadError) {
      hash = try json.string("hash")
      name = try json.optionalString("name")
      disabled = try json.optionalBool("disabled")
      createdAt = try json.optionalString("created_at")
      expiresAt = try json.optionalString("expires_at")
      lastUsedAt = try json.optionalString("last_used_at")
      creatorUserID = try json.optionalString("creator_user_id")
    }
  }

  /// `POST /keys` body. Optional fields are nil to leave them out: an
  /// explicit `null` would clear a limit rather than leave the default.
  struct CreateRequest {
    let name: String
    let limit: Double?
    let limitReset: String?
    let includeByokInLimit: Bool?
    let expiresAt: String?
    let workspaceID: String?

    /// The body as sent, members in name order.
    var body: Data {
      JSONText.body([
        ("name", .string(name)), ("limit", limit.map(JSONMember.number)),
        ("limit_reset", limitReset.map(JSONMember.string)),
        ("include_byok_in_limit", includeByokInLimit.map(JSONMember.bool)),
        ("expires_at", expiresAt.map(JSONMember.string)),
        ("workspace_id", workspaceID.map(JSONMember.string)),
      ])
    }
  }

  /// The 201 answer to a create: `{"data": Key, "key": secret}`.
  struct CreateResponse {
    let data: Key
    /// `data` as `raw` (it holds no secret: OpenRouter only masks it in `label`).
    let raw: RawJSON
    let key: String

    /// Reads the answer; the secret is read unredacted, to be checked and printed.
    init(json: JSONValue) throws(JSONReadError) {
      let data = try json.required("data")
      self.data = try Key(json: data)
      raw = data.raw()
      key = try json.required("key").unredactedString()
    }
  }
}
