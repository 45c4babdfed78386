import Foundation
import KeyCore

/// A field of the normalized key, as `--fields` and the writers name it.
enum KeyField: String, CaseIterable, Sendable {
  /// The provider's name (`fal`).
  case provider
  /// The key's id at the provider, as the next command takes it.
  case id
  /// The key's name (fal's alias, Cartesia's description).
  case name
  /// When the key was made.
  case createdAt = "created_at"
  /// fal's scope, px0's operation.
  case scope
  /// `active`, `disabled` or `expired`, where the provider says.
  case status
  /// When the key stops working.
  case expiresAt = "expires_at"
  /// When the key was last used.
  case lastUsedAt = "last_used_at"
  /// Who made the key.
  case creator
  /// The provider's object as received.
  case raw

  /// The columns of `keyctl list`'s table when `--fields` is not given.
  static let tableDefault: [KeyField] = [.provider, .id, .name, .scope, .status, .createdAt]

  /// The field's table header: `CREATED AT` for `created_at`.
  var header: String {
    String(rawValue.uppercased().map { $0 == "_" ? " " : $0 })
  }

  /// Parses `--fields id,name`; unknown names are a usage error listing the
  /// valid ones; a field named twice is shown once.
  static func parse(_ text: String, _ context: ValueContext) throws -> [KeyField] {
    var fields: [KeyField] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      let name = part.trimmingCharacters(in: .whitespaces)
      guard let field = KeyField(rawValue: name) else {
        let valid = allCases.map(\.rawValue)
        let suggestion =
          Suggestions.closest(to: name, in: valid).map { " Did you mean '\($0)'?" } ?? ""
        throw context.usage(
          "unknown field '\(name)' in --fields: expected \(valid.joined(separator: ", ")).\(suggestion)"
        )
      }
      if !fields.contains(field) { fields.append(field) }
    }
    return fields
  }

  /// The field as one line of table text, blanked (`Untrusted.blank`) so a key
  /// name cannot move the cursor, change colours or reorder text in the
  /// user's terminal.
  func text(of key: ApiKey) -> String {
    let value: String?
    switch self {
    case .provider: value = key.provider.rawValue
    case .id: value = key.id
    case .name: value = key.name
    case .createdAt: value = key.createdAt.map(ISO8601.format)
    case .scope: value = key.scope
    case .status: value = key.status?.rawValue
    case .expiresAt: value = key.expiresAt.map(ISO8601.format)
    case .lastUsedAt: value = key.lastUsedAt.map(ISO8601.format)
    case .creator: value = key.creator.email ?? key.creator.name ?? key.creator.id
    case .raw: value = String(decoding: key.raw.bytes, as: UTF8.self)
    }
    let text = value.map(Untrusted.blank) ?? ""
    return text.isEmpty ? "-" : text
  }

  /// The field as the `field  value` view of one key shows it (`get`,
  /// `update`): like `text(of:)`, except that `creator` shows all it has,
  /// `email / name / id` with `-` for a part the provider left out, where a
  /// list's column has room for only one.
  func detailText(of key: ApiKey) -> String {
    guard self == .creator else { return text(of: key) }
    let creator = key.creator
    return [creator.email, creator.name, creator.id].map { part in
      let text = part.map(Untrusted.blank) ?? ""
      return text.isEmpty ? "-" : text
    }.joined(separator: " / ")
  }
}

extension KeyField {
  /// `"name":` as JSON text, written before the field's value.
  private var member: StaticString {
    switch self {
    case .provider: "\"provider\":"
    case .id: "\"id\":"
    case .name: "\"name\":"
    case .createdAt: "\"created_at\":"
    case .scope: "\"scope\":"
    case .status: "\"status\":"
    case .expiresAt: "\"expires_at\":"
    case .lastUsedAt: "\"last_used_at\":"
    case .creator: "\"creator\":"
    case .raw: "\"raw\":"
    }
  }

  /// Appends `"field":value` for this field.
  func appendJSON(of key: ApiKey, to json: inout JSONText) {
    json.raw(member)
    switch self {
    case .provider: json.string(key.provider.rawValue)
    case .id: json.string(key.id)
    case .name: json.string(key.name)
    case .createdAt: json.date(key.createdAt)
    case .scope: json.string(key.scope)
    case .status: json.string(key.status?.rawValue)
    case .expiresAt: json.date(key.expiresAt)
    case .lastUsedAt: json.date(key.lastUsedAt)
    case .creator:
      json.raw("{\"email\":")
      json.string(key.creator.email)
      json.raw(",\"name\":")
      json.string(key.creator.name)
      json.raw(",\"id\":")
      json.string(key.creator.id)
      json.raw("}")
    case .raw: json.value(key.raw)
    }
  }

  /// Appends the key as one JSON object holding `fields`, in that order.
  static func appendObject(_ key: ApiKey, fields: [KeyField], to json: inout JSONText) {
    json.raw("{")
    for (index, field) in fields.enumerated() {
      if index > 0 { json.raw(",") }
      field.appendJSON(of: key, to: &json)
    }
    json.raw("}")
  }
}
