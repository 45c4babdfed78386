#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Turns a resolved credential source into the credential: reads the variable,
/// the file or the command's output.
///
/// Every failure is an auth error (exit 3, "no usable credentials") that says
/// which provider, which source and where it was configured, and never
/// contains anything the source produced: a wrong file or a chatty command
/// must not put a secret on the screen.
public struct CredentialReader: Sendable {
  /// The largest credential accepted from a file or a command; real ones are
  /// under a kilobyte, and a larger output is a wrong file or command.
  public static let maximumSize = 65_536

  /// The environment: where `credential_env` and the provider variables are
  /// read, `HOME` for `~/`, and the environment a command runs with.
  public var environment: [String: String]
  /// How long a `credential_command` may run (DESIGN.md: 30 s).
  public var commandTimeout: Duration
  /// Where a command's stderr goes: keyctl's stderr, so that a password
  /// manager's own messages reach the user.
  public var standardError: Int32

  /// Creates a reader.
  public init(
    environment: [String: String], commandTimeout: Duration = .seconds(30),
    standardError: Int32 = 2
  ) {
    self.environment = environment
    self.commandTimeout = commandTimeout
    self.standardError = standardError
  }

  /// Reads the credential `resolved` names for `provider`.
  ///
  /// Throws `KeyError(.auth)` when the source yields no usable credential and
  /// `KeyError(.interrupted)` when the calling task is cancelled while a command
  /// runs (the command is killed first).
  public func read(_ resolved: ResolvedCredential, provider: String) async throws(KeyError)
    -> Credential
  {
    switch resolved.source {
    case .environment(let names):
      return try variables(names, resolved, provider: provider)
    case .file(let path):
      return Credential(
        source: resolved.description, secret: try file(path, resolved, provider: provider))
    case .command(let command):
      return Credential(
        source: resolved.description, secret: try await run(command, resolved, provider: provider))
    }
  }

  /// Reads a credential from a variable or a file, and runs nothing: nil for
  /// a `credential_command`. For what must not have side effects (`keyctl
  /// providers` shows a masked credential, but never runs a command).
  public func readWithoutRunning(_ resolved: ResolvedCredential, provider: String)
    -> Result<Credential, KeyError>?
  {
    switch resolved.source {
    case .environment(let names):
      Result { () throws(KeyError) in try variables(names, resolved, provider: provider) }
    case .file(let path):
      Result { () throws(KeyError) in
        Credential(
          source: resolved.description, secret: try file(path, resolved, provider: provider))
      }
    case .command:
      nil
    }
  }

  /// The credential the variables `names` hold (several joined with `:`), read
  /// as the provider's own variables are; every one must be set.
  private func variables(_ names: [String], _ resolved: ResolvedCredential, provider: String)
    throws(KeyError) -> Credential
  {
    // The provider's own variables keep their names as the source (auth hints
    // say "fal refused FAL_KEY"); a config file's credential_env says where it
    // was configured.
    let source: String?
    if case .environment = resolved.origin { source = nil } else { source = resolved.description }
    if let credential = Credential.environment(names, in: environment, source: source) {
      return credential
    }
    let name =
      names.first { !Credential.isSet($0, in: environment) } ?? names.joined(separator: "+")
    throw KeyError(
      .auth,
      "\(provider) credential_env \(name) (\(resolved.context)) is not set in the environment",
      provider: ProviderID(rawValue: provider),
      hint: "Export \(name), or change credential_env.")
  }

  /// The trimmed contents of a credential file that only its owner can read.
  private func file(_ written: String, _ resolved: ResolvedCredential, provider: String)
    throws(KeyError) -> String
  {
    let what = "\(provider) credential_file \(written) (\(resolved.context))"
    func failure(_ problem: String, hint: String) -> KeyError {
      KeyError(.auth, "\(what) \(problem)", provider: ProviderID(rawValue: provider), hint: hint)
    }
    var path = written
    if written == "~" || written.hasPrefix("~/") {
      guard let home = environment["HOME"], !home.isEmpty else {
        throw failure(
          "cannot be found: HOME is not set, so ~ cannot be expanded",
          hint: "Set HOME, or write the path in full.")
      }
      path = ConfigLocation.join(home, String(written.dropFirst(2)))
    }
    let contents: FileContents
    switch readFileWithMode(path, limit: Self.maximumSize) {
    case .success(let read):
      contents = read
    case .failure(.missing):
      throw failure(
        "does not exist", hint: "Create it holding the credential (chmod 600), or fix the path.")
    case .failure(let other):
      throw failure("cannot be read: \(other.reason)", hint: "Fix the file or the path.")
    }
    guard contents.mode & 0o044 == 0 else {
      throw failure(
        "is readable by group or others (mode \(Self.octal(contents.mode))); keyctl refuses it, "
          + "as ssh does",
        hint: "Make it private: chmod 600 '\(path)'.")
    }
    switch Self.credential(from: contents.bytes) {
    case .success(let secret):
      return secret
    case .failure(let problem):
      throw failure(
        problem.rawValue, hint: "The file must hold the credential alone, on one line.")
    }
  }

  /// The trimmed stdout of a `credential_command`.
  private func run(_ command: String, _ resolved: ResolvedCredential, provider: String)
    async throws(KeyError) -> String
  {
    let what = "\(provider) credential_command `\(command)` (\(resolved.context))"
    let id = ProviderID(rawValue: provider)
    let advice = "Run the command in a shell to see what it prints; keyctl never shows its output."
    func failure(_ problem: String, hint: String = advice) -> KeyError {
      KeyError(.auth, "\(what) \(problem)", provider: id, hint: hint)
    }
    let outcome = await ShellCommand.run(
      command, environment: environment, timeout: commandTimeout, standardError: standardError,
      outputLimit: Self.maximumSize)
    switch outcome {
    case .exited(0, let output):
      switch Self.credential(from: output) {
      case .success(let secret): return secret
      case .failure(let problem): throw failure("failed: its output \(problem.rawValue)")
      }
    case .exited(let status, _):
      throw failure("failed: it exited with status \(status)")
    case .signaled(let signal):
      throw failure("failed: it was ended by signal \(signal)")
    case .timedOut:
      throw failure(
        "did not finish within \(Self.seconds(commandTimeout)) and was stopped",
        hint: "Its stdin is /dev/null and it runs in its own process group, so a command that "
          + "waits for input (a password prompt, even one on /dev/tty) cannot finish; unlock the "
          + "password manager first. " + advice)
    case .outputTooLarge:
      throw failure("failed: it printed more than \(Self.maximumSize) bytes and was stopped")
    case .cancelled:
      throw KeyError(.interrupted, "interrupted while running \(what)", provider: id)
    case .spawnFailed(let code):
      throw failure("could not be started with /bin/sh (error \(code))", hint: "Check /bin/sh.")
    }
  }

  /// Why a file's or a command's bytes are not a usable credential; the raw
  /// value completes "the file …" / "its output …".
  enum Problem: String, Error {
    /// Nothing but whitespace.
    case empty = "is empty"
    /// Not UTF-8.
    case notText = "is not UTF-8 text"
    /// A line break or another control character between the first and last
    /// visible characters: a header built from it would be broken or forged.
    case control = "holds more than one line or a control character"
  }

  /// The credential in `bytes`: whitespace trimmed from both ends (a trailing
  /// newline is what editors and `echo` leave), then refused when empty, not
  /// UTF-8, or holding a control character.
  static func credential(from bytes: [UInt8]) -> Result<String, Problem> {
    var scalars: [Unicode.Scalar] = []
    var iterator = bytes.makeIterator()
    var parser = Unicode.UTF8.ForwardParser()
    decoding: while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let encoded): scalars.append(Unicode.UTF8.decode(encoded))
      case .error: return .failure(.notText)
      case .emptyInput: break decoding
      }
    }
    let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
    guard let first = scalars.firstIndex(where: { !isSpace($0) }),
      let last = scalars.lastIndex(where: { !isSpace($0) })
    else { return .failure(.empty) }
    let trimmed = scalars[first...last]
    guard !trimmed.contains(where: TOMLParser.isControl) else { return .failure(.control) }
    var text = ""
    text.unicodeScalars.append(contentsOf: trimmed)
    return .success(text)
  }

  /// A file mode as `ls` and `chmod` write it: four octal digits.
  static func octal(_ mode: UInt32) -> String {
    let digits = String(mode, radix: 8)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }

  /// A duration in seconds as messages say it: `30 s`, `0.5 s`.
  static func seconds(_ duration: Duration) -> String {
    let (whole, fraction) = duration.components
    if fraction == 0 { return "\(whole) s" }
    return "\(Double(whole) + Double(fraction) / 1e18) s"
  }
}

/// Credentials read at most once per provider per process.
///
/// A `credential_command` may prompt a password manager or take seconds, and a
/// run may need a provider's credential in several places; the first caller
/// reads it and every later (or concurrent) caller gets the same result,
/// failures included, so a failing command is not run twice either.
public actor CredentialCache {
  /// How credentials are read.
  private let reader: CredentialReader
  /// The read (finished or in flight) of each provider's credential.
  private var reads: [String: Task<Result<Credential, KeyError>, Never>] = [:]

  /// Creates an empty cache; hold one per process.
  public init(reader: CredentialReader) {
    self.reader = reader
  }

  /// The credential for `provider` from `resolved`, read on first use.
  ///
  /// Cancelling the caller cancels the read (and kills a running command);
  /// since that ends the process's use of the credential (Ctrl-C), it is
  /// remembered as interrupted like any other result.
  public func credential(for provider: String, _ resolved: ResolvedCredential)
    async throws(KeyError) -> Credential
  {
    let task: Task<Result<Credential, KeyError>, Never>
    if let existing = reads[provider] {
      task = existing
    } else {
      let reader = reader
      task = Task {
        do throws(KeyError) {
          return .success(try await reader.read(resolved, provider: provider))
        } catch {
          return .failure(error)
        }
      }
      reads[provider] = task
    }
    let result = await withTaskCancellationHandler {
      await task.value
    } onCancel: {
      task.cancel()
    }
    return try result.get()
  }
}
