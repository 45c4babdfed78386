import Foundation
import Testing

@testable import KeyCore

/// One provider's list shape, for feeding it hostile pages.
struct ListShape: CustomTestStringConvertible, Sendable {
  let provider: ProviderID
  let environment: [String: String]
  /// What must never be printed: the credential's secret part.
  let secret: String
  /// The Authorization value keyctl sends, which a server may echo.
  let authorization: String
  let array: String
  let idField: String
  let nameField: String
  /// Members a page needs besides the array (Cartesia's `has_more`).
  let extra: String

  var testDescription: String { provider.rawValue }

  /// A list page whose keys have these names, as JSON text.
  func page(_ names: [String], nextCursor: String? = nil) -> String {
    let keys = names.enumerated().map { index, name in
      #"{"\#(idField)":"k\#(index)","\#(nameField)":\#(name),"created_at":"2025-01-15T12:00:00Z"}"#
    }
    var members = [#""\#(array)":[\#(keys.joined(separator: ","))]"#]
    if !extra.isEmpty { members.append(extra) }
    if let nextCursor { members.append(#""next_cursor":"\#(nextCursor)","has_more":true"#) }
    return "{" + members.joined(separator: ",") + "}"
  }

  func provider(_ transport: MockTransport) throws -> any KeyProvider {
    try makeProvider(provider, environment: environment, transport: transport)
  }

  /// Any request answered with this status, headers and body.
  static func answer(status: Int, headers: [String: String], body: [UInt8]) -> MockTransport {
    MockTransport([
      MockTransport.Step(
        expectation: "any request", matches: { _ in true },
        respond: { _ in HTTPResponse(status: status, headers: headers, body: Data(body)) })
    ])
  }

  static let all = [
    ListShape(
      provider: .fal, environment: ["FAL_ADMIN_KEY": "adm_id:adm-secret-value-0123"],
      secret: "adm-secret-value-0123", authorization: "Key adm_id:adm-secret-value-0123",
      array: "keys", idField: "key_id", nameField: "alias", extra: ""),
    ListShape(
      provider: .px0,
      environment: [
        "PX0_ACCESS_TOKEN": "sess_0123456789abcdef",
        "PX0_ORG_ID": "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b",
      ],
      secret: "sess_0123456789abcdef", authorization: "Bearer sess_0123456789abcdef",
      array: "api_keys", idField: "id", nameField: "name", extra: ""),
    ListShape(
      provider: .cartesia, environment: ["CARTESIA_ADMIN_KEY": "sk_car_admin_0123456789"],
      secret: "sk_car_admin_0123456789", authorization: "Bearer sk_car_admin_0123456789",
      array: "data", idField: "id", nameField: "description", extra: #""has_more":false"#),
    ListShape(
      provider: .openrouter,
      environment: ["OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-mgmt-0123456789"],
      secret: "sk-or-v1-mgmt-0123456789", authorization: "Bearer sk-or-v1-mgmt-0123456789",
      array: "data", idField: "hash", nameField: "name", extra: ""),
  ]

  /// Every run of 8 characters of the secret that shows up in `text`.
  func leaks(_ text: String) -> [String] {
    let characters = Array(secret.lowercased())
    return (0...(characters.count - 8)).map { String(characters[$0..<$0 + 8]) }
      .filter { text.lowercased().contains($0) }
  }

  /// Everything a user could see of an error.
  static func shown(_ error: KeyError?) -> String {
    guard let error else { return "" }
    return [error.message, error.requestID ?? "", error.hint ?? ""].joined(separator: "\n")
  }
}

/// The ways a body can be invalid JSON that lenient decoders accept.
let lenientBreakages: [(String, @Sendable (String) -> [UInt8])] = [
  ("trailing comma", { Array(($0.dropLast() + ",}").utf8) }),
  ("bad escape", { Array($0.replacingOccurrences(of: #""k0""#, with: #""k\x30""#).utf8) }),
  (
    "invalid UTF-8",
    { body in
      let parts = body.components(separatedBy: #""k0""#)
      return Array(parts[0].utf8) + Array(#""k0"#.utf8) + [0xFF, 0x22]
        + Array(parts.dropFirst().joined(separator: #""k0""#).utf8)
    }
  ),
  ("lone surrogate", { Array($0.replacingOccurrences(of: #""k0""#, with: #""k\ud800""#).utf8) }),
  ("leading zero", { Array($0.replacingOccurrences(of: "{\"", with: "{\"n\":01,\"").utf8) }),
  ("NaN", { Array($0.replacingOccurrences(of: "{\"", with: "{\"n\":NaN,\"").utf8) }),
  ("raw escape", { Array($0.replacingOccurrences(of: #""k0""#, with: "\"k\u{1B}[31m\"").utf8) }),
]

@Suite struct UntrustedListTests {
  @Test(arguments: ListShape.all)
  func lenientJSONIsAnUnreadableResponse(_ shape: ListShape) async throws {
    let valid = shape.page([#""a""#, #""b""#])
    #expect(throws: Never.self) {
      try JSONDocument(parsing: Data(valid.utf8))
    }
    for (name, breakage) in lenientBreakages {
      let body = breakage(valid)
      #expect(body != Array(valid.utf8), "\(name) changed nothing")
      let transport = ListShape.answer(
        status: 200, headers: ["Content-Type": "application/json"], body: body)
      let error = await #expect(throws: KeyError.self, "\(name)") {
        _ = try await shape.provider(transport).page(at: .start, options: ListOptions())
      }
      #expect(error?.kind == .badResponse, "\(name)")
      #expect(error?.exitCode == 6, "\(name)")
      #expect(error?.message.contains("not valid JSON") == true, "\(name): \(error?.message ?? "")")
    }
  }

  @Test(arguments: ListShape.all)
  func anEchoedCredentialNeverShowsInAnError(_ shape: ListShape) async throws {
    let auth = shape.authorization
    let straddling = String(repeating: "x", count: 160 - auth.count / 2) + auth + " more text"
    let answers: [(String, Int, [String: String], String)] = [
      ("X-Request-Id", 500, ["X-Request-Id": auth, "Content-Type": "application/json"], "{}"),
      ("Request-Id", 503, ["Request-Id": auth.uppercased()], "oops"),
      ("Content-Type", 200, ["Content-Type": "text/html; echo=\(auth)"], "<html></html>"),
      ("excerpt cut", 500, ["Content-Type": "text/plain"], straddling),
      ("excerpt cut of a 200", 200, ["Content-Type": "application/json"], "{" + straddling),
      (
        "body request id", 500, ["Content-Type": "application/json"],
        #"{"error":{"message":"m","request_id":"\#(auth)"},"request_id":"\#(auth)"}"#
      ),
      (
        "message", 500, ["Content-Type": "application/json"],
        #"{"error":{"message":"bad \#(auth)"},"message":"bad \#(auth)"}"#
      ),
      ("location", 302, ["Location": "https://elsewhere.example/?auth=\(auth)"], ""),
    ]
    for (name, status, headers, body) in answers {
      let transport = ListShape.answer(status: status, headers: headers, body: Array(body.utf8))
      let error = await #expect(throws: KeyError.self, "\(name)") {
        _ = try await shape.provider(transport).page(at: .start, options: ListOptions())
      }
      let shown = ListShape.shown(error)
      #expect(shape.leaks(shown).isEmpty, "\(name) leaked: \(shown)")
      #expect(!Untrusted.holdsTerminalControls(shown.replacingOccurrences(of: "\n", with: " ")))
    }
  }

  @Test(arguments: ListShape.all)
  func anEchoedCredentialInANameIsMaskedInTheKeyAndItsRaw(_ shape: ListShape) async throws {
    let names = [#""key of \#(shape.authorization)""#, #""\u0041 \#(shape.secret.uppercased())""#]
    let transport = ListShape.answer(
      status: 200, headers: ["Content-Type": "application/json"],
      body: Array(shape.page(names).utf8))
    let page = try await shape.provider(transport).page(at: .start, options: ListOptions())
    #expect(page.keys.count == 2)
    for key in page.keys {
      let raw = String(decoding: key.raw.bytes, as: UTF8.self)
      #expect(key.name?.contains(Redactor.mask) == true)
      #expect(raw.contains(Redactor.mask))
      #expect(shape.leaks((key.name ?? "") + raw).isEmpty, "\(raw)")
    }
  }

  @Test(arguments: ListShape.all)
  func terminalMoversInNamesAreKeptForJSONButEscapedInRaw(_ shape: ListShape) async throws {
    let evil = "\u{9B}2J\u{202E}gnp\u{200B}\u{2028}\u{7F}\u{E0041}"
    let names = [#""a\u001b[31m\#(evil)""#, "\"\(evil)\""]
    let transport = ListShape.answer(
      status: 200, headers: ["Content-Type": "application/json"],
      body: Array(shape.page(names).utf8))
    let page = try await shape.provider(transport).page(at: .start, options: ListOptions())
    #expect(page.keys.map(\.name) == ["a\u{1B}[31m" + evil, evil])
    for key in page.keys {
      let raw = String(decoding: key.raw.bytes, as: UTF8.self)
      #expect(!Untrusted.holdsTerminalControls(raw), "\(raw)")
      #expect(raw.contains(#"\u009b2J\u202egnp\u200b\u2028\u007f\udb40\udc41"#), "\(raw)")
    }
  }

  @Test func aServerCursorMustBePlainASCIIWithoutTheCredential() async throws {
    let fal = ListShape.all[0]
    let cursors = [
      fal.authorization, #"Mg==\u001b[2J"#, String(repeating: "c", count: 1025), "",
      "curs\u{FF}or",
    ]
    for cursor in cursors {
      let body = fal.page([#""a""#], nextCursor: cursor)
      let transport = ListShape.answer(
        status: 200, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
      let error = await #expect(throws: KeyError.self) {
        _ = try await fal.provider(transport).page(at: .start, options: ListOptions())
      }
      #expect(error?.kind == .badResponse)
      #expect(error?.message.contains("next_cursor keyctl will not follow") == true)
      #expect(fal.leaks(ListShape.shown(error)).isEmpty)
    }
    let body = fal.page([#""a""#], nextCursor: String(repeating: "c", count: 1024))
    let transport = ListShape.answer(
      status: 200, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    let page = try await fal.provider(transport).page(at: .start, options: ListOptions())
    #expect(page.next == .token(String(repeating: "c", count: 1024)))
  }

  @Test func cartesiasLastIDIsCheckedAsAPosition() async throws {
    let cartesia = ListShape.all[2]
    let body =
      #"{"data":[{"id":"key_\#(cartesia.authorization)","description":"x"}],"has_more":true}"#
    let transport = ListShape.answer(
      status: 200, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    let error = await #expect(throws: KeyError.self) {
      _ = try await cartesia.provider(transport).page(at: .start, options: ListOptions())
    }
    #expect(error?.message.contains("position (the last key's id) keyctl will not follow") == true)
    #expect(cartesia.leaks(ListShape.shown(error)).isEmpty)
  }

  @Test(arguments: [
    ("99999-01-01T00:00:00Z", true), ("0000-01-01T00:00:00Z", true),
    ("9999-12-31T23:59:59-05:00", true), ("0001-01-01T00:00:00+01:00", true),
    ("not a date", true), ("2025-13-45T99:99:99Z", true), ("2025-01-15T12:00:00+99:00", true),
    ("9999-12-31T23:59:59Z", false), ("0001-01-01T00:00:00Z", false),
  ])
  func datesKeyctlCannotShowAreNullWithANote(date: String, noted: Bool) async throws {
    let body =
      #"{"data":[{"hash":"h1","name":"n","created_at":"\#(date)","expires_at":"\#(date)"}]}"#
    let openRouter = ListShape.all[3]
    let transport = ListShape.answer(
      status: 200, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    let page = try await openRouter.provider(transport).page(at: .start, options: ListOptions())
    let key = try #require(page.keys.first)
    #expect((key.createdAt == nil) == noted)
    #expect((key.expiresAt == nil) == noted)
    if noted {
      #expect(
        key.notes == [
          "created_at '\(date)' is not an ISO-8601 date keyctl can show; shown as null",
          "expires_at '\(date)' is not an ISO-8601 date keyctl can show; shown as null",
        ])
    } else {
      #expect(key.notes.isEmpty)
      #expect(key.createdAt.map(ISO8601.format) == date)
    }
  }
}

/// A create answer keyctl must not print a secret from.
struct CreateShape: CustomTestStringConvertible, Sendable {
  let list: ListShape
  /// The answer with `secret` as the new key's secret (JSON text of a string).
  let body: @Sendable (_ secret: String) -> String

  var testDescription: String { list.provider.rawValue }

  static let all = [
    CreateShape(list: ListShape.all[0]) {
      #"{"key_id":"new-1","key_secret":\#($0),"key":\#($0)}"#
    },
    CreateShape(list: ListShape.all[1]) {
      #"{"id":"new-1","name":"ci","key":\#($0),"operation":"all"}"#
    },
    CreateShape(list: ListShape.all[3]) {
      #"{"data":{"hash":"new-1","name":"ci"},"key":\#($0)}"#
    },
  ]
}

@Suite struct UntrustedCreateTests {
  static let badSecrets = [
    #""abc\u001b[31mdef0123456789""#, #""abc\ndef0123456789""#, "\"abc\u{9B}def0123456789\"",
    "\"abc\u{202E}def0123456789\"", "\"abc\u{200B}def0123456789\"", #""abc def0123456789""#,
    #""abc\u0000def0123456789""#, "\"\(String(repeating: "k", count: 4097))\"", #""""#,
    #""new-1:""#,
  ]

  @Test(arguments: CreateShape.all)
  func aSecretThatIsNotOnePlainTokenIsRefusedNamingTheKey(_ shape: CreateShape) async throws {
    for secret in Self.badSecrets {
      if shape.list.provider != .fal, secret == #""new-1:""# { continue }
      let transport = ListShape.answer(
        status: 201, headers: ["Content-Type": "application/json"],
        body: Array(shape.body(secret).utf8))
      let error = await #expect(throws: KeyError.self, "\(secret.prefix(20))") {
        _ = try await shape.list.provider(transport).create(CreateRequest(name: "ci"))
      }
      let flag = "-p \(shape.list.provider.rawValue)"
      #expect(error?.kind == .badResponse)
      #expect(error?.message.contains("HTTP 201") == true)
      #expect(
        error?.message.contains("probably created (id new-1)") == true, "\(error?.message ?? "")")
      #expect(error?.hint?.hasSuffix("\n  keyctl delete \(flag) new-1") == true)
      let shown = ListShape.shown(error)
      #expect(!shown.contains("abc") && !shown.contains("def0123") && !shown.contains("kkkk"))
      #expect(!shown.contains("It began"))
    }
  }

  @Test(arguments: CreateShape.all)
  func anUnreadableCreateAnswerIsNeverQuoted(_ shape: CreateShape) async throws {
    let secret = #""s3cr3t-0123456789abcdef""#
    let answers: [(String, [String: String], String)] = [
      ("trailing comma", ["Content-Type": "application/json"], shape.body(secret) + ","),
      ("no JSON", ["Content-Type": "text/html"], shape.body(secret)),
      ("missing secret", ["Content-Type": "application/json"], shape.body("null")),
      (
        "id of another type", ["Content-Type": "application/json"],
        shape.body(secret).replacingOccurrences(of: #""new-1""#, with: "7")
      ),
    ]
    for (name, headers, body) in answers {
      let transport = ListShape.answer(status: 201, headers: headers, body: Array(body.utf8))
      let error = await #expect(throws: KeyError.self, "\(name)") {
        _ = try await shape.list.provider(transport).create(CreateRequest(name: "ci bot"))
      }
      let shown = ListShape.shown(error)
      #expect(!shown.contains("s3cr3t"), "\(name): \(shown)")
      #expect(error?.message.contains("probably created") == true, "\(name)")
      let flag = "-p \(shape.list.provider.rawValue)"
      let named = error?.hint?.hasSuffix("\n  keyctl delete \(flag) new-1") == true
      let searched =
        error?.hint?.hasSuffix("\n  keyctl list \(flag) --name-contains 'ci bot'") == true
      #expect(named || searched, "\(name): \(shown)")
    }
  }

  @Test func anIDThatEchoesTheSecretIsNotPrinted() async throws {
    let body = #"{"key_id":"s3cr3t-0123456789abcdef","key_secret":"s3cr3t-0123456789abcdef\n"}"#
    let fal = ListShape.all[0]
    let transport = ListShape.answer(
      status: 201, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    let error = await #expect(throws: KeyError.self) {
      _ = try await fal.provider(transport).create(CreateRequest(name: "ci"))
    }
    #expect(!ListShape.shown(error).contains("s3cr3t"))
    #expect(error?.hint?.contains("--name-contains ci") == true)
  }

  @Test func aNoteNeverQuotesTheNewSecret() async throws {
    let body = #"{"id":"new-1","name":"ci","key":"ak_s3cr3t0123","created_at":"ak_s3cr3t0123"}"#
    let transport = ListShape.answer(
      status: 201, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    let created = try await ListShape.all[1].provider(transport).create(CreateRequest(name: "ci"))
    #expect(created.secret == "ak_s3cr3t0123")
    #expect(created.key.createdAt == nil)
    #expect(created.key.notes.count == 1)
    #expect(created.key.notes.allSatisfy { !$0.contains("s3cr3t") })
  }

  @Test func aPlainSecretIsReturnedAndRawHoldsNoSecretField() async throws {
    for shape in CreateShape.all {
      let transport = ListShape.answer(
        status: 201, headers: ["Content-Type": "application/json"],
        body: Array(shape.body(#""plain-0123456789""#).utf8))
      let created = try await shape.list.provider(transport).create(CreateRequest(name: "ci"))
      #expect(created.secret.hasSuffix("plain-0123456789"))
      #expect(!String(decoding: created.key.raw.bytes, as: UTF8.self).contains("plain-0123"))
    }
  }
}
