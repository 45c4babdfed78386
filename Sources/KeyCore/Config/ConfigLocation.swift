import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where keyctl looks for its config file, worked out from the environment alone.
///
/// A pure function of the environment so that tests (and `keyctl providers`)
/// can say which file applies without touching the disk.
public struct ConfigLocation: Sendable, Equatable {
  /// The file's path.
  public var path: String
  /// The variable that chose it (`KEYCTL_CONFIG`, `XDG_CONFIG_HOME` or `HOME`),
  /// for messages.
  public var variable: String
  /// Whether `KEYCTL_CONFIG` named it: then a missing file is an error, because
  /// the user asked for that file and silently ignoring it would hide a typo.
  public var isExplicit: Bool { variable == "KEYCTL_CONFIG" }

  /// Creates a location.
  public init(path: String, variable: String) {
    self.path = path
    self.variable = variable
  }

  /// `$KEYCTL_CONFIG`, else `$XDG_CONFIG_HOME/keyctl/config.toml` (only when
  /// absolute, as the XDG spec says), else `$HOME/.config/keyctl/config.toml`;
  /// nil when none applies (`HOME` unset): then there is simply no config file.
  /// Empty variables count as unset, as everywhere in keyctl.
  public static func resolve(environment: [String: String]) -> ConfigLocation? {
    func value(_ name: String) -> String? {
      guard let text = environment[name], !text.isEmpty else { return nil }
      return text
    }
    if let path = value("KEYCTL_CONFIG") {
      return ConfigLocation(path: path, variable: "KEYCTL_CONFIG")
    }
    if let base = value("XDG_CONFIG_HOME"), base.hasPrefix("/") {
      return ConfigLocation(path: join(base, "keyctl/config.toml"), variable: "XDG_CONFIG_HOME")
    }
    if let home = value("HOME") {
      return ConfigLocation(path: join(home, ".config/keyctl/config.toml"), variable: "HOME")
    }
    return nil
  }

  /// `base/rest` without a doubled slash when `base` ends in one.
  static func join(_ base: String, _ rest: String) -> String {
    base.hasSuffix("/") ? base + rest : base + "/" + rest
  }
}

extension ConfigFile {
  /// The largest config file keyctl reads: far more than any real one, small
  /// enough that a wrong path (a log, a device) fails fast instead of filling memory.
  public static let maximumSize = 1 << 20

  /// Reads and parses the file at `location`; nil when there is no location or
  /// the file does not exist and was not named by `KEYCTL_CONFIG`.
  ///
  /// A missing file named by `KEYCTL_CONFIG`, or any file that exists but cannot
  /// be read (permissions, a directory, too large), is a usage error (exit 2)
  /// naming it: the user meant keyctl to use it.
  public static func load(_ location: ConfigLocation?, schema: ConfigSchema) throws(KeyError)
    -> ConfigFile?
  {
    guard let location else { return nil }
    let bytes: [UInt8]
    switch readFile(location.path, limit: maximumSize) {
    case .success(let contents):
      bytes = contents
    case .failure(.missing) where !location.isExplicit:
      return nil
    case .failure(let failure):
      throw KeyError(
        .usage,
        "cannot read the config file \(location.path) (from \(location.variable)): "
          + failure.reason,
        hint: location.isExplicit
          ? "Unset KEYCTL_CONFIG or point it at a readable file."
          : "Fix or remove the file; keyctl runs without one.")
    }
    return try parse(bytes, path: location.path, schema: schema)
  }
}

/// Why a small file could not be read; spelled out by hand because `strerror`
/// follows the locale.
enum FileReadFailure: Error, Equatable {
  /// It does not exist (ENOENT, or a path component is not a directory).
  case missing
  /// Anything else: the reason in words.
  case unreadable(String)
  /// It is larger than the limit.
  case tooLarge(Int)
  /// It is not a regular file (a directory, a FIFO, a device).
  case notRegular

  /// The reason as a message says it.
  var reason: String {
    switch self {
    case .missing: "no such file"
    case .unreadable(let why): why
    case .tooLarge(let limit): "it is larger than \(limit) bytes"
    case .notRegular: "it is not a regular file"
    }
  }
}

/// What `readFile` learnt about a file besides its bytes.
struct FileContents {
  /// The whole file.
  var bytes: [UInt8]
  /// Its permission bits (`st_mode & 0o7777`).
  var mode: UInt32
}

/// Reads a whole regular file of at most `limit` bytes.
func readFile(_ path: String, limit: Int) -> Result<[UInt8], FileReadFailure> {
  readFileWithMode(path, limit: limit).map(\.bytes)
}

/// Reads a whole regular file of at most `limit` bytes, with its mode from the
/// same open descriptor (so a check of the mode is about the bytes read).
///
/// Opened non-blocking so that a FIFO at the path cannot hang keyctl before the
/// "not a regular file" check refuses it.
func readFileWithMode(_ path: String, limit: Int) -> Result<FileContents, FileReadFailure> {
  let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
  guard descriptor >= 0 else { return .failure(openFailure(errno)) }
  defer { close(descriptor) }
  var info = stat()
  guard fstat(descriptor, &info) == 0 else { return .failure(openFailure(errno)) }
  guard (info.st_mode & S_IFMT) == S_IFREG else { return .failure(.notRegular) }
  guard Int(info.st_size) <= limit else { return .failure(.tooLarge(limit)) }
  var bytes: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 16_384)
  while true {
    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
    if count < 0 {
      if errno == EINTR || errno == EAGAIN { continue }
      return .failure(openFailure(errno))
    }
    if count == 0 { break }
    bytes += buffer.prefix(count)
    if bytes.count > limit { return .failure(.tooLarge(limit)) }
  }
  return .success(FileContents(bytes: bytes, mode: UInt32(info.st_mode) & 0o7777))
}

/// The failure an `open`/`read` errno means, in words that do not depend on the locale.
private func openFailure(_ code: Int32) -> FileReadFailure {
  switch code {
  case ENOENT, ENOTDIR: .missing
  case EACCES, EPERM: .unreadable("permission denied")
  case EISDIR: .notRegular
  case ELOOP: .unreadable("too many symbolic links")
  case ENAMETOOLONG: .unreadable("the path is too long")
  case EIO: .unreadable("an I/O error")
  default: .unreadable("error \(code)")
  }
}
