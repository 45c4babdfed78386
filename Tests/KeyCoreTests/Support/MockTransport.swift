import Foundation
import Testing

@testable import KeyCore

/// A transport that answers from a script of expected requests, and fails the
/// test loudly on any request the script did not expect.
final class MockTransport: HTTPTransport, @unchecked Sendable {
  /// One expected request: a check of what was sent, and the answer.
  struct Step {
    let expectation: String
    let matches: @Sendable (HTTPRequest) -> Bool
    let respond: @Sendable (HTTPRequest) throws -> HTTPResponse
  }

  private let lock = NSLock()
  private var steps: [Step]
  private var sent: [HTTPRequest] = []

  /// Every request sent so far, in order.
  var requests: [HTTPRequest] { lock.withLock { sent } }

  init(_ steps: [Step] = []) {
    self.steps = steps
  }

  func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    let next = lock.withLock { () -> Step? in
      sent.append(request)
      return steps.isEmpty ? nil : steps.removeFirst()
    }
    guard let step = next else {
      Issue.record("unexpected request: \(request.method) \(request.url.absoluteString)")
      throw TransportFailure.connection("unexpected request in test")
    }
    guard step.matches(request) else {
      Issue.record(
        "request \(request.method) \(request.url.absoluteString) does not match: \(step.expectation)"
      )
      throw TransportFailure.connection("mismatched request in test")
    }
    return try step.respond(request)
  }

  /// Steps the test expected but the code never sent.
  var unusedSteps: [String] {
    lock.withLock { steps.map(\.expectation) }
  }
}

extension MockTransport.Step {
  /// Expects `method` on a URL whose path ends with `path` and whose query holds
  /// exactly `query` (order-insensitive), and answers with JSON.
  static func json(
    _ method: String, _ path: String, query: [String: String] = [:], status: Int = 200,
    headers: [String: String] = ["Content-Type": "application/json"], body: String
  ) -> Self {
    Self(
      expectation: "\(method) …\(path) \(query)",
      matches: { request in
        guard request.method == method,
          let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false),
          components.path.hasSuffix(path)
        else { return false }
        var sent: [String: String] = [:]
        for item in components.queryItems ?? [] { sent[item.name] = item.value ?? "" }
        return sent == query
      },
      respond: { _ in HTTPResponse(status: status, headers: headers, body: Data(body.utf8)) })
  }

  /// Answers any request with a transport failure (timeout, dropped connection).
  static func failure(_ failure: TransportFailure) -> Self {
    Self(
      expectation: "any request (fails)", matches: { _ in true }, respond: { _ in throw failure })
  }
}

/// Settings for adapter tests: the mock transport, instant retries, a fixed clock.
func testSettings(_ transport: MockTransport, retries: Int = 0) -> ClientSettings {
  var settings = ClientSettings(transport: transport)
  settings.retry = RetryPolicy(maxRetries: retries)
  settings.sleep = { _ in }
  settings.now = { Date(timeIntervalSince1970: 1_767_225_600) }  // 2026-01-01T00:00:00Z
  return settings
}

/// Collects every key of a listing through the real paginator.
func collect(_ provider: any KeyProvider, options: ListOptions = ListOptions()) async throws
  -> [ApiKey]
{
  var keys: [ApiKey] = []
  for try await page in PageSequence(provider: provider, options: options) {
    keys += page.keys
  }
  return keys
}

/// `json` without the white space between its tokens: what `raw` keeps of a
/// provider's object (white space inside strings stays).
func compactJSON(_ json: String) -> Data {
  var output: [UInt8] = []
  var inString = false
  var escaped = false
  for byte in json.utf8 {
    if inString {
      if escaped {
        escaped = false
      } else if byte == 0x5C {
        escaped = true
      } else if byte == 0x22 {
        inString = false
      }
      output.append(byte)
    } else if byte == 0x22 {
      inString = true
      output.append(byte)
    } else if ![0x20, 0x0A, 0x0D, 0x09].contains(byte) {
      output.append(byte)
    }
  }
  return Data(output)
}

extension MockTransport.Step {
  /// Expects exactly `method` and `url` as sent (percent-encoding included,
  /// so an id's encoding is checked), and exactly `body` as the request body
  /// (nil: none at all); answers `status` with `response`.
  static func exact(
    _ method: String, _ url: String, body: String? = nil, status: Int = 200,
    headers: [String: String] = ["Content-Type": "application/json"], response: String = ""
  ) -> Self {
    Self(
      expectation: "\(method) \(url) body \(body ?? "none")",
      matches: { request in
        request.method == method && request.url.absoluteString == url
          && request.body.map { String(decoding: $0, as: UTF8.self) } == body
      },
      respond: { _ in HTTPResponse(status: status, headers: headers, body: Data(response.utf8)) })
  }
}

/// An adapter built through the registry with `retries` instant retries.
func makeProvider(
  _ id: ProviderID, environment: [String: String], transport: MockTransport, retries: Int
) throws -> any KeyProvider {
  try ProviderRegistry(
    environment: environment, settings: testSettings(transport, retries: retries)
  ).make(id)
}
