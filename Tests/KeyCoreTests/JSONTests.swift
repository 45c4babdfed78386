import Foundation
import Testing

@testable import KeyCore

/// A body and why it is not strict JSON.
struct InvalidJSON: CustomTestStringConvertible, Sendable {
  let name: String
  let bytes: [UInt8]

  init(_ name: String, _ text: String) {
    self.name = name
    self.bytes = Array(text.utf8)
  }

  init(_ name: String, bytes: [UInt8]) {
    self.name = name
    self.bytes = bytes
  }

  var testDescription: String { name }
}

/// `{"a":"` + bytes + `"}`: a string holding exactly these bytes.
private func inString(_ bytes: [UInt8]) -> [UInt8] {
  Array(#"{"a":""#.utf8) + bytes + Array(#""}"#.utf8)
}

@Suite struct StrictJSONTests {
  static let invalid: [InvalidJSON] = [
    InvalidJSON("trailing comma in an object", #"{"a":1,}"#),
    InvalidJSON("trailing comma in an array", #"{"keys":[1,2,]}"#),
    InvalidJSON("trailing comma after a key", #"{"keys":[{"key_id":"a"},]}"#),
    InvalidJSON("double comma", #"[1,,2]"#),
    InvalidJSON("leading comma", #"[,1]"#),
    InvalidJSON("missing comma", #"[1 2]"#),
    InvalidJSON("missing colon", #"{"a" 1}"#),
    InvalidJSON("bad escape \\x", #"{"a":"\x41"}"#),
    InvalidJSON("bad escape \\'", #"{"a":"it\'s"}"#),
    InvalidJSON("bad escape \\U", #"{"a":"\U0041"}"#),
    InvalidJSON("short \\u escape", #"{"a":"\u12"}"#),
    InvalidJSON("\\u escape with a non-hex digit", #"{"a":"\u12G4"}"#),
    InvalidJSON("lone high surrogate", #"{"a":"\ud800"}"#),
    InvalidJSON("lone low surrogate", #"{"a":"\udc00"}"#),
    InvalidJSON("high surrogate before a letter", #"{"a":"\ud800\u0041"}"#),
    InvalidJSON("invalid UTF-8 byte", bytes: inString([0xFF])),
    InvalidJSON("continuation byte alone", bytes: inString([0x80])),
    InvalidJSON("overlong slash", bytes: inString([0xC0, 0xAF])),
    InvalidJSON("overlong three bytes", bytes: inString([0xE0, 0x80, 0xAF])),
    InvalidJSON("UTF-8 surrogate", bytes: inString([0xED, 0xA0, 0x80])),
    InvalidJSON("above U+10FFFF", bytes: inString([0xF4, 0x90, 0x80, 0x80])),
    InvalidJSON("truncated sequence", bytes: inString([0xE2, 0x82])),
    InvalidJSON(
      "invalid UTF-8 in a member name", bytes: Array("{\"".utf8) + [0xFE] + Array("\":1}".utf8)),
    InvalidJSON("raw escape character in a string", "{\"a\":\"\u{1B}[31m\"}"),
    InvalidJSON("raw newline in a string", "{\"a\":\"x\ny\"}"),
    InvalidJSON("raw NUL in a string", "{\"a\":\"\u{0}\"}"),
    InvalidJSON("leading zero", #"{"a":01}"#),
    InvalidJSON("negative leading zero", #"{"a":-01}"#),
    InvalidJSON("double zero", #"[00]"#),
    InvalidJSON("NaN", #"{"a":NaN}"#),
    InvalidJSON("Infinity", #"{"a":Infinity}"#),
    InvalidJSON("-Infinity", #"{"a":-Infinity}"#),
    InvalidJSON("plus sign", #"{"a":+1}"#),
    InvalidJSON("bare decimal point", #"{"a":.5}"#),
    InvalidJSON("decimal point without digits", #"{"a":1.}"#),
    InvalidJSON("empty exponent", #"{"a":1e}"#),
    InvalidJSON("hex number", #"{"a":0x10}"#),
    InvalidJSON("number beyond a double", #"{"a":1e400}"#),
    InvalidJSON("negative number beyond a double", #"{"a":-1.8e308}"#),
    InvalidJSON("400-digit number", "[" + String(repeating: "9", count: 400) + "]"),
    InvalidJSON("single quotes", #"{'a':1}"#),
    InvalidJSON("unquoted name", #"{a:1}"#),
    InvalidJSON("comment", "{\"a\":1 /* c */}"),
    InvalidJSON("line comment", "{\"a\":1}\n// c"),
    InvalidJSON("text after the value", #"{"a":1}x"#),
    InvalidJSON("two values", #"{"a":1}{"b":2}"#),
    InvalidJSON("byte order mark", bytes: [0xEF, 0xBB, 0xBF] + Array("{}".utf8)),
    InvalidJSON("empty body", ""),
    InvalidJSON("only white space", "  \n"),
    InvalidJSON("unclosed string", #"{"a":"x"#),
    InvalidJSON("unclosed object", #"{"a":1"#),
    InvalidJSON("unclosed array", #"[1"#),
    InvalidJSON("True in capitals", #"{"a":True}"#),
    InvalidJSON("nul", #"{"a":nul}"#),
    InvalidJSON("vertical tab as white space", "{\"a\":\u{0B}1}"),
    InvalidJSON(
      "nesting 65 deep", String(repeating: "[", count: 65) + String(repeating: "]", count: 65)),
  ]

  @Test(arguments: invalid)
  func refusesWhatLenientDecodersAccept(_ body: InvalidJSON) {
    #expect(throws: JSONSyntaxError.self) { try JSONDocument(parsing: Data(body.bytes)) }
  }

  @Test(arguments: [
    #"{}"#, #"[]"#, #""text""#, "0", "-0", "1.5e-300", "-12.25E+3", "true", "false", "null",
    "1e-400", "1.7976931348623157e308", "123456789012345678901234567890",
    #"{"a":[1,{"b":null}],"c":"\u00e9\ud83d\ude80\n\"\\\/"}"#, " \t\r\n{ \"a\" : [ 1 , 2 ] } \n",
    "{\"a\":\"\u{7F}\u{85}\u{202E}\u{2028}é🚀\"}", #"{"a":"\u0000\u001b"}"#,
    String(repeating: "[", count: 64) + String(repeating: "]", count: 64),
    #"{"a":1,"a":2}"#,
  ])
  func acceptsStrictJSON(_ text: String) {
    #expect(throws: Never.self) { try JSONDocument(parsing: Data(text.utf8)) }
  }

  @Test func namesTheProblemAndWhereItIs() {
    let error = #expect(throws: JSONSyntaxError.self) {
      try JSONDocument(parsing: Data(#"{"keys":[1,2,]}"#.utf8))
    }
    #expect(error?.description == "the body is not valid JSON: a trailing comma at byte 13")
  }
}

@Suite struct JSONValueTests {
  let document: JSONDocument
  let body =
    #"{"keys":[{"key_id":"a","alias":"A","n":3},{"key_id":"b","alias":7,"n":-2.5}],"#
    + #""dup":{"x":1,"x":2},"big":123456789012345678901,"esc":"caf\u00e9 \"q\"","#
    + #""key\u005fid":"escaped name","flag":true,"none":null}"#

  init() throws {
    document = try JSONDocument(parsing: Data(body.utf8))
  }

  @Test func readsMembersOfEveryType() throws {
    let root = document.root
    let keys = Array(try root.array("keys"))
    #expect(keys.count == 2)
    #expect(try keys[0].string("key_id") == "a")
    #expect(try keys[0].required("n").int() == 3)
    #expect(try keys[1].required("n").double() == -2.5)
    #expect(try root.string("esc") == "café \"q\"")
    #expect(try root.string("key_id") == "escaped name")
    #expect(try root.optionalBool("flag") == true)
    #expect(try root.optionalString("none") == nil)
    #expect(try root.optionalString("absent") == nil)
    #expect(try root.memberNames().count == 7)
  }

  @Test func errorsNameThePathOfTheField() throws {
    let keys = Array(try document.root.array("keys"))
    let type = #expect(throws: JSONReadError.self) { try keys[1].string("alias") }
    #expect(
      type?.description
        == "field 'keys[1].alias' has an unexpected type (expected a string, got a number)")
    let missing = #expect(throws: JSONReadError.self) { try keys[0].string("scope") }
    #expect(missing?.description == "field 'keys[0].scope' is missing")
    let duplicate = #expect(throws: JSONReadError.self) {
      try document.root.required("dup").member("x")
    }
    #expect(duplicate?.description == "field 'dup.x' appears more than once")
    let overflow = #expect(throws: JSONReadError.self) { try document.root.required("big").int() }
    #expect(overflow?.description == "field 'big' is not a whole number keyctl can hold")
    let root = #expect(throws: JSONReadError.self) {
      try JSONDocument(parsing: Data("[1]".utf8)).root.string("keys")
    }
    #expect(
      root?.description == "the body has an unexpected type (expected an object, got an array)")
  }

  @Test func rawIsCompactWithTerminalMoversEscaped() throws {
    let text = "{\n  \"a\" : \"x\\u001by\u{7F}\u{9B}\u{200B}\u{202E}é🚀\",\n  \"n\" : [ 1 , 2.50 ] }"
    let raw = try JSONDocument(parsing: Data(text.utf8)).root.raw()
    #expect(
      String(decoding: raw.bytes, as: UTF8.self)
        == #"{"a":"x\u001by\u007f\u009b\u200b\u202eé🚀","n":[1,2.50]}"#)
  }

  @Test func rawOfAPlainValueIsTheSameBytes() throws {
    let text = #"{"key_id":"a","alias":"caf\u00e9","n":[1,-2.5e3,true,null],"o":{}}"#
    let raw = try JSONDocument(parsing: Data(text.utf8)).root.raw()
    #expect(raw.bytes == Data(text.utf8))
  }

  @Test func rawLeavesOutTheNamedMembers() throws {
    let text = #"{"key_id":"a","key_secret":"s3cr3t","key":"a:s3cr3t","nested":{"key":"kept"}}"#
    let raw = try JSONDocument(parsing: Data(text.utf8)).root.raw(removing: ["key", "key_secret"])
    #expect(
      String(decoding: raw.bytes, as: UTF8.self) == #"{"key_id":"a","nested":{"key":"kept"}}"#)
  }

  @Test func credentialsAreMaskedInStringsAndRaw() throws {
    let redactor = Redactor(secrets: ["id:sim-fal-admin-secret"])
    for spelling in ["sim-fal-admin-secret", "SIM-FAL-ADMIN-SECRET", #"\u0073im-fal-admin-secret"#]
    {
      let text = #"{"name":"key \#(spelling) here","other":"plain"}"#
      let document = try JSONDocument(parsing: Data(text.utf8), redactor: redactor)
      #expect(try document.root.string("name") == "key [REDACTED] here")
      #expect(try document.root.required("name").unredactedString().lowercased().contains("secret"))
      let raw = String(decoding: document.root.raw().bytes, as: UTF8.self)
      #expect(raw == #"{"name":"key [REDACTED] here","other":"plain"}"#)
    }
  }
}
