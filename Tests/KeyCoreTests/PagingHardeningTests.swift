import Foundation
import Testing

@testable import KeyCore

/// base64url without padding, as keyctl prints cursors.
private func base64URL(_ text: String) -> String {
  Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
    .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

/// Every number a decoded cursor holds is inside the bounds keyctl does arithmetic with.
private func expectInRange(_ cursor: PageCursor, sourceLocation: SourceLocation = #_sourceLocation)
{
  for (provider, state) in cursor.states {
    guard case .at(let position, let skip, let pageSize) = state else { continue }
    #expect((0...PageToken.maxSkip).contains(skip), sourceLocation: sourceLocation)
    #expect(
      pageSize.map { (1...(provider.capabilities.maxPageSize ?? 0)).contains($0) } ?? true,
      sourceLocation: sourceLocation)
    if case .token(let token) = position {
      #expect(PageToken.isAcceptable(token, for: provider), sourceLocation: sourceLocation)
    }
  }
}

/// A crafted or corrupted cursor is a usage error or a cursor within range:
/// never a trap, never a number that could overflow later.
@Suite struct CursorHostileTokenTests {
  static let all = ProviderID.allCases

  /// Documents with the right layout and filter but something out of range or of the wrong type.
  static let hostileDocuments: [String] = [
    #"{"f":"abc","p":{"fal":["a",9223372036854775807,100]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",9223372036854775800,100]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",9223372036854775808,100]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",99999999999999999999999999999,100]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",16777217,100]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",-1,100]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",1.5,100]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",1e3,100]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",01,100]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",0,101]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",0,9223372036854775807]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",0,-5]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a","0",100]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",0,100,5]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",0,100,""]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",0,100,"\u001b[31m"]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",0,100,"\ud800"]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",0,100,"x","y"]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["a",0]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["x",0,100]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["d",0]},"v":1}"#,
    #"{"f":"abc","p":{"fal":[]},"v":1}"#,
    #"{"f":"abc","p":{"fal":[["a"]]},"v":1}"#,
    #"{"f":"abc","p":{"fal":"d"},"v":1}"#,
    #"{"f":"abc","p":{"fal":["d"],"fal":["d"]},"v":1}"#,
    #"{"f":"abc","p":{"fal":["d"]},"v":2}"#,
    #"{"f":"abc","p":{"fal":["d"]},"v":1,"x":0}"#,
    #"{"f":"abc","p":{"fal":["d"]}}"#,
    #"{"f":"abc","p":{"fal":["d"]},"v":1} trailing"#,
    #"{"f":"abc","p":{"fal":["d"]},"v":1,}"#,
    #"{"f":"abc","p":{"fal":["d"],},"v":1}"#,
    #"{"f":abc,"p":{"fal":["d"]},"v":1}"#,
    #"{"f":"abc","p":{"px0":["a",0,0,"MQ=="]},"v":1}"#,
    #"{"f":"abc","p":{"px0":["a",0,100]},"v":1}"#,
    #"{"f":"abc","p":{"openrouter":["a",0,100,"9223372036854775800"]},"v":1}"#,
    #"{"f":"abc","p":{"openrouter":["a",0,100,"9223372036854775807"]},"v":1}"#,
    #"{"f":"abc","p":{"openrouter":["a",0,100,"1000000001"]},"v":1}"#,
    #"{"f":"abc","p":{"openrouter":["a",0,100,"-100"]},"v":1}"#,
    #"{"f":"abc","p":{"openrouter":["a",0,100,"+100"]},"v":1}"#,
    #"{"f":"abc","p":{"openrouter":["a",0,100,"0100"]},"v":1}"#,
    #"{"f":"abc","p":{"openrouter":["a",0,100,"1e3"]},"v":1}"#,
    #"{"f":"abc","p":{"openrouter":["a",0,100," 100"]},"v":1}"#,
    #"{"f":"abc","p":{"cartesia":["a",0,100,"\#(String(repeating: "k", count: 1025))"]},"v":1}"#,
    #"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]"#,
    #"{"f":"abc","p":{"fal":{"a":{"b":{"c":1}}}},"v":1}"#,
    #""#, "null", "1", #""abc""#,
  ]

  @Test(arguments: hostileDocuments)
  func aHostileDocumentIsAUsageErrorNotATrap(document: String) {
    let error = #expect(throws: KeyError.self) {
      try PageCursor.decode(base64URL(document), providers: Self.all, filter: "abc")
    }
    #expect(error?.kind == .usage)
  }

  /// Tokens that are not base64url of anything, or absurdly long.
  @Test(arguments: [
    "", "!!!", "a", "abcde", "ab=c", "ab==c", "abc===", "é", String(repeating: "A", count: 20_000),
    "eyJ2IjoyfQ", "bm90IGpzb24",
  ])
  func aTokenThatIsNotBase64OfACursorIsAUsageError(token: String) {
    let error = #expect(throws: KeyError.self) {
      try PageCursor.decode(token, providers: [.fal], filter: "abc")
    }
    #expect(error?.kind == .usage)
  }

  /// The same layout keyctl has always printed, so older cursors still resume.
  @Test func aCursorPrintedByFoundationsEncoderStillDecodes() throws {
    let document: [String: Any] = [
      "v": 1, "f": "f00",
      "p": [
        "fal": ["a", 5, 100, "Mg=="], "px0": ["d"], "cartesia": ["a", 0, 100, "key_a/b+c"],
        "openrouter": ["a", 57, 100, "200"],
      ],
    ]
    let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
    let token = base64URL(String(decoding: data, as: UTF8.self))
    let cursor = try PageCursor.decode(token, providers: Self.all, filter: "f00")
    #expect(cursor.states[.fal] == .at(.token("Mg=="), skip: 5, pageSize: 100))
    #expect(cursor.states[.px0] == .done)
    #expect(cursor.states[.cartesia] == .at(.token("key_a/b+c"), skip: 0, pageSize: 100))
    #expect(cursor.states[.openrouter] == .at(.token("200"), skip: 57, pageSize: 100))
  }

  /// The encoding is written by hand: the same bytes whatever the locale, and
  /// exactly the documented layout (sorted providers, unpadded base64url).
  @Test func theEncodingIsByteForByteTheDocumentedLayout() {
    let cursor = PageCursor(
      states: [
        .px0: .at(.start, skip: 3, pageSize: nil),
        .fal: .at(.token("Mg=="), skip: 0, pageSize: 100),
        .openrouter: .done,
      ], filter: "abc")
    let expected =
      #"{"f":"abc","p":{"fal":["a",0,100,"Mg=="],"openrouter":["d"],"px0":["a",3,0]},"v":1}"#
    #expect(cursor.encoded() == base64URL(expected))
  }

  /// Characters a hostile server put in a token come out escaped, and the
  /// token still round-trips (decoding then refuses what is not printable).
  @Test func oddTokensAreEscapedAndRoundTrip() throws {
    let token = #"a"b\c/d e~"#
    let cursor = PageCursor(
      states: [.cartesia: .at(.token(token), skip: 1, pageSize: 50)], filter: "abc")
    let decoded = try PageCursor.decode(cursor.encoded(), providers: [.cartesia], filter: "abc")
    #expect(decoded == cursor)
    let control = PageCursor(
      states: [.cartesia: .at(.token("a\u{1B}b\u{202E}"), skip: 0, pageSize: 50)], filter: "abc")
    let text = String(decoding: Base64URL.decode(control.encoded()) ?? [], as: UTF8.self)
    #expect(text.contains(#"\u001b"#))
    #expect(text.contains(#"\u202e"#))
    #expect(text.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) })
    #expect(throws: KeyError.self) {
      try PageCursor.decode(control.encoded(), providers: [.cartesia], filter: "abc")
    }
  }

  /// Thousands of random mutations of real cursors, at the base64 and at the
  /// JSON level: each is refused as a usage error or decodes within range.
  @Test func mutatedCursorsNeverTrapAndStayInRange() {
    var generator = SeededGenerator(seed: 11)
    let sources = [
      #"{"f":"abc","p":{"cartesia":["a",0,100,"key_01HQ"],"fal":["a",5,100,"Mg=="],"openrouter":["a",57,100,"200"],"px0":["d"]},"v":1}"#
    ]
    let pieces = [
      "9223372036854775807", "-1", "1e9", "\"", "\\u0000", "\\ud800", "[", "]", "{", "}", ",", ":",
      "0", "99999999999999999999", "null", "true", " ",
    ]
    var decoded = 0
    for round in 0..<4000 {
      var bytes = Array(sources[0].utf8)
      for _ in 0..<Int.random(in: 1...3, using: &generator) {
        let at = Int.random(in: 0..<bytes.count, using: &generator)
        switch Int.random(in: 0..<3, using: &generator) {
        case 0: bytes[at] = UInt8.random(in: 0...255, using: &generator)
        case 1: bytes.remove(at: at)
        default:
          let piece = pieces[Int.random(in: 0..<pieces.count, using: &generator)]
          bytes.insert(contentsOf: Array(piece.utf8), at: at)
        }
        if bytes.isEmpty { bytes = [0x7B] }
      }
      var token = base64URL(String(decoding: bytes, as: UTF8.self))
      if round % 4 == 0, !token.isEmpty {
        var characters = Array(token)
        characters[Int.random(in: 0..<characters.count, using: &generator)] = "~"
        token = String(characters)
      }
      do {
        let cursor = try PageCursor.decode(token, providers: Self.all, filter: "abc")
        expectInRange(cursor)
        decoded += 1
      } catch let error as KeyError {
        #expect(error.kind == .usage)
      } catch {
        Issue.record("unexpected error \(error)")
      }
    }
    // Some mutations (inside a token, say) leave a valid cursor: both paths ran.
    #expect(decoded > 0)
  }

  @Test(
    arguments: [
      ("0", 0), ("7", 7), ("1000000000", 1_000_000_000), ("1000000001", nil), ("", nil),
      ("00", nil), ("01", nil), ("-1", nil), ("+1", nil), (" 1", nil), ("1 ", nil), ("1_000", nil),
      ("9223372036854775807", nil), ("99999999999999999999999", nil), ("٣", nil),
    ] as [(String, Int?)])
  func offsetsAreStrictDecimalsInRange(text: String, value: Int?) {
    #expect(PageToken.offset(text) == value)
  }

  @Test func decimalsReachIntMaxExactlyWithoutOverflow() {
    #expect(PageToken.decimal("9223372036854775807", maximum: Int.max) == Int.max)
    #expect(PageToken.decimal("9223372036854775808", maximum: Int.max) == nil)
    #expect(PageToken.decimal("7", maximum: 5) == nil)
    #expect(PageToken.decimal("5", maximum: 5) == 5)
  }
}

@Suite struct PagingOverflowTests {
  /// `--limit` as large as Int.max, resumed from a cursor that skips keys: the
  /// budget saturates instead of trapping, and every remaining key comes.
  @Test func aHugeLimitWithASkippingCursorDoesNotOverflow() async throws {
    let provider = StubProvider(id: .fal, count: 25, pageSize: 10)
    let cursor = PageCursor(
      states: [.fal: .at(.token("10"), skip: 3, pageSize: 10)], filter: ListOptions().fingerprint)
    var ids: [String] = []
    let result = try await Listing.run(
      ListingRequest(providers: [provider], options: ListOptions(), limit: Int.max, cursor: cursor)
    ) { _, keys in ids += keys.map(\.id) }
    #expect(ids == (13..<25).map { "fal-\($0)" })
    #expect(result.nextCursor == nil)
  }

  @Test(arguments: [(Int.max, 1), (Int.max, Int.max), (1, Int.max), (5, 16_777_216)])
  func theSumSaturates(a: Int, b: Int) {
    let sum = Listing.sum(a, b)
    #expect(sum >= max(a, b))
  }

  /// An OpenRouter offset beyond the bound never reaches a request or arithmetic.
  @Test(arguments: ["9223372036854775800", "9223372036854775807", "1000000001", "-5"])
  func anOpenRouterOffsetOutOfRangeIsRefusedBeforeAnyRequest(token: String) async throws {
    let transport = MockTransport()
    let provider = try makeProvider(
      .openrouter, environment: ["OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-test"],
      transport: transport)
    let error = try await #require(throws: KeyError.self) {
      try await provider.page(at: .token(token), options: ListOptions())
    }
    #expect(error.kind == .usage)
    #expect(transport.requests.isEmpty)
  }

  /// A full page at the last offset keyctl pages to ends the listing with an
  /// error rather than an offset past the bound.
  @Test func aFullPageAtTheLastOffsetStops() async throws {
    let offset = PageToken.maxOffset - 50
    let keys = (0..<100).map {
      #"{"hash":"h\#($0)","name":"k","disabled":false,"created_at":"2025-09-01T00:00:00Z"}"#
    }
    let transport = MockTransport([
      .json(
        "GET", "/keys", query: ["offset": String(offset)],
        body: "{\"data\":[\(keys.joined(separator: ","))]}")
    ])
    let provider = try makeProvider(
      .openrouter, environment: ["OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-test"],
      transport: transport)
    let error = try await #require(throws: KeyError.self) {
      try await provider.page(at: .token(String(offset)), options: ListOptions())
    }
    #expect(error.kind == .badResponse)
  }
}

/// Counts calls from any task.
final class Counter: @unchecked Sendable {
  /// Guards `value`.
  private let lock = NSLock()
  /// Calls so far.
  private var value = 0

  /// The calls counted so far.
  var count: Int { lock.withLock { value } }

  /// Counts one call.
  func increment() { lock.withLock { value += 1 } }
}

@Suite struct EmptyPageTests {
  /// Empty pages that say more follow, each with a new position: a server
  /// that would otherwise be followed for 100,000 requests.
  struct EndlessEmpty: KeyProvider {
    let id = ProviderID.fal
    let firstPageKeys: Int
    let counter = Counter()

    func page(at position: PagePosition, options: ListOptions) async throws -> Page {
      counter.increment()
      let number = Int({ if case .token(let t) = position { t } else { "0" } }()) ?? 0
      let keys =
        number == 0
        ? (0..<firstPageKeys).map {
          ApiKey(provider: id, id: "k\($0)", name: nil, createdAt: nil, raw: .null)
        } : []
      return Page(keys: keys, next: .token(String(number + 1)))
    }
  }

  @Test(arguments: [0, 3])
  func aPageWithNoKeysThatSaysMoreFollowStops(firstPageKeys: Int) async throws {
    let provider = EndlessEmpty(firstPageKeys: firstPageKeys)
    var delivered = 0
    let error = await #expect(throws: KeyError.self) {
      for try await page in PageSequence(provider: provider, options: ListOptions()) {
        delivered += page.keys.count
      }
    }
    #expect(error?.kind == .badResponse)
    #expect(error?.message.contains("no keys that says more follow") == true)
    #expect(delivered == firstPageKeys)
    #expect(provider.counter.count == (firstPageKeys == 0 ? 1 : 2))
  }

  /// Ids are compared whole: keys whose ids differ are all kept, also ids that
  /// differ only in a way a hash might not (case, length, a trailing space).
  @Test func distinctIdsAreAllKept() async throws {
    struct Similar: KeyProvider {
      let id = ProviderID.fal
      func page(at position: PagePosition, options: ListOptions) async throws -> Page {
        let ids = ["a", "A", "a ", "", "aa", "b", "a"]
        return Page(
          keys: ids.map { ApiKey(provider: id, id: $0, name: nil, createdAt: nil, raw: .null) },
          next: nil)
      }
    }
    let keys = try await collect(Similar())
    #expect(keys.map(\.id) == ["a", "A", "a ", "", "aa", "b"])
  }
}
