import Foundation
import KeyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where keyctl reads its stdin: descriptor 0, or bytes a test hands over.
///
/// Two things read it: `keyctl delete -` (the keys, one a line) and a
/// confirmation prompt (the answer, from the terminal). Both may wait for a
/// person, and Ctrl-C must end that wait at once, as it ends a request: a
/// `read` blocked in the kernel cannot be cancelled, so it runs on a thread of
/// its own and a cancelled task stops waiting for it (the process is about to
/// exit; the thread goes with it).
final class StandardInput: @unchecked Sendable {
  /// The descriptor read, or nil for bytes in memory.
  private let descriptor: Int32?
  /// Guards `memory` and `offset`.
  private let lock = NSLock()
  /// A memory input's bytes.
  private let memory: [UInt8]
  /// How much of `memory` was read.
  private var offset = 0

  /// Reads descriptor `descriptor` (0 for the process's stdin).
  init(descriptor: Int32) {
    self.descriptor = descriptor
    self.memory = []
  }

  /// Reads `text` as if it were piped in, for tests.
  init(text: String) {
    self.descriptor = nil
    self.memory = Array(text.utf8)
  }

  /// Up to `count` bytes; empty at the end of the input. A task cancelled
  /// while it waits gets `KeyError` `.interrupted` at once.
  func read(upTo count: Int) async throws -> [UInt8] {
    guard let descriptor else {
      return lock.withLock {
        let end = min(memory.count, offset + count)
        defer { offset = end }
        return Array(memory[offset..<end])
      }
    }
    let waiter = ReadWaiter()
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        waiter.start(continuation)
        Thread.detachNewThread { waiter.finish(Self.blockingRead(descriptor, count)) }
      }
    } onCancel: {
      waiter.finish(.failure(KeyError(.interrupted, "interrupted")))
    }
  }

  /// One `read(2)`, repeated when a signal interrupts it.
  private static func blockingRead(_ descriptor: Int32, _ count: Int) -> Result<[UInt8], any Error>
  {
    var bytes = [UInt8](repeating: 0, count: count)
    while true {
      let got = bytes.withUnsafeMutableBytes { raw in
        raw.baseAddress.map { Foundation.read(descriptor, $0, count) } ?? 0
      }
      if got >= 0 { return .success(Array(bytes.prefix(got))) }
      if errno == EINTR { continue }
      return .failure(
        KeyError(.usage, "could not read stdin: \(OutputFailed.describe(errno))"))
    }
  }
}

/// Hands one read's result to the task that waits for it, exactly once: the
/// read finishing and the task being cancelled race, and whichever comes
/// first resumes it (a cancellation before the wait began is kept for it).
private final class ReadWaiter: @unchecked Sendable {
  /// Guards the fields below.
  private let lock = NSLock()
  /// The waiting task, until it is resumed.
  private var continuation: CheckedContinuation<[UInt8], any Error>?
  /// A result that came before the wait began (a cancellation).
  private var early: Result<[UInt8], any Error>?
  /// Whether the task was resumed.
  private var done = false

  /// Begins the wait, ending it at once if the result came first.
  func start(_ continuation: CheckedContinuation<[UInt8], any Error>) {
    let ready: Result<[UInt8], any Error>? = lock.withLock {
      if let early {
        done = true
        return early
      }
      self.continuation = continuation
      return nil
    }
    if let ready { continuation.resume(with: ready) }
  }

  /// Ends the wait with `result`, unless it has ended already.
  func finish(_ result: Result<[UInt8], any Error>) {
    let waiting: CheckedContinuation<[UInt8], any Error>? = lock.withLock {
      guard !done else { return nil }
      guard let continuation else {
        if early == nil { early = result }
        return nil
      }
      done = true
      self.continuation = nil
      return continuation
    }
    waiting?.resume(with: result)
  }
}

/// Lines of a `StandardInput`, each at most `limit` bytes, numbered from 1.
///
/// A line longer than the limit is refused as soon as the limit is passed, so
/// a stream without line breaks cannot make keyctl hold it all; a final line
/// without a line break still counts, and a `\r` before the `\n` is dropped.
struct LineReader {
  /// A line that passed the limit: its number.
  struct TooLong: Error {
    /// The line's number, from 1.
    let line: Int
  }

  /// The input read.
  let input: StandardInput
  /// The longest line accepted, in bytes.
  let limit: Int
  /// Bytes read; those before `start` were handed out already.
  private var buffer: [UInt8] = []
  /// Where the next line begins in `buffer` (kept, not removed, so that
  /// handing out a line does not move the rest of the buffer).
  private var start = 0
  /// Whether the input has ended.
  private var ended = false
  /// The number of the last line handed out.
  private(set) var number = 0

  /// Reads `input` in lines of at most `limit` bytes.
  init(_ input: StandardInput, limit: Int) {
    self.input = input
    self.limit = limit
  }

  /// The next line without its line break, or nil at the end of the input.
  mutating func next() async throws -> [UInt8]? {
    while true {
      if let newline = buffer[start...].firstIndex(of: 0x0A) {
        let line = buffer[start..<newline]
        start = newline + 1
        return try counted(line.last == 0x0D ? line.dropLast() : line)
      }
      if buffer.count - start > limit + 1 { throw TooLong(line: number + 1) }
      if ended {
        guard start < buffer.count else { return nil }
        let line = buffer[start...]
        start = buffer.count
        return try counted(line.last == 0x0D ? line.dropLast() : line)
      }
      let chunk = try await input.read(upTo: 1 << 16)
      if chunk.isEmpty {
        ended = true
      } else {
        buffer.removeSubrange(..<start)
        start = 0
        buffer += chunk
      }
    }
  }

  /// Numbers `line` and checks it against the limit.
  private mutating func counted(_ line: ArraySlice<UInt8>) throws -> [UInt8] {
    number += 1
    guard line.count <= limit else { throw TooLong(line: number) }
    return Array(line)
  }
}
