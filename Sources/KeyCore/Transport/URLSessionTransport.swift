import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The real transport: one `URLSession` per connection group (keyctl makes one
/// group per provider), so each provider's pages reuse one kept-alive
/// connection and providers listed at once never wait for each other's.
///
/// Each session delivers its responses on a serial queue of its own, which is
/// also offered as a task executor (`executor(for:)`), so a provider's fetch
/// loop can run where its responses arrive.
///
/// Sessions are made on first use: a command that sends nothing (`--version`,
/// `--help`) does not pay for setting up URLSession and libcurl.
///
/// Redirects are followed only to the same scheme, host and port; anything else
/// is handed back as the 3xx response so the credentials never travel to a host
/// the user did not name.
public final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
  /// One connection group's session, and the executor on its delegate queue
  /// (a `SerialQueueExecutor`, typed `AnyObject` so macOS before 15 can hold it).
  private struct Group {
    let session: URLSession
    let executor: AnyObject?
  }

  /// Guards `groups`; held only to look a group up or make one.
  private let lock = NSLock()
  private var groups: [String: Group] = [:]

  /// Creates the transport; its sessions (no cookies, no cache) are made when needed.
  public init() {}

  deinit {
    for group in groups.values { group.session.finishTasksAndInvalidate() }
  }

  /// The executor on the group's delegate queue, where its responses arrive.
  @available(macOS 15.0, *)
  public func executor(for connectionGroup: String) -> (any TaskExecutor)? {
    group(connectionGroup).executor as? SerialQueueExecutor
  }

  private func group(_ name: String) -> Group {
    lock.lock()
    defer { lock.unlock() }
    if let group = groups[name] { return group }
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpShouldSetCookies = false
    configuration.httpCookieAcceptPolicy = .never
    configuration.urlCache = nil
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    configuration.httpMaximumConnectionsPerHost = 4
    let queue = DispatchQueue(label: "keyctl.\(name)")
    var executor: AnyObject?
    if #available(macOS 15.0, *) { executor = SerialQueueExecutor(queue: queue) }
    let delegateQueue = OperationQueue()
    delegateQueue.underlyingQueue = queue
    delegateQueue.maxConcurrentOperationCount = 1
    let session = URLSession(
      configuration: configuration, delegate: RedirectGuard(), delegateQueue: delegateQueue)
    let group = Group(session: session, executor: executor)
    groups[name] = group
    return group
  }

  /// Sends the request; cancelling the calling task cancels the request.
  public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    var urlRequest = URLRequest(url: request.url)
    urlRequest.httpMethod = request.method
    urlRequest.timeoutInterval = request.timeout
    urlRequest.httpBody = request.body
    for header in request.headers {
      urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
    }
    let session = group(request.connectionGroup).session
    let box = TaskBox()
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        let task = session.dataTask(with: urlRequest) { data, response, error in
          if let error {
            continuation.resume(throwing: Self.failure(from: error))
            return
          }
          guard let http = response as? HTTPURLResponse else {
            continuation.resume(throwing: TransportFailure.connection("no HTTP response"))
            return
          }
          var headers: [String: String] = [:]
          for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String {
              headers[name.lowercased()] = value
            }
          }
          continuation.resume(
            returning: HTTPResponse(
              status: http.statusCode, headers: headers, body: data ?? Data()))
        }
        box.set(task)
        task.resume()
      }
    } onCancel: {
      box.cancel()
    }
  }

  private static func failure(from error: any Error) -> TransportFailure {
    let nsError = error as NSError
    guard nsError.domain == NSURLErrorDomain else {
      return .connection(nsError.localizedDescription)
    }
    switch nsError.code {
    case NSURLErrorTimedOut: return .timedOut
    case NSURLErrorCancelled: return .cancelled
    case NSURLErrorCannotConnectToHost: return .connection("could not connect to the server")
    case NSURLErrorNetworkConnectionLost: return .connection("the connection was dropped")
    case NSURLErrorCannotFindHost: return .connection("the host name could not be resolved")
    case NSURLErrorNotConnectedToInternet: return .connection("no network connection")
    case NSURLErrorBadServerResponse:
      return .connection("the connection closed before a complete response arrived")
    case NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateUntrusted:
      return .connection("the TLS connection failed")
    default: return .connection(nsError.localizedDescription)
    }
  }
}

/// Holds a task so a cancellation handler running on another thread can reach it.
private final class TaskBox: @unchecked Sendable {
  private let lock = NSLock()
  private var task: URLSessionTask?
  private var cancelled = false

  func set(_ task: URLSessionTask) {
    lock.lock()
    self.task = task
    let cancelNow = cancelled
    lock.unlock()
    if cancelNow { task.cancel() }
  }

  func cancel() {
    lock.lock()
    cancelled = true
    let current = task
    lock.unlock()
    current?.cancel()
  }
}

/// Refuses redirects that leave the original scheme, host and port.
private final class RedirectGuard: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
  func urlSession(
    _ session: URLSession, task: URLSessionTask,
    willPerformHTTPRedirection response: HTTPURLResponse,
    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
  ) {
    let from = task.originalRequest?.url
    let to = request.url
    let sameOrigin =
      from?.scheme?.lowercased() == to?.scheme?.lowercased()
      && from?.host?.lowercased() == to?.host?.lowercased() && from?.port == to?.port
    completionHandler(sameOrigin ? request : nil)
  }
}
