import Foundation

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

extension FalWire.ListResponse {
  /// Reads a list body in one strict pass, with the exact bytes of each key for
  /// `raw`; nil when `JSONReader` declines and `JSONDecoder` should decide.
  static func read(_ body: Data) -> (Self, [RawJSON])? {
    body.withUnsafeBytes { buffer in
      var reader = JSONReader(buffer)
      return try? read(&reader, in: buffer)
    }
  }

  private static func read(_ reader: inout JSONReader, in buffer: UnsafeRawBufferPointer)
    throws(JSONReader.Decline) -> (Self, [RawJSON])
  {
    var keys: [FalWire.Key]?
    var raws: [RawJSON] = []
    var nextCursor: String??
    var hasMore: Bool??
    try reader.beginObject()
    var members = 0
    while let name = try reader.nextMember(&members) {
      if name.elementsEqual("keys".utf8) {
        guard keys == nil else { throw JSONReader.Decline() }
        var list: [FalWire.Key] = []
        list.reserveCapacity(100)
        raws.reserveCapacity(100)
        try reader.beginArray()
        var elements = 0
        while try reader.nextElement(&elements) {
          let start = reader.index
          list.append(try FalWire.Key.read(&reader))
          let element = UnsafeRawBufferPointer(rebasing: buffer[start..<reader.index])
          raws.append(RawJSON(bytes: Data(element)))
        }
        keys = list
      } else if name.elementsEqual("next_cursor".utf8) {
        guard nextCursor == nil else { throw JSONReader.Decline() }
        nextCursor = .some(try reader.optionalString())
      } else if name.elementsEqual("has_more".utf8) {
        guard hasMore == nil else { throw JSONReader.Decline() }
        hasMore = .some(try reader.optionalBool())
      } else {
        try reader.skipValue()
      }
    }
    try reader.end()
    guard let keys else { throw JSONReader.Decline() }
    return (Self(keys: keys, nextCursor: nextCursor ?? nil, hasMore: hasMore ?? nil), raws)
  }
}

extension FalWire.Key {
  /// Reads one key object (see `ListResponse.read`).
  fileprivate static func read(_ reader: inout JSONReader) throws(JSONReader.Decline) -> Self {
    var keyID: String?
    var alias: String??
    var scope: String??
    var createdAt: String??
    var creatorNickname: String??
    var creatorEmail: String??
    func once(_ slot: inout String??, _ reader: inout JSONReader) throws(JSONReader.Decline) {
      guard slot == nil else { throw JSONReader.Decline() }
      slot = .some(try reader.optionalString())
    }
    try reader.beginObject()
    var members = 0
    while let name = try reader.nextMember(&members) {
      if name.elementsEqual("key_id".utf8) {
        guard keyID == nil else { throw JSONReader.Decline() }
        keyID = try reader.string()
      } else if name.elementsEqual("alias".utf8) {
        try once(&alias, &reader)
      } else if name.elementsEqual("scope".utf8) {
        try once(&scope, &reader)
      } else if name.elementsEqual("created_at".utf8) {
        try once(&createdAt, &reader)
      } else if name.elementsEqual("creator_nickname".utf8) {
        try once(&creatorNickname, &reader)
      } else if name.elementsEqual("creator_email".utf8) {
        try once(&creatorEmail, &reader)
      } else {
        try reader.skipValue()
      }
    }
    guard let keyID else { throw JSONReader.Decline() }
    return Self(
      keyID: keyID, alias: alias ?? nil, scope: scope ?? nil, createdAt: createdAt ?? nil,
      creatorNickname: creatorNickname ?? nil, creatorEmail: creatorEmail ?? nil)
  }
}
