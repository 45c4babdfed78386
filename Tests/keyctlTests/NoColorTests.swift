import Foundation
import KeyCore
import Testing

@testable import keyctl

/// no-color.org: only a non-empty `NO_COLOR` turns colour off.
@Suite struct NoColorTests {
  @Test(
    arguments: [
      (nil, true), ("", true), ("1", false), ("0", false), ("false", false), (" ", false),
    ] as [(String?, Bool)])
  func onlyANonEmptyNoColorDisablesColour(value: String?, coloured: Bool) async {
    var environment = TestCLI.falEnvironment
    environment["NO_COLOR"] = value
    #expect(
      Terminal(isTTY: true, environment: environment, noColorFlag: false).useColor == coloured)
    let outcome = await TestCLI.run(
      ["list", "-p", "fal"], environment: environment, transport: FakeFal(keyCount: 2),
      stdoutIsTTY: true)
    #expect(outcome.stdout.contains("\u{1B}[") == coloured)
  }
}
