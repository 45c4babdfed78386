import Foundation

/// What one `keyctl audit` checks: which providers' keys, as of when, against
/// which thresholds and rules.
public struct AuditRequest: Sendable {
  /// The providers whose keys are checked, in output order.
  public var providers: [any KeyProvider]
  /// The instant the rules are evaluated at (`--as-of`, default now).
  public var asOf: Date
  /// The limits of the time-based rules.
  public var thresholds: AuditThresholds
  /// The rules checked, in `AuditRule.allCases` order.
  public var rules: [AuditRule]
  /// OpenRouter: the workspace whose keys are checked (nil: the default one).
  public var workspaceID: String?
  /// Page requests in flight at once where the provider allows it (`list`'s
  /// window: `ListOptions.concurrency`).
  public var concurrency = 1

  /// Creates a request; the defaults are DESIGN.md's (every rule, 90/30/14 days).
  public init(
    providers: [any KeyProvider], asOf: Date, thresholds: AuditThresholds = AuditThresholds(),
    rules: [AuditRule] = AuditRule.allCases, workspaceID: String? = nil
  ) {
    self.providers = providers
    self.asOf = asOf
    self.thresholds = thresholds
    self.rules = rules
    self.workspaceID = workspaceID
  }

  /// The listing behind the audit: every key of every provider, in pages of
  /// the largest size each serves.
  ///
  /// OpenRouter is asked for its disabled and expired keys too: those are the
  /// keys `disabled` and `expired` look for, and a listing that hid them could
  /// never report them. fal's `expand=creator_info` stays off: no rule reads
  /// fal's creator (`creator_left` reads Cartesia's own field), so asking for
  /// it would only make every page heavier. There is no name filter: an audit
  /// that skipped keys would pass keys it never saw.
  public var listOptions: ListOptions {
    var options = ListOptions()
    options.includeDisabled = true
    options.includeExpired = true
    options.workspaceID = workspaceID
    options.concurrency = concurrency
    return options
  }
}

/// One batch of an audit, as the listing delivers it: the keys just checked
/// and the findings among them.
public struct AuditBatch: Sendable {
  /// The provider the keys came from.
  public var provider: ProviderID
  /// The keys checked, in the provider's order (for their `notes`; the caller
  /// should not keep them, so that memory stays flat).
  public var keys: [ApiKey]
  /// The findings among `keys`, key by key, each key's in rule order.
  public var findings: [Finding]
}

/// How an audit ended.
public struct AuditResult: Sendable {
  /// Keys checked per provider of the request, 0 for one that had none or
  /// failed before its first page; a provider that failed later counts the
  /// keys it delivered before it failed.
  public var checked: [ProviderID: Int]
  /// How many findings were delivered in all.
  public var findings: Int
  /// Each provider that failed, in output order.
  public var errors: [KeyError]
}

extension Audit {
  /// Lists every key of the request's providers with the same concurrent,
  /// streaming `Listing` as `keyctl list`, evaluates each key as its page
  /// arrives and hands each page's findings to `deliver`.
  ///
  /// Nothing is kept once `deliver` returns but the counts, so an audit of
  /// 100,000 keys holds one page at a time. A provider that fails is reported
  /// in the result without stopping the others; an error thrown by `deliver`
  /// (a closed pipe) stops everything and is rethrown.
  public static func run(
    _ request: AuditRequest, deliver: (AuditBatch) async throws -> Void
  ) async throws -> AuditResult {
    var checked: [ProviderID: Int] = [:]
    for provider in request.providers { checked[provider.id] = 0 }
    var total = 0
    let judge = Judge(asOf: request.asOf, thresholds: request.thresholds, rules: request.rules)
    let listing = ListingRequest(providers: request.providers, options: request.listOptions)
    let result = try await Listing.run(listing) { provider, keys in
      checked[provider, default: 0] += keys.count
      let applicable = judge.rules(for: provider)
      var findings: [Finding] = []
      for key in keys { findings += judge.findings(for: key, among: applicable) }
      total += findings.count
      try await deliver(AuditBatch(provider: provider, keys: keys, findings: findings))
    }
    return AuditResult(checked: checked, findings: total, errors: result.errors)
  }

  /// The exit code of an audit that found keys breaking a rule while every
  /// provider answered (DESIGN.md "Exit codes"). It is not an error — the
  /// audit worked — so it is no `KeyError` kind; a CI job fails on it all the same.
  public static let findingsExitCode: Int32 = 9

  /// What `findingsExitCode` means, for the exit-code tables people read.
  public static let findingsExitSummary =
    "audit found keys that break a rule (and every provider answered)"
}
