import Foundation
import Testing

@testable import KeyCore

/// The base-URL rules: parsed, never prefix-matched, so a credential only goes
/// in the clear to a host that is loopback by its spelling.
@Suite struct BaseURLParsingTests {
  /// Accepted texts and the normalised URL keyctl sends to.
  @Test(arguments: [
    ("http://localhost:8000", "http://localhost:8000"),
    ("http://LOCALHOST:8000/px0", "http://localhost:8000/px0"),
    ("HTTP://127.0.0.1:9000/v1", "http://127.0.0.1:9000/v1"),
    ("Http://127.255.3.4", "http://127.255.3.4"),
    ("http://[::1]:80", "http://[::1]:80"),
    ("http://[0:0:0:0:0:0:0:1]:8080/x", "http://[::1]:8080/x"),
    ("http://[::0001]", "http://[::1]"),
    ("https://api.fal.ai/v1", "https://api.fal.ai/v1"),
    ("HTTPS://API.Example.COM/Path/Kept", "https://api.example.com/Path/Kept"),
    ("https://10.0.0.5:8443/", "https://10.0.0.5:8443/"),
    ("https://[2001:db8::1]/v1", "https://[2001:db8::1]/v1"),
    ("https://keys.internal_example.test/a%20b/", "https://keys.internal_example.test/a%20b/"),
    ("https://host:00443", "https://host:443"),
  ])
  func accepted(_ text: String, _ normalised: String) throws {
    #expect(try ParsedBaseURL.parse(text).text == normalised)
  }

  /// Plain http to anything that is not loopback by its spelling, however close
  /// it looks: names that start like a loopback address, a subdomain of
  /// localhost, an IPv4-mapped or other IPv6 address, other private addresses.
  @Test(arguments: [
    "http://127.attacker.example", "http://localhost.attacker.example",
    "http://127.0.0.1.nip.io", "http://sub.localhost", "http://10.0.0.5:8000",
    "http://api.example.com", "http://[::ffff:127.0.0.1]", "http://[::2]", "http://128.0.0.1",
    "http://0.0.0.0:8000",
  ])
  func plainHTTPIsRefusedForAnyOtherHost(_ text: String) {
    #expect(throws: ParsedBaseURL.Problem.plainHTTP) { try ParsedBaseURL.parse(text) }
    #expect(throws: Never.self) { try ParsedBaseURL.parse("https" + text.dropFirst(4)) }
  }

  /// Each malformed base URL is refused with the reason that names its defect.
  @Test(arguments: [
    ("http://user:pw@127.0.0.1:8000", ParsedBaseURL.Problem.userinfo),
    ("https://token@api.fal.ai/v1", .userinfo),
    ("https://api.fal.ai/v1?q", .query),
    ("https://api.fal.ai/v1?", .query),
    ("https://api.fal.ai/v1#f", .fragment),
    ("http://127.0.0.1:0", .port("0")),
    ("http://127.0.0.1:65536", .port("65536")),
    ("http://127.0.0.1:", .port("")),
    ("http://127.0.0.1:-1", .port("-1")),
    ("http://127.0.0.1:99999999999999999999", .port("99999999999999999999")),
    ("http://127.1", .ipv4("127.1")),
    ("http://127.1:8000", .ipv4("127.1")),
    ("http://0x7f.0.0.1", .ipv4("0x7f.0.0.1")),
    ("http://127.0.0.01", .ipv4("127.0.0.01")),
    ("http://2130706433", .ipv4("2130706433")),
    ("http://127.0.0.0x1", .ipv4("127.0.0.0x1")),
    ("http://[::1%25lo]:80", .ipv6("::1%25lo")),
    ("http://[::1", .ipv6("[::1")),
    ("http://[not-ip]", .ipv6("not-ip")),
    ("http://[::1]x", .host("[::1]x")),
    ("http://:8000", .noHost),
    ("http:///v1", .noHost),
    ("http://a..b", .host("a..b")),
    ("http://a%2eb", .host("a%2eb")),
    ("http://a\\b/", .host("a\\b")),
    ("https://api.fal.ai/v1 ", .controlCharacter),
    ("https://api.fal.ai/v1\n", .controlCharacter),
    (" https://api.fal.ai", .controlCharacter),
    ("https://api.fal.ai/\u{1B}[31m", .controlCharacter),
    ("https://api.fäl.ai", .nonASCII),
    ("https://api.fal.ai/\u{202E}", .nonASCII),
    ("api.fal.ai/v1", .notAbsolute),
    ("http:/127.0.0.1", .notAbsolute),
    ("//127.0.0.1", .notAbsolute),
    ("", .notAbsolute),
    ("ftp://127.0.0.1", .scheme("ftp")),
    ("file:///etc/passwd", .scheme("file")),
    ("https://host/a\"b", .path("\"")),
    ("https://host/a%zz", .path("%")),
  ])
  func malformedURLsAreRefused(_ text: String, _ expected: ParsedBaseURL.Problem) {
    #expect(throws: expected) { try ParsedBaseURL.parse(text) }
  }

  /// Whatever the text, an error never shows a password or a raw control character.
  @Test func theDisplayedTextHidesUserinfoAndControlCharacters() {
    #expect(
      ParsedBaseURL.displayed("http://user:hunter2secret@127.0.0.1:8000/v1")
        == "http://…@127.0.0.1:8000/v1")
    #expect(
      ParsedBaseURL.displayed("https://a@b@host/p@q?x@y") == "https://…@host/p@q?x@y")
    #expect(ParsedBaseURL.displayed("https://host/\u{1B}[2J\n") == "https://host/\\u{1b}[2J\\u{a}")
    #expect(ParsedBaseURL.displayed(String(repeating: "a", count: 500)).count == 201)
  }

  /// The registry turns a refusal into a usage error naming where the URL came
  /// from, without the password it held.
  @Test(arguments: [
    ("KEYCTL_FAL_BASE_URL", "http://ci:hunter2secret@127.0.0.1:8000/v1", "user name or password"),
    ("KEYCTL_FAL_BASE_URL", "http://127.attacker.example/v1", "must use https://"),
    ("KEYCTL_FAL_BASE_URL", "https://api.fal.ai/v1?debug=1", "has a query"),
    ("KEYCTL_FAL_BASE_URL", "http://127.0.0.1:65536/v1", "invalid port '65536'"),
  ])
  func theRegistryNamesTheVariable(_ variable: String, _ url: String, _ reason: String) throws {
    let environment = ["FAL_ADMIN_KEY": "adm_id:adm-secret-value", variable: url]
    let error = try #require(throws: KeyError.self) {
      try ProviderRegistry(
        environment: environment, settings: ClientSettings(transport: MockTransport())
      ).makeWithoutRunning(.fal)
    }
    #expect(error.kind == .usage)
    #expect(error.exitCode == 2)
    #expect(error.message.hasPrefix(variable + " '"), "\(error.message)")
    #expect(error.message.contains(reason), "\(error.message)")
    #expect(!error.message.contains("hunter2secret"))
  }

  /// `--base-url` is named as the source when it is the one refused.
  @Test func theOptionIsNamedWhenItIsTheSource() throws {
    let error = try #require(throws: KeyError.self) {
      try ProviderID.fal.baseURL(override: "http://127.1:8000", environment: [:])
    }
    #expect(error.message.hasPrefix("--base-url 'http://127.1:8000' has an invalid IPv4"))
  }
}
