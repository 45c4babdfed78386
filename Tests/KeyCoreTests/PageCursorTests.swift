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

  @Test func fingerprintChangesWithProviderFiltersButNotPageSize() {
    var options = ListOptions()
    let base = options.fingerprint
    options.pageSize = 10
    #expect(options.fingerprint == base)
    options.query = "prod"
    #expect(options.fingerprint != base)
  }
}
