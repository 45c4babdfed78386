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

  /// `PATCH /keys/{hash}` body: exactly the changes given. A setting left
  /// alone is absent; one set to nothing is an explicit `null` (no limit, no
  /// reset), which is how OpenRouter is told to remove it.
  struct UpdateRequest {
    let name: String?
    let disabled: Bool?
    let limit: Change<Double?>
    let limitReset: Change<String?>
    let includeByokInLimit: Bool?

    /// The body as sent, members in name order.
    var body: Data {
      JSONText.body([
        ("name", name.map(JSONMember.string)), ("disabled", disabled.map(JSONMember.bool)),
        ("limit", Self.member(limit, JSONMember.number)),
        ("limit_reset", Self.member(limitReset, JSONMember.string)),
        ("include_byok_in_limit", includeByokInLimit.map(JSONMember.bool)),
      ])
    }

    /// Nothing for `.leave`, `null` for `.set(nil)`, the value otherwise.
    private static func member<Value>(_ change: Change<Value?>, _ make: (Value) -> JSONMember)
      -> JSONMember?
    {
      guard case .set(let value) = change else { return nil }
      return value.map(make) ?? .null
    }
  }

  /// What a rotation carries over from a key's `raw` (the object OpenRouter
  /// sent): the settings its create takes. A field of an unexpected type is
  /// a bad response rather than a setting silently dropped.
  struct Settings {
    let limit: Double?
    let limitReset: String?
    let includeByokInLimit: Bool?
    let workspaceID: String?

    /// Reads the settings; a key keyctl made without a provider object has none.
    init(raw: RawJSON) throws {
      guard let root = try? JSONDocument(parsing: raw.bytes).root, root.kind == .object else {
        (limit, limitReset, includeByokInLimit, workspaceID) = (nil, nil, nil, nil)
        return
      }
      do {
        limit = try root.optional("limit")?.double()
        limitReset = try root.optionalString("limit_reset")
        includeByokInLimit = try root.optionalBool("include_byok_in_limit")
        workspaceID = try root.optionalString("workspace_id")
      } catch {
        throw KeyError(
          .badResponse, "OpenRouter sent a key keyctl cannot carry over: \(error.description)",
          provider: .openrouter)
      }
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
