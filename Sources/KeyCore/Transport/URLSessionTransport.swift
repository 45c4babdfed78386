import Dispatch
import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The real transport: one `URLSession` per connection group (keyctl makes one
/// group per provider), so each provider's pages reuse one kept-alive
/// connection and providers listed at once never wait for each other's.
///
/// Each session has a serial queue of its own for its request clocks (and, on
/// macOS, its delegate callbacks), so one provider's traffic never waits for
/// another's.
///
/// Sessions are made on first use: a command that sends nothing (`--version`,
/// `--help`) does not pay for setting up URLSession and libcurl.
///
/// The session's delegate receives each body as it arrives, so keyctl bounds
/// what a server can make it do: at most `maxBodyBytes` after decompression
/// (a bigger declared length is refused before reading), `timeout` seconds of
/// silence and `maxTime` seconds for the whole exchange, all timed here on the
/// monotonic clock (URLSession's own timer, a silence timer in whole seconds,
/// is only a backstop). Redirects are followed only by a GET and only to the
/// same scheme, host and port (`RedirectRule`); anything else is handed back as
/// the 3xx response.
public final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
  /// One connection group's session, its delegate, and the queue where its
  /// clocks (and on macOS its callbacks) run.
  private struct Group {
    let session: URLSession
    let delegate: SessionDelegate
    let queue: DispatchQueue
  }

  /// Guards `groups`; held only to look a group up or make one.
  private let lock = NSLock()
  private var groups: [String: Group] = [:]

  /// Creates the transport; its sessions (no cookies, no cache) are made when needed.
  public init() {}

  deinit {
    for group in groups.values { group.session.finishTasksAndInvalidate() }
  }

  /// The connection group's session, made on first use.
  private func group(_ name: String, connectionLimit: Int) -> Group {
    lock.lock()
    defer { lock.unlock() }
    if let group = groups[name] { return group }
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpShouldSetCookies = false
    configuration.httpCookieAcceptPolicy = .never
    configuration.urlCache = nil
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    // The call's window (`--concurrency`): keyctl itself bounds what is in flight, and
    // libcurl opens a connection only for a request that finds every other one busy
    // (a sequential listing keeps to one); the limit makes "at most W" hold even when
    // a finished request's connection is not back in the pool as the next one starts.
    configuration.httpMaximumConnectionsPerHost = min(
      HTTPRequest.maxConcurrency, max(1, connectionLimit))
    let queue = DispatchQueue(label: "keyctl.\(name)")
    #if canImport(FoundationNetworking)
      let delegateQueue = InlineDelegateQueue()
    #else
      let delegateQueue = OperationQueue()
      delegateQueue.underlyingQueue = queue
      delegateQueue.maxConcurrentOperationCount = 1
    #endif
    let delegate = SessionDelegate()
    let session = URLSession(
      configuration: configuration, delegate: delegate, delegateQueue: delegateQueue)
    let group = Group(session: session, delegate: delegate, queue: queue)
    groups[name] = group
    return group
  }

  /// Sends the request; cancelling the calling task cancels the request.
  public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    var urlRequest = URLRequest(url: Self.reachable(request.url))
    urlRequest.httpMethod = request.method
    // A backstop beyond keyctl's own clocks, which decide (see `ExchangeClock`).
    urlRequest.timeoutInterval = (max(request.timeout, request.maxTime) + 1).rounded(.up)
    urlRequest.httpBody = request.body
    for header in request.headers {
      urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
    }
    let group = group(request.connectionGroup, connectionLimit: request.connectionLimit)
    let exchange = Exchange(
      clock: ExchangeClock(
        started: DispatchTime.now().uptimeNanoseconds, timeout: request.timeout,
        maxTime: request.maxTime),
      body: BoundedBody(limit: request.maxBodyBytes))
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        let task = group.session.dataTask(with: urlRequest)
        group.delegate.register(exchange, for: task)
        exchange.start(task, continuation: continuation, queue: group.queue)
        task.resume()
      }
    } onCancel: {
      exchange.stop(.cancelled)
    }
  }

  /// The URL to hand to URLSession for `url`.
  ///
  /// FoundationNetworking before swift-corelibs-foundation#5498 (Swift 6.3 and
  /// older) refuses every IPv6 literal: it compares `URL.host` ("::1") with
  /// libcurl's host ("[::1]") and fails with -1000. For the loopback literal
  /// keyctl accepts, it asks for `localhost` instead, which libcurl resolves
  /// itself — ::1 first, 127.0.0.1 only if that fails — never through DNS.
  static func reachable(_ url: URL) -> URL {
    #if canImport(FoundationNetworking)
      guard url.host == "::1",
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
      else { return url }
      components.host = "localhost"
      return components.url ?? url
    #else
      return url
    #endif
  }

  /// The failure an error from URLSession stands for.
  static func failure(from error: any Error) -> TransportFailure {
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
    case NSURLErrorHTTPTooManyRedirects: return .connection("too many redirects")
    case NSURLErrorBadURL:
      return .connection(
        "URLSession refused the URL (on Linux, Swift 6.3 and older cannot reach an IPv6 address "
          + "literal other than [::1]; use a host name)")
    default: return .connection(nsError.localizedDescription)
    }
  }
}

/// One request in flight: its clocks, the body so far, and the one way it ends.
///
/// Callbacks arrive on the group's queue; `stop` may come from any thread
/// (Ctrl-C), so the state is behind a lock. The caller is answered as soon as
/// the outcome is known — a refused body or an expired clock does not wait for
/// URLSession to finish cancelling.
private final class Exchange: @unchecked Sendable {
  private let lock = NSLock()
  private var clock: ExchangeClock
  private var body: BoundedBody
  private var response: HTTPURLResponse?
  private var task: URLSessionTask?
  private var continuation: CheckedContinuation<HTTPResponse, any Error>?
  private var timer: (any DispatchSourceTimer)?
  /// Set by `stop` before `start` ran (Ctrl-C at once): `start` then stops at once.
  private var early: TransportFailure?
  private var finished = false

  /// An exchange that has not started: its clocks and its empty body.
  init(clock: ExchangeClock, body: BoundedBody) {
    self.clock = clock
    self.body = body
  }

  /// Takes the task and the caller to answer, and starts the clocks.
  func start(
    _ task: URLSessionTask, continuation: CheckedContinuation<HTTPResponse, any Error>,
    queue: DispatchQueue
  ) {
    let timer = DispatchSource.makeTimerSource(queue: queue)
    let stopNow = lock.withLock { () -> TransportFailure? in
      self.task = task
      self.continuation = continuation
      self.timer = timer
      return early
    }
    timer.setEventHandler { [weak self] in self?.checkClock() }
    schedule(timer, at: clock.verdict(at: DispatchTime.now().uptimeNanoseconds))
    timer.resume()
    if let stopNow { stop(stopNow) }
  }

  /// Ends the exchange with `failure` (unless it already ended) and cancels the task.
  func stop(_ failure: TransportFailure) {
    let task = lock.withLock { () -> URLSessionTask? in
      if continuation == nil, !finished {
        early = early ?? failure
        return nil
      }
      return self.task
    }
    finish(.failure(failure))
    if let task { Self.cancel(task) }
  }

  /// Where tasks are cancelled: never on the caller's thread.
  ///
  /// `URLSessionTask.cancel()` in Swift 6.3 waits on FoundationNetworking's work
  /// queue (swift-corelibs-foundation#5412): called from a delegate callback,
  /// which runs on that queue, it would deadlock; called from a provider's queue
  /// while that work queue is busy (a 3xx body FoundationNetworking buffers
  /// itself), it would hold the fetch loop that must report the error.
  private static let cancelQueue = DispatchQueue(label: "keyctl.cancel")

  /// Cancels `task` on `cancelQueue`.
  private static func cancel(_ task: URLSessionTask) {
    cancelQueue.async { task.cancel() }
  }

  /// The status line and headers arrived.
  func received(_ response: URLResponse) {
    guard let http = response as? HTTPURLResponse else { return }
    let limit = lock.withLock { () -> Int? in
      self.response = http
      clock.lastActivity = DispatchTime.now().uptimeNanoseconds
      return body.refuses(declaredLength: http.expectedContentLength) ? body.limit : nil
    }
    if let limit { stop(.tooLarge(limit: limit, status: http.statusCode)) }
  }

  /// Body bytes arrived (already decompressed).
  func received(_ data: Data) {
    let refused = lock.withLock { () -> TransportFailure? in
      guard !finished else { return nil }
      clock.lastActivity = DispatchTime.now().uptimeNanoseconds
      return body.append(data) ? nil : .tooLarge(limit: body.limit, status: response?.statusCode)
    }
    if let refused { stop(refused) }
  }

  /// URLSession finished the task, with or without an error; `taskResponse` is
  /// the task's own, for the responses URLSession never hands the delegate (a
  /// 301–308 it did not follow, e.g. one without a Location).
  func completed(_ error: (any Error)?, taskResponse: URLResponse?) {
    if let error {
      finish(.failure(URLSessionTransport.failure(from: error)))
      return
    }
    let outcome = lock.withLock { () -> Result<HTTPResponse, TransportFailure> in
      guard let response = response ?? (taskResponse as? HTTPURLResponse) else {
        return .failure(.connection("no HTTP response"))
      }
      var headers: [String: String] = [:]
      for (name, value) in response.allHeaderFields {
        if let name = name as? String, let value = value as? String {
          headers[name.lowercased()] = value
        }
      }
      return .success(
        HTTPResponse(status: response.statusCode, headers: headers, body: body.data))
    }
    finish(outcome)
  }

  // MARK: - Private

  /// Answers the caller once, and lets go of the body, the task and the timer.
  private func finish(_ outcome: Result<HTTPResponse, TransportFailure>) {
    let (caller, timer) = lock.withLock {
      () -> (CheckedContinuation<HTTPResponse, any Error>?, (any DispatchSourceTimer)?) in
      guard !finished, let caller = continuation else { return (nil, nil) }
      finished = true
      continuation = nil
      body = BoundedBody(limit: body.limit)
      response = nil
      task = nil
      defer { self.timer = nil }
      return (caller, self.timer)
    }
    timer?.cancel()
    caller?.resume(with: outcome.mapError { $0 as any Error })
  }

  /// How often to look at a task whose response has not reached the delegate.
  private static let blindInterval: UInt64 = 100_000_000

  /// The timer fired: stop the exchange if a clock ran out (or a 3xx declared
  /// too large a body), else look again when the next one could.
  private func checkClock() {
    let (verdict, timer, blindTask, limit) = lock.withLock {
      (
        clock.verdict(at: DispatchTime.now().uptimeNanoseconds), self.timer,
        response == nil ? task : nil, body.limit
      )
    }
    // FoundationNetworking keeps the body of a 301–308 to itself, out of the
    // delegate's sight, until the whole of it has arrived; a declared length
    // is all keyctl can see of it, so it looks while no response has come.
    if let blindTask, blindTask.countOfBytesExpectedToReceive > Int64(limit) {
      stop(.tooLarge(limit: limit, status: nil))
      return
    }
    switch verdict {
    case .checkAt:
      if let timer { schedule(timer, at: verdict, blind: blindTask != nil) }
    case .silent: stop(.timedOut)
    case .overDeadline: stop(.deadlineExceeded)
    }
  }

  /// Sets the timer for `verdict`, and on Linux no later than the next look at
  /// a response URLSession has not handed over yet.
  private func schedule(
    _ timer: any DispatchSourceTimer, at verdict: ExchangeClock.Verdict, blind: Bool = true
  ) {
    let now = DispatchTime.now().uptimeNanoseconds
    var when: UInt64
    switch verdict {
    case .checkAt(let time): when = time
    case .silent, .overDeadline: when = now
    }
    #if canImport(FoundationNetworking)
      if blind { when = min(when, now + Self.blindInterval) }
    #endif
    timer.schedule(
      deadline: DispatchTime(uptimeNanoseconds: when), repeating: .never, leeway: .milliseconds(5))
  }
}

#if canImport(FoundationNetworking)
  /// The delegate "queue" of a session on Linux: it runs each callback at once,
  /// on the FoundationNetworking thread that has the bytes.
  ///
  /// FoundationNetworking hands every chunk of a body to the delegate queue as
  /// an operation, with no back-pressure: libcurl inflates a gzip bomb (or
  /// reads a fast body) far quicker than a queue drains, so by the time the
  /// delegate saw 16 MiB, gigabytes of chunks were waiting in the queue. Run
  /// inline, the delegate counts each chunk as it is made and drops everything
  /// once the limit is passed, so memory stays at the limit. The delegate's
  /// methods only take their own locks and hand work to FoundationNetworking
  /// asynchronously (`cancel`, completion handlers), so running on its thread
  /// cannot deadlock; the fetch loop resumes on Swift's cooperative threads.
  private final class InlineDelegateQueue: OperationQueue, @unchecked Sendable {
    /// Runs the callback now, on the calling (FoundationNetworking) thread.
    override func addOperation(_ block: @escaping @Sendable () -> Void) {
      block()
    }
  }
#endif

/// The session delegate: routes each task's callbacks to its `Exchange` and
/// applies the redirect rule.
private final class SessionDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
  private let lock = NSLock()
  private var exchanges: [Int: Exchange] = [:]

  /// Routes `task`'s callbacks to `exchange` until the task completes.
  func register(_ exchange: Exchange, for task: URLSessionTask) {
    lock.withLock { exchanges[task.taskIdentifier] = exchange }
  }

  /// The exchange of `task`; with `remove`, the last look (the task completed).
  private func exchange(_ task: URLSessionTask, remove: Bool = false) -> Exchange? {
    lock.withLock {
      remove
        ? exchanges.removeValue(forKey: task.taskIdentifier) : exchanges[task.taskIdentifier]
    }
  }

  /// The status line and headers: checked against the limit, always allowed
  /// (URLSession on Linux ignores the disposition anyway).
  func urlSession(
    _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
  ) {
    exchange(dataTask)?.received(response)
    completionHandler(.allow)
  }

  /// A chunk of the body, already decompressed.
  func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
    exchange(dataTask)?.received(data)
  }

  /// The end of the task, with or without an error.
  func urlSession(
    _ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?
  ) {
    exchange(task, remove: true)?.completed(error, taskResponse: task.response)
  }

  /// A redirect URLSession would follow: only if `RedirectRule` allows it.
  func urlSession(
    _ session: URLSession, task: URLSessionTask,
    willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
    completionHandler: @escaping @Sendable (URLRequest?) -> Void
  ) {
    let follows = RedirectRule.follows(
      method: task.originalRequest?.httpMethod, from: task.originalRequest?.url, to: request.url)
    completionHandler(follows ? request : nil)
  }
}
