import Foundation
import Testing

@testable import KeyCore

@Suite struct PageCursorTests {
  static let cursors: [PageCursor] = [
    PageCursor(states: [.fal: .at(.start, skip: 0, pageSize: 100)], filter: "abc"),
    PageCursor(
      states: [
        .fal: .done, .px0: .at(.start, skip: 3, pageSize: nil),
        .cartesia: .at(.token("key_with/odd+chars=="), skip: 0, pageSize: 100),
        .openrouter: .at(.token("200"), skip: 57, pageSize: 100),
      ], filter: "f00"),
  ]

  @Test(arguments: cursors)
  func roundTrips(cursor: PageCursor) throws {
    let token = cursor.encoded()
    #expect(!token.contains("="))
    #expect(!token.contains("/"))
    #expect(!token.contains("+"))
    let providers = Array(cursor.states.keys)
    #expect(try PageCursor.decode(token, providers: providers, filter: cursor.filter) == cursor)
  }

  @Test(arguments: ["", "!!!", "bm90IGpzb24", "eyJ2IjoyfQ"])
  func corruptTokensAreUsageErrors(token: String) {
    let error = #expect(throws: KeyError.self) {
      try PageCursor.decode(token, providers: [.fal], filter: "abc")
    }
    #expect(error?.kind == .usage)
  }

  @Test func aTruncatedTokenIsRefused() throws {
    let token = try #require(Self.cursors.last).encoded()
    #expect(throws: KeyError.self) {
      try PageCursor.decode(
        String(token.dropLast(6)), providers: ProviderID.allCases, filter: "f00")
    }
  }

  @Test func anotherProviderSetIsRefusedNamingBoth() throws {
    let token = try #require(Self.cursors.first).encoded()
    let error = #expect(throws: KeyError.self) {
      try PageCursor.decode(token, providers: [.fal, .px0], filter: "abc")
    }
    #expect(error?.message.contains("fal") == true)
    #expect(error?.message.contains("fal,px0") == true)
  }

  @Test func otherFiltersAreRefused() throws {
    let token = try #require(Self.cursors.first).encoded()
    #expect(throws: KeyError.self) {
      try PageCursor.decode(token, providers: [.fal], filter: "zzz")
    }
  }

  /// Tokens printed by the hand-written encoder before the cursor moved to
  /// `JSONText` and `JSONDocument`: they still resume, and the same state
  /// still encodes to the same token, byte for byte.
  @Test func tokensPrintedBeforeStillResumeAndReencodeTheSame() throws {
    let printed = [
      "eyJmIjoiYWJjIiwicCI6eyJmYWwiOlsiYSIsMCwxMDBdfSwidiI6MX0",
      "eyJmIjoiZjAwIiwicCI6eyJjYXJ0ZXNpYSI6WyJhIiwwLDEwMCwia2V5X3dpdGgvb2RkK2NoYXJzPT0iXSwiZmFsIjpb"
        + "ImQiXSwib3BlbnJvdXRlciI6WyJhIiw1NywxMDAsIjIwMCJdLCJweDAiOlsiYSIsMywwXX0sInYiOjF9",
    ]
    for (token, cursor) in zip(printed, Self.cursors) {
      let decoded = try PageCursor.decode(
        token, providers: Array(cursor.states.keys), filter: cursor.filter)
      #expect(decoded == cursor)
      #expect(cursor.encoded() == token)
    }
    // Quotes, a backslash, a slash and a space in a token; the largest skip.
    let odd =
      "eyJmIjoiYjVkMGUwNzc0YzdkNzQ5OSIsInAiOnsiZmFsIjpbImEiLDE2Nzc3MjE2LDEsImFcImJcXGMvZH4gZSJdLCJw"
      + "eDAiOlsiZCJdfSwidiI6MX0"
    let cursor = try PageCursor.decode(
      odd, providers: [.fal, .px0], filter: ListOptions().fingerprint)
    #expect(cursor.states[.fal] == .at(.token(#"a"b\c/d~ e"#), skip: 16_777_216, pageSize: 1))
    #expect(cursor.encoded() == odd)
  }

  /// JSON allows `-0`; `encoded()` never writes it, so a cursor holding it was edited.
  @Test func aSignedZeroIsNotACursorKeyctlMade() throws {
    let document = #"{"f":"abc","p":{"fal":["a",-0,100]},"v":1}"#
    let token = Base64URL.encode(Array(document.utf8))
    #expect(throws: KeyError.self) {
      try PageCursor.decode(token, providers: [.fal], filter: "abc")
    }
    let plain = #"{"f":"abc","p":{"fal":["a",0,100]},"v":1}"#
    #expect(
      (try PageCursor.decode(Base64URL.encode(Array(plain.utf8)), providers: [.fal], filter: "abc")
        .states[.fal]) == .at(.start, skip: 0, pageSize: 100))
  }

  /// Every filter that shapes a listing is in the fingerprint, the name filter
  /// as the set of its lower-cased values; without one the fingerprint is the
  /// one older cursors carry (`b5d0e0774c7d7499` for no filters at all).
  @Test func fingerprintBindsTheNameFilter() {
    let plain = ListOptions()
    #expect(plain.fingerprint == "b5d0e0774c7d7499")
    var tmp = plain
    tmp.nameContains = ["tmp"]
    var other = plain
    other.nameContains = ["temp"]
    var both = plain
    both.nameContains = ["tmp", "ci"]
    var reordered = plain
    reordered.nameContains = ["CI", "Tmp", "tmp"]
    #expect(Set([plain, tmp, other, both].map(\.fingerprint)).count == 4)
    #expect(reordered.fingerprint == both.fingerprint)
    var empty = plain
    empty.nameContains = [""]
    #expect(empty.fingerprint != plain.fingerprint)
  }

  @Test func fingerprintChangesWithProviderFiltersButNotPageSize() {
    var options = ListOptions()
    let base = options.fingerprint
    options.pageSize = 10
    #expect(options.fingerprint == base)
    options.query = "prod"
    #expect(options.fingerprint != base)
  }
}
