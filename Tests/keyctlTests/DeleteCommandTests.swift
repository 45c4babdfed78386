import Foundation
import KeyCore
import Testing

@testable import keyctl

/// A `keyctl list -o ndjson` line, as `delete -` reads it (every member a listed key has).
private func listLine(_ provider: String, _ id: String, name: String = "n") -> String {
  "{\"provider\":\"\(provider)\",\"id\":\"\(id)\",\"name\":\"\(name)\","
    + "\"created_at\":\"2026-01-01T00:00:00Z\",\"scope\":\"API\",\"status\":null,"
    + "\"expires_at\":null,\"last_used_at\":null,"
    + "\"creator\":{\"email\":null,\"name\":null,\"id\":null},\"raw\":{\"key_id\":\"\(id)\"}}"
}

/// The deletes a fake received, in order.
private func deletes(_ fake: FakeProvider) -> [String] {
  fake.log.filter { $0.hasPrefix("delete ") }.map { String($0.dropFirst(7)) }
}

@Suite struct DeleteInputTests {
  /// Bare ids and list lines, blank lines, CRLF and white space around a line,
  /// and repeats: every key deleted once, in first-seen order.
  @Test func stdinTakesBareIdsAndListLinesOnceEach() async throws {
    let fal = FakeProvider(.fal, names: ["a", "b", "c"])
    fal.deletesAnything = true
    let stdin =
      "k1\n\n  k2 \r\n" + listLine("fal", "k3") + "\n\t\nk1\n" + listLine("fal", "k2") + "\nk4"
    let outcome = try await FakeCLI.run(
      ["delete", "-p", "fal", "-", "--yes", "-o", "ndjson"], [fal], stdin: stdin)
    #expect(outcome.code == 0, "\(outcome.stderr)")
    #expect(deletes(fal) == ["k1", "k2", "k3", "k4"])
    let lines = try JSONOutput.lines(outcome.stdout)
    #expect(lines.map { $0["id"] as? String } == ["k1", "k2", "k3", "k4"])
    #expect(lines.allSatisfy { $0["result"] as? String == "deleted" })
  }

  /// Without -p, each list line names its provider; the keys of both are deleted.
  @Test func listLinesOfSeveralProvidersNeedNoProvider() async throws {
    let fal = FakeProvider(.fal, names: ["a"])
    let openrouter = FakeProvider(.openrouter, names: ["b"])
    let stdin = listLine("openrouter", "k1") + "\n" + listLine("fal", "k1") + "\n"
    let outcome = try await FakeCLI.run(
      ["revoke", "-", "--yes", "--json"], [fal, openrouter], stdin: stdin)
    #expect(outcome.code == 0, "\(outcome.stderr)")
    let results = try #require(try JSONOutput.object(outcome.stdout)["results"] as? [[String: Any]])
    #expect(results.map { $0["provider"] as? String } == ["openrouter", "fal"])
    #expect(deletes(fal) == ["k1"])
    #expect(deletes(openrouter) == ["k1"])
  }

  struct BadLine: Sendable, CustomTestStringConvertible {
    let stdin: String
    let arguments: [String]
    let message: String
    var testDescription: String { message }
  }

  /// A bad line anywhere — even the last of many good ones — stops the call
  /// before the first request, naming its line.
  @Test(arguments: [
    BadLine(
      stdin: "k1\nk2\nnot an id\n", arguments: ["-p", "fal"],
      message: "stdin line 3: neither a key id nor a JSON key object"),
    BadLine(
      stdin: "k1\n{\"provider\":\"fal\"}\n", arguments: ["-p", "fal"],
      message: "stdin line 2: a JSON object without the string members \"provider\" and \"id\""),
    BadLine(
      stdin: "k1\n{\"provider\":\"fal\",\"id\":7}\n", arguments: ["-p", "fal"],
      message: "stdin line 2: a JSON object without the string members"),
    BadLine(
      stdin: "\n\nk1\n", arguments: [],
      message: "stdin line 3: a bare id needs the provider: give -p NAME"),
    BadLine(
      stdin: "k1\n" + listLine("openrouter", "k9") + "\n", arguments: ["-p", "fal"],
      message: "stdin line 2: a openrouter key, but this call deletes fal keys"),
    BadLine(
      stdin: "{\"provider\":\"fax\",\"id\":\"k1\"}\n", arguments: [],
      message: "stdin line 1: unknown provider 'fax'"),
    BadLine(
      stdin: "k1\n{\"provider\":\"fal\",\"id\":\"k2\",}\n", arguments: ["-p", "fal"],
      message: "stdin line 2: not valid JSON (a trailing comma"),
    BadLine(
      stdin: "[\"fal\",\"k1\"]\n", arguments: ["-p", "fal"],
      message: "stdin line 1: JSON that is an array, not an object"),
    BadLine(
      stdin: "\"k1\"\n", arguments: ["-p", "fal"],
      message: "stdin line 1: JSON that is a string, not an object"),
    BadLine(
      stdin: listLine("fal", "k1") + "\n{\"provider\":\"fal\",\"id\":\"a b\"}\n", arguments: [],
      message:
        "stdin line 2: invalid key id 'a b' for fal: a key id is printable ASCII without spaces"),
    BadLine(
      stdin: "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f\nk1\n", arguments: ["-p", "px0"],
      message: "stdin line 2: neither a key id nor a JSON key object ('k1': px0 key ids are UUIDs"),
  ])
  func aBadLineIsRefusedBeforeAnyRequest(_ bad: BadLine) async throws {
    let fal = FakeProvider(.fal, names: ["a", "b"])
    let px0 = FakeProvider(.px0, names: [])
    let openrouter = FakeProvider(.openrouter, names: [])
    let outcome = try await FakeCLI.run(
      ["delete", "-", "--yes"] + bad.arguments, [fal, px0, openrouter], stdin: bad.stdin)
    #expect(outcome.code == 2)
    #expect(outcome.stderr.hasPrefix("keyctl: " + bad.message), "\(outcome.stderr)")
    #expect(outcome.stderr.contains("See 'keyctl delete --help'."))
    #expect(outcome.stdout.isEmpty)
    #expect(fal.log.isEmpty && px0.log.isEmpty && openrouter.log.isEmpty)
  }

  @Test func aLineOver64KiBIsRefusedWithItsNumber() async throws {
    let fal = FakeProvider(.fal, names: ["a"])
    let long = String(repeating: "x", count: 64 * 1024 + 1)
    let outcome = try await FakeCLI.run(
      ["delete", "-p", "fal", "-", "--yes"], [fal], stdin: "k1\n" + long + "\nk2\n")
    #expect(outcome.code == 2)
    #expect(outcome.stderr.hasPrefix("keyctl: stdin line 2 is longer than 64 KiB"))
    #expect(fal.log.isEmpty)
    // A line of exactly 64 KiB is read (and then refused as an id, by what it is).
    let exact = try await FakeCLI.run(
      ["delete", "-p", "fal", "-", "--yes"], [fal],
      stdin: "{\"provider\":\"fal\",\"id\":\"k1\",\"pad\":\""
        + String(repeating: "p", count: 64 * 1024 - 38) + "\"}\n")
    #expect(exact.code == 0, "\(exact.stderr)")
    #expect(deletes(fal) == ["k1"])
  }

  @Test func moreThanOneHundredThousandKeysAreRefused() async throws {
    let fal = FakeProvider(.fal, names: [])
    let many = (0...100_000).map { "id\($0)" }.joined(separator: "\n")
    let outcome = try await FakeCLI.run(["delete", "-p", "fal", "-", "--yes"], [fal], stdin: many)
    #expect(outcome.code == 2)
    #expect(outcome.stderr.hasPrefix("keyctl: more than 100000 keys in one call"))
    #expect(fal.log.isEmpty)
  }

  /// Usage errors (2) and what the provider cannot do (8), before any request.
  @Test(arguments: [
    RefusedCall(
      arguments: ["-p", "fal", "-", "k1", "--yes"], code: 2,
      message: "'-' reads the ids from stdin, so it cannot be given with ids"),
    RefusedCall(
      arguments: ["-p", "fal", "k1", "--yes", "--dry-run"], code: 2,
      message: "'--dry-run' deletes nothing, so it takes no '--yes'"),
    RefusedCall(
      arguments: ["k1", "--yes"], code: 2, message: "'keyctl delete ID…' needs the provider"),
    RefusedCall(
      arguments: ["-p", "fal,px0", "k1", "--yes"], code: 2,
      message: "'keyctl delete' takes at most one provider"),
    RefusedCall(
      arguments: ["-p", "fal", "k1", "a b", "--yes"], code: 2,
      message: "invalid key id 'a b' for fal: a key id is printable ASCII without spaces"),
    RefusedCall(
      arguments: ["-p", "fal", "", "--yes"], code: 2,
      message: "invalid key id '' for fal: it is empty"),
    RefusedCall(
      arguments: ["-p", "fal", "..", "--yes"], code: 2, message: "'.' and '..' name no key"),
    RefusedCall(arguments: ["-p", "fal", "ключ", "--yes"], code: 2, message: "printable ASCII"),
    RefusedCall(
      arguments: ["-p", "fal", String(repeating: "k", count: 257), "--yes"], code: 2,
      message: "it is longer than 256 bytes"),
    RefusedCall(
      arguments: ["-p", "px0", "k1", "--yes"], code: 2, message: "px0 key ids are UUIDs"),
    RefusedCall(
      arguments: ["-p", "fal", "k1", "--yes", "--org-id", "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f"],
      code: 2, message: "option '--org-id' is for px0 only"),
    RefusedCall(
      arguments: ["-p", "fal", "k1", "--yes", "--concurrency", "65"], code: 2,
      message: "invalid value '65' for '--concurrency': expected a whole number from 1 to 64"),
    RefusedCall(
      arguments: ["-p", "cartesia", "k1"], code: 8,
      message: "Cartesia's API has no endpoint to delete keys"),
  ])
  func aRefusedCallSendsNothing(_ bad: RefusedCall) async throws {
    let fal = FakeProvider(.fal, names: ["a"])
    let px0 = FakeProvider(.px0, names: [])
    let cartesia = FakeProvider(.cartesia, names: ["c"])
    let outcome = try await FakeCLI.run(["delete"] + bad.arguments, [fal, px0, cartesia])
    #expect(outcome.code == bad.code, "\(outcome.stderr)")
    #expect(outcome.stderr.contains(bad.message), "\(outcome.stderr)")
    #expect(outcome.stdout.isEmpty)
    #expect(fal.log.isEmpty && px0.log.isEmpty && cartesia.log.isEmpty)
  }

  /// Every provider the lines name is checked first: a Cartesia line (exit 8)
  /// or a provider without credentials (exit 3) stops the others' deletes too.
  @Test func everyProviderIsCheckedBeforeAnyRequest() async throws {
    let fal = FakeProvider(.fal, names: ["a"])
    let cartesia = FakeProvider(.cartesia, names: ["c"])
    let stdin = listLine("fal", "k1") + "\n" + listLine("cartesia", "k1") + "\n"
    let refused = try await FakeCLI.run(["delete", "-", "--yes"], [fal, cartesia], stdin: stdin)
    #expect(refused.code == 8)
    #expect(fal.log.isEmpty && cartesia.log.isEmpty)

    let openrouter = FakeProvider(.openrouter, names: ["b"])
    var environment = FakeCLI.environment
    environment["OPENROUTER_MANAGEMENT_KEY"] = nil
    let noCredentials = try await FakeCLI.run(
      ["delete", "-", "--yes"], [fal, openrouter],
      stdin: listLine("fal", "k1") + "\n" + listLine("openrouter", "k1") + "\n",
      environment: environment)
    #expect(noCredentials.code == 3)
    #expect(noCredentials.stderr.contains("no credentials for OpenRouter"))
    #expect(fal.log.isEmpty && openrouter.log.isEmpty)
  }

  @Test func anEmptyStdinDeletesNothingAndSaysSo() async throws {
    let fal = FakeProvider(.fal, names: ["a"])
    let outcome = try await FakeCLI.run(
      ["delete", "-p", "fal", "-", "--yes", "--json"], [fal], stdin: "\n\n")
    #expect(outcome.code == 0)
    #expect(outcome.stdout == "{\"results\":[]}\n")
    #expect(outcome.stderr.contains("no keys were given on stdin"))
    #expect(fal.log.isEmpty)
  }
}

@Suite struct DeleteConfirmationTests {
  /// Not a terminal and no --yes: exit 2, nothing sent (not even a lookup).
  @Test(arguments: [["k1"], ["-"]])
  func withoutATerminalYesIsRequired(_ ids: [String]) async throws {
    let fal = FakeProvider(.fal, names: ["a"])
    let outcome = try await FakeCLI.run(["delete", "-p", "fal"] + ids, [fal], stdin: "k1\n")
    #expect(outcome.code == 2)
    #expect(outcome.stderr.hasPrefix("keyctl: refusing to delete keys without confirmation"))
    #expect(outcome.stderr.contains("add --yes"))
    #expect(fal.log.isEmpty)
  }

  /// Keys read from stdin leave nobody to answer, even on a terminal.
  @Test func idsFromStdinNeedYesEvenOnATerminal() async throws {
    let fal = FakeProvider(.fal, names: ["a"])
    let outcome = try await FakeCLI.run(
      ["delete", "-p", "fal", "-"], [fal], stdin: "k1\n", terminal: true)
    #expect(outcome.code == 2)
    #expect(fal.log.isEmpty)
  }

  /// On a terminal keyctl looks the keys up, lists them on stderr and asks;
  /// only y or yes (any case) deletes.
  @Test(arguments: [
    ("y\n", true), ("YES\n", true), (" yes \n", true), ("Y", true), ("n\n", false), ("\n", false),
    ("yep\n", false), ("", false), ("no\n", false),
  ])
  func onlyYesDeletes(answer: String, deletes: Bool) async throws {
    let openrouter = FakeProvider(.openrouter, names: ["ci deploy", "other"])
    let outcome = try await FakeCLI.run(
      ["delete", "-p", "openrouter", "k1", "k9"], [openrouter], stdin: answer, terminal: true)
    #expect(outcome.stderr.contains("keyctl: about to delete:\n"))
    #expect(outcome.stderr.contains("  openrouter  k1  ci deploy\n"))
    #expect(outcome.stderr.contains("  openrouter  k9  (not found)\n"))
    #expect(outcome.stderr.contains("Delete 2 key(s)? [y/N] "))
    #expect(openrouter.log.first == "keys k1,k9")
    if deletes {
      #expect(outcome.code == 7)
      #expect(openrouter.ids == ["k2"])
      #expect(outcome.stdout.contains("deleted    openrouter  k1  ci deploy\n"))
      #expect(outcome.stdout.contains("not found  openrouter  k9\n"))
    } else {
      #expect(outcome.code == 1)
      #expect(outcome.stderr.contains("keyctl: nothing was deleted (the answer was not 'y')"))
      #expect(openrouter.ids == ["k1", "k2"])
      #expect(!openrouter.log.contains { $0.hasPrefix("delete") })
      #expect(outcome.stdout.isEmpty)
    }
  }

  @Test func yesSkipsTheQuestionOnATerminal() async throws {
    let fal = FakeProvider(.fal, names: ["a"])
    let outcome = try await FakeCLI.run(
      ["delete", "-p", "fal", "k1", "--yes"], [fal], terminal: true)
    #expect(outcome.code == 0)
    #expect(!outcome.stderr.contains("[y/N]"))
    #expect(fal.log == ["delete k1"])
  }
}

@Suite struct DeleteDryRunTests {
  /// Each provider is asked once for all its keys (fal's adapter pages its
  /// list once for them); nothing is deleted; a missing key makes exit 4.
  @Test func eachProviderIsAskedOnceForAllItsKeys() async throws {
    let fal = FakeProvider(.fal, names: ["a", "b", "c", "d", "e", "f", "g"])
    let openrouter = FakeProvider(.openrouter, names: ["o"])
    let stdin = [listLine("fal", "k3"), listLine("openrouter", "k1"), listLine("fal", "k1")]
    let found = try await FakeCLI.run(
      ["delete", "-", "--dry-run", "-o", "ndjson"], [fal, openrouter],
      stdin: stdin.joined(separator: "\n"))
    #expect(found.code == 0, "\(found.stderr)")
    #expect(fal.log == ["keys k3,k1"])
    #expect(openrouter.log == ["keys k1"])
    let lines = try JSONOutput.lines(found.stdout)
    #expect(lines.map { $0["id"] as? String } == ["k3", "k1", "k1"])
    #expect(lines.map { $0["provider"] as? String } == ["fal", "openrouter", "fal"])
    #expect(lines.allSatisfy { $0["result"] as? String == "would_delete" && $0["error"] is NSNull })

    let missing = try await FakeCLI.run(["delete", "-p", "fal", "k2", "k99", "--dry-run"], [fal])
    #expect(missing.code == 4)
    #expect(missing.stdout == "would delete  fal  k2   b\nnot found     fal  k99\n")
    #expect(fal.ids.count == 7)
  }

  /// A provider whose lookup fails marks its own keys failed; the others answer.
  @Test func aFailedLookupFailsOnlyItsProvidersKeys() async throws {
    let fal = FakeProvider(.fal, names: ["a"])
    let openrouter = FakeProvider(.openrouter, names: ["o"])
    openrouter.failures = [
      "keys k1": KeyError(.server, "OpenRouter answered HTTP 500", status: 500)
    ]
    let stdin = listLine("fal", "k1") + "\n" + listLine("openrouter", "k1") + "\n"
    let outcome = try await FakeCLI.run(
      ["delete", "-", "--dry-run", "-o", "ndjson"], [fal, openrouter], stdin: stdin)
    #expect(outcome.code == 7)
    let lines = try JSONOutput.lines(outcome.stdout)
    #expect(lines.map { $0["result"] as? String } == ["would_delete", "failed"])
    #expect((lines.last?["error"] as? [String: Any])?["status"] as? Int == 500)
  }

  /// The JSON of a dry run: `would_delete` results.
  @Test func aDryRunsJSONHasWouldDeleteResults() async throws {
    let openrouter = FakeProvider(.openrouter, names: ["a", "b", "c"])
    let outcome = try await FakeCLI.run(
      ["delete", "-p", "openrouter", "k2", "k3", "--dry-run", "--json"], [openrouter])
    #expect(outcome.code == 0)
    #expect(openrouter.log == ["keys k2,k3"])
    #expect(
      outcome.stdout
        == "{\"results\":[{\"provider\":\"openrouter\",\"id\":\"k2\",\"result\":\"would_delete\","
        + "\"error\":null},{\"provider\":\"openrouter\",\"id\":\"k3\",\"result\":"
        + "\"would_delete\",\"error\":null}]}\n")
  }
}

@Suite struct DeleteRunTests {
  /// Results come in input order although the deletes finish in reverse, and
  /// no more than N are ever in flight (and N are, when there is work).
  @Test(arguments: [1, 3, 8])
  func atMostNInFlightAndResultsInInputOrder(_ width: Int) async throws {
    let names = (1...20).map { "key \($0)" }
    let openrouter = FakeProvider(.openrouter, names: names)
    openrouter.deleteDelay = { id in Double(30 - (Int(id.dropFirst()) ?? 0)) / 1000 }
    let outcome = try await FakeCLI.run(
      ["delete", "-p", "openrouter", "--yes", "-o", "ndjson", "--concurrency", String(width)]
        + (1...20).map { "k\($0)" }, [openrouter])
    #expect(outcome.code == 0)
    #expect(
      try JSONOutput.lines(outcome.stdout).map { $0["id"] as? String } == (1...20).map { "k\($0)" })
    #expect(openrouter.mostInFlight == width)
  }

  @Test func eightAreInFlightByDefault() async throws {
    let openrouter = FakeProvider(.openrouter, names: (1...20).map { "key \($0)" })
    openrouter.deleteDelay = { _ in 0.01 }
    let outcome = try await FakeCLI.run(
      ["delete", "-p", "openrouter", "--yes"] + (1...20).map { "k\($0)" }, [openrouter])
    #expect(outcome.code == 0)
    #expect(openrouter.mostInFlight == 8)
  }

  /// ndjson streams: a result is written as soon as every earlier one is done,
  /// and not before.
  @Test func ndjsonWaitsOnlyForEarlierKeys() async throws {
    let fal = FakeProvider(.fal, names: ["a", "b", "c", "d"])
    fal.hold(["k1"])
    let context = try FakeCLI.context([fal])
    let run = Task {
      await Runner.run(
        ["delete", "-p", "fal", "--yes", "-o", "ndjson", "k1", "k2", "k3", "k4"], context: context)
    }
    try await pollUntil { fal.deletesFinished == 3 }
    #expect(context.stdout.text.isEmpty)
    fal.release(["k1"])
    #expect(await run.value == 0)
    #expect(
      try JSONOutput.lines(context.stdout.text).map { $0["id"] as? String } == [
        "k1", "k2", "k3", "k4",
      ])
  }

  /// Ctrl-C: no delete starts after it, the one in flight is cancelled, every
  /// finished key is reported as such and every other as interrupted; 130.
  @Test func anInterruptionReportsWhatFinished() async throws {
    let fal = FakeProvider(.fal, names: (1...10).map { "key \($0)" })
    fal.hold(["k4"])
    let context = try FakeCLI.context([fal])
    let run = Task {
      await Runner.run(
        ["delete", "-p", "fal", "--yes", "-o", "ndjson", "--concurrency", "1"]
          + (1...10).map { "k\($0)" }, context: context)
    }
    try await pollUntil { fal.deletesFinished == 3 && fal.inFlight == 1 }
    run.cancel()
    #expect(await run.value == 130)
    #expect(deletes(fal) == ["k1", "k2", "k3", "k4"])
    let lines = try JSONOutput.lines(context.stdout.text)
    #expect(lines.map { $0["id"] as? String } == (1...10).map { "k\($0)" })
    #expect(lines.prefix(3).allSatisfy { $0["result"] as? String == "deleted" })
    for line in lines.dropFirst(3) {
      #expect(line["result"] as? String == "failed")
      #expect((line["error"] as? [String: Any])?["kind"] as? String == "interrupted")
    }
    #expect(
      context.stderr.text.hasPrefix("keyctl: interrupted: 3 of 10 key(s) deleted"),
      "\(context.stderr.text)")
    #expect(fal.ids == (4...10).map { "k\($0)" })
  }

  struct ExitCase: Sendable, CustomTestStringConvertible {
    let why: String
    let ids: [String]
    let failures: [String: KeyError]
    let code: Int32
    var testDescription: String { why }
  }

  @Test(arguments: [
    ExitCase(why: "every key deleted", ids: ["k1", "k2"], failures: [:], code: 0),
    ExitCase(why: "some deleted, some not found", ids: ["k1", "k9"], failures: [:], code: 7),
    ExitCase(why: "all not found", ids: ["k8", "k9"], failures: [:], code: 4),
    ExitCase(
      why: "all failed alike (503)", ids: ["k1", "k2"],
      failures: [
        "delete k1": KeyError(.server, "OpenRouter answered HTTP 503", status: 503),
        "delete k2": KeyError(.server, "OpenRouter answered HTTP 503", status: 503),
      ], code: 6),
    ExitCase(
      why: "failures disagree (not found, 403)", ids: ["k9", "k2"],
      failures: ["delete k2": KeyError(.auth, "OpenRouter answered HTTP 403", status: 403)],
      code: 7),
    ExitCase(
      why: "one deleted, one failed", ids: ["k1", "k2"],
      failures: ["delete k2": KeyError(.server, "OpenRouter answered HTTP 500", status: 500)],
      code: 7),
  ])
  func theExitCodeSaysWhatHappened(_ test: ExitCase) async throws {
    let openrouter = FakeProvider(.openrouter, names: ["a", "b"])
    openrouter.failures = test.failures
    let outcome = try await FakeCLI.run(
      ["delete", "-p", "openrouter", "--yes", "--json"] + test.ids, [openrouter])
    #expect(outcome.code == test.code, "\(outcome.stderr)")
    let results = try #require(try JSONOutput.object(outcome.stdout)["results"] as? [[String: Any]])
    #expect(results.map { $0["id"] as? String } == test.ids)
    for result in results {
      #expect(Set(result.keys) == ["provider", "id", "result", "error"])
      if let error = result["error"] as? [String: Any] {
        #expect(Set(error.keys) == ["kind", "status", "message", "request_id"])
        #expect(result["result"] as? String == "failed")
      } else {
        #expect(result["error"] is NSNull)
      }
    }
    if test.code != 0 {
      #expect(outcome.stderr.contains("of 2 key(s) deleted"))
    } else {
      #expect(outcome.stderr.isEmpty)
    }
  }

  /// The table: one line per key — result, provider, id, name when known.
  @Test func theTableHasOneLinePerKey() async throws {
    let openrouter = FakeProvider(.openrouter, names: ["ci", "b"])
    openrouter.failures = [
      "delete k2": KeyError(.server, "OpenRouter answered HTTP 500: boom", status: 500)
    ]
    let stdin = listLine("openrouter", "k1", name: "ci") + "\nk2\nk3\n"
    let outcome = try await FakeCLI.run(
      ["delete", "-p", "openrouter", "-", "--yes"], [openrouter], stdin: stdin)
    #expect(outcome.code == 7)
    let failed = "failed: OpenRouter answered HTTP 500: boom"
    func padded(_ label: String) -> String {
      label + String(repeating: " ", count: failed.count - label.count + 2)
    }
    #expect(
      outcome.stdout
        == padded("deleted") + "openrouter  k1  ci\n" + padded(failed) + "openrouter  k2\n"
        + padded("not found") + "openrouter  k3\n")
    #expect(outcome.stderr == "keyctl: 1 of 3 key(s) deleted, 1 not found, 1 failed\n")
  }

  /// fal says 204 to any id: its deletes are always `deleted`.
  @Test func falDeletesAreAlwaysDeleted() async throws {
    let fal = FakeProvider(.fal, names: ["a"])
    fal.deletesAnything = true
    let outcome = try await FakeCLI.run(["delete", "-p", "fal", "k1", "nope", "--yes"], [fal])
    #expect(outcome.code == 0)
    #expect(outcome.stdout == "deleted  fal  k1\ndeleted  fal  nope\n")
  }

  /// stdout failing mid-run is exit 10, and no further delete starts.
  @Test func aStdoutThatFailsStopsTheDeletes() async throws {
    let fal = FakeProvider(.fal, names: ["a", "b", "c"])
    let outcome = try await FakeCLI.run(
      ["delete", "-p", "fal", "k1", "k2", "k3", "--yes", "-o", "ndjson", "--concurrency", "1"],
      [fal], stdout: OutputSink(failing: OutputFailed(code: ENOSPC)))
    #expect(outcome.code == 10)
    #expect(outcome.stderr.contains("could not write to stdout: No space left on device"))
    #expect(deletes(fal).count <= 2)
  }
}

/// Polls `condition` every 2 ms for up to 10 s.
func pollUntil(
  _ condition: @Sendable () -> Bool, sourceLocation: SourceLocation = #_sourceLocation
) async throws {
  for _ in 0..<5_000 {
    if condition() { return }
    try await Task.sleep(nanoseconds: 2_000_000)
  }
  Issue.record("the condition never held", sourceLocation: sourceLocation)
}
