import Foundation
import Testing

/// Asserts nothing a test ran printed a credential or a terminal escape.
func expectClean(_ result: RunResult, sourceLocation: SourceLocation = #_sourceLocation) {
  for secret in Simulator.secrets {
    #expect(!result.allOutput.contains(secret), "secret printed", sourceLocation: sourceLocation)
  }
  #expect(
    !result.allOutput.contains("\u{1B}["), "ANSI escape in piped output",
    sourceLocation: sourceLocation)
}

/// Provider requests in the simulator's log for one provider.
func requests(_ log: [[String: Any]], _ provider: String, method: String = "GET") -> [[String: Any]]
{
  log.filter { $0["provider"] as? String == provider && $0["method"] as? String == method }
}

@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndListTests {
  static let counts = [
    "--fal-keys", "250", "--px0-keys", "40", "--cartesia-keys", "230", "--openrouter-keys", "250",
  ]

  @Test(arguments: [
    ("fal", [String](), 250, 3), ("px0", [], 40, 1), ("cartesia", [], 230, 3),
    // 250 seeded keys, every fifth in a second workspace: 200 in the default one.
    // One page at a time: a window asks ahead (EndToEndConcurrentPagingTests).
    ("openrouter", ["--include-disabled", "--include-expired", "--concurrency", "1"], 200, 3),
  ])
  func eachProviderIsListedInFullWithTheFewestRequests(
    provider: String, extra: [String], expected: Int, pages: Int
  ) async throws {
    let sim = try await Simulator.start(Self.counts)
    let result = try await Keyctl.run(
      ["list", "-p", provider, "-o", "json"] + extra, environment: sim.environment())
    #expect(result.status == 0, "\(result.stderr)")
    let ids = try result.keys().compactMap { $0["id"] as? String }
    #expect(ids.count == expected)
    #expect(Set(ids).count == expected)
    #expect(try result.json()["next_cursor"] is NSNull)
    let log = try await sim.log()
    #expect(requests(log, provider).count == pages)
    let stats = try await sim.stats()
    let perProvider = (stats["by_provider"] as? [String: [String: Any]])?[provider]
    #expect(
      perProvider?["connections"] as? Int == 1, "pages should share one kept-alive connection")
    expectClean(result)
  }

  @Test func everySchemaFieldIsPresentForEveryProvider() async throws {
    let sim = try await Simulator.start([
      "--fal-keys", "3", "--px0-keys", "3", "--cartesia-keys", "3", "--openrouter-keys", "3",
    ])
    let result = try await Keyctl.run(["list", "-o", "ndjson"], environment: sim.environment())
    #expect(result.status == 0, "\(result.stderr)")
    let lines = try result.lines()
    let providers = lines.compactMap { $0["provider"] as? String }
    #expect(Set(providers) == ["fal", "px0", "cartesia", "openrouter"])
    let fields = [
      "provider", "id", "name", "created_at", "scope", "status", "expires_at", "last_used_at",
      "creator", "raw",
    ]
    for line in lines {
      #expect(Set(line.keys) == Set(fields))
      #expect(line["raw"] is [String: Any])
    }
    #expect(
      providers == providers.sorted { order($0) < order($1) },
      "output follows the fixed provider order")
  }

  @Test func openRouterHidesDisabledAndExpiredUnlessAsked() async throws {
    let sim = try await Simulator.start(["--openrouter-keys", "120"])
    let env = sim.environment(["openrouter"])
    let visible = try await Keyctl.run(["list", "-p", "openrouter", "--json"], environment: env)
    let all = try await Keyctl.run(
      ["list", "-p", "openrouter", "--json", "--include-disabled", "--include-expired"],
      environment: env)
    let statuses = try visible.keys().compactMap { $0["status"] as? String }
    #expect(Set(statuses) == ["active"])
    let allStatuses = Set(try all.keys().compactMap { $0["status"] as? String })
    #expect(allStatuses.isSuperset(of: ["active", "disabled", "expired"]))
    // Every fifth seeded key lives in another workspace.
    #expect(try all.keys().count == (0..<120).filter { $0 % 5 != 4 }.count)
  }

  @Test(arguments: [1, 77, 100, 333])
  func limitAndCursorResumeAcrossAllProvidersWithNoGapsOrDuplicates(limit: Int) async throws {
    let sim = try await Simulator.start([
      "--fal-keys", "130", "--px0-keys", "12", "--cartesia-keys", "105", "--openrouter-keys", "101",
    ])
    let env = sim.environment()
    let full = try await Keyctl.run(["list", "--json"], environment: env)
    let expected = try full.keys().compactMap { $0["id"] as? String }
    #expect(expected.count > 300)
    var seen: [String] = []
    var cursor: String?
    var calls = 0
    repeat {
      var arguments = ["list", "--json", "--limit", String(limit)]
      if let cursor { arguments += ["--cursor", cursor] }
      let page = try await Keyctl.run(arguments, environment: env)
      #expect(page.status == 0, "\(page.stderr)")
      let ids = try page.keys().compactMap { $0["id"] as? String }
      #expect(ids.count <= limit)
      seen += ids
      cursor = try page.json()["next_cursor"] as? String
      calls += 1
    } while cursor != nil && calls < 400
    #expect(seen == expected)
  }

  @Test func aCursorFromAnotherProviderSetIsAUsageError() async throws {
    let sim = try await Simulator.start(["--fal-keys", "30"])
    let env = sim.environment()
    let first = try await Keyctl.run(
      ["list", "-p", "fal", "--json", "--limit", "5"], environment: env)
    let cursor = try #require(try first.json()["next_cursor"] as? String)
    let other = try await Keyctl.run(
      ["list", "-p", "fal,px0", "--json", "--cursor", cursor], environment: env)
    #expect(other.status == 2)
    #expect(other.stderr.contains("--cursor"))
    let corrupt = try await Keyctl.run(
      ["list", "-p", "fal", "--cursor", "x" + cursor], environment: env)
    #expect(corrupt.status == 2)
  }

  /// `--name-contains` shapes the listing, so it is bound into the cursor: a
  /// cursor made with `tmp` and resumed without it, or with another value,
  /// would skip or add keys, and is refused before anything is sent.
  @Test func aCursorIsBoundToItsNameFilter() async throws {
    let sim = try await Simulator.start(["--fal-keys", "40"])
    let env = sim.environment(["fal"])
    for index in 1...3 {
      let created = try await Keyctl.run(
        ["create", "-p", "fal", "--name", "tmp-\(index)", "-q"], environment: env)
      #expect(created.status == 0, "\(created.stderr)")
    }
    let first = try await Keyctl.run(
      ["list", "-p", "fal", "--json", "--name-contains", "tmp", "--limit", "1"], environment: env)
    #expect(first.status == 0, "\(first.stderr)")
    let seen = try first.keys().compactMap { $0["name"] as? String }
    let cursor = try #require(try first.json()["next_cursor"] as? String)
    let sent = try await sim.log().count

    for other in [[], ["--name-contains", "staging"], ["--name-contains", "tmp,x"]] {
      let refused = try await Keyctl.run(
        ["list", "-p", "fal", "--json", "--cursor", cursor] + other, environment: env)
      #expect(refused.status == 2, "\(other): \(refused.stderr)")
      #expect(refused.stderr.contains("--cursor was made with other filters"))
      #expect(refused.stdout.isEmpty)
    }
    #expect(try await sim.log().count == sent, "nothing was sent")

    // The same filter, in another case, resumes exactly where the first call stopped.
    let rest = try await Keyctl.run(
      ["list", "-p", "fal", "--json", "--name-contains", "TMP", "--cursor", cursor],
      environment: env)
    #expect(rest.status == 0, "\(rest.stderr)")
    let names = seen + (try rest.keys().compactMap { $0["name"] as? String })
    #expect(names.sorted() == ["tmp-1", "tmp-2", "tmp-3"])
  }

  @Test func tableOutputIsPlainWhenPiped() async throws {
    let sim = try await Simulator.start(["--fal-keys", "5"])
    let result = try await Keyctl.run(["list", "-p", "fal"], environment: sim.environment(["fal"]))
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 6)
    #expect(lines.first?.hasPrefix("PROVIDER") == true)
    expectClean(result)
  }

  @Test func headOneEndsQuietly() async throws {
    let sim = try await Simulator.start(["--fal-keys", "3000"])
    let result = try await Keyctl.runPipedToHead(
      ["list", "-p", "fal", "-o", "ndjson"], environment: sim.environment(["fal"]))
    #expect(result.status == 0)
    #expect(result.stdout.split(separator: "\n").count == 1)
    #expect(result.stderr.isEmpty, "\(result.stderr)")
  }

  @Test func withoutCredentialsNothingIsSent() async throws {
    let sim = try await Simulator.start()
    var env = sim.environment(["fal"])
    env["FAL_ADMIN_KEY"] = nil
    let result = try await Keyctl.run(["list", "-p", "fal"], environment: env)
    #expect(result.status == 3)
    #expect(result.stderr.contains("FAL_ADMIN_KEY"))
    #expect(try await sim.log().isEmpty)
  }

  @Test func plainHTTPToANonLoopbackHostIsRefused() async throws {
    let sim = try await Simulator.start()
    let result = try await Keyctl.run(
      ["list", "-p", "fal", "--base-url", "http://keys.example.com/v1"],
      environment: sim.environment(["fal"]))
    #expect(result.status == 2)
    #expect(result.stderr.contains("https://"))
  }

  private func order(_ provider: String) -> Int {
    ["fal", "px0", "cartesia", "openrouter"].firstIndex(of: provider) ?? 9
  }
}

@Suite(.enabled(if: endToEndAvailable, "python3 is needed for the provider simulator"))
struct EndToEndCreateTests {
  @Test(arguments: [
    ("fal", [String]()), ("px0", ["--operation", "all"]), ("openrouter", ["--credit-limit", "5"]),
  ])
  func quietCreatePrintsOnlyTheSecretAndTheKeyIsListedAfterwards(provider: String, extra: [String])
    async throws
  {
    let sim = try await Simulator.start([
      "--fal-keys", "5", "--px0-keys", "5", "--openrouter-keys", "5",
    ])
    let env = sim.environment([provider])
    let created = try await Keyctl.run(
      ["create", "-p", provider, "--name", "ci-e2e", "-q"] + extra, environment: env)
    #expect(created.status == 0, "\(created.stderr)")
    let lines = created.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 2 && lines[1].isEmpty, "one line: the secret")
    let secret = String(lines[0])
    #expect(secret.count > 20)
    #expect(!created.stderr.contains(secret))
    let listed = try await Keyctl.run(
      ["list", "-p", provider, "--json", "--name-contains", "ci-e2e"], environment: env)
    #expect(try listed.keys().count == 1)
    #expect(!listed.allOutput.contains(secret))
    let posts = requests(try await sim.log(), provider, method: "POST")
    #expect(posts.count == 1)
  }

  @Test func jsonCreateGivesKeyAndSecret() async throws {
    let sim = try await Simulator.start()
    let result = try await Keyctl.run(
      ["create", "-p", "fal", "--name", "x", "-o", "json"], environment: sim.environment(["fal"]))
    #expect(result.status == 0)
    let json = try result.json()
    let secret = try #require(json["secret"] as? String)
    let key = try #require(json["key"] as? [String: Any])
    #expect(key["name"] as? String == "x")
    #expect(secret.hasPrefix((key["id"] as? String ?? "?") + ":"))
    #expect(result.stderr.contains("only once"))
  }

  @Test func cartesiaCannotCreateAndNothingIsSent() async throws {
    let sim = try await Simulator.start()
    let result = try await Keyctl.run(
      ["create", "-p", "cartesia", "--name", "x"], environment: sim.environment(["cartesia"]))
    #expect(result.status == 8)
    #expect(try await sim.log().isEmpty)
  }

  @Test func aFailedCreateIsSentExactlyOnceAndSaysTheKeyMayExist() async throws {
    let sim = try await Simulator.start()
    try await sim.fault([
      "provider": "fal", "method": "POST", "kind": "status", "status": 500, "times": -1,
    ])
    let result = try await Keyctl.run(
      ["create", "-p", "fal", "--name", "x", "--max-retries", "5"],
      environment: sim.environment(["fal"]))
    #expect(result.status == 6)
    #expect(result.stderr.contains("may exist"))
    #expect(requests(try await sim.log(), "fal", method: "POST").count == 1)
    expectClean(result)
  }
}
