import Foundation
import KeyCore
import Testing

@testable import keyctl

/// Records what stdout held when the old key was retired.
private final class Snapshot: @unchecked Sendable {
  private let lock = NSLock()
  private var text: String?
  var value: String? { lock.withLock { text } }
  func take(_ value: String) { lock.withLock { text = value } }
}

@Suite struct RotateStepTests {
  /// Read, create, print and flush, then delete: the secret is on stdout
  /// before the old key is touched.
  @Test func theSecretIsWrittenBeforeTheOldKeyIsDeleted() async throws {
    let fal = FakeProvider(.fal, names: ["ci deploy"])
    let context = try FakeCLI.context([fal])
    let seen = Snapshot()
    fal.onDelete = { _ in seen.take(context.stdout.text) }
    let code = await Runner.run(["rotate", "-p", "fal", "k1", "--yes", "--json"], context: context)
    #expect(code == 0, "\(context.stderr.text)")
    #expect(fal.log == ["get k1", "create ci deploy", "delete k1"])
    #expect(seen.value?.contains(FakeProvider.secret(1)) == true)
    #expect(seen.value == context.stdout.text)
    #expect(fal.ids == ["new1"])
    let document = try JSONOutput.object(context.stdout.text)
    #expect(Set(document.keys) == ["old", "new", "secret", "old_key"])
    #expect((document["old"] as? [String: Any])?["id"] as? String == "k1")
    #expect((document["new"] as? [String: Any])?["id"] as? String == "new1")
    #expect((document["new"] as? [String: Any])?["name"] as? String == "ci deploy")
    #expect(document["secret"] as? String == FakeProvider.secret(1))
    #expect(document["old_key"] as? String == "deleted")
    #expect(!context.stderr.text.contains(FakeProvider.secret(1)))
    #expect(context.stderr.text.contains("the new secret is shown only once"))
  }

  @Test func quietPrintsTheSecretAloneAndNameRenames() async throws {
    let fal = FakeProvider(.fal, names: ["old name"])
    let outcome = try await FakeCLI.run(
      ["rotate", "-p", "fal", "k1", "--yes", "-q", "--name", "ci 2027"], [fal])
    #expect(outcome.code == 0)
    #expect(outcome.stdout == FakeProvider.secret(1) + "\n")
    #expect(fal.log == ["get k1", "create ci 2027", "delete k1"])
    #expect(!outcome.stderr.contains(FakeProvider.secret(1)))
  }

  @Test func theTableShowsTheNewKeyItsSecretAndTheOldKey() async throws {
    let fal = FakeProvider(.fal, names: ["ci"])
    let outcome = try await FakeCLI.run(["rotate", "-p", "fal", "k1", "--yes"], [fal])
    #expect(outcome.code == 0)
    let rows = outcome.stdout.split(separator: "\n").map {
      $0.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
    }
    #expect(
      rows.map { $0.first ?? "" } == [
        "provider", "id", "name", "scope", "created_at", "secret", "old", "old_key",
      ])
    #expect(rows[5].last == FakeProvider.secret(1))
    #expect(rows[6].last == "k1")
    #expect(rows[7].last == "deleted")
  }

  /// A create that fails changes nothing: its error and exit code, no delete.
  @Test func aFailedCreateLeavesTheOldKeyAlone() async throws {
    let fal = FakeProvider(.fal, names: ["ci"])
    fal.failures = ["create ci": KeyError(.server, "fal answered HTTP 500: boom", status: 500)]
    let outcome = try await FakeCLI.run(["rotate", "-p", "fal", "k1", "--yes"], [fal])
    #expect(outcome.code == 6)
    #expect(outcome.stdout.isEmpty)
    #expect(fal.log == ["get k1", "create ci"])
    #expect(fal.ids == ["k1"])
  }

  /// A delete that fails after the secret is out: exit 7, the secret on
  /// stdout, and on stderr the exact command that finishes the job.
  @Test func aFailedDeleteIsExitSevenWithTheCommandToFinish() async throws {
    let fal = FakeProvider(.fal, names: ["ci"])
    fal.failures = ["delete k1": KeyError(.auth, "fal answered HTTP 403: no", status: 403)]
    let outcome = try await FakeCLI.run(["rotate", "-p", "fal", "k1", "--yes", "-q"], [fal])
    #expect(outcome.code == 7)
    #expect(outcome.stdout == FakeProvider.secret(1) + "\n")
    #expect(outcome.stderr.contains("the old fal key k1 is still live"))
    #expect(outcome.stderr.contains("finish with: keyctl delete -p fal k1\n"))
    #expect(!outcome.stderr.contains(FakeProvider.secret(1)))
    #expect(fal.ids == ["new1", "k1"])
  }

  /// stdout that cannot take the secret: exit 10, the old key untouched (the
  /// new one is useless without its secret), the new one named for deletion.
  @Test(arguments: ["table", "json", "ndjson"])
  func aSecretThatCannotBeWrittenNeverRetiresTheOldKey(_ format: String) async throws {
    let fal = FakeProvider(.fal, names: ["ci"])
    let outcome = try await FakeCLI.run(
      ["rotate", "-p", "fal", "k1", "--yes", "-o", format], [fal],
      stdout: OutputSink(failing: OutputFailed(code: ENOSPC)))
    #expect(outcome.code == 10)
    #expect(fal.log == ["get k1", "create ci"])
    #expect(fal.ids == ["new1", "k1"])
    #expect(outcome.stderr.contains("created key new1 to replace k1"))
    #expect(outcome.stderr.contains("No space left on device"))
    #expect(outcome.stderr.contains("keyctl delete -p fal new1"))
    #expect(!outcome.allOutput.contains(FakeProvider.secret(1)))
  }

  @Test func theOldKeyMustExist() async throws {
    let fal = FakeProvider(.fal, names: ["ci"])
    let outcome = try await FakeCLI.run(["rotate", "-p", "fal", "k9", "--yes"], [fal])
    #expect(outcome.code == 4)
    #expect(outcome.stderr.hasPrefix("keyctl: no key k9 at fal"))
    #expect(fal.log == ["get k9"])
  }

  @Test func aKeyWithoutANameNeedsName() async throws {
    let fal = FakeProvider(.fal, keys: [FakeProvider.key(.fal, "k1", name: nil)])
    let outcome = try await FakeCLI.run(["rotate", "-p", "fal", "k1", "--yes"], [fal])
    #expect(outcome.code == 2)
    #expect(outcome.stderr.contains("name it with --name"))
    #expect(fal.log == ["get k1"])
  }
}

@Suite struct RotateRetireTests {
  @Test func disableOldDisablesInsteadOfDeleting() async throws {
    let openrouter = FakeProvider(.openrouter, names: ["batch"])
    let outcome = try await FakeCLI.run(
      ["rotate", "-p", "openrouter", "k1", "--disable-old", "--yes", "--json"], [openrouter])
    #expect(outcome.code == 0)
    #expect(openrouter.log == ["get k1", "create batch", "update k1"])
    #expect(try JSONOutput.object(outcome.stdout)["old_key"] as? String == "disabled")
  }

  @Test func aFailedDisableSaysHowToFinish() async throws {
    let openrouter = FakeProvider(.openrouter, names: ["batch"])
    openrouter.failures = [
      "update k1": KeyError(.server, "OpenRouter answered HTTP 502", status: 502)
    ]
    let outcome = try await FakeCLI.run(
      ["rotate", "-p", "openrouter", "k1", "--disable-old", "--yes"], [openrouter])
    #expect(outcome.code == 7)
    #expect(outcome.stderr.contains("finish with: keyctl update -p openrouter k1 --disable\n"))
  }

  /// --keep-old retires nothing, so it needs no --yes, and says how to finish later.
  @Test func keepOldNeedsNoYesAndKeepsTheKey() async throws {
    let fal = FakeProvider(.fal, names: ["ci"])
    let outcome = try await FakeCLI.run(
      ["rotate", "-p", "fal", "k1", "--keep-old", "-o", "ndjson"], [fal])
    #expect(outcome.code == 0, "\(outcome.stderr)")
    #expect(fal.log == ["get k1", "create ci"])
    #expect(try JSONOutput.object(outcome.stdout)["old_key"] as? String == "kept")
    #expect(outcome.stderr.contains("keyctl delete -p fal k1"))
  }

  /// px0's --in-place regenerates: same id, no create, no delete.
  @Test func inPlaceRegenerates() async throws {
    let id = "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f"
    let px0 = FakeProvider(.px0, keys: [FakeProvider.key(.px0, id, name: "render")])
    let outcome = try await FakeCLI.run(
      ["rotate", "-p", "px0", id, "--in-place", "--yes", "--json"], [px0])
    #expect(outcome.code == 0, "\(outcome.stderr)")
    #expect(px0.log == ["get \(id)", "regenerate \(id)"])
    let document = try JSONOutput.object(outcome.stdout)
    #expect(document["old_key"] as? String == "regenerated")
    #expect((document["new"] as? [String: Any])?["id"] as? String == id)
    #expect(document["secret"] as? String == FakeProvider.secret(1))
  }

  /// A secret lost after a regenerate: the old one is gone too, so the way
  /// out is another regenerate.
  @Test func aLostRegeneratedSecretSaysToRegenerateAgain() async throws {
    let id = "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f"
    let px0 = FakeProvider(.px0, keys: [FakeProvider.key(.px0, id, name: "render")])
    let outcome = try await FakeCLI.run(
      ["rotate", "-p", "px0", id, "--in-place", "--yes"], [px0],
      stdout: OutputSink(failing: OutputFailed(code: EIO)))
    #expect(outcome.code == 10)
    #expect(outcome.stderr.contains("keyctl rotate -p px0 \(id) --in-place"))
    #expect(!outcome.allOutput.contains(FakeProvider.secret(1)))
  }
}

@Suite struct RotateConfirmationTests {
  @Test func withoutATerminalYesIsRequired() async throws {
    let fal = FakeProvider(.fal, names: ["ci"])
    let outcome = try await FakeCLI.run(["rotate", "-p", "fal", "k1"], [fal])
    #expect(outcome.code == 2)
    #expect(outcome.stderr.hasPrefix("keyctl: refusing to rotate a key without confirmation"))
    #expect(fal.log.isEmpty)
  }

  @Test(arguments: [("y\n", true), ("yes\n", true), ("n\n", false), ("", false)])
  func onATerminalOnlyYesRotates(answer: String, rotates: Bool) async throws {
    let fal = FakeProvider(.fal, names: ["ci"])
    let outcome = try await FakeCLI.run(
      ["rotate", "-p", "fal", "k1"], [fal], stdin: answer, terminal: true)
    #expect(
      outcome.stderr.contains(
        "keyctl: about to replace fal key k1 (ci) with a new key (name ci), then delete the old key."
      ))
    #expect(outcome.stderr.contains("Rotate this key? [y/N] "))
    if rotates {
      #expect(outcome.code == 0)
      #expect(fal.log == ["get k1", "create ci", "delete k1"])
    } else {
      #expect(outcome.code == 1)
      #expect(fal.log == ["get k1"])
      #expect(outcome.stdout.isEmpty)
    }
  }

  /// --dry-run reads the old key and prints the plan; it sends nothing else.
  @Test func aDryRunOnlyReads() async throws {
    let fal = FakeProvider(.fal, names: ["ci"])
    let json = try await FakeCLI.run(["rotate", "-p", "fal", "k1", "--dry-run", "--json"], [fal])
    #expect(json.code == 0)
    #expect(fal.log == ["get k1"])
    let plan = try JSONOutput.object(json.stdout)
    #expect(Set(plan.keys) == ["old", "create", "old_key"])
    #expect((plan["create"] as? [String: Any])?["name"] as? String == "ci")
    #expect(plan["old_key"] as? String == "deleted")
    let table = try await FakeCLI.run(["rotate", "-p", "fal", "k1", "--dry-run"], [fal])
    #expect(table.stdout.contains("create      name ci\n"))
    #expect(table.stdout.contains("old_key     would be deleted\n"))
    #expect(fal.log == ["get k1", "get k1"])
  }

  @Test(arguments: [
    RefusedCall(
      arguments: ["-p", "fal", "k1", "--disable-old", "--yes"], code: 2,
      message: "option '--disable-old' is for OpenRouter only"),
    RefusedCall(
      arguments: ["-p", "openrouter", "k1", "--in-place", "--yes"], code: 2,
      message: "option '--in-place' is for px0 only"),
    RefusedCall(
      arguments: ["-p", "openrouter", "k1", "--keep-old", "--disable-old"], code: 2,
      message: "'--keep-old' and '--disable-old' say different things to do with the old key"),
    RefusedCall(
      arguments: ["-p", "fal", "k1", "--dry-run", "--yes"], code: 2,
      message: "'--dry-run' changes nothing, so it takes no '--yes'"),
    RefusedCall(
      arguments: [
        "-p", "px0", "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f", "--in-place", "--name", "x", "--yes",
      ], code: 2, message: "'--in-place' keeps the key's id and name"),
    RefusedCall(
      arguments: ["-p", "px0", "k1", "--yes"], code: 2, message: "px0 key ids are UUIDs"),
    RefusedCall(
      arguments: ["k1", "--yes"], code: 2, message: "'keyctl rotate' needs the provider"),
    RefusedCall(
      arguments: ["-p", "cartesia", "k1", "--yes"], code: 8,
      message: "Cartesia's API cannot rotate keys"),
    RefusedCall(
      arguments: ["-p", "cartesia"], code: 8, message: "Cartesia's API cannot rotate keys"),
  ])
  func aRefusedCallSendsNothing(_ bad: RefusedCall) async throws {
    let fal = FakeProvider(.fal, names: ["ci"])
    let openrouter = FakeProvider(.openrouter, names: ["o"])
    let px0 = FakeProvider(.px0, names: [])
    let cartesia = FakeProvider(.cartesia, names: ["c"])
    let outcome = try await FakeCLI.run(
      ["rotate"] + bad.arguments, [fal, openrouter, px0, cartesia])
    #expect(outcome.code == bad.code, "\(outcome.stderr)")
    #expect(outcome.stderr.contains(bad.message), "\(outcome.stderr)")
    for fake in [fal, openrouter, px0, cartesia] { #expect(fake.log.isEmpty) }
  }
}
