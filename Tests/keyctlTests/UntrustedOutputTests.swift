import Foundation
import KeyCore
import Testing

@testable import keyctl

/// A name with one character of every class that moves or restyles a terminal.
private let evilName =
  "a\u{1B}[31mb\u{7}c\u{7F}d\u{9B}2Je\u{85}f\u{202E}g\u{2066}h\u{200B}i\u{FEFF}j\u{2028}k\u{E0041}l"

/// The flagged characters in printed text (record-ending newlines aside).
private func movers(_ text: String) -> [UInt32] {
  text.unicodeScalars.filter { $0 != "\n" && Untrusted.movesTerminal($0) }.map(\.value)
}

@Suite struct UntrustedOutputTests {
  let key = ApiKey(
    provider: .fal, id: "id\u{1B}]0;x\u{7}", name: evilName, createdAt: nil, scope: "API\u{202E}",
    creator: ApiKey.Creator(email: "e\u{200B}@x", name: nil, id: nil), raw: .null)

  @Test func tableCellsAreBlanked() {
    for field in KeyField.allCases {
      let text = field.text(of: key)
      #expect(movers(text).isEmpty, "\(field): \(text.unicodeScalars.map(\.value))")
    }
    #expect(KeyField.name.text(of: key) == "a [31mb c d 2Je f g h i j k l")
  }

  @Test func jsonEscapesAndRoundTrips() throws {
    var json = JSONText()
    KeyField.appendObject(key, fields: KeyField.allCases, to: &json)
    let text = String(decoding: json.bytes, as: UTF8.self)
    #expect(movers(text).isEmpty, "\(text)")
    #expect(text.contains(#"\u009b2Je\u0085f\u202eg\u2066h\u200bi\ufeffj\u2028k\udb40\udc41l"#))
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: Any])
    #expect(object["name"] as? String == evilName)
    #expect(object["id"] as? String == key.id)
  }

  @Test func errorsAreBlankedButHintsKeepTheirLayout() {
    let error = KeyError(
      .server, "fal answered HTTP 500: \u{1B}[2J\u{202E}boom\u{9B}", provider: .fal,
      requestID: "req\u{2028}1", hint: "Do this:\n  keyctl list -p fal\n  bad\u{1B}[31m line")
    let text = ErrorRenderer.render(error)
    #expect(movers(text).isEmpty, "\(text)")
    #expect(
      text
        == "keyctl: fal answered HTTP 500: [2J boom (request id req 1)\nDo this:\n"
        + "  keyctl list -p fal\nbad [31m line")
  }

  @Test func notesGoToStderrBlanked() {
    let sink = OutputSink()
    var noted = key
    noted.notes = ["created_at '99999-01-01\u{1B}[2J' is not an ISO-8601 date keyctl can show"]
    KeyNotes.print(
      [noted, ApiKey(provider: .px0, id: "quiet", name: nil, createdAt: nil, raw: .null)], to: sink)
    #expect(
      sink.text
        == "keyctl: fal key id ]0;x: created_at '99999-01-01 [2J' is not an ISO-8601 date keyctl "
        + "can show\n")
  }

  @Test(arguments: ["table", "json", "ndjson"])
  func aListingOfHostileNamesPrintsNothingThatDrivesATerminal(format: String) async throws {
    let fal = FakeFal(keys: [
      FakeFal.Key(id: "k1", alias: evilName, createdAt: "2025-01-15T12:00:00Z"),
      FakeFal.Key(id: "k2", alias: "plain", createdAt: "99999-01-01T00:00:00Z"),
    ])
    let outcome = await TestCLI.runFal(["list", "-p", "fal", "-o", format], fal)
    #expect(outcome.code == 0, "\(outcome.stderr)")
    #expect(movers(outcome.allOutput).isEmpty, "\(outcome.allOutput)")
    #expect(
      outcome.stderr.contains(
        "keyctl: fal key k2: created_at '99999-01-01T00:00:00Z' is not an ISO-8601 date keyctl "
          + "can show; shown as null"))
    if format == "json" {
      let keys = try #require(try JSONOutput.object(outcome.stdout)["keys"] as? [[String: Any]])
      #expect(keys.first?["name"] as? String == evilName)
      #expect((keys.first?["raw"] as? [String: Any])?["alias"] as? String == evilName)
      #expect(keys.last?["created_at"] is NSNull)
    }
  }
}
