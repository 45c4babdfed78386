import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Ctrl-C handling: cancel the running command (which cancels in-flight
/// requests and exits 130), and if it has not ended two seconds later, exit 130
/// from a SIGALRM handler.
///
/// A real signal handler writes one byte to a pipe (the only thing it may
/// safely do) and a dispatch source on that pipe does the rest. A dispatch
/// signal source alone is not enough on Linux: it reads the signal through
/// `signalfd`, and with `SIG_IGN` the kernel drops a SIGINT that a thread not
/// blocking it (the main thread waiting in libdispatch does not) happens to take.
enum Interrupts {
  /// The pipe's write end, for the signal handler; set once before the handler exists.
  nonisolated(unsafe) private static var wakeDescriptor: Int32 = -1

  /// Async-signal-safe: wakes the dispatch source and arms the fallback.
  private static func wake() {
    var byte: UInt8 = 1
    _ = write(wakeDescriptor, &byte, 1)
    alarm(2)
  }

  /// Installs the handler; keep the returned source alive for the process.
  static func install(onInterrupt: @escaping @Sendable () -> Void) -> (any DispatchSourceRead)? {
    var descriptors: [Int32] = [-1, -1]
    guard pipe(&descriptors) == 0 else { return nil }
    wakeDescriptor = descriptors[1]
    let source = DispatchSource.makeReadSource(fileDescriptor: descriptors[0], queue: .global())
    source.setEventHandler {
      source.cancel()
      onInterrupt()
    }
    source.resume()
    // SIGINT is blocked in this thread and so in every thread made from here on,
    // and a thread of our own takes it with sigwait: that works whatever mask or
    // disposition keyctl inherited. The handler covers a thread that unblocks
    // signals anyway (libdispatch's main-thread wait does).
    var interrupt = sigset_t()
    sigemptyset(&interrupt)
    sigaddset(&interrupt, SIGINT)
    pthread_sigmask(SIG_BLOCK, &interrupt, nil)
    var alarmSet = sigset_t()
    sigemptyset(&alarmSet)
    sigaddset(&alarmSet, SIGALRM)
    pthread_sigmask(SIG_UNBLOCK, &alarmSet, nil)
    // The fallback must not depend on dispatch: if the command has not ended two
    // seconds after Ctrl-C, SIGALRM ends the process with 130 from the handler.
    signal(SIGALRM) { _ in
      let message: StaticString = "keyctl: interrupted\n"
      _ = write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
      _exit(130)
    }
    signal(SIGINT) { _ in Interrupts.wake() }
    let waiter = Thread {
      var waitFor = sigset_t()
      sigemptyset(&waitFor)
      sigaddset(&waitFor, SIGINT)
      var received: Int32 = 0
      while sigwait(&waitFor, &received) == 0 { Interrupts.wake() }
    }
    waiter.start()
    return source
  }
}
