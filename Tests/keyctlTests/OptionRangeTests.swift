import Foundation
import KeyCore
import Testing

@testable import keyctl

/// Every number an option or variable takes is range-checked before use:
/// out of range is a usage error (exit 2) and nothing is sent.
@Suite struct OptionRangeTests {
  @Test(
    arguments: [
      (["--timeout", "1e16"], 2), (["--timeout", "86400.5"], 2), (["--timeout", "0.0009"], 2),
      (["--timeout", "inf"], 2), (["--timeout", "nan"], 2), (["--timeout", "-1"], 2),
      (["--max-retries", "101"], 2), (["--max-retries", "9223372036854775807"], 2),
      (["--max-retries", "-1"], 2), (["--page-size", "99999999999999999999"], 2),
      (["--limit", "99999999999999999999"], 2),
    ] as [([String], Int32)])
  func outOfRangeNumbersAreUsageErrorsBeforeAnyRequest(arguments: [String], code: Int32) async {
    let outcome = await TestCLI.run(
      ["list", "-p", "fal"] + arguments, environment: TestCLI.falEnvironment)
    #expect(outcome.code == code, "\(outcome.stderr)")
    #expect(outcome.stderr.contains("invalid value"), "\(outcome.stderr)")
  }

  @Test(arguments: [["--timeout", "86400"], ["--timeout", "0.001"], ["--max-retries", "100"]])
  func theBoundsThemselvesAreAccepted(arguments: [String]) async {
    let outcome = await TestCLI.run(
      ["list", "-p", "fal"] + arguments, environment: TestCLI.falEnvironment,
      transport: FakeFal(keyCount: 1))
    #expect(outcome.code == 0, "\(outcome.stderr)")
  }

  @Test(arguments: ["101", "-1", "1e3", "99999999999999999999"])
  func anOutOfRangeRetryVariableIsAUsageError(value: String) async {
    var environment = TestCLI.falEnvironment
    environment["KEYCTL_MAX_RETRIES"] = value
    let outcome = await TestCLI.run(["list", "-p", "fal"], environment: environment)
    #expect(outcome.code == 2)
    #expect(outcome.stderr.contains("KEYCTL_MAX_RETRIES='\(value)'"))
    #expect(outcome.stderr.contains("0 to 100"))
  }
}
