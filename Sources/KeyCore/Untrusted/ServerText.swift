import Foundation

/// Server-supplied text on its way into an error: redacted first, then
/// blanked, then bounded — always in that order, so no cut can split a secret
/// into a part the redactor no longer recognises.
///
/// Every string keyctl quotes from a server in an error goes through here:
/// the provider's message, its request id (from the body or a header), the
/// Content-Type and Location headers, and excerpts of bodies it cannot read.
struct ServerText: Sendable {
  /// A provider's message is printed whole only up to this many characters.
  static let messageLimit = 300
  /// Request ids are short tokens; anything longer is cut here.
  static let requestIDLimit = 128
  /// Header values quoted in errors (Content-Type, Location).
  static let headerLimit = 200
  /// How many characters of a body an excerpt shows, counted after redaction.
  static let excerptLimit = 160
  /// How much of a body is looked at for an excerpt: enough for the excerpt
  /// whatever blanking squeezes away, without redacting megabytes.
  static let excerptWindow = 64 * 1024

  /// The secrets to mask.
  let redactor: Redactor

  /// A provider's message: redacted, blanked, at most `messageLimit` characters.
  func message(_ text: String) -> String {
    Untrusted.bounded(redactor.redact(text), limit: Self.messageLimit)
  }

  /// A request id from a body or header, or nil when nothing printable is left.
  func requestID(_ text: String?) -> String? {
    guard let text else { return nil }
    let clean = Untrusted.bounded(redactor.redact(text), limit: Self.requestIDLimit)
    return clean.isEmpty ? nil : clean
  }

  /// A header value quoted in an error (Content-Type, Location).
  func header(_ text: String) -> String {
    Untrusted.bounded(redactor.redact(text), limit: Self.headerLimit)
  }

  /// A short, single-line, redacted start of a body, in quotes, for errors
  /// about a body keyctl cannot read. Never used for the answer to a request
  /// that returns a secret (a create): that body is not quoted at all.
  func excerpt(_ body: Data) -> String {
    if body.isEmpty { return "(empty body)" }
    let window = body.prefix(Self.excerptWindow)
    var text = redactor.redact(String(decoding: window, as: UTF8.self))
    if body.count > window.count {
      // A secret cut by the window's end was not recognised: drop the tail
      // that could hold its start.
      text = String(text.dropLast(redactor.longestSecret))
    }
    let flat = Untrusted.blank(text)
    let cut = flat.count > Self.excerptLimit || body.count > window.count
    return "\"" + String(flat.prefix(Self.excerptLimit)) + (cut ? "…" : "") + "\""
  }
}
