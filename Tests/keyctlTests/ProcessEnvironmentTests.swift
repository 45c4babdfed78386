import Foundation
import Testing

@testable import keyctl

/// keyctl reads its environment straight from `environ` (cheaper at start-up
/// than building `ProcessInfo`); it must be the same dictionary, or a
/// credential or base URL variable would be read differently. (The test
/// does not `setenv`: other tests run beside it, and changing the
/// environment while another thread reads it is not safe in glibc.)
@Suite struct ProcessEnvironmentTests {
  @Test func itIsTheEnvironmentProcessInfoReads() {
    let read = CommandContext.processEnvironment()
    #expect(!read.isEmpty)
    #expect(read == ProcessInfo.processInfo.environment)
  }
}
