import Foundation
import KeyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A scratch directory for a config file, secret files and the marker files a
/// credential command leaves; removed when the value is released.
final class ConfigFixture: Sendable {
  /// Its absolute path; also the `HOME` of the runs that use it, so `~/` names it.
  let path: String

  /// Makes an empty directory under the system's temporary directory.
  init() throws {
    let base = NSTemporaryDirectory()
    let separator = base.hasSuffix("/") ? "" : "/"
    var template = Array((base + separator + "keyctl-config-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else { throw KeyError(.unexpected, "mkdtemp failed") }
    path = String(cString: made)
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// The config file's path (written by `config`).
  var configPath: String { path + "/config.toml" }

  /// Writes the config file.
  @discardableResult
  func config(_ text: String) throws -> String {
    try write("config.toml", text)
  }

  /// Writes `text` to `name` with `mode` (0600 unless said), returning its path.
  @discardableResult
  func write(_ name: String, _ text: String, mode: mode_t = 0o600) throws -> String {
    let file = path + "/" + name
    guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8)) else {
      throw KeyError(.unexpected, "cannot write \(file)")
    }
    guard chmod(file, mode) == 0 else { throw KeyError(.unexpected, "cannot chmod \(file)") }
    return file
  }

  /// The path of `name` in the directory (for marker and counter files).
  func file(_ name: String) -> String { path + "/" + name }

  /// Whether `name` exists: a credential command that touches it has run.
  func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

  /// The contents of `name`, or "" when it does not exist.
  func read(_ name: String) -> String {
    (try? String(contentsOfFile: file(name), encoding: .utf8)) ?? ""
  }

  /// An environment naming this config file (`KEYCTL_CONFIG`) and this
  /// directory as `HOME`, plus `extra`.
  func environment(_ extra: [String: String] = [:]) -> [String: String] {
    ["KEYCTL_CONFIG": configPath, "HOME": path, "PATH": "/usr/bin:/bin"].merging(extra) { $1 }
  }
}
