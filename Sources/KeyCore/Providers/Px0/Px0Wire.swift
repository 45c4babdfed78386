import Foundation

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

  /// `POST /v1/api-keys` body. Optional fields are nil to leave them out of
  /// the body, so px0 applies its own defaults.
  struct CreateRequest {
    let name: String
    let orgID: String
    let teamIDs: [String]?
    let operation: String?

    /// The body as sent, members in name order.
    var body: Data {
      JSONText.body([
        ("name", .string(name)), ("org_id", .string(orgID)),
        ("team_ids", teamIDs.map(JSONMember.strings)),
        ("operation", operation.map(JSONMember.string)),
      ])
    }
  }

  /// `PUT /v1/api-keys/{id}` body: exactly the changes given, nil left out.
  struct UpdateRequest {
    let name: String?
    let operation: String?
    let teamIDs: [String]?

    /// The body as sent, members in name order.
    var body: Data {
      JSONText.body([
        ("name", name.map(JSONMember.string)), ("operation", operation.map(JSONMember.string)),
        ("team_ids", teamIDs.map(JSONMember.strings)),
      ])
    }
  }

  /// What a rotation carries over from a listed key's `raw`: its operation
  /// and its team(s). A field of an unexpected type is a bad response rather
  /// than a setting silently dropped from the replacement.
  struct Settings {
    let operation: String?
    let teamIDs: [String]

    /// Reads the settings from a key's `raw`; a key keyctl made without one reads as none.
    init(raw: RawJSON) throws {
      guard let root = try? JSONDocument(parsing: raw.bytes).root, root.kind == .object else {
        (operation, teamIDs) = (nil, [])
        return
      }
      do {
        operation = try root.optionalString("operation")
        if let teams = try root.optional("team_ids") {
          teamIDs = try teams.elements().map { element throws(JSONReadError) in
            try element.string()
          }
        } else {
          teamIDs = try root.optionalString("team_id").map { [$0] } ?? []
        }
      } catch {
        throw KeyError(
          .badResponse, "px0 listed a key keyctl cannot carry over: \(error.description)",
          provider: .px0)
      }
    }
  }

  /// The 201 answer to a create, and the 200 answer to a regenerate: the
  /// key's fields and its secret, once.
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
