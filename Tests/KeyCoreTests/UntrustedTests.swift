import Foundation
import Testing

@testable import KeyCore

/// Characters that move or restyle a terminal, or hide or reorder text: every
/// class the chokepoint must catch, with a few of each.
let terminalMovers: [UInt32] =
  Array(0x00...0x1F) + [0x7F] + Array(0x80...0x9F)  // C0, DEL, C1
  + [0x200E, 0x200F, 0x061C, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E]  // bidi marks, embeddings
  + [0x2066, 0x2067, 0x2068, 0x2069]  // bidi isolates
  + [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]  // zero-width
  + [0x2028, 0x2029]  // line and paragraph separators
  + [0x00AD, 0x180E, 0x2061, 0x206A, 0xFFF9, 0xE0001, 0xE0041, 0x1D173]  // other format characters

@Suite struct TerminalPredicateTests {
  @Test func flagsEveryClass() {
    for value in terminalMovers {
      #expect(Untrusted.movesTerminal(value), "U+\(String(value, radix: 16)) passes")
    }
  }

  @Test func leavesPrintableTextAlone() {
    let printable: [UInt32] = [
      0x20, 0x41, 0x7E, 0xA0, 0xE9, 0x0416, 0x05D0, 0x0627, 0x3000, 0x753B, 0x1F680, 0x1F3F4,
      0xFE0F, 0x2010, 0x2070, 0xFFFD,
    ]
    for value in printable {
      #expect(!Untrusted.movesTerminal(value), "U+\(String(value, radix: 16)) is flagged")
    }
  }

  /// The written-out table agrees with the Unicode data for the format category.
  @Test func agreesWithTheFormatCategory() {
    for value in UInt32(0xA0)...0x2_0000 {
      guard let scalar = Unicode.Scalar(value) else { continue }
      let format = scalar.properties.generalCategory == .format
      let separator = value == 0x2028 || value == 0x2029
      if format || separator {
        #expect(Untrusted.movesTerminal(scalar), "U+\(String(value, radix: 16)) is not flagged")
      }
    }
  }
}

@Suite struct BlankTests {
  @Test(arguments: [
    ("plain name", "plain name"),
    ("a\u{1B}[31mred\u{1B}[0m", "a [31mred [0m"),
    ("line\nbreak\r\ttab", "line break tab"),
    ("c1\u{9B}2Jcsi", "c1 2Jcsi"),
    ("\u{202E}gnp.exe", "gnp.exe"),
    ("zero\u{200B}width\u{FEFF}", "zero width"),
    ("iso\u{2066}late\u{2069}", "iso late"),
    ("sep\u{2028}ara\u{2029}tor", "sep ara tor"),
    ("  many   spaces  ", "many spaces"),
    ("\u{7F}\u{7F}", ""),
    ("Zürich edge 🚀 画像", "Zürich edge 🚀 画像"),
  ])
  func blanksFlaggedCharacters(input: String, expected: String) {
    #expect(Untrusted.blank(input) == expected)
  }

  @Test func blankedTextHoldsNothingFlagged() {
    let text = String(String.UnicodeScalarView(terminalMovers.compactMap(Unicode.Scalar.init)))
    let blanked = Untrusted.blank("x" + text + "y")
    #expect(!Untrusted.holdsTerminalControls(blanked))
    #expect(blanked == "x y")
  }

  @Test func boundedCutsAfterBlanking() {
    #expect(Untrusted.bounded(String(repeating: "ab ", count: 200), limit: 10) == "ab ab ab a…")
    #expect(Untrusted.bounded("short", limit: 10) == "short")
  }
}

@Suite struct JSONStringEscapeTests {
  func encoded(_ text: String) -> String {
    var output: [UInt8] = []
    Untrusted.appendJSONString(text, to: &output)
    return String(decoding: output, as: UTF8.self)
  }

  @Test func escapesEveryFlaggedCharacterAsUnicodeEscapes() throws {
    for value in terminalMovers {
      let scalar = try #require(Unicode.Scalar(value))
      let json = encoded("a\(Character(scalar))b")
      #expect(!json.unicodeScalars.contains { Untrusted.movesTerminal($0) }, "\(json)")
      let decoded = try JSONSerialization.jsonObject(
        with: Data(json.utf8), options: .fragmentsAllowed)
      #expect(decoded as? String == "a\(Character(scalar))b")
    }
    #expect(encoded("\u{202E}") == #""\u202e""#)
    #expect(encoded("\u{85}") == #""\u0085""#)
    #expect(encoded("\u{E0001}") == #""\udb40\udc01""#)
    #expect(encoded("q\"b\\n\n") == #""q\"b\\n\n""#)
  }

  @Test func leavesEverythingElseAsItIs() {
    #expect(encoded("Zürich edge 🚀 画像 / ok") == "\"Zürich edge 🚀 画像 / ok\"")
  }
}

@Suite struct RedactionTests {
  let redactor = Redactor(secrets: ["key_id_1:supersecretvalue", "sk-or-v1-abcdef"])

  @Test func masksSecretsWhateverTheirCase() {
    let text = redactor.redact(
      "a SUPERSECRETVALUE and Sk-Or-V1-AbCdEf and key_id_1:supersecretvalue")
    #expect(text == "a [REDACTED] and [REDACTED] and [REDACTED]")
  }

  @Test func masksTheFormsAURLAndJSONTextGiveASecret() {
    let redactor = Redactor(secrets: ["id:a+b/c=d+0123"])
    #expect(redactor.redact("?k=id%3Aa%2Bb%2Fc%3Dd%2B0123") == "?k=[REDACTED]")
    #expect(redactor.redact("?k=a%2bb%2fc%3dd%2b0123") == "?k=[REDACTED]")
    #expect(redactor.redact(#"{"k":"a+b\/c=d+0123"}"#) == #"{"k":"[REDACTED]"}"#)
  }

  @Test func findsSecretsInBytes() {
    let body = Data(#"{"name":"x SuperSecretValue y"}"#.utf8)
    #expect(body.withUnsafeBytes { redactor.occurs(in: $0) })
    #expect(!Data("supersecretvalu".utf8).withUnsafeBytes { redactor.occurs(in: $0) })
    #expect(!Redactor.none.occurs(in: "anything"))
  }
}

@Suite struct ServerTextTests {
  static let secret = "sim_fal_admin:sim-fal-admin-secret"
  let text = ServerText(redactor: Redactor(secrets: [Self.secret]))

  /// Every run of 8 characters of the credential's secret half: none may show.
  static func leaks(_ output: String) -> [String] {
    let secretHalf = Array("sim-fal-admin-secret")
    return (0...(secretHalf.count - 8)).map { String(secretHalf[$0..<$0 + 8]) }
      .filter { output.lowercased().contains($0) }
  }

  @Test(arguments: Array(100...170))
  func anExcerptIsRedactedBeforeItIsCut(offset: Int) {
    let body = String(repeating: "x", count: offset) + "Key " + Self.secret + " and more text"
    let excerpt = text.excerpt(Data(body.utf8))
    #expect(Self.leaks(excerpt).isEmpty, "\(excerpt)")
    #expect(excerpt.contains("[REDACTED]") || excerpt.hasSuffix("…\""))
  }

  @Test func aSecretCutByTheExcerptWindowIsDropped() {
    let padding = String(repeating: " ", count: ServerText.excerptWindow - 28)
    let excerpt = text.excerpt(Data((padding + Self.secret + "tail").utf8))
    #expect(Self.leaks(excerpt).isEmpty, "\(excerpt)")
  }

  @Test func anExcerptIsOneBlankedLine() {
    let excerpt = text.excerpt(Data("<html>\r\n\u{1B}]0;title\u{7}\u{9B}\u{202E}x</html>".utf8))
    #expect(excerpt == "\"<html> ]0;title x</html>\"")
  }

  @Test func messagesAndRequestIDsAreRedactedBlankedAndBounded() {
    let long = String(repeating: "m", count: 1000)
    #expect(text.message(long).count == ServerText.messageLimit + 1)
    #expect(text.message("bad \(Self.secret)\u{1B}[2J") == "bad [REDACTED] [2J")
    #expect(text.requestID("req-\(Self.secret)") == "req-[REDACTED]")
    #expect(text.requestID(String(repeating: "r", count: 500))?.count == 129)
    #expect(text.requestID("\u{1B}\u{7}") == nil)
    #expect(text.requestID(nil) == nil)
    #expect(
      text.header("application/json; x=Key \(Self.secret)") == "application/json; x=Key [REDACTED]")
  }
}

@Suite struct SecretCheckTests {
  let credentials = Redactor(secrets: ["sim_fal_admin:sim-fal-admin-secret"])

  @Test(arguments: [
    "", "abc\u{1B}[31m", "abc\ndef", "abc def", "a\u{9B}b", "a\u{202E}b", "a\u{200B}b",
    "a\u{2028}b", "a\u{A0}b", "a\u{7F}", String(repeating: "k", count: 4097),
    "x:sim-fal-admin-secret",
  ])
  func refusesSecretsThatCannotBePrintedAsOneToken(secret: String) {
    #expect(Untrusted.secretProblem(secret, credentials: credentials) != nil)
  }

  @Test(arguments: [
    "abc:0123456789abcdef", "ak_" + String(repeating: "f", count: 64), "sk-or-v1-x",
  ])
  func acceptsPlainSecrets(secret: String) {
    #expect(Untrusted.secretProblem(secret, credentials: credentials) == nil)
  }

  @Test func shellWordsQuoteWhatAShellWouldSplit() {
    #expect(ProviderClient.shellWord("key-1_a.b:c") == "key-1_a.b:c")
    #expect(ProviderClient.shellWord("my key's") == #"'my key'\''s'"#)
    #expect(ProviderClient.shellWord("$(rm -rf ~)") == "'$(rm -rf ~)'")
    #expect(ProviderClient.shellWord("a\u{1B}b") == nil)
    #expect(ProviderClient.shellWord("") == nil)
  }
}
