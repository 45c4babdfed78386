import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Thrown when the reader of stdout has gone (`keyctl list | head -1`).
struct OutputClosed: Error {}

/// A byte destination for stdout or stderr: a file descriptor, or memory in tests.
///
/// Writes are buffered and flushed at points the caller chooses (after each
/// page for ndjson), and guarded by a lock because verbose logging reaches
/// stderr from several providers' tasks at once.
final class OutputSink: @unchecked Sendable {
  private let descriptor: Int32?
  private let lock = NSLock()
  private var buffer: [UInt8] = []
  private var captured: [UInt8] = []
  private var closed = false

  /// A sink writing to a file descriptor.
  init(descriptor: Int32) {
    self.descriptor = descriptor
    buffer.reserveCapacity(1 << 16)
  }

  /// A sink that keeps everything in memory, for tests.
  init() {
    self.descriptor = nil
  }

  /// Everything written so far (memory sinks).
  var text: String {
    lock.lock()
    defer { lock.unlock() }
    return String(decoding: captured + buffer, as: UTF8.self)
  }

  func write(_ text: String) throws {
    try write(bytes: Array(text.utf8))
  }

  func write(bytes: [UInt8]) throws {
    lock.lock()
    defer { lock.unlock() }
    buffer += bytes
    if buffer.count >= 1 << 16 { try flushLocked() }
  }

  func flush() throws {
    lock.lock()
    defer { lock.unlock() }
    try flushLocked()
  }

  /// Writes a whole line at once and flushes, ignoring a closed reader: for
  /// stderr, where a failure to report must not become a failure of its own.
  func line(_ text: String) {
    lock.lock()
    defer { lock.unlock() }
    buffer += Array((text + "\n").utf8)
    try? flushLocked()
  }

  private func flushLocked() throws {
    if closed { throw OutputClosed() }
    guard let descriptor else {
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
      if written < 0 {
        if errno == EINTR { continue }
        closed = true
        buffer.removeAll()
        throw OutputClosed()
      }
      offset += written
    }
    buffer.removeAll(keepingCapacity: true)
  }
}
