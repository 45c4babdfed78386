import Foundation
import KeyCore
import Testing

@testable import keyctl

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs keyctl in-process with a stdout that fails every flush with `failure`.
private func runWithFailingStdout(
  _ arguments: [String], failure: any Error, transport: any HTTPTransport = NoNetwork(),
  environment: [String: String] = TestCLI.falEnvironment
) async -> Outcome {
  let context = CommandContext(
    environment: environment, stdout: OutputSink(failing: failure), stderr: OutputSink(),
    stdoutIsTTY: false, transport: transport, sleep: { _ in })
  let code = await Runner.run(arguments, context: context)
  return Outcome(code: code, stdout: context.stdout.text, stderr: context.stderr.text)
}

/// A pipe whose ends are closed when the test is done.
private final class TestPipe {
  /// The end a reader reads.
  let readEnd: Int32
  /// The end keyctl's sink writes.
  let writeEnd: Int32

  /// Opens the pipe.
  init() throws {
    var descriptors: [Int32] = [-1, -1]
    guard pipe(&descriptors) == 0 else { throw POSIXError(.EMFILE) }
    readEnd = descriptors[0]
    writeEnd = descriptors[1]
  }

  deinit {
    close(readEnd)
    close(writeEnd)
  }
}

/// The sink itself, on real descriptors: every byte written or an error named.
@Suite struct OutputSinkTests {
  /// A non-blocking pipe read slowly: EAGAIN is waited out, nothing is dropped.
  @Test func aNonBlockingPipeReadSlowlyGetsEveryByte() async throws {
    let pipe = try TestPipe()
    let (readEnd, writeEnd) = (pipe.readEnd, pipe.writeEnd)
    _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
    let sink = OutputSink(descriptor: writeEnd)
    let lines = 2000  // 2 MB: many times a pipe's buffer
    async let received = offThePool { () -> Int in
      var total = 0
      var buffer = [UInt8](repeating: 0, count: 4096)
      while total < lines * 1000 {
        usleep(200)
        let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, 4096) }
        if count > 0 { total += count } else if count == 0 { break }
      }
      return total
    }
    let written = await offThePool { () -> Result<Void, any Error> in
      Result {
        let line = Array(repeating: UInt8(ascii: "x"), count: 999) + [0x0A]
        for _ in 0..<lines { try sink.write(bytes: line) }
        try sink.flush()
      }
    }
    try written.get()
    #expect(await received == lines * 1000)
  }

  /// A full device, and a descriptor not open for writing (what `>&-` becomes).
  @Test(arguments: [
    ("/dev/full", O_WRONLY, ENOSPC, "No space left on device"),
    ("/dev/null", O_RDONLY, EBADF, "Bad file descriptor"),
  ])
  func aFailingDescriptorIsAnOutputFailureNamingItsErrno(
    path: String, flags: Int32, code: Int32, text: String
  ) throws {
    let descriptor = open(path, flags)
    try #require(descriptor >= 0)
    defer { close(descriptor) }
    let sink = OutputSink(descriptor: descriptor)
    try sink.write("key\n")
    let error = #expect(throws: OutputFailed.self) { try sink.flush() }
    #expect(error?.code == code)
    #expect(error?.keyError.message.hasPrefix("could not write to stdout: \(text)") == true)
    #expect(error?.keyError.exitCode == 10)
    // Later writes fail the same way instead of pretending to succeed.
    #expect(throws: OutputFailed.self) {
      try sink.write("more\n")
      try sink.flush()
    }
  }

  @Test func aPipeWithoutAReaderIsOutputClosed() throws {
    // As keyctl's main does: a write to a closed pipe is EPIPE, not death by SIGPIPE.
    signal(SIGPIPE, SIG_IGN)
    var descriptors: [Int32] = [-1, -1]
    try #require(pipe(&descriptors) == 0)
    close(descriptors[0])
    defer { close(descriptors[1]) }
    let sink = OutputSink(descriptor: descriptors[1])
    try sink.write("key\n")
    #expect(throws: OutputClosed.self) { try sink.flush() }
  }

  @Test(arguments: [ENOSPC, EBADF, EIO, EPIPE, EFBIG, EDQUOT, 9999])
  func everyErrnoHasALocaleFreeDescription(code: Int32) {
    let text = OutputFailed.describe(code)
    #expect(!text.isEmpty)
    #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
  }
}

/// What each command does when stdout fails (exit 10, one line) or its reader
/// goes (quiet 0 for `list` only).
@Suite struct OutputFailureCommandTests {
  static let failures: [(String, any Error)] = [
    ("ENOSPC", OutputFailed(code: ENOSPC)), ("EBADF", OutputFailed(code: EBADF)),
    ("EIO", OutputFailed(code: EIO)), ("EPIPE", OutputClosed()),
  ]

  /// The key exists at the provider but its secret is lost: exit 10, the key
  /// named with the command that revokes it, the secret nowhere.
  @Test(arguments: ["-q", "--json", "--table"], [0, 1, 2, 3])
  func aCreateWhoseSecretCannotBeWrittenNamesTheKeyAndHowToRevokeIt(
    format: String, failure: Int
  ) async throws {
    let fal = FakeFal(keyCount: 1)
    let formatArguments = format == "--table" ? [] : [format]
    let outcome = await runWithFailingStdout(
      ["create", "-p", "fal", "--name", "ci key"] + formatArguments,
      failure: Self.failures[failure].1, transport: fal)
    #expect(outcome.code == 10, "\(outcome.stderr)")
    #expect(outcome.stderr.contains("new-key-1"), "\(outcome.stderr)")
    #expect(outcome.stderr.contains("keyctl delete -p fal new-key-1"), "\(outcome.stderr)")
    #expect(outcome.stderr.contains("'ci key'"))
    #expect(outcome.stderr.contains("secret is lost"))
    #expect(!outcome.allOutput.contains("fresh-secret"), "the secret leaked")
    #expect(!outcome.stderr.contains("shown only once"))
    #expect(fal.requests.filter { $0.method == "POST" }.count == 1)
  }

  /// An id that is not a plain shell word is not pasted into a command: the
  /// listing that finds the key by name is suggested instead.
  @Test func aCreatedIdWithOddCharactersIsNotPastedIntoACommand() {
    let key = ApiKey(provider: .fal, id: "ab c;rm -rf ~", name: "ci", createdAt: nil, raw: .null)
    let error = CreateCommand.lostSecret(
      CreatedKey(key: key, secret: "s"), name: "it's", provider: .fal, reason: "Broken pipe")
    #expect(error.hint?.contains("keyctl list -p fal --name-contains 'it'\\''s'") == true)
    #expect(error.hint?.contains("rm -rf") != true)
    #expect(error.exitCode == 10)
  }

  @Test(arguments: [0, 1, 2], ["ndjson", "json", "table"])
  func aListWhoseStdoutFailsExits10WithOneLine(failure: Int, format: String) async {
    let outcome = await runWithFailingStdout(
      ["list", "-p", "fal", "-o", format], failure: Self.failures[failure].1,
      transport: FakeFal(keyCount: 250))
    #expect(outcome.code == 10)
    let lines = outcome.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(outcome.stderr)")
    #expect(lines.first?.hasPrefix("keyctl: could not write to stdout: ") == true)
  }

  @Test(arguments: ["ndjson", "json", "table"])
  func aListWhoseReaderGoesEndsQuietly(format: String) async {
    let outcome = await runWithFailingStdout(
      ["list", "-p", "fal", "-o", format], failure: OutputClosed(),
      transport: FakeFal(keyCount: 250))
    #expect(outcome.code == 0)
    #expect(outcome.stderr.isEmpty, "\(outcome.stderr)")
  }

  /// Only `list` may lose its reader quietly: help, version and providers
  /// were asked for output that did not arrive.
  @Test(arguments: [["--help"], ["--version"], ["providers"], ["help", "list"]], [0, 3])
  func otherCommandsReportEveryWriteFailure(arguments: [String], failure: Int) async {
    let outcome = await runWithFailingStdout(arguments, failure: Self.failures[failure].1)
    #expect(outcome.code == 10)
    #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
  }
}

/// The exit codes are documented where the user looks.
@Suite struct ExitCodeTableTests {
  @Test func theHelpTableNamesEveryKindsExitCodeAndTheSignals() {
    let documented = Set(HelpRenderer.exitCodes.map { Int32($0.0) })
    for kind in KeyError.Kind.allCases {
      #expect(documented.contains(KeyError(kind, "").exitCode), "\(kind)")
    }
    #expect(documented.isSuperset(of: [9, 10, 129, 130, 143]))
    #expect(KeyError(.output, "").exitCode == 10)
  }
}
