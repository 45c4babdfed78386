import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Ctrl-C, SIGTERM and SIGHUP handling: cancel the running command (which
/// cancels in-flight requests, says so, and exits 128 + the signal: 130, 143 or
/// 129), and if it has not ended two seconds later, exit with that code from a
/// SIGALRM handler.
///
/// A CI runner stops a job with SIGTERM and a closed terminal sends SIGHUP;
/// both must be as orderly as Ctrl-C: no crash report, and during a create the
/// warning that the key may exist.
///
/// A real signal handler writes one byte to a pipe (the only thing it may
/// safely do) and a dispatch source on that pipe does the rest. A dispatch
/// signal source alone is not enough on Linux: it reads the signal through
/// `signalfd`, and with `SIG_IGN` the kernel drops a signal that a thread not
/// blocking it (the main thread waiting in libdispatch does not) happens to take.
enum Interrupts {
  /// The signals handled like Ctrl-C.
  static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]

  /// The pipe's write end, for the signal handler; set once before the handler exists.
  nonisolated(unsafe) private static var wakeDescriptor: Int32 = -1
  /// The first signal received, 0 before any; written only from `wake` (a
  /// signal handler or the waiting thread), a word-sized store the alarm
  /// handler and the main thread read.
  nonisolated(unsafe) private static var firstSignal: Int32 = 0

  /// The signal that interrupted keyctl, if one did.
  static var received: Int32? {
    let signal = firstSignal
    return signal == 0 ? nil : signal
  }

  /// The exit code for an interruption by `signal` (128 + its number, the shell's
  /// convention); 130, Ctrl-C's, when keyctl does not know which signal it was.
  static func exitCode(for signal: Int32?) -> Int32 {
    128 + (signal ?? SIGINT)
  }

  /// The name the "interrupted" message adds for `signal`; nil for Ctrl-C, which
  /// needs no explanation.
  static func name(of signal: Int32) -> String? {
    switch signal {
    case SIGTERM: "SIGTERM"
    case SIGHUP: "SIGHUP"
    default: nil
    }
  }

  /// Async-signal-safe: records the first signal, arms the fallback once (a
  /// stream of signals must not keep postponing it), and wakes the dispatch source.
  private static func wake(_ signal: Int32) {
    if firstSignal == 0 {
      firstSignal = signal
      alarm(2)
    }
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(wakeDescriptor, &byte, 1)
  }

  /// Installs the handlers; keep the returned source alive for the process.
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
    // `nohup keyctl …` starts with SIGHUP ignored on purpose: keep it that way.
    let signals = handled.filter { $0 != SIGHUP || !inheritedIgnored(SIGHUP) }
    // The signals are blocked in this thread and so in every thread made from
    // here on, and a thread of our own takes them with sigwait: that works
    // whatever mask or disposition keyctl inherited. The handler covers a
    // thread that unblocks signals anyway (libdispatch's main-thread wait does).
    var blocked = sigset_t()
    sigemptyset(&blocked)
    for number in signals { sigaddset(&blocked, number) }
    pthread_sigmask(SIG_BLOCK, &blocked, nil)
    var alarmSet = sigset_t()
    sigemptyset(&alarmSet)
    sigaddset(&alarmSet, SIGALRM)
    pthread_sigmask(SIG_UNBLOCK, &alarmSet, nil)
    // The fallback must not depend on dispatch: if the command has not ended two
    // seconds after the signal, SIGALRM ends the process from the handler.
    signal(SIGALRM) { _ in
      let message: StaticString
      switch Interrupts.firstSignal {
      case SIGTERM: message = "keyctl: interrupted (SIGTERM)\n"
      case SIGHUP: message = "keyctl: interrupted (SIGHUP)\n"
      default: message = "keyctl: interrupted\n"
      }
      _ = write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
      let first = Interrupts.firstSignal
      _exit(128 + (first == 0 ? SIGALRM : first))
    }
    for number in signals {
      signal(number) { received in Interrupts.wake(received) }
    }
    waitedFor = blocked
    startWaiter()
    return source
  }

  /// The signals the waiting thread takes with `sigwait`; set once, before it starts.
  nonisolated(unsafe) private static var waitedFor = sigset_t()

  /// Starts the thread that takes the blocked signals with `sigwait`.
  ///
  /// A plain detached pthread: a Foundation `Thread` costs its start-up
  /// machinery (thread dictionary, name, run loop bookkeeping) on every run,
  /// `keyctl --version` included, for a thread that only ever waits.
  private static func startWaiter() {
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    #if canImport(Glibc)
      var thread = pthread_t()
    #else
      var thread: pthread_t?
    #endif
    _ = pthread_create(
      &thread, &attributes,
      { _ in
        var set = Interrupts.waitedFor
        var received: Int32 = 0
        while sigwait(&set, &received) == 0 { Interrupts.wake(received) }
        return nil
      }, nil)
  }

  /// Whether `signal` was ignored when keyctl started (it stays ignored).
  private static func inheritedIgnored(_ number: Int32) -> Bool {
    let previous = signal(number, SIG_IGN)
    let ignored = address(of: previous) == address(of: SIG_IGN)
    if !ignored { signal(number, previous) }
    return ignored
  }

  /// The address of a signal disposition, to compare dispositions.
  private static func address<Handler>(of handler: Handler) -> Int {
    unsafeBitCast(handler, to: Int.self)
  }
}
