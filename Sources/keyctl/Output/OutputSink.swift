import Foundation
import KeyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Thrown when the reader of stdout has gone (EPIPE: `keyctl list | head -1`).
///
/// `list` ends quietly with exit 0 on it, as a pipeline's first stage should;
/// every other command reports it as an output failure (exit 10), because
/// what it was asked to print did not arrive.
struct OutputClosed: Error {}

/// Thrown when stdout cannot take the bytes for any other reason: a full disk
/// (`> /dev/full`), a closed descriptor (`>&-`), an I/O error.
struct OutputFailed: Error {
  /// The `errno` of the failed `write`.
  let code: Int32

  /// What went wrong, in words that do not depend on the locale.
  var reason: String { OutputFailed.describe(code) }

  /// The text of the common `errno` values a write can fail with, spelled as
  /// glibc's C locale does, so that no message depends on `LANG` or on a
  /// locale's translation tables.
  static func describe(_ code: Int32) -> String {
    switch code {
    case EPIPE: "Broken pipe"
    case ENOSPC: "No space left on device"
    case EBADF: "Bad file descriptor (stdout is closed or not open for writing)"
    case EIO: "Input/output error"
    case EFBIG: "File too large"
    case EDQUOT: "Disk quota exceeded"
    case EINVAL: "Invalid argument"
    case EROFS: "Read-only file system"
    case ENXIO: "No such device or address"
    case ECONNRESET: "Connection reset by peer"
    case EPERM: "Operation not permitted"
    case EACCES: "Permission denied"
    default: "error \(code)"
    }
  }

  /// The error keyctl reports: exit 10, one line on stderr.
  var keyError: KeyError {
    KeyError(.output, "could not write to stdout: \(reason)")
  }
}

extension OutputClosed {
  /// What went wrong, in words that do not depend on the locale.
  var reason: String { OutputFailed.describe(EPIPE) + " (the reader has gone)" }

  /// The error keyctl reports when a command other than `list` loses its reader.
  var keyError: KeyError {
    KeyError(.output, "could not write to stdout: \(reason)")
  }
}

/// A byte destination for stdout or stderr: a file descriptor, or memory in tests.
///
/// Writes are buffered and flushed at points the caller chooses (after each
/// page for ndjson), and guarded by a lock because verbose logging reaches
/// stderr from several providers' tasks at once.
///
/// Every byte handed over is either written or reported: EINTR is retried,
/// EAGAIN (a non-blocking descriptor whose reader is slow) is waited out with
/// `poll`, EPIPE throws `OutputClosed` and any other error `OutputFailed`. Once
/// a write has failed, every later one fails the same way.
final class OutputSink: @unchecked Sendable {
  /// The descriptor written to, or nil for a memory sink.
  private let descriptor: Int32?
  /// Guards every field below.
  private let lock = NSLock()
  /// Bytes not yet written.
  private var buffer: [UInt8] = []
  /// Everything a memory sink has "written".
  private var captured: [UInt8] = []
  /// The failure that ended this sink, repeated to every later write.
  private var failure: (any Error)?
  /// Test hook: a memory sink that fails every flush with this error.
  private let injectedFailure: (any Error)?

  /// A sink writing to a file descriptor.
  init(descriptor: Int32) {
    self.descriptor = descriptor
    self.injectedFailure = nil
    buffer.reserveCapacity(1 << 16)
  }

  /// A sink that keeps everything in memory, for tests; with `failing`, every
  /// flush throws that error instead, as a full disk or a closed pipe would.
  init(failing: (any Error)? = nil) {
    self.descriptor = nil
    self.injectedFailure = failing
  }

  /// Everything written so far (memory sinks).
  var text: String {
    lock.lock()
    defer { lock.unlock() }
    return String(decoding: captured + buffer, as: UTF8.self)
  }

  /// Buffers text; writes once the buffer is large.
  func write(_ text: String) throws {
    try write(bytes: Array(text.utf8))
  }

  /// Buffers bytes; writes once the buffer is large.
  func write(bytes: [UInt8]) throws {
    lock.lock()
    defer { lock.unlock() }
    if let failure { throw failure }
    buffer += bytes
    if buffer.count >= 1 << 16 { try flushLocked() }
  }

  /// Writes everything buffered, or throws why it could not.
  func flush() throws {
    lock.lock()
    defer { lock.unlock() }
    try flushLocked()
  }

  /// Writes a whole line at once and flushes, ignoring failures: for stderr,
  /// where a failure to report must not become a failure of its own.
  func line(_ text: String) {
    lock.lock()
    defer { lock.unlock() }
    buffer += Array((text + "\n").utf8)
    try? flushLocked()
  }

  /// Writes the buffer out; the caller holds the lock.
  private func flushLocked() throws {
    if let failure {
      buffer.removeAll()
      throw failure
    }
    guard let descriptor else {
      if let injectedFailure {
        failure = injectedFailure
        buffer.removeAll()
        throw injectedFailure
      }
      captured += buffer
      buffer.removeAll(keepingCapacity: true)
      return
    }
    var offset = 0
    let count = buffer.count
    while offset < count {
      let written = buffer.withUnsafeBytes { raw -> Int in
        guard let base = raw.baseAddress else { return 0 }
        return Foundation.write(descriptor, base + offset, count - offset)
      }
      if written > 0 {
        offset += written
        continue
      }
      // A write that takes nothing without an error would loop forever: call it an I/O error.
      let code = written < 0 ? errno : EIO
      switch code {
      case EINTR:
        continue
      case EAGAIN, EWOULDBLOCK:
        // A non-blocking descriptor whose reader is behind: wait until it can take more.
        Self.waitUntilWritable(descriptor)
        continue
      default:
        let error: any Error = code == EPIPE ? OutputClosed() : OutputFailed(code: code)
        failure = error
        buffer.removeAll()
        throw error
      }
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Blocks until `descriptor` can be written to (or has failed, which the next
  /// `write` then reports); `poll` itself interrupted by a signal is repeated.
  private static func waitUntilWritable(_ descriptor: Int32) {
    var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
    while poll(&entry, 1, -1) < 0, errno == EINTR {}
  }
}
