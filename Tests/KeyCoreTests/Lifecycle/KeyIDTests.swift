import Foundation
import Testing

@testable import KeyCore

/// What keyctl accepts as a key id before any request (DESIGN.md leaves it to
/// the lead: non-empty, at most 256 bytes, printable ASCII without spaces,
/// not `.` or `..`; px0's are UUIDs).
@Suite struct KeyIDTests {
  @Test(arguments: [
    ("abc123def456", ProviderID.fal), ("key_01HQA", .cartesia), ("a/b?c#d%e", .openrouter),
    (String(repeating: "k", count: 256), .fal), ("7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f", .px0),
    ("...", .fal), ("~!@$&*()'", .fal),
  ])
  func accepted(_ id: String, _ provider: ProviderID) throws {
    #expect(KeyID.problem(id, for: provider) == nil)
    #expect(try KeyID.checked(id, for: provider) == id)
  }

  @Test(arguments: [
    ("", ProviderID.fal, "it is empty"),
    (String(repeating: "k", count: 257), .fal, "it is longer than 256 bytes"),
    ("a b", .fal, "a key id is printable ASCII without spaces"),
    ("a\tb", .openrouter, "a key id is printable ASCII without spaces"),
    ("\u{1B}[31m", .cartesia, "a key id is printable ASCII without spaces"),
    ("clé", .fal, "a key id is printable ASCII without spaces"),
    ("a\u{7F}", .fal, "a key id is printable ASCII without spaces"),
    (".", .fal, "'.' and '..' name no key"), ("..", .openrouter, "'.' and '..' name no key"),
    (
      "render-worker", .px0,
      "px0 key ids are UUIDs, such as 7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f"
    ),
  ])
  func refused(_ id: String, _ provider: ProviderID, _ reason: String) {
    #expect(KeyID.problem(id, for: provider) == reason)
    let error = #expect(throws: KeyError.self) { try KeyID.checked(id, for: provider) }
    #expect(error?.kind == .usage)
    #expect(error?.exitCode == 2)
    #expect(error?.provider == provider)
    #expect(error?.message.hasSuffix(": " + reason) == true)
  }

  @Test func theErrorNamesTheIDFitForATerminal() {
    let error = #expect(throws: KeyError.self) {
      try KeyID.checked("evil\u{1B}]0;title\u{07}" + String(repeating: "x", count: 300), for: .fal)
    }
    let message = error?.message ?? ""
    #expect(message.hasPrefix("invalid key id 'evil ]0;title xxx"))
    #expect(!Untrusted.holdsTerminalControls(message))
    #expect(message.count < 200)
    #expect(error?.hint == "Copy the id from 'keyctl list -p fal'.")
  }

  @Test func aPx0IDIsSentLowerCased() throws {
    let id = "7D2C3F1E-5B4A-4C8D-9E0F-1A2B3C4D5E6F"
    #expect(try KeyID.checked(id, for: .px0) == id.lowercased())
    #expect(try KeyID.checked("ABC", for: .fal) == "ABC")
  }
}
