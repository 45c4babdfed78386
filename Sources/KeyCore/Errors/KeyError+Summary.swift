extension KeyError.Kind {
  /// One line saying what the kind's exit code means, for the tables people
  /// read: `keyctl --help` and the man page generate their
  /// exit-code table from these, so a new kind cannot be left out of it.
  ///
  /// Kinds that share an exit code (server, network, bad response: 6) each say
  /// their own part; the table joins them on one line.
  public var summary: String {
    switch self {
    case .unexpected: "unexpected failure"
    case .usage: "usage error (bad command, option or value)"
    case .auth: "authentication or permission refused, or no credentials"
    case .notFound: "not found"
    case .rateLimited: "rate limited, retries used up"
    case .server: "provider failure (5xx and other 4xx)"
    case .network: "network failure (timeout, refused or dropped connection)"
    case .badResponse: "unreadable response"
    case .partial: "partial: some providers answered, some failed (the rest is still printed)"
    case .unsupported: "operation not supported by that provider"
    case .interrupted: "interrupted (Ctrl-C)"
    case .declined: "a confirmation prompt answered no"
    case .output: "could not write the output (stdout full, closed or failing)"
    }
  }
}

extension KeyError {
  /// Every exit code an error can end keyctl with, in increasing order, each
  /// with the summaries of the kinds that map to it (joined with "; ").
  ///
  /// Built from `Kind.allCases` and `exitCode`, so the documented table and
  /// the codes keyctl really returns cannot disagree.
  public static var exitCodeSummaries: [(code: Int32, summary: String)] {
    var byCode: [Int32: [String]] = [:]
    for kind in Kind.allCases {
      byCode[KeyError(kind, "").exitCode, default: []].append(kind.summary)
    }
    return byCode.keys.sorted().map { code in
      (code, byCode[code, default: []].joined(separator: "; "))
    }
  }
}
