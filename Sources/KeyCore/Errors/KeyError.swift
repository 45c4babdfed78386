/// The one error type keyctl reports.
///
/// Every failure, from a bad flag to a provider's 503, becomes a `KeyError`
/// whose `kind` decides the exit code, so the exit-code table lives in one
/// switch and the message is rendered in one place.
public struct KeyError: Error, Sendable, Equatable {
  /// What sort of failure this is; maps one-to-one onto an exit code.
  public enum Kind: String, Sendable, CaseIterable {
    /// A bad command, option or value, or a request the provider refused as invalid.
    case usage
    /// Credentials missing, refused, or without permission.
    case auth
    /// The provider said the thing does not exist.
    case notFound = "not_found"
    /// The provider kept answering 429 after the retries.
    case rateLimited = "rate_limited"
    /// The provider failed (5xx).
    case server
    /// The network failed: timeout, refused or dropped connection, refused redirect.
    case network
    /// The provider answered something keyctl cannot read.
    case badResponse = "bad_response"
    /// The provider's API does not offer the operation.
    case unsupported
    /// Some providers answered and some failed.
    case partial
    /// The user pressed Ctrl-C, or keyctl was sent SIGTERM or SIGHUP.
    case interrupted
    /// keyctl could not write its output (stdout full, closed, or an I/O error):
    /// the data asked for did not arrive, so this is never a success.
    case output
    /// Anything else.
    case unexpected
    /// The user answered a confirmation prompt with anything but yes: nothing
    /// was changed, and a script that wraps keyctl must not read that as success.
    case declined
  }

  /// What sort of failure this is.
  public var kind: Kind
  /// What happened, in one sentence, without any secret.
  public var message: String
  /// The provider involved, if any.
  public var provider: ProviderID?
  /// The HTTP status the provider answered with, if any.
  public var status: Int?
  /// The provider's request id, for a support ticket.
  public var requestID: String?
  /// What the user can do next.
  public var hint: String?

  /// Creates an error; `message` must already be free of secrets.
  public init(
    _ kind: Kind, _ message: String, provider: ProviderID? = nil, status: Int? = nil,
    requestID: String? = nil, hint: String? = nil
  ) {
    self.kind = kind
    self.message = message
    self.provider = provider
    self.status = status
    self.requestID = requestID
    self.hint = hint
  }

  /// The process exit code for this error (the table in README.md).
  public var exitCode: Int32 {
    switch kind {
    case .unexpected, .declined: 1
    case .usage: 2
    case .auth: 3
    case .notFound: 4
    case .rateLimited: 5
    case .server, .network, .badResponse: 6
    case .partial: 7
    case .unsupported: 8
    case .output: 10
    case .interrupted: 130
    }
  }

  /// The kind a provider's HTTP status means, whatever its body says (the
  /// table in DESIGN.md and README.md).
  ///
  /// Every status maps somewhere other than `.unexpected`: exit 1 is kept for
  /// bugs in keyctl, and a status it has never heard of is still the
  /// provider's failure, not keyctl's.
  public static func kind(forStatus status: Int) -> Kind {
    switch status {
    // The request was wrong: a validation error, a conflict, too large, a URI too long.
    case 400, 409, 413, 414, 422: .usage
    // 402 is how OpenRouter says the account is out of credits: a permission problem.
    case 401, 402, 403: .auth
    // 410 Gone: the thing existed and does not any more.
    case 404, 410: .notFound
    case 429: .rateLimited
    // A request timeout and a 3xx keyctl did not follow are the way there, not the provider.
    case 408, 300..<400: .network
    // Every other 4xx (405, 451, …) and every 5xx (501 too): nothing the user can fix here.
    case 400..<600: .server
    // 1xx as a final answer, 2xx where an error was expected, or outside 100–599.
    default: .badResponse
    }
  }
}
