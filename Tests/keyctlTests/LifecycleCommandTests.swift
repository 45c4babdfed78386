import Foundation
import KeyCore
import Testing

@testable import keyctl

private let hash = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943"
private let keyPath = "/api/v1/keys/\(hash)"
private let px0Key = "8f14e45f-ceea-467f-a0e6-5a3b1c2d3e4f"
private let orgID = "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f"
private let teamA = "3f6b8a2c-1d4e-4f5a-8b9c-0d1e2f3a4b5c"
private let teamB = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"

/// Credentials for every provider (default base URLs: the transport is canned).
private let environment = [
  "FAL_ADMIN_KEY": "id:secret-fal", "PX0_ACCESS_TOKEN": "sess_x", "PX0_ORG_ID": orgID,
  "CARTESIA_ADMIN_KEY": "sk_car_admin_x", "OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-x",
]

/// An OpenRouter key object with the creator's id only.
private func openRouterKey(name: String = "batch", created: String = "2025-08-24T10:30:00Z")
  -> String
{
  #"{"hash":"\#(hash)","name":"\#(name)","disabled":false,"limit":null,"#
    + #""created_at":"\#(created)","expires_at":null,"last_used_at":null,"creator_user_id":"user_1"}"#
}

private func run(_ arguments: [String], _ transport: any HTTPTransport = NoNetwork()) async
  -> Outcome
{
  await TestCLI.run(arguments, environment: environment, transport: transport)
}

/// `keyctl get`: one key as `list` has it, table or the bare object.
@Suite struct GetCommandTests {
  static let found = CannedTransport(["GET \(keyPath)": (200, #"{"data":\#(openRouterKey())}"#)])

  @Test func theTableIsOneFieldPerLineWithTheWholeCreator() async {
    let outcome = await run(["get", "-p", "openrouter", hash], Self.found)
    #expect(outcome.code == 0)
    #expect(outcome.stderr.isEmpty)
    #expect(
      outcome.stdout == """
        provider      openrouter
        id            \(hash)
        name          batch
        created_at    2025-08-24T10:30:00Z
        scope         -
        status        active
        expires_at    -
        last_used_at  -
        creator       - / - / user_1

        """)
  }

  @Test func jsonAndNDJSONAreTheKeyObjectItselfOnOneLine() async throws {
    let json = await run(["get", "-p", "openrouter", hash, "-o", "json"], Self.found)
    let ndjson = await run(["get", "-p", "openrouter", hash, "-o", "ndjson"], Self.found)
    #expect(json.code == 0)
    #expect(json.stdout == ndjson.stdout)
    #expect(json.stdout.hasSuffix("}\n"))
    #expect(json.stdout.filter { $0 == "\n" }.count == 1)
    let object = try JSONOutput.object(json.stdout)
    #expect(Set(object.keys) == Set(KeyField.allCases.map(\.rawValue)))
    #expect(object["id"] as? String == hash)
    #expect((object["raw"] as? [String: Any])?["creator_user_id"] as? String == "user_1")
    let creator = try #require(object["creator"] as? [String: Any])
    #expect(creator["id"] as? String == "user_1")
    #expect(creator["email"] is NSNull)
  }

  @Test func fieldsPickAndOrderLikeList() async {
    let table = await run(["get", "-p", "openrouter", hash, "--fields", "raw,id"], Self.found)
    #expect(table.stdout == "raw  \(openRouterKey())\nid   \(hash)\n")
    let json = await run(
      ["get", "-p", "openrouter", hash, "--fields", "id,name", "--json"], Self.found)
    #expect(json.stdout == #"{"id":"\#(hash)","name":"batch"}"# + "\n")
  }

  @Test func anUnknownKeyIsExit4NamingIt() async {
    let transport = CannedTransport([
      "GET /api/v1/keys/nope": (404, #"{"error":{"code":404,"message":"API key not found"}}"#)
    ])
    let outcome = await run(["get", "-p", "openrouter", "nope"], transport)
    #expect(outcome.code == 4)
    #expect(outcome.stdout.isEmpty)
    #expect(
      outcome.stderr
        == "keyctl: no key nope at openrouter\nSee the keys there with 'keyctl list -p openrouter'.\n"
    )
  }

  @Test func aDateKeyctlCannotShowIsANoteOnStderr() async {
    let transport = CannedTransport([
      "GET \(keyPath)": (200, #"{"data":\#(openRouterKey(created: "10000-01-01T00:00:00Z"))}"#)
    ])
    let outcome = await run(["get", "-p", "openrouter", hash, "-o", "ndjson"], transport)
    #expect(outcome.code == 0)
    #expect(outcome.stdout.contains(#""created_at":null"#))
    #expect(outcome.stderr.hasPrefix("keyctl: openrouter key \(hash): created_at '10000-01-01"))
  }

  @Test(arguments: [
    (["get", "-p", "px0", "render-worker"], "invalid key id 'render-worker' for px0: px0 key ids"),
    (["get", "-p", "fal", "a b"], "invalid key id 'a b' for fal: a key id is printable ASCII"),
    (
      ["get", "-p", "cartesia", ".."], "invalid key id '..' for cartesia: '.' and '..' name no key"
    ),
    (["get", "-p", "fal"], "missing argument ID"),
    (["get", "k1"], "'keyctl get' needs the provider of the key: -p NAME"),
    (["get", "-p", "fal,px0", "k1"], "'keyctl get' takes one provider, got fal, px0"),
    (["get", "-p", "fal", "k1", "--org-id", orgID], "option '--org-id' is for px0 only"),
    (["get", "-p", "fal", "k1", "k2"], "unexpected argument 'k2'"),
  ])
  func aBadCallIsExit2WithoutARequest(_ arguments: [String], _ message: String) async {
    let outcome = await run(arguments)
    #expect(outcome.code == 2)
    #expect(outcome.stdout.isEmpty)
    #expect(outcome.stderr.hasPrefix("keyctl: " + message), "\(outcome.stderr)")
    #expect(outcome.stderr.contains("'keyctl get --help'"))
  }

  @Test func noCredentialsIsExit3() async {
    let outcome = await TestCLI.run(["get", "-p", "cartesia", "key_1"])
    #expect(outcome.code == 3)
    #expect(outcome.stderr.hasPrefix("keyctl: no credentials for Cartesia"))
  }
}

/// `keyctl update`: capability first, then the changes checked, then exactly
/// those changes sent.
@Suite struct UpdateCommandTests {
  @Test(arguments: [
    ["update", "-p", "fal", "k1", "--name", "x"], ["update", "-p", "cartesia"],
    ["update", "-p", "fal", "k1"], ["update", "-p", "fal", "a b", "--operation", "all"],
    ["update", "-p", "cartesia", "k", "--disable", "--enable"],
  ])
  func falAndCartesiaAreExit8BeforeAnythingElse(_ arguments: [String]) async {
    // No credentials either: the refusal comes before them too.
    let outcome = await TestCLI.run(arguments)
    let name = arguments[2] == "fal" ? "fal" : "Cartesia"
    #expect(outcome.code == 8)
    #expect(outcome.stdout.isEmpty)
    #expect(
      outcome.stderr == "keyctl: \(name)'s API has no endpoint to update keys\n"
        + "See 'keyctl providers' for what each provider supports.\n")
  }

  @Test(arguments: [
    ("openrouter", hash, "--name, --disable, --enable, --credit-limit, --no-credit-limit"),
    ("px0", px0Key, "--name, --operation, --team-id"),
  ])
  func noChangeIsExit2ListingTheChangesTheProviderTakes(
    _ provider: String, _ id: String, _ takes: String
  ) async {
    let outcome = await run(["update", "-p", provider, id, "--fields", "id"])
    #expect(outcome.code == 2)
    #expect(
      outcome.stderr.hasPrefix(
        "keyctl: 'keyctl update' needs at least one change; \(provider) takes \(takes)"))
  }

  @Test(arguments: [
    (["-p", "px0", px0Key, "--disable"], "'--disable' is for OpenRouter only"),
    (
      ["-p", "px0", px0Key, "--name", "n", "--credit-limit", "5"],
      "'--credit-limit' is for OpenRouter"
    ),
    (["-p", "px0", px0Key, "--limit-reset", "none"], "'--limit-reset' is for OpenRouter only"),
    (["-p", "openrouter", hash, "--operation", "all"], "'--operation' is for px0 only"),
    (["-p", "openrouter", hash, "--team-id", teamA], "'--team-id' is for px0 only"),
    (["-p", "openrouter", hash, "--name", "n", "--org-id", orgID], "'--org-id' is for px0 only"),
  ])
  func aChangeOfAnotherProviderIsExit2NamingIt(_ arguments: [String], _ message: String) async {
    let outcome = await run(["update"] + arguments)
    #expect(outcome.code == 2)
    #expect(outcome.stderr.hasPrefix("keyctl: option \(message)"), "\(outcome.stderr)")
  }

  @Test(arguments: [
    (["--disable", "--enable"], "'--disable' and '--enable' contradict each other"),
    (["--credit-limit", "5", "--no-credit-limit"], "'--credit-limit' and '--no-credit-limit'"),
    (
      ["--no-include-byok-in-limit", "--include-byok-in-limit"],
      "'--include-byok-in-limit' and '--no-include-byok-in-limit'"
    ),
    (["--name", " "], "'--name' needs a name that is not empty"),
    (["--limit-reset", "hourly"], "invalid value 'hourly' for '--limit-reset'"),
    (["--credit-limit", "-1"], "invalid value '-1' for '--credit-limit'"),
  ])
  func contradictionsAndBadValuesAreExit2(_ changes: [String], _ message: String) async {
    let outcome = await run(["update", "-p", "openrouter", hash] + changes)
    #expect(outcome.code == 2)
    #expect(outcome.stderr.hasPrefix("keyctl: " + message), "\(outcome.stderr)")
  }

  @Test func noneIsALimitResetOnlyForUpdate() async {
    let outcome = await run([
      "create", "-p", "openrouter", "--name", "n", "--limit-reset", "none",
    ])
    #expect(outcome.code == 2)
    #expect(outcome.stderr.contains("expected one of daily, weekly, monthly."))
  }

  @Test(arguments: [
    (["--disable"], #"{"disabled":true}"#), (["--enable"], #"{"disabled":false}"#),
    (["--credit-limit", "25"], #"{"limit":25}"#), (["--no-credit-limit"], #"{"limit":null}"#),
    (["--limit-reset", "none"], #"{"limit_reset":null}"#),
    (["--limit-reset", "daily"], #"{"limit_reset":"daily"}"#),
    (["--include-byok-in-limit"], #"{"include_byok_in_limit":true}"#),
    (["--no-include-byok-in-limit"], #"{"include_byok_in_limit":false}"#),
    (
      ["--name", "b 2", "--disable", "--credit-limit", "0.5", "--limit-reset", "weekly"],
      #"{"disabled":true,"limit":0.5,"limit_reset":"weekly","name":"b 2"}"#
    ),
  ])
  func openRouterGetsAPatchOfExactlyTheChanges(_ changes: [String], _ body: String) async throws {
    let transport = CannedTransport([
      "PATCH \(keyPath)": (200, #"{"data":\#(openRouterKey(name: "after"))}"#)
    ])
    let outcome = await run(["update", "-p", "openrouter", hash, "--json"] + changes, transport)
    #expect(outcome.code == 0, "\(outcome.stderr)")
    #expect(transport.bodies == [body])
    let object = try JSONOutput.object(outcome.stdout)
    #expect(object["name"] as? String == "after")
    #expect(object["raw"] is [String: Any])
  }

  @Test func px0GetsAPutWithTheTeamsInOrderAndPrintsLikeGet() async {
    let answer =
      #"{"api_key":{"id":"\#(px0Key)","name":"n","org_id":"\#(orgID)","team_id":"\#(teamB)","#
      + #""operation":"admin","created_at":"2026-02-01T09:30:00Z","last_used_at":null}}"#
    let transport = CannedTransport(["PUT /v1/api-keys/\(px0Key)": (200, answer)])
    let outcome = await run(
      [
        "update", "-p", "px0", px0Key.uppercased(), "--team-id", teamB, "--team-id", teamA,
        "--operation", "admin", "--fields", "id,scope",
      ], transport)
    #expect(outcome.code == 0, "\(outcome.stderr)")
    #expect(transport.bodies == [#"{"operation":"admin","team_ids":["\#(teamB)","\#(teamA)"]}"#])
    #expect(outcome.stdout == "id     \(px0Key)\nscope  admin\n")
  }

  @Test func anUnknownKeyIsExit4() async {
    let transport = CannedTransport([
      "PATCH /api/v1/keys/gone": (404, #"{"error":{"code":404,"message":"API key not found"}}"#)
    ])
    let outcome = await run(["update", "-p", "openrouter", "gone", "--disable"], transport)
    #expect(outcome.code == 4)
    #expect(outcome.stderr.hasPrefix("keyctl: no key gone at openrouter\n"))
    #expect(outcome.stdout.isEmpty)
  }
}
