import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Ctrl-C handling: cancel the running command (which cancels in-flight
/// requests), and if it has not ended shortly after, exit 130 anyway.
enum Interrupts {
  /// Installs the handler; keep the returned source alive for the process.
  static func install(onInterrupt: @escaping @Sendable () -> Void) -> any DispatchSourceSignal {
    signal(SIGINT, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    source.setEventHandler {
      onInterrupt()
      DispatchQueue.global().asyncAfter(deadline: .now() + 2) { _exit(130) }
    }
    source.resume()
    return source
  }
}
