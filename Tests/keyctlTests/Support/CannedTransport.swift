import Foundation
import KeyCore
import Testing

/// A transport with one canned answer per request line (`"PATCH /keys/h"`,
/// the path as sent, percent-encoding and query included), for command tests
/// that need a provider to say one thing. It records every request and fails
/// the test on any request it has no answer for.
final class CannedTransport: HTTPTransport, @unchecked Sendable {
  private let lock = NSLock()
  private let answers: [String: (status: Int, body: String)]
  private var recorded: [HTTPRequest] = []

  /// Answers `"METHOD /path?query"` with its status and JSON body.
  init(_ answers: [String: (status: Int, body: String)]) {
    self.answers = answers
  }

  /// Every request received so far, in order.
  var requests: [HTTPRequest] { lock.withLock { recorded } }

  /// The bodies of the requests received so far, as text ("" for none).
  var bodies: [String] { requests.map { String(decoding: $0.body ?? Data(), as: UTF8.self) } }

  func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    lock.withLock { recorded.append(request) }
    var line = request.method + " " + request.url.path(percentEncoded: true)
    if let query = request.url.query(percentEncoded: true) { line += "?" + query }
    guard let answer = answers[line] else {
      Issue.record("unexpected request: \(line)")
      throw TransportFailure.connection("no canned answer for \(line)")
    }
    return HTTPResponse(
      status: answer.status, headers: ["Content-Type": "application/json"],
      body: Data(answer.body.utf8))
  }
}
