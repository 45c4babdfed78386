import Foundation
import KeyCore
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

extension Simulator {
  /// Clears faults, log and counters and restores the seeded keys (`POST /_sim/reset`).
  func reset() async throws {
    guard let url = URL(string: baseURL + "/_sim/reset") else { return }
    var request = URLRequest(url: url)
    request.httpMethod = "POST"
    _ = try await URLSession.shared.data(for: request)
  }
}

/// Every credential the simulator accepts, as the secret parts a leak would show.
private let secretParts = Simulator.secrets

/// The characters keyctl prints that could move or restyle a terminal (line
/// breaks between records excepted).
private func terminalMovers(_ text: String) -> [String] {
  text.unicodeScalars.filter { $0 != "\n" && Untrusted.movesTerminal($0) }
    .map { "U+" + String($0.value, radix: 16, uppercase: true) }
}

/// No credential, and nothing that moves a terminal, anywhere keyctl printed.
private func expectSafe(
  _ result: RunResult, _ context: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  for secret in secretParts {
    #expect(
      !result.allOutput.lowercased().contains(secret.lowercased()), "\(context): secret printed",
      sourceLocation: sourceLocation)
  }
  #expect(
    terminalMovers(result.allOutput).isEmpty,
    "\(context): \(terminalMovers(result.allOutput)) in \(result.allOutput.prefix(600))",
    sourceLocation: sourceLocation)
}

/// Where a hostile simulator echoes the credential, and what keyctl must then do.
struct EchoCase: CustomTestStringConvertible, Sendable {
  let provider: String
  let place: String
  let exitCode: Int32

  var testDescription: String { "\(provider) \(place)" }

  /// Whether keyctl's error quotes what was echoed: a request id header only
  /// counts when the body has none (fal's and Cartesia's have one), and only
  /// fal and Cartesia read a request id from the body.
  var quotesTheEcho: Bool {
    let bodyHasRequestID = provider == "fal" || provider == "cartesia"
    switch place {
    case "header": return !bodyHasRequestID
    case "request_id": return bodyHasRequestID
    case "next_cursor", "name": return false
    default: return true
    }
  }

  static let all: [EchoCase] =
    ["fal", "px0", "cartesia", "openrouter"].flatMap { provider in
      [
        EchoCase(provider: provider, place: "message", exitCode: 6),
        EchoCase(provider: provider, place: "header", exitCode: 6),
        EchoCase(provider: provider, place: "request_id", exitCode: 6),
        EchoCase(provider: provider, place: "excerpt_cut", exitCode: 6),
        EchoCase(provider: provider, place: "location", exitCode: 6),
        EchoCase(provider: provider, place: "content_type", exitCode: 6),
        EchoCase(provider: provider, place: "name", exitCode: 0),
      ]
    } + [
      EchoCase(provider: "fal", place: "next_cursor", exitCode: 6),
      EchoCase(provider: "cartesia", place: "next_cursor", exitCode: 6),
    ]
}

/// Flags every listing of these tests needs to see all keys of the provider.
private func listFlags(_ provider: String) -> [String] {
  provider == "openrouter" ? ["--include-disabled", "--include-expired"] : []
}

private let smallCounts = [
  "--fal-keys", "30", "--px0-keys", "12", "--cartesia-keys", "30", "--openrouter-keys", "30",
]

@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndEchoedCredentialTests {
  /// The credential echoed in a header, a request id, an excerpt straddling
  /// the cut, a Location, the Content-Type, a key's name or the next position:
  /// never printed, in any output format, with or without `-v`.
  @Test(arguments: EchoCase.all)
  func anEchoedCredentialIsNeverPrinted(_ echo: EchoCase) async throws {
    let sim = try await Simulator.start(smallCounts)
    let environment = sim.environment([echo.provider])
    for format in ["json", "ndjson", "table"] {
      try await sim.reset()
      try await sim.fault(["provider": echo.provider, "kind": "echo_auth", "where": echo.place])
      let result = try await Keyctl.run(
        ["list", "-p", echo.provider, "-o", format, "-v", "--max-retries", "0"]
          + listFlags(echo.provider), environment: environment)
      let context = "\(echo.testDescription) -o \(format)"
      #expect(result.status == echo.exitCode, "\(context): \(result.stderr)")
      expectSafe(result, context)
      if format == "json" {
        let document = try result.json()
        if echo.exitCode != 0 {
          let errors = try #require(document["errors"] as? [[String: Any]])
          #expect(errors.first?["provider"] as? String == echo.provider)
        }
      } else if format == "ndjson" {
        #expect(throws: Never.self) { try result.lines() }
      }
      if echo.place == "name" {
        #expect(result.stdout.contains("[REDACTED]"), "\(context): \(result.stdout.prefix(300))")
      } else if echo.quotesTheEcho {
        // Masked where it was (an excerpt may then cut the mask itself: "[RE…").
        #expect(result.stderr.contains("[RE"), "\(context): \(result.stderr)")
      }
    }
  }

  /// Wherever the credential starts around the 160-character cut, no part of
  /// it shows: the excerpt is redacted before it is cut.
  @Test func aCredentialStraddlingTheExcerptCutIsRedactedWhole() async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    for offset in [100, 130, 140, 150, 155, 159, 160, 161, 170] {
      for status in [200, 500] {
        try await sim.reset()
        try await sim.fault([
          "provider": "fal", "kind": "echo_auth", "where": "excerpt_cut", "offset": offset,
          "status": status,
        ])
        let result = try await Keyctl.run(
          ["list", "-p", "fal", "--max-retries", "0"], environment: sim.environment(["fal"]))
        #expect(result.status == 6)
        expectSafe(result, "offset \(offset), HTTP \(status)")
        // Nor any 8 characters of the secret half (a cut would leave a tail).
        let secret = Array("sim-fal-admin-secret")
        for start in 0...(secret.count - 8) {
          let piece = String(secret[start..<start + 8])
          #expect(
            !result.stderr.contains(piece), "offset \(offset): '\(piece)' in \(result.stderr)")
        }
      }
    }
  }
}

@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndStrictJSONTests {
  static let variants = [
    "trailing_comma", "bad_escape", "invalid_utf8", "lone_surrogate", "leading_zero", "nan",
    "control_char",
  ]

  /// A page only a lenient decoder would accept is an unreadable response
  /// (exit 6), never copied through: stdout still parses.
  @Test(arguments: ["fal", "px0", "cartesia", "openrouter"])
  func invalidButParseableJSONIsExitSix(provider: String) async throws {
    let sim = try await Simulator.start(smallCounts)
    for variant in Self.variants {
      for format in ["json", "ndjson"] {
        try await sim.reset()
        try await sim.fault(["provider": provider, "kind": "invalid_json", "variant": variant])
        let result = try await Keyctl.run(
          ["list", "-p", provider, "-o", format, "--max-retries", "0"] + listFlags(provider),
          environment: sim.environment([provider]))
        let context = "\(provider) \(variant) -o \(format)"
        #expect(result.status == 6, "\(context): \(result.stderr)")
        #expect(result.stderr.contains("not valid JSON"), "\(context): \(result.stderr)")
        expectSafe(result, context)
        if format == "json" {
          let errors = try #require(try result.json()["errors"] as? [[String: Any]], "\(context)")
          #expect(errors.first?["kind"] as? String == "bad_response")
          #expect((try result.keys()).isEmpty)
        } else {
          #expect(result.stdout.isEmpty, "\(context): \(result.stdout.prefix(200))")
        }
      }
    }
  }

  /// A later page that breaks the rules stops the listing there: the keys
  /// before it are printed, nothing of the broken page is.
  @Test func aBrokenLaterPageKeepsTheEarlierKeysAndExitsSix() async throws {
    let sim = try await Simulator.start(["--fal-keys", "250"])
    try await sim.fault(["provider": "fal", "kind": "invalid_json", "variant": "nan", "after": 1])
    let result = try await Keyctl.run(
      ["list", "-p", "fal", "-o", "ndjson", "--max-retries", "0"],
      environment: sim.environment(["fal"]))
    #expect(result.status == 6)
    #expect(try result.lines().count == 100)
  }
}

/// A provider that can create keys, its create options, and the shape of the
/// secrets the simulator makes.
struct CreateCase: CustomTestStringConvertible, Sendable {
  let provider: String
  let arguments: [String]

  var testDescription: String { provider }

  static let all = [
    CreateCase(provider: "fal", arguments: []),
    CreateCase(provider: "px0", arguments: []),
    CreateCase(provider: "openrouter", arguments: []),
  ]
}

/// The longest run of hex digits in `text`: the simulator's secrets are 64 hex
/// digits (split in two by a control character at most), its ids far shorter.
private func longestHexRun(_ text: String) -> Int {
  var longest = 0
  var current = 0
  for character in text {
    current = character.isHexDigit ? current + 1 : 0
    longest = max(longest, current)
  }
  return longest
}

@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndCreatedSecretTests {
  static let variants = [
    "escape", "newline", "c1", "bidi", "zero_width", "space", "nul", "long", "empty",
  ]

  /// The id of the key named `name`, from keyctl's own listing.
  private func createdID(_ sim: Simulator, _ provider: String, _ name: String) async throws
    -> String
  {
    let listing = try await Keyctl.run(
      ["list", "-p", provider, "-o", "json", "--name-contains", name] + listFlags(provider),
      environment: sim.environment([provider]))
    let keys = try listing.keys().filter { $0["name"] as? String == name }
    return try #require(keys.first?["id"] as? String, "no key named \(name)")
  }

  /// A create answer whose secret holds a control character (or is empty, or
  /// huge): exit 6, nothing on stdout, and stderr names the key that was
  /// created and the command that revokes it — never the secret.
  @Test(arguments: CreateCase.all)
  func aSecretWithControlCharactersIsRefusedAndTheKeyNamed(_ create: CreateCase) async throws {
    let sim = try await Simulator.start(smallCounts)
    for (index, variant) in Self.variants.enumerated() {
      for format in ["table", "json"] {
        let name = "spoilt-\(index)-\(format)"
        try await sim.fault([
          "provider": create.provider, "kind": "control_secret", "variant": variant,
        ])
        let result = try await Keyctl.run(
          ["create", "-p", create.provider, "--name", name, "-o", format, "-v"] + create.arguments,
          environment: sim.environment([create.provider]))
        let context = "\(create.provider) \(variant) -o \(format)"
        #expect(result.status == 6, "\(context): \(result.stderr)")
        #expect(result.stdout.isEmpty, "\(context): \(result.stdout)")
        expectSafe(result, context)
        let id = try await createdID(sim, create.provider, name)
        #expect(
          result.stderr.contains("probably created (id \(id))"), "\(context): \(result.stderr)")
        #expect(
          result.stderr.contains("keyctl delete -p \(create.provider) \(id)"),
          "\(context): \(result.stderr)")
        let withoutID = result.allOutput.replacingOccurrences(of: id, with: "")
        #expect(longestHexRun(withoutID) < 20, "\(context): a secret in \(result.allOutput)")
        #expect(!result.allOutput.contains("kkkkkkkk"), "\(context)")
      }
    }
  }

  /// `-q` (the secret alone, for `KEY=$(keyctl create … -q)`) refuses alike.
  @Test func quietModeRefusesTooAndPrintsNothing() async throws {
    let sim = try await Simulator.start(smallCounts)
    try await sim.fault(["provider": "fal", "kind": "control_secret", "variant": "escape"])
    let result = try await Keyctl.run(
      ["create", "-p", "fal", "--name", "quiet-one", "-q"], environment: sim.environment(["fal"]))
    #expect(result.status == 6)
    #expect(result.stdout.isEmpty)
    expectSafe(result, "-q")
    #expect(result.stderr.contains("keyctl delete -p fal "))
  }

  /// A 2xx create answer that is not strict JSON says the key was probably
  /// created and how to find it, and quotes nothing of the body.
  @Test(arguments: CreateCase.all)
  func anUnreadableCreateAnswerIsNotQuoted(_ create: CreateCase) async throws {
    let sim = try await Simulator.start(smallCounts)
    for variant in ["trailing_comma", "bad_escape", "invalid_utf8", "nan"] {
      try await sim.fault(["provider": create.provider, "kind": "invalid_json", "variant": variant])
      let result = try await Keyctl.run(
        ["create", "-p", create.provider, "--name", "ci bot"] + create.arguments,
        environment: sim.environment([create.provider]))
      let context = "\(create.provider) \(variant)"
      #expect(result.status == 6, "\(context): \(result.stderr)")
      #expect(result.stdout.isEmpty)
      #expect(result.stderr.contains("probably created"), "\(context): \(result.stderr)")
      #expect(
        result.stderr.contains("keyctl list -p \(create.provider) --name-contains 'ci bot'"),
        "\(context): \(result.stderr)")
      #expect(!result.stderr.contains("It began"), "\(context)")
      #expect(longestHexRun(result.allOutput) < 20, "\(context): \(result.allOutput)")
      expectSafe(result, context)
    }
  }
}

@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndTerminalTextTests {
  /// The names the simulator's `evil_names` fault gives keys, in order.
  static let evilNames = [
    "\u{1B}[31mred\u{1B}[0m alert", "bell\u{7}ring\u{8}\u{8}", "del\u{7F}ete",
    "c1\u{9B}2Jcsi\u{85}next", "\u{202E}gnp.exe", "iso\u{2066}late\u{2069}d",
    "lrm\u{200E}mark\u{200F}\u{61C}", "zero\u{200B}width\u{200D}\u{2060}\u{FEFF}",
    "line\u{2028}sep\u{2029}para", "tag\u{E0041}\u{E007F}", "cr\rover\nwrite",
  ]

  /// Names holding C0, DEL, C1, bidi, zero-width, U+2028/U+2029 and tag
  /// characters: blanked in tables and on stderr, `\uXXXX`-escaped in JSON and
  /// in `raw`, where a script still reads them back exactly.
  @Test(arguments: ["fal", "px0", "cartesia", "openrouter"])
  func namesThatDriveATerminalAreBlankedOrEscaped(provider: String) async throws {
    let sim = try await Simulator.start(smallCounts)
    let environment = sim.environment([provider])
    for escaped in [false, true] {
      for format in ["table", "json", "ndjson"] {
        try await sim.reset()
        try await sim.fault([
          "provider": provider, "kind": "evil_names", "escaped": escaped, "times": -1,
        ])
        let result = try await Keyctl.run(
          ["list", "-p", provider, "-o", format, "-v", "--fields", "id,name,raw"]
            + listFlags(provider), environment: environment)
        let context = "\(provider) escaped=\(escaped) -o \(format)"
        #expect(result.status == 0, "\(context): \(result.stderr)")
        expectSafe(result, context)
        guard format != "table" else {
          #expect(result.stdout.contains("red [0m alert") || result.stdout.contains("gnp.exe"))
          continue
        }
        let keys = format == "json" ? try result.keys() : try result.lines()
        let names = Set(keys.compactMap { $0["name"] as? String })
        let rawNames = Set(
          keys.compactMap { ($0["raw"] as? [String: Any])?.values.compactMap { $0 as? String } }
            .flatMap { $0 })
        for name in Self.evilNames where !names.isEmpty {
          if names.contains(name) {
            #expect(rawNames.contains(name), "\(context): raw lost \(name)")
          }
        }
        #expect(names.intersection(Self.evilNames).count >= min(keys.count, 5), "\(context)")
        #expect(result.stdout.contains(#"\u202e"#), "\(context)")
        #expect(result.stdout.contains(#"\u009b"#), "\(context)")
      }
    }
  }

  /// Dates outside 0001–9999 are null in the output, with a stderr note per
  /// key; every date printed is ISO-8601.
  @Test(arguments: ["fal", "px0", "cartesia", "openrouter"])
  func datesOutOfRangeAreNullWithANote(provider: String) async throws {
    let sim = try await Simulator.start(smallCounts)
    try await sim.fault(["provider": provider, "kind": "bad_dates", "times": -1])
    let result = try await Keyctl.run(
      ["list", "-p", provider, "-o", "json"] + listFlags(provider),
      environment: sim.environment([provider]))
    #expect(result.status == 0, "\(result.stderr)")
    let keys = try result.keys()
    #expect(!keys.isEmpty)
    let iso = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/#
    for key in keys {
      for field in ["created_at", "expires_at", "last_used_at"] {
        if let date = key[field] as? String {
          #expect(date.wholeMatch(of: iso) != nil, "\(field) '\(date)' is not ISO-8601")
        }
      }
    }
    #expect(keys.allSatisfy { $0["created_at"] is NSNull })
    let notes = result.stderr.split(separator: "\n").filter {
      $0.hasPrefix("keyctl: \(provider) key ")
        && $0.hasSuffix("is not an ISO-8601 date keyctl can show; shown as null")
    }
    #expect(notes.count == keys.count, "\(result.stderr)")
    #expect(result.stderr.contains("created_at '99999-01-01T00:00:00Z'"))
    expectSafe(result, provider)
  }

  /// A create answer's date out of range: the key and its secret are printed,
  /// the date is null, and stderr says why.
  @Test(arguments: ["px0", "openrouter"])
  func aCreatedKeysDateOutOfRangeIsNullWithANote(provider: String) async throws {
    let sim = try await Simulator.start(smallCounts)
    try await sim.fault(["provider": provider, "kind": "bad_dates"])
    let result = try await Keyctl.run(
      ["create", "-p", provider, "--name", "dated", "-o", "json"],
      environment: sim.environment([provider]))
    #expect(result.status == 0, "\(result.stderr)")
    let key = try #require(try result.json()["key"] as? [String: Any])
    #expect(key["created_at"] is NSNull)
    #expect(
      result.stderr.contains(
        "key \(key["id"] as? String ?? "?"): created_at '99999-01-01T00:00:00Z' is not an "
          + "ISO-8601 date keyctl can show; shown as null"), "\(result.stderr)")
    expectSafe(result, provider)
  }
}
