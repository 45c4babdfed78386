import Foundation
import Testing

@testable import KeyCore

/// Request bodies are written by keyctl's one JSON writer (`JSONText`), and are
/// the bytes `JSONEncoder` wrote before it: the old `Encodable` shapes are kept
/// here, in the tests only, and each adapter's body is compared with theirs.
@Suite struct RequestBodyTests {
  /// The old px0 and OpenRouter bodies: sorted keys, slashes not escaped.
  static func encoded(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }

  /// The old fal body (a plain `JSONEncoder`).
  struct OldFal: Encodable {
    let alias: String
  }

  /// The old px0 body.
  struct OldPx0: Encodable {
    let name: String
    let orgID: String
    let teamIDs: [String]?
    let operation: String?

    enum CodingKeys: String, CodingKey {
      case name, operation
      case orgID = "org_id"
      case teamIDs = "team_ids"
    }
  }

  /// The old OpenRouter body.
  struct OldOpenRouter: Encodable {
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

  /// Names people give keys: plain, quoted, escaped, accented, CJK, emoji, and
  /// the control characters JSON has short escapes for.
  static let names = [
    "ci", "Production Key", #"a "quoted" name"#, #"back\slash"#, "tab\there", "new\nline",
    "cr\rhere", "Ünïcödé ключ", "日本語のキー", "emoji 🚀 key", "x\u{1}y", "",
  ]

  static let orgID = "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f"
  static let environment = [
    "FAL_ADMIN_KEY": "id:secret", "PX0_ACCESS_TOKEN": "sess_x", "PX0_ORG_ID": orgID,
    "OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-x",
  ]

  /// The body `id`'s adapter sends for `request`.
  static func sentBody(_ id: ProviderID, _ request: CreateRequest) async throws -> String {
    let answer: String
    switch id {
    case .fal: answer = #"{"key_id":"k","key":"k:s"}"#
    case .px0: answer = #"{"id":"k","key":"ak_1"}"#
    default: answer = #"{"key":"sk-or-v1-y","data":{"hash":"k"}}"#
    }
    let path = id == .px0 ? "/v1/api-keys" : "/keys"
    let transport = MockTransport([.json("POST", path, status: 201, body: answer)])
    _ = try await makeProvider(id, environment: environment, transport: transport).create(request)
    return KeyCoreTests.sentBody(transport.requests.first)
  }

  @Test(arguments: names)
  func falBodiesAreUnchanged(_ name: String) async throws {
    let old = String(decoding: try JSONEncoder().encode(OldFal(alias: name)), as: UTF8.self)
    #expect(try await Self.sentBody(.fal, CreateRequest(name: name)) == old)
  }

  @Test(arguments: names + ["ci/deploy"])
  func px0BodiesAreUnchanged(_ name: String) async throws {
    var request = CreateRequest(name: name)
    #expect(
      try await Self.sentBody(.px0, request)
        == (try Self.encoded(OldPx0(name: name, orgID: Self.orgID, teamIDs: nil, operation: nil))))
    request.teamIDs = [
      "3f6b8a2c-1d4e-4f5a-8b9c-0d1e2f3a4b5c", "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
    ]
    request.operation = "read_render"
    let old = OldPx0(
      name: name, orgID: Self.orgID, teamIDs: request.teamIDs, operation: "read_render")
    #expect(try await Self.sentBody(.px0, request) == (try Self.encoded(old)))
  }

  @Test(arguments: [0, 0.5, 0.1, 12.5, 100, 1234.5678, 1e-7, 1e15, 1e16, 1e20, 123_456_789.123])
  func openRouterBodiesAreUnchanged(_ limit: Double) async throws {
    for name in Self.names + ["a/b"] {
      var request = CreateRequest(name: name)
      request.creditLimit = limit
      request.limitReset = "weekly"
      request.includeByokInLimit = false
      request.expiresAt = Date(timeIntervalSince1970: 1_782_862_200)
      request.workspaceID = "0b6f3d2e-1a4c-4e5f-8a7b-9c0d1e2f3a4b"
      let old = OldOpenRouter(
        name: name, limit: limit, limitReset: "weekly", includeByokInLimit: false,
        expiresAt: "2026-06-30T23:30:00Z", workspaceID: request.workspaceID)
      #expect(try await Self.sentBody(.openrouter, request) == (try Self.encoded(old)))
      #expect(
        try await Self.sentBody(.openrouter, CreateRequest(name: name))
          == (try Self.encoded(
            OldOpenRouter(
              name: name, limit: nil, limitReset: nil, includeByokInLimit: nil, expiresAt: nil,
              workspaceID: nil))))
    }
  }

  /// Where the one writer differs from `JSONEncoder`, on purpose: fal's `/` is
  /// no longer escaped (px0's and OpenRouter's never were), `\b` and `\f` are
  /// `\u0008` and `\u000c` (as keyctl's output writes them), and characters
  /// that move a terminal are escaped rather than sent raw. Each body still
  /// decodes to exactly the name given.
  @Test(arguments: ["ci/deploy", "bell\u{8}form\u{C}", "del\u{7F}", "c1\u{85}", "bidi\u{202E}x"])
  func theFewDifferencesDecodeToTheSameName(_ name: String) async throws {
    for id in [ProviderID.fal, .px0, .openrouter] {
      let body = try await Self.sentBody(id, CreateRequest(name: name))
      let object = try #require(
        try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
      #expect(object[id == .fal ? "alias" : "name"] as? String == name)
      #expect(!body.contains("\\/"))
      #expect(body.unicodeScalars.allSatisfy { !Untrusted.movesTerminal($0) })
    }
  }

  @Test func anObjectIsWrittenInNameOrderWithoutAbsentMembers() {
    let body = JSONText.body([
      ("zeta", .null), ("alpha", nil), ("mid", .strings([])), ("b", .strings(["x", "y"])),
      ("a", .bool(true)), ("n", .number(2)),
    ])
    #expect(
      String(decoding: body, as: UTF8.self)
        == #"{"a":true,"b":["x","y"],"mid":[],"n":2,"zeta":null}"#)
    var json = JSONText()
    json.number(Double.infinity)
    json.number(-0.0)
    json.number(nil as Double?)
    #expect(String(decoding: json.bytes, as: UTF8.self) == "null-0null")
  }
}
