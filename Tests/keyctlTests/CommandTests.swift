import Foundation
import KeyCore
import Testing

@testable import keyctl

/// Every field of the normalized key, in the schema's order.
private let schemaFields = [
  "provider", "id", "name", "created_at", "scope", "status", "expires_at", "last_used_at",
  "creator",
  "raw",
]

private func ids(_ keys: [[String: Any]]) -> [String] {
  keys.compactMap { $0["id"] as? String }
}

/// The query items of a request, by name.
private func query(_ request: HTTPRequest) -> [String: String] {
  var items: [String: String] = [:]
  let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
  for item in components?.queryItems ?? [] { items[item.name] = item.value ?? "" }
  return items
}

@Suite struct ListCommandTests {
  @Test(arguments: [nil, 7, 10, 100] as [Int?])
  func jsonHasEveryKeyOnceAcrossPages(_ pageSize: Int?) async throws {
    let fal = FakeFal(keyCount: 25)
    let outcome = await TestCLI.runFal(
      ["list", "-p", "fal", "-o", "json"] + (pageSize.map { ["--page-size", String($0)] } ?? []),
      fal)
    #expect(outcome.code == 0)
    let document = try JSONOutput.object(outcome.stdout)
    #expect(Set(document.keys) == ["keys", "next_cursor", "errors"])
    #expect(document["next_cursor"] is NSNull)
    #expect((document["errors"] as? [Any])?.isEmpty == true)
    let keys = try #require(document["keys"] as? [[String: Any]])
    #expect(ids(keys) == fal.storedKeys.map(\.id))
    let size = pageSize ?? 100
    #expect(fal.requests.count == (25 + size - 1) / size)
    #expect(fal.requests.allSatisfy { query($0)["limit"] == String(size) })
    #expect(fal.requests.allSatisfy { $0.method == "GET" })
    #expect(outcome.stdout.hasSuffix("}\n"))
  }

  @Test func jsonKeyFollowsTheSchema() async throws {
    let fal = FakeFal(keys: [
      FakeFal.Key(id: "abc123def456", alias: "Production Key", createdAt: "2025-01-15T12:00:00Z")
    ])
    let outcome = await TestCLI.runFal(["list", "-p", "fal", "--json"], fal)
    let document = try JSONOutput.object(outcome.stdout)
    let keys = try #require(document["keys"] as? [[String: Any]])
    let key = try #require(keys.first)
    #expect(Set(key.keys) == Set(schemaFields))
    #expect(key["provider"] as? String == "fal")
    #expect(key["id"] as? String == "abc123def456")
    #expect(key["name"] as? String == "Production Key")
    #expect(key["created_at"] as? String == "2025-01-15T12:00:00Z")
    #expect(key["scope"] as? String == "API")
    for field in ["status", "expires_at", "last_used_at"] {
      #expect(key[field] is NSNull, "\(field)")
    }
    let creator = try #require(key["creator"] as? [String: Any])
    #expect(Set(creator.keys) == ["email", "name", "id"])
    #expect(creator.values.allSatisfy { $0 is NSNull })
    let raw = try #require(key["raw"] as? [String: Any])
    #expect(raw["key_id"] as? String == "abc123def456")
    #expect(raw["alias"] as? String == "Production Key")
    #expect(raw["scope"] as? String == "API")
    // The order of the fields is the schema's, in the text itself.
    let positions = schemaFields.compactMap { outcome.stdout.range(of: "\"\($0)\":")?.lowerBound }
    #expect(positions.count == schemaFields.count)
    #expect(positions == positions.sorted())
  }

  @Test func ndjsonIsOneCompleteObjectPerLine() async throws {
    let fal = FakeFal(keyCount: 12)
    let outcome = await TestCLI.runFal(
      ["list", "-p", "fal", "-o", "ndjson", "--page-size", "5"], fal)
    #expect(outcome.code == 0)
    #expect(outcome.stdout.hasSuffix("\n"))
    let lines = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    #expect(lines.count == 12)
    let objects = try JSONOutput.lines(outcome.stdout)
    #expect(ids(objects) == fal.storedKeys.map(\.id))
    for object in objects {
      #expect(Set(object.keys) == Set(schemaFields))
      #expect(object["expires_at"] is NSNull)
      #expect(object["last_used_at"] is NSNull)
      #expect(object["status"] is NSNull)
    }
    #expect(!outcome.stderr.contains("next_cursor"))
  }

  @Test func tableIsAlignedWithAHeaderAndNoEscapes() async throws {
    let fal = FakeFal(keys: [
      FakeFal.Key(id: "k1", alias: "short", createdAt: "2025-01-15T12:00:00Z"),
      FakeFal.Key(
        id: "a-much-longer-key-id-0001", alias: "A rather long key name",
        createdAt: "2025-02-01T00:00:00Z"),
      FakeFal.Key(id: "k3", alias: "", createdAt: "2025-03-01T08:30:00Z"),
    ])
    let outcome = await TestCLI.runFal(["list", "-p", "fal"], fal)
    #expect(outcome.code == 0)
    #expect(!outcome.stdout.contains("\u{1B}"))
    let lines = outcome.stdout.split(separator: "\n").map(String.init)
    try #require(lines.count == 4)
    let headers = ["PROVIDER", "ID", "NAME", "SCOPE", "STATUS", "CREATED AT"]
    let header = lines[0]
    var starts: [Int] = []
    var searchFrom = header.startIndex
    for name in headers {
      let range = try #require(header.range(of: name, range: searchFrom..<header.endIndex))
      starts.append(header.distance(from: header.startIndex, to: range.lowerBound))
      searchFrom = range.upperBound
    }
    #expect(header.hasPrefix("PROVIDER  ID  "))
    #expect(starts == starts.sorted())
    let expected = [
      ["fal", "k1", "short", "API", "-", "2025-01-15T12:00:00Z"],
      [
        "fal", "a-much-longer-key-id-0001", "A rather long key name", "API", "-",
        "2025-02-01T00:00:00Z",
      ],
      ["fal", "k3", "-", "API", "-", "2025-03-01T08:30:00Z"],
    ]
    for (row, cells) in zip(lines.dropFirst(), expected) {
      let text = Array(row)
      for (column, cell) in cells.enumerated() {
        let start = starts[column]
        let slice = String(text[start..<min(text.count, start + cell.count)])
        #expect(slice == cell, "column \(headers[column]) of '\(row)'")
        if column > 0 { #expect(text[start - 1] == " ") }
      }
    }
    // The id column is as wide as the longest id: ids are never cut.
    #expect(lines[2].contains("a-much-longer-key-id-0001  A rather long key name"))
    #expect(!lines.contains { $0.hasSuffix(" ") })
  }

  @Test func tableIsColouredOnlyOnATerminalThatAllowsIt() async {
    let coloured = await TestCLI.run(
      ["list", "-p", "fal"], environment: TestCLI.falEnvironment, transport: FakeFal(keyCount: 2),
      stdoutIsTTY: true)
    #expect(coloured.stdout.contains("\u{1B}[1m"))
    let flag = await TestCLI.run(
      ["list", "-p", "fal", "--no-color"], environment: TestCLI.falEnvironment,
      transport: FakeFal(keyCount: 2), stdoutIsTTY: true)
    #expect(!flag.stdout.contains("\u{1B}"))
    let noColor = await TestCLI.run(
      ["list", "-p", "fal"], environment: TestCLI.falEnvironment.merging(["NO_COLOR": "1"]) { $1 },
      transport: FakeFal(keyCount: 2), stdoutIsTTY: true)
    #expect(!noColor.stdout.contains("\u{1B}"))
  }

  @Test func limitGivesThatManyKeysAndACursor() async throws {
    let fal = FakeFal(keyCount: 25)
    let outcome = await TestCLI.runFal(["list", "-p", "fal", "--json", "--limit", "5"], fal)
    #expect(outcome.code == 0)
    let document = try JSONOutput.object(outcome.stdout)
    let keys = try #require(document["keys"] as? [[String: Any]])
    #expect(ids(keys) == fal.storedKeys.prefix(5).map(\.id))
    let cursor = try #require(document["next_cursor"] as? String)
    #expect(!cursor.isEmpty)
    #expect(fal.requests.count == 1)
  }

  struct ResumeCase: Sendable, CustomTestStringConvertible {
    let keyCount: Int
    let limit: Int
    let pageSize: Int?
    var testDescription: String {
      "\(keyCount) keys, --limit \(limit), page size \(pageSize ?? 100)"
    }
  }

  /// Following `next_cursor` from call to call returns every key exactly once, in order.
  @Test(arguments: [
    ResumeCase(keyCount: 25, limit: 7, pageSize: nil),
    ResumeCase(keyCount: 25, limit: 7, pageSize: 10),
    ResumeCase(keyCount: 25, limit: 7, pageSize: 3),
    ResumeCase(keyCount: 25, limit: 7, pageSize: 7),
    ResumeCase(keyCount: 21, limit: 7, pageSize: nil),
    ResumeCase(keyCount: 21, limit: 7, pageSize: 4),
    ResumeCase(keyCount: 1, limit: 7, pageSize: nil),
  ])
  func cursorResumesWithoutGapOrDuplicate(_ testCase: ResumeCase) async throws {
    let fal = FakeFal(keyCount: testCase.keyCount)
    var seen: [String] = []
    var cursor: String?
    var calls = 0
    repeat {
      calls += 1
      var arguments = ["list", "-p", "fal", "-o", "json", "--limit", String(testCase.limit)]
      if let pageSize = testCase.pageSize { arguments += ["--page-size", String(pageSize)] }
      if let cursor { arguments += ["--cursor", cursor] }
      let outcome = await TestCLI.runFal(arguments, fal)
      try #require(outcome.code == 0, "\(outcome.stderr)")
      let document = try JSONOutput.object(outcome.stdout)
      let keys = try #require(document["keys"] as? [[String: Any]])
      #expect(keys.count <= testCase.limit)
      seen += ids(keys)
      cursor = document["next_cursor"] as? String
      if cursor != nil { #expect(keys.count == testCase.limit) }
    } while cursor != nil && calls < 50
    #expect(seen == fal.storedKeys.map(\.id))
    #expect(calls == max(1, (testCase.keyCount + testCase.limit - 1) / testCase.limit))
  }

  @Test func limitCursorGoesToStderrForNdjsonAndTable() async throws {
    let ndjson = await TestCLI.runFal(
      ["list", "-p", "fal", "-o", "ndjson", "--limit", "2"], FakeFal(keyCount: 5))
    #expect(try JSONOutput.lines(ndjson.stdout).count == 2)
    #expect(ndjson.stderr.contains("next_cursor: "))
    let table = await TestCLI.runFal(["list", "-p", "fal", "--limit", "2"], FakeFal(keyCount: 5))
    #expect(table.stdout.split(separator: "\n").count == 3)
    #expect(table.stderr.contains("More keys remain; continue with: --cursor "))
    #expect(!table.stdout.contains("--cursor"))
  }

  @Test(arguments: [OutputFormat.json, .ndjson, .table])
  func fieldsSelectsColumns(_ format: OutputFormat) async throws {
    let fal = FakeFal(keyCount: 3)
    let outcome = await TestCLI.runFal(
      ["list", "-p", "fal", "-o", format.rawValue, "--fields", "id,name"], fal)
    #expect(outcome.code == 0)
    switch format {
    case .json:
      let keys = try #require(try JSONOutput.object(outcome.stdout)["keys"] as? [[String: Any]])
      #expect(keys.count == 3)
      #expect(keys.allSatisfy { Set($0.keys) == ["id", "name"] })
      #expect(outcome.stdout.hasPrefix("{\"keys\":[{\"id\":"))
    case .ndjson:
      let objects = try JSONOutput.lines(outcome.stdout)
      #expect(objects.count == 3)
      #expect(objects.allSatisfy { Set($0.keys) == ["id", "name"] })
      #expect(objects.first?["name"] as? String == "Key 001")
    case .table:
      let lines = outcome.stdout.split(separator: "\n")
      #expect(lines.first?.split(separator: " ") == ["ID", "NAME"])
      #expect(lines.count == 4)
      #expect(lines.dropFirst().allSatisfy { !$0.hasPrefix("fal") })
    }
  }

  @Test func nameContainsFiltersWithoutRegardToCase() async throws {
    let fal = FakeFal(keys: [
      FakeFal.Key(id: "k1", alias: "Production Key", createdAt: "2025-01-01T00:00:00Z"),
      FakeFal.Key(id: "k2", alias: "CI runner", createdAt: "2025-01-02T00:00:00Z"),
      FakeFal.Key(id: "k3", alias: "staging KEY", createdAt: "2025-01-03T00:00:00Z"),
      FakeFal.Key(id: "k4", alias: "monkey", createdAt: "2025-01-04T00:00:00Z"),
    ])
    let outcome = await TestCLI.runFal(
      ["list", "-p", "fal", "--json", "--name-contains", "key", "--page-size", "1"], fal)
    let keys = try #require(try JSONOutput.object(outcome.stdout)["keys"] as? [[String: Any]])
    #expect(ids(keys) == ["k1", "k3", "k4"])

    let limited = await TestCLI.runFal(
      ["list", "-p", "fal", "--json", "--name-contains", "KEY", "--limit", "2"], fal)
    let document = try JSONOutput.object(limited.stdout)
    #expect(ids(try #require(document["keys"] as? [[String: Any]])) == ["k1", "k3"])
    let cursor = try #require(document["next_cursor"] as? String)
    let rest = await TestCLI.runFal(
      [
        "list", "-p", "fal", "--json", "--name-contains", "KEY", "--limit", "2", "--cursor", cursor,
      ],
      fal)
    let restKeys = try #require(try JSONOutput.object(rest.stdout)["keys"] as? [[String: Any]])
    #expect(ids(restKeys) == ["k4"])
  }

  /// A repeated `--name-contains` keeps keys matching any of the values (it
  /// used to keep only the last value, silently).
  @Test func repeatedNameContainsKeepsKeysMatchingAnyValue() async throws {
    let fal = FakeFal(keys: [
      FakeFal.Key(id: "k1", alias: "Production Key", createdAt: "2025-01-01T00:00:00Z"),
      FakeFal.Key(id: "k2", alias: "CI runner", createdAt: "2025-01-02T00:00:00Z"),
      FakeFal.Key(id: "k3", alias: "staging", createdAt: "2025-01-03T00:00:00Z"),
      FakeFal.Key(id: "k4", alias: "Deploy bot", createdAt: "2025-01-04T00:00:00Z"),
    ])
    let outcome = await TestCLI.runFal(
      ["list", "-p", "fal", "--json", "--name-contains", "prod", "--name-contains", "DEPLOY"], fal)
    #expect(outcome.code == 0)
    let keys = try #require(try JSONOutput.object(outcome.stdout)["keys"] as? [[String: Any]])
    #expect(ids(keys) == ["k1", "k4"])
    // A key matching two values is listed once.
    let twice = await TestCLI.runFal(
      ["list", "-p", "fal", "--json", "--name-contains", "o", "--name-contains", "bot"], fal)
    let twiceKeys = try #require(try JSONOutput.object(twice.stdout)["keys"] as? [[String: Any]])
    #expect(ids(twiceKeys) == ["k1", "k4"])
  }

  /// `--name-contains` shapes the listing, so it is bound into the cursor: a
  /// cursor resumed without it, or with other values, would silently skip
  /// keys. The same values in another order or case resume.
  @Test func aCursorIsBoundToItsNameFilter() async throws {
    let fal = FakeFal(keyCount: 30)
    let first = await TestCLI.runFal(
      [
        "list", "-p", "fal", "--json", "--limit", "2", "--name-contains", "1", "--name-contains",
        "KEY 02",
      ],
      fal)
    try #require(first.code == 0, "\(first.stderr)")
    let cursor = try #require(try JSONOutput.object(first.stdout)["next_cursor"] as? String)
    let sent = fal.requests.count
    for other in [
      [String](), ["--name-contains", "1"], ["--name-contains", "1", "--name-contains", "key 03"],
    ] {
      let outcome = await TestCLI.runFal(
        ["list", "-p", "fal", "--json", "--cursor", cursor] + other, fal)
      #expect(outcome.code == 2, "\(other)")
      #expect(outcome.stderr.contains("--cursor was made with other"), "\(outcome.stderr)")
    }
    #expect(fal.requests.count == sent)
    let resumed = await TestCLI.runFal(
      [
        "list", "-p", "fal", "--json", "--cursor", cursor, "--name-contains", "key 02",
        "--name-contains", "1",
      ],
      fal)
    #expect(resumed.code == 0, "\(resumed.stderr)")
    // Key 001 and Key 010 came first; the rest of 001, 010–019, 020–029 follow.
    let firstKeys = try #require(try JSONOutput.object(first.stdout)["keys"] as? [[String: Any]])
    let restKeys = try #require(try JSONOutput.object(resumed.stdout)["keys"] as? [[String: Any]])
    #expect(ids(firstKeys).count == 2)
    #expect(ids(restKeys).count == 19)
    #expect(Set(ids(firstKeys)).isDisjoint(with: ids(restKeys)))

    // A cursor made without the filter is refused with it.
    let plain = await TestCLI.runFal(["list", "-p", "fal", "--json", "--limit", "2"], fal)
    let plainCursor = try #require(try JSONOutput.object(plain.stdout)["next_cursor"] as? String)
    let filtered = await TestCLI.runFal(
      ["list", "-p", "fal", "--json", "--cursor", plainCursor, "--name-contains", "1"], fal)
    #expect(filtered.code == 2)
  }

  struct SortCase: Sendable, CustomTestStringConvertible {
    let arguments: [String]
    let order: [String]
    var testDescription: String { arguments.joined(separator: " ") }
  }

  @Test(arguments: [
    SortCase(arguments: ["--sort", "name"], order: ["k2", "k1", "k4", "k3"]),
    SortCase(arguments: ["--sort", "-name"], order: ["k3", "k4", "k1", "k2"]),
    SortCase(arguments: ["--sort=-name"], order: ["k3", "k4", "k1", "k2"]),
    SortCase(arguments: ["--sort", "created_at"], order: ["k4", "k1", "k3", "k2"]),
    SortCase(arguments: ["--sort", "-created_at"], order: ["k2", "k3", "k1", "k4"]),
    SortCase(arguments: [], order: ["k1", "k2", "k3", "k4"]),
  ])
  func sortOrdersTheWholeList(_ testCase: SortCase) async throws {
    let fal = FakeFal(keys: [
      FakeFal.Key(id: "k1", alias: "beta", createdAt: "2025-02-01T00:00:00Z"),
      FakeFal.Key(id: "k2", alias: "Alpha", createdAt: "2025-04-01T00:00:00Z"),
      FakeFal.Key(id: "k3", alias: "gamma", createdAt: "2025-03-01T00:00:00Z"),
      FakeFal.Key(id: "k4", alias: "Beta 2", createdAt: "2025-01-01T00:00:00Z"),
    ])
    let outcome = await TestCLI.runFal(
      ["list", "-p", "fal", "-o", "ndjson", "--page-size", "2"] + testCase.arguments, fal)
    #expect(outcome.code == 0, "\(outcome.stderr)")
    #expect(ids(try JSONOutput.lines(outcome.stdout)) == testCase.order)
  }

  @Test func withoutProviderListsEveryConfiguredOneAndSaysWhichAreSkipped() async throws {
    let fal = FakeFal(keyCount: 3)
    let outcome = await TestCLI.runFal(["list", "--json"], fal)
    #expect(outcome.code == 0)
    #expect(outcome.stderr.contains("skipping px0, cartesia, openrouter: no credentials set"))
    let keys = try #require(try JSONOutput.object(outcome.stdout)["keys"] as? [[String: Any]])
    #expect(keys.count == 3)
  }

  @Test func aProviderWithoutCredentialsBesideOneThatAnswersIsPartial() async throws {
    let fal = FakeFal(keyCount: 3)
    let outcome = await TestCLI.runFal(["list", "-p", "fal,cartesia", "--json"], fal)
    #expect(outcome.code == 7)
    let document = try JSONOutput.object(outcome.stdout)
    #expect((document["keys"] as? [Any])?.count == 3)
    let errors = try #require(document["errors"] as? [[String: Any]])
    #expect(errors.count == 1)
    #expect(errors.first?["provider"] as? String == "cartesia")
    #expect(errors.first?["kind"] as? String == "auth")
    #expect(outcome.stderr.contains("CARTESIA_ADMIN_KEY"))
  }

  @Test func corruptedCursorIsAUsageError() async {
    let fal = FakeFal(keyCount: 25)
    let first = await TestCLI.runFal(["list", "-p", "fal", "--json", "--limit", "3"], fal)
    let document = try? JSONOutput.object(first.stdout)
    let cursor = document?["next_cursor"] as? String ?? ""
    #expect(!cursor.isEmpty)
    let sent = fal.requests.count
    for bad in ["garbage!!", "eyJ2IjoxfQ", String(cursor.dropLast(6)), cursor + "x"] {
      let outcome = await TestCLI.runFal(["list", "-p", "fal", "--cursor", bad], fal)
      #expect(outcome.code == 2, "\(bad)")
      #expect(outcome.stderr.contains("is not a cursor keyctl made"), "\(bad): \(outcome.stderr)")
      #expect(outcome.stderr.contains("See 'keyctl list --help'."))
      #expect(outcome.stdout.isEmpty)
    }
    #expect(fal.requests.count == sent)
  }

  @Test func cursorOfAnotherListingIsAUsageError() async throws {
    let fal = FakeFal(keyCount: 25)
    let first = await TestCLI.runFal(["list", "-p", "fal", "--json", "--limit", "3"], fal)
    let cursor = try #require(try JSONOutput.object(first.stdout)["next_cursor"] as? String)
    let sent = fal.requests.count

    let otherProviders = await TestCLI.runFal(
      ["list", "-p", "fal,cartesia", "--cursor", cursor], fal,
      extraEnvironment: ["CARTESIA_ADMIN_KEY": "sk_car_admin_test_0123456789"])
    #expect(otherProviders.code == 2)
    #expect(otherProviders.stderr.contains("--cursor was made for provider(s) fal"))
    #expect(otherProviders.stderr.contains("fal,cartesia"))

    let otherFilters = await TestCLI.runFal(
      ["list", "-p", "fal", "--expand-creator", "--cursor", cursor], fal)
    #expect(otherFilters.code == 2)
    #expect(otherFilters.stderr.contains("--cursor was made with other filters"))

    let foreign = PageCursor(states: [.cartesia: .done], filter: ListOptions().fingerprint)
    let wrongProvider = await TestCLI.runFal(
      ["list", "-p", "fal", "--cursor", foreign.encoded()], fal)
    #expect(wrongProvider.code == 2)
    #expect(wrongProvider.stderr.contains("made for provider(s) cartesia but this call lists fal"))
    #expect(fal.requests.count == sent)
  }

  @Test func falsCreatorExpansionIsAskedFor() async throws {
    let fal = FakeFal(keyCount: 2)
    let outcome = await TestCLI.runFal(["list", "-p", "fal", "--expand-creator", "--json"], fal)
    #expect(outcome.code == 0)
    #expect(fal.requests.count == 1)
    #expect(fal.requests.first.map(query)?["expand"] == "creator_info")
  }
}

@Suite struct CreateCommandTests {
  @Test func quietPrintsOnlyTheSecret() async throws {
    let fal = FakeFal(keyCount: 0)
    let outcome = await TestCLI.runFal(["create", "-p", "fal", "--name", "ci", "-q"], fal)
    #expect(outcome.code == 0)
    #expect(outcome.stdout == FakeFal.createdSecret(1) + "\n")
    #expect(!outcome.stderr.contains(FakeFal.createdSecret(1)))
    #expect(!outcome.stderr.contains("fresh-secret"))
    let request = try #require(fal.requests.first)
    #expect(fal.requests.count == 1)
    #expect(request.method == "POST")
    let body = try JSONSerialization.jsonObject(with: try #require(request.body)) as? [String: Any]
    #expect(body?["alias"] as? String == "ci")
    #expect(fal.storedKeys.map(\.alias) == ["ci"])
  }

  @Test func jsonGivesKeyAndSecretAndRawKeepsNoSecret() async throws {
    let fal = FakeFal(keyCount: 0)
    let outcome = await TestCLI.runFal(
      ["create", "-p", "fal", "--name", "ci bot", "-o", "json"], fal)
    #expect(outcome.code == 0)
    let document = try JSONOutput.object(outcome.stdout)
    #expect(Set(document.keys) == ["key", "secret"])
    #expect(document["secret"] as? String == FakeFal.createdSecret(1))
    let key = try #require(document["key"] as? [String: Any])
    #expect(Set(key.keys) == Set(schemaFields))
    #expect(key["provider"] as? String == "fal")
    #expect(key["id"] as? String == "new-key-1")
    #expect(key["name"] as? String == "ci bot")
    let raw = try #require(key["raw"] as? [String: Any])
    #expect(raw["key_id"] as? String == "new-key-1")
    #expect(raw["key_secret"] == nil && raw["key"] == nil)
    let rawText = String(
      decoding: try JSONSerialization.data(withJSONObject: raw), as: UTF8.self)
    #expect(!rawText.contains("fresh-secret"))
    #expect(outcome.stdout.components(separatedBy: "fresh-secret").count == 2)
    #expect(outcome.stderr.contains("shown only once"))
    #expect(!outcome.stdout.contains("shown only once"))
  }

  @Test func tablePrintsMetadataAndSecretAndTheNoticeGoesToStderr() async {
    let fal = FakeFal(keyCount: 0)
    let outcome = await TestCLI.runFal(["create", "--name", "ci", "-p", "fal"], fal)
    #expect(outcome.code == 0)
    #expect(outcome.stdout.contains("id          new-key-1\n"))
    #expect(outcome.stdout.contains("name        ci\n"))
    #expect(outcome.stdout.contains("secret      \(FakeFal.createdSecret(1))\n"))
    #expect(outcome.stderr == "keyctl: the secret is shown only once; store it now.\n")
  }

  @Test func createIsNeverRetried() async {
    let fal = FakeFal(keyCount: 0)
    fal.fail(status: 503, requestID: "req-create-503")
    let outcome = await TestCLI.runFal(
      ["create", "-p", "fal", "--name", "ci", "--max-retries", "5"], fal)
    #expect(outcome.code == 6)
    #expect(fal.requests.count == 1)
    #expect(outcome.stderr.contains("req-create-503"))
    #expect(outcome.stderr.contains("may exist: check with 'keyctl list -p fal'"))
    #expect(outcome.stdout.isEmpty)
  }

  @Test func cartesiaCannotCreate() async {
    let outcome = await TestCLI.run(
      ["create", "-p", "cartesia", "--name", "x"],
      environment: ["CARTESIA_ADMIN_KEY": "sk_car_admin_test_0123456789"])
    #expect(outcome.code == 8)
    #expect(outcome.stderr.contains("Cartesia"))
  }
}

@Suite struct FailureTests {
  @Test(arguments: [["list", "-p", "fal"], ["create", "-p", "fal", "--name", "x"], ["list"]])
  func noCredentialsIsExitThreeAndSendsNothing(_ arguments: [String]) async {
    let fal = FakeFal(keyCount: 3)
    let outcome = await TestCLI.run(
      arguments, environment: ["KEYCTL_FAL_BASE_URL": "https://fal.test/v1"], transport: fal)
    #expect(outcome.code == 3)
    #expect(outcome.stderr.contains("FAL_ADMIN_KEY"))
    #expect(outcome.stdout.isEmpty)
    #expect(fal.requests.isEmpty)
  }

  @Test func refusedCredentialIsExitThreeWithAHint() async {
    let fal = FakeFal(keyCount: 3, adminKey: "another-id:another-secret")
    let outcome = await TestCLI.runFal(["list", "-p", "fal"], fal)
    #expect(outcome.code == 3)
    #expect(outcome.stderr.contains("fal answered HTTP 401: Invalid API key"))
    #expect(outcome.stderr.contains("(request id req-auth)"))
    #expect(outcome.stderr.contains("admin-scope key"))
    #expect(fal.requests.first?.header("Authorization") == "Key " + TestCLI.falAdminKey)
  }

  struct StatusCase: Sendable, CustomTestStringConvertible {
    let status: Int
    let type: String
    let code: Int32
    var testDescription: String { "HTTP \(status) → exit \(code)" }
  }

  @Test(arguments: [
    StatusCase(status: 401, type: "authorization_error", code: 3),
    StatusCase(status: 403, type: "authorization_error", code: 3),
    StatusCase(status: 404, type: "not_found", code: 4),
    StatusCase(status: 429, type: "rate_limited", code: 5),
    StatusCase(status: 500, type: "server_error", code: 6),
    StatusCase(status: 503, type: "server_error", code: 6),
    StatusCase(status: 400, type: "validation_error", code: 2),
  ])
  func httpStatusMapsToTheExitCode(_ testCase: StatusCase) async throws {
    let fal = FakeFal(keyCount: 3)
    let requestID = "req-\(testCase.status)-abc"
    fal.fail(
      status: testCase.status, type: testCase.type, message: "the \(testCase.type) message",
      requestID: requestID)
    let outcome = await TestCLI.runFal(["list", "-p", "fal", "--max-retries", "0", "--json"], fal)
    #expect(outcome.code == testCase.code)
    #expect(fal.requests.count == 1)
    let message = try #require(outcome.stderr.split(separator: "\n").first)
    #expect(message.hasPrefix("keyctl: fal answered HTTP \(testCase.status): "))
    #expect(message.contains("the \(testCase.type) message"))
    #expect(message.contains("(request id \(requestID))"))
    let document = try JSONOutput.object(outcome.stdout)
    #expect((document["keys"] as? [Any])?.isEmpty == true)
    let errors = try #require(document["errors"] as? [[String: Any]])
    #expect(errors.count == 1)
    #expect(errors.first?["provider"] as? String == "fal")
    #expect(errors.first?["status"] as? Int == testCase.status)
    #expect(errors.first?["request_id"] as? String == requestID)
  }

  @Test(arguments: [0, 1, 3])
  func rateLimitIsRetriedAsToldThenExitFive(_ retries: Int) async {
    let fal = FakeFal(keyCount: 3)
    fal.fail(status: 429, type: "rate_limited", message: "slow down", requestID: "req-429")
    let outcome = await TestCLI.runFal(
      ["list", "-p", "fal", "--max-retries", String(retries)], fal)
    #expect(outcome.code == 5)
    #expect(fal.requests.count == retries + 1)
    #expect(outcome.stderr.contains("fal answered HTTP 429: slow down"))
    #expect(outcome.stderr.contains("(request id req-429)"))
    #expect(outcome.stderr.contains("after \(retries + 1) attempt(s)"))
  }

  @Test func retriesDefaultToThreeOrTheEnvironment() async {
    let byDefault = FakeFal(keyCount: 3)
    byDefault.fail(status: 429, type: "rate_limited")
    #expect(await TestCLI.runFal(["list", "-p", "fal"], byDefault).code == 5)
    #expect(byDefault.requests.count == 4)

    let fromEnvironment = FakeFal(keyCount: 3)
    fromEnvironment.fail(status: 500)
    let outcome = await TestCLI.runFal(
      ["list", "-p", "fal"], fromEnvironment, extraEnvironment: ["KEYCTL_MAX_RETRIES": "1"])
    #expect(outcome.code == 6)
    #expect(fromEnvironment.requests.count == 2)
  }

  @Test func aRetriedFailureThatRecoversSucceeds() async throws {
    let fal = FakeFal(keyCount: 5)
    fal.fail(status: 429, type: "rate_limited", times: 2)
    let outcome = await TestCLI.runFal(["list", "-p", "fal", "-o", "ndjson"], fal)
    #expect(outcome.code == 0)
    #expect(try JSONOutput.lines(outcome.stdout).count == 5)
    #expect(fal.requests.count == 3)
  }

  @Test(arguments: [
    FakeFal.Answer.raw(status: 200, contentType: "application/json", body: "{\"keys\": ["),
    .raw(status: 200, contentType: "application/json", body: "{\"keys\": \"none\"}"),
    .raw(status: 200, contentType: "text/html", body: "<html>gateway</html>"),
  ])
  func unreadableSuccessIsExitSix(_ answer: FakeFal.Answer) async throws {
    let fal = FakeFal(keyCount: 3)
    fal.respond(answer)
    let outcome = await TestCLI.runFal(["list", "-p", "fal", "--max-retries", "0"], fal)
    #expect(outcome.code == 6)
    #expect(outcome.stderr.contains("keyctl: fal sent a response keyctl cannot read (HTTP 200)"))
    #expect(outcome.stdout.isEmpty)
    #expect(fal.requests.count == 1)
  }

  @Test func theSecretIsNeverPrinted() async {
    let fal = FakeFal(keyCount: 12)
    let verbose = await TestCLI.runFal(["list", "-p", "fal", "-v", "--page-size", "5"], fal)
    #expect(verbose.code == 0)
    #expect(verbose.stderr.contains("> GET https://fal.test/v1/keys?limit=5"))
    #expect(verbose.stderr.contains("< 200 GET /v1/keys"))
    #expect(!verbose.allOutput.contains(TestCLI.falKeySecret))

    // A server that echoes the credential back: redacted in the message and the log.
    let echo = FakeFal(keyCount: 1)
    echo.fail(
      status: 500, message: "bad key \(TestCLI.falAdminKey) or \(TestCLI.falKeySecret)",
      requestID: "req-echo")
    let failed = await TestCLI.runFal(["list", "-p", "fal", "-v", "--max-retries", "1"], echo)
    #expect(failed.code == 6)
    #expect(failed.stderr.contains("[REDACTED]"))
    #expect(failed.stderr.contains("retry 1/1"))
    #expect(!failed.allOutput.contains(TestCLI.falKeySecret))

    let json = await TestCLI.runFal(["list", "-p", "fal", "--json", "--max-retries", "0"], echo)
    #expect(!json.allOutput.contains(TestCLI.falKeySecret))
  }
}

@Suite struct ProvidersAndVersionTests {
  static let environment = TestCLI.falEnvironment.merging([
    "OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-management-0123456789abcd"
  ]) { $1 }

  @Test func providersTableMasksCredentials() async throws {
    let fal = FakeFal(keyCount: 1)
    let outcome = await TestCLI.run(["providers"], environment: Self.environment, transport: fal)
    #expect(outcome.code == 0)
    #expect(fal.requests.isEmpty)
    let lines = outcome.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 5)
    #expect(
      lines.first?.split(separator: " ")
        == ["PROVIDER", "OPERATIONS", "PAGING", "PAGE", "SIZE", "CREDENTIALS", "BASE", "URL"])
    let falRow = try #require(lines.first { $0.hasPrefix("fal ") })
    #expect(falRow.contains(" list,get,create,delete,rotate "))
    let px0Row = try #require(lines.first { $0.hasPrefix("px0 ") })
    #expect(px0Row.contains(" list,get,create,update,delete,rotate,regenerate "))
    let openRouterRow = try #require(lines.first { $0.hasPrefix("openrouter ") })
    #expect(openRouterRow.contains(" list,get,create,update,delete,rotate "))
    #expect(falRow.contains("FAL_ADMIN_KEY ****" + TestCLI.falKeySecret.suffix(4)))
    #expect(falRow.contains("https://fal.test/v1"))
    let cartesia = try #require(lines.first { $0.hasPrefix("cartesia ") })
    #expect(cartesia.contains("not set"))
    #expect(cartesia.contains(" list,get "))
    #expect(!outcome.allOutput.contains(TestCLI.falKeySecret))
    #expect(!outcome.allOutput.contains("management-0123456789abcd"))
    #expect(!outcome.stdout.contains("\u{1B}"))
  }

  @Test func providersJSONMasksCredentials() async throws {
    let outcome = await TestCLI.run(["providers", "--json"], environment: Self.environment)
    #expect(outcome.code == 0)
    let providers = try JSONOutput.array(outcome.stdout)
    #expect(
      providers.compactMap { $0["provider"] as? String } == [
        "fal", "px0", "cartesia", "openrouter",
      ])
    let fal = try #require(providers.first)
    #expect(fal["can_create"] as? Bool == true)
    let expected: [String: [String: Bool]] = [
      "fal": [
        "list": true, "get": true, "create": true, "update": false, "delete": true,
        "rotate": true, "regenerate": false,
      ],
      "px0": [
        "list": true, "get": true, "create": true, "update": true, "delete": true, "rotate": true,
        "regenerate": true,
      ],
      "cartesia": [
        "list": true, "get": true, "create": false, "update": false, "delete": false,
        "rotate": false, "regenerate": false,
      ],
      "openrouter": [
        "list": true, "get": true, "create": true, "update": true, "delete": true,
        "rotate": true, "regenerate": false,
      ],
    ]
    for provider in providers {
      let name = try #require(provider["provider"] as? String)
      #expect(provider["operations"] as? [String: Bool] == expected[name], "\(name)")
    }
    // The operations come in the lifecycle's order, as the table lists them.
    let order = ["list", "get", "create", "update", "delete", "rotate", "regenerate"]
    let positions = order.compactMap { outcome.stdout.range(of: "\"\($0)\":")?.lowerBound }
    #expect(positions == positions.sorted() && positions.count == order.count)
    #expect(fal["paging"] as? String == "cursor")
    #expect(fal["max_page_size"] as? Int == 100)
    #expect(fal["base_url"] as? String == "https://fal.test/v1")
    let credentials = try #require(fal["credentials"] as? [String: Any])
    #expect(credentials["set"] as? Bool == true)
    #expect(credentials["source"] as? String == "env FAL_ADMIN_KEY")
    #expect(credentials["state"] as? String == "read")
    #expect(fal["base_url_source"] as? String == "env KEYCTL_FAL_BASE_URL")
    #expect(fal["profile"] is NSNull)
    #expect(credentials["masked"] as? String == "****" + TestCLI.falKeySecret.suffix(4))
    let px0 = try #require(providers.dropFirst().first?["credentials"] as? [String: Any])
    #expect(px0["set"] as? Bool == false)
    #expect(px0["masked"] is NSNull)
    #expect(!outcome.allOutput.contains(TestCLI.falKeySecret))
    #expect(!outcome.allOutput.contains("management-0123456789abcd"))

    let one = await TestCLI.run(
      ["providers", "-p", "fal", "-o", "json"], environment: Self.environment)
    #expect(try JSONOutput.array(one.stdout).count == 1)
  }

  @Test(arguments: [["--version"], ["list", "--version"], ["--version", "-p", "fal"]])
  func versionPrintsTheVersion(_ arguments: [String]) async {
    let outcome = await TestCLI.run(arguments)
    #expect(outcome.code == 0)
    #expect(outcome.stdout == "keyctl \(Version.current)\n")
    #expect(outcome.stderr.isEmpty)
  }
}

@Suite struct RawSplicingTests {
  @Test func aPrettyPrintedOrHostileRawStaysOneLineOfValidJSON() throws {
    let text =
      "{\n  \"key_id\": \"a\",\n\t\"alias\": \"x\\u001b[31mred\u{9B}2J\u{202E}txt\u{2028}\u{7F}\"\r\n}"
    let key = ApiKey(
      provider: .fal, id: "a", name: "x", createdAt: nil,
      raw: try RawJSON(parsing: Data(text.utf8)))
    var json = JSONText()
    KeyField.appendObject(key, fields: KeyField.allCases, to: &json)
    let output = String(decoding: json.bytes, as: UTF8.self)
    for unsafe in ["\n", "\u{1B}", "\u{9B}", "\u{202E}", "\u{2028}", "\u{7F}"] {
      #expect(!output.contains(unsafe), "raw \(unsafe.unicodeScalars.map(\.value)) in \(output)")
    }
    #expect(output.contains(#"\u009b2J\u202etxt\u2028\u007f"#))
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: Any])
    let parsed = try #require(object["raw"] as? [String: Any])
    #expect(parsed["key_id"] as? String == "a")
    #expect(parsed["alias"] as? String == "x\u{1B}[31mred\u{9B}2J\u{202E}txt\u{2028}\u{7F}")
  }

  @Test func aRawThatIsNotStrictJSONIsRefused() {
    let invalidUTF8 = Data(#"{"a":""#.utf8) + Data([0xFF]) + Data(#""}"#.utf8)
    for text in ["{\"a\":\"x\u{1B}[31m\"}", #"{"a":1,}"#, #"{"a":"\x"}"#] {
      #expect(throws: KeyError.self) { try RawJSON(parsing: Data(text.utf8)) }
    }
    #expect(throws: KeyError.self) { try RawJSON(parsing: invalidUTF8) }
  }

  @Test func aCompactRawIsCopiedByteForByte() throws {
    let raw = Data(#"{"key_id":"a","alias":"caf\u00e9 \"q\"","n":[1,-2.5e3,true,null]}"#.utf8)
    var json = JSONText()
    json.value(try RawJSON(parsing: raw))
    #expect(Data(json.bytes) == raw)
  }
}
