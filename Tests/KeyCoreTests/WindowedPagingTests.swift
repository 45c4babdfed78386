import Foundation
import Testing

@testable import KeyCore

/// An OpenRouter that serves keys `h0`, `h1`, … by offset, 100 a page, each
/// answer after a random delay (so answers overtake each other), and counts
/// what a windowed listing asks of it.
final class OffsetServer: HTTPTransport, @unchecked Sendable {
  /// How many keys the account holds.
  let total: Int
  /// An offset answered with a short page of 7 keys although more follow
  /// (keys deleted meanwhile, or a provider bug): the end, for any client.
  var shortAt: Int?
  /// Offsets answered with one extra key (101): the next page starts one
  /// further than a client could have predicted.
  var longAt: Set<Int> = []
  /// Offsets whose page starts one key early (a key before it was deleted
  /// meanwhile): its first key repeats the previous page's last.
  var shiftAt: Set<Int> = []
  /// Offsets answered 429 (with `Retry-After: 0`) the first time they are asked for.
  var throttleAt: Set<Int> = []
  /// Offsets whose 200 carries `Retry-After: 0`: the provider asks to slow down.
  var retryAfterAt: Set<Int> = []
  /// Offsets answered 500 every time.
  var failAt: Set<Int> = []
  /// Fixed delays in milliseconds for some offsets, instead of a random one.
  var delayAt: [Int: Int] = [:]
  /// The longest random delay, in milliseconds.
  var maxDelayMillis = 4

  private let lock = NSLock()
  private var random: UInt64
  private var sent: [Int] = []
  private var running = 0
  private var peak = 0
  private var throttled = false
  private var startsAfterThrottle: [(offset: Int, inFlight: Int)] = []

  /// An account of `total` keys; `seed` picks the delays.
  init(total: Int, seed: UInt64 = 1) {
    self.total = total
    self.random = seed
  }

  /// The offset of every request, in the order they were sent.
  var offsets: [Int] { lock.withLock { sent } }
  /// The most requests in flight at once.
  var mostInFlight: Int { lock.withLock { peak } }
  /// Requests started once a provider had asked to slow down, with how many
  /// requests were in flight as each started (itself included).
  var afterThrottle: [(offset: Int, inFlight: Int)] { lock.withLock { startsAfterThrottle } }

  func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    let offset =
      URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?
      .first { $0.name == "offset" }?.value.flatMap { Int($0) } ?? -1
    let (delay, firstTime) = lock.withLock { () -> (UInt64, Bool) in
      let first = !sent.contains(offset)
      sent.append(offset)
      running += 1
      peak = max(peak, running)
      if throttled { startsAfterThrottle.append((offset, running)) }
      // SplitMix64: the same delays for the same seed.
      random &+= 0x9E37_79B9_7F4A_7C15
      var mixed = random
      mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
      mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
      return ((mixed ^ (mixed >> 31)) % UInt64(maxDelayMillis * 1000 + 1), first)
    }
    defer { lock.withLock { running -= 1 } }
    try await Task.sleep(
      nanoseconds: delayAt[offset].map { UInt64($0) * 1_000_000 } ?? delay * 1000)
    let json = ["Content-Type": "application/json"]
    if failAt.contains(offset) {
      return HTTPResponse(status: 500, headers: json, body: Data(#"{"error":{"code":500}}"#.utf8))
    }
    if throttleAt.contains(offset), firstTime {
      lock.withLock { throttled = true }
      return HTTPResponse(
        status: 429, headers: json.merging(["Retry-After": "0"]) { $1 },
        body: Data(#"{"error":{"code":429,"message":"slow down"}}"#.utf8))
    }
    var count = offset == shortAt ? 7 : 100
    if longAt.contains(offset) { count += 1 }
    let first = shiftAt.contains(offset) ? offset - 1 : offset
    let ids = first..<max(first, min(total, first + count))
    let body = "{\"data\":[" + ids.map { Self.key("h\($0)") }.joined(separator: ",") + "]}"
    var headers = json
    if retryAfterAt.contains(offset) {
      lock.withLock { throttled = true }
      headers["Retry-After"] = "0"
    }
    return HTTPResponse(status: 200, headers: headers, body: Data(body.utf8))
  }

  /// One key as OpenRouter lists it.
  static func key(_ hash: String) -> String {
    #"{"hash":"\#(hash)","name":"key \#(hash)","label":"sk-or-v1-abc...def","disabled":false,"#
      + #""limit":null,"created_at":"2025-09-01T00:00:00Z","expires_at":null,"#
      + #""last_used_at":null,"creator_user_id":null}"#
  }
}

/// The OpenRouter adapter over `server`, retrying instantly.
private func openRouter(_ server: OffsetServer, retries: Int = 0) throws -> any KeyProvider {
  var settings = ClientSettings(transport: server)
  settings.retry = RetryPolicy(maxRetries: retries)
  settings.sleep = { _ in }
  settings.now = { Date(timeIntervalSince1970: 1_767_225_600) }
  return try ProviderRegistry(
    environment: ["OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-management-0123456789"],
    settings: settings
  ).makeWithoutRunning(.openrouter)
}

/// Options asking for `width` pages at once.
private func window(_ width: Int) -> ListOptions {
  var options = ListOptions()
  options.concurrency = width
  return options
}

/// The ids a listing of `server` returns with `width` pages at once.
private func ids(_ server: OffsetServer, width: Int, retries: Int = 0) async throws -> [String] {
  try await collect(openRouter(server, retries: retries), options: window(width)).map(\.id)
}

/// `h<first>` … `h<end - 1>`.
private func hashes(_ range: Range<Int>) -> [String] { range.map { "h\($0)" } }

@Suite struct WindowedPagingTests {
  /// Answers arrive out of order; keys come out in the sequential order, the
  /// end (a short page, or an empty one after full pages) is found, and at
  /// most W − 1 requests more than the pages needed are sent, never more
  /// than W at once.
  @Test(arguments: [(1234, 2), (1234, 4), (1200, 4), (1234, 7), (30, 4), (0, 4), (1234, 64)])
  func keysComeInSequentialOrder(total: Int, width: Int) async throws {
    let server = OffsetServer(total: total, seed: UInt64(total * 64 + width))
    #expect(try await ids(server, width: width) == hashes(0..<total))
    let pages = total / 100 + 1
    #expect(server.offsets.count >= pages)
    #expect(server.offsets.count <= pages + width - 1)
    #expect(server.mostInFlight <= width)
    #expect(Set(server.offsets).count == server.offsets.count)
  }

  /// The first page is asked for alone: an account that fits in one page
  /// (most do) costs one request, and a refused call is asked once.
  @Test(arguments: [0, 1, 99]) func aOnePageListingSendsOneRequest(total: Int) async throws {
    let server = OffsetServer(total: total)
    #expect(try await ids(server, width: 8) == hashes(0..<total))
    #expect(server.offsets == [0])
  }

  /// With one page at a time nothing is asked ahead: exactly the pages needed.
  @Test func oneAtATimeAsksOnlyForThePagesNeeded() async throws {
    let server = OffsetServer(total: 1234)
    #expect(try await ids(server, width: 1) == hashes(0..<1234))
    #expect(server.offsets == Array(stride(from: 0, through: 1200, by: 100)))
    #expect(server.mostInFlight == 1)
  }

  /// A short page ends the listing even when pages asked for beyond it are
  /// full: none of their keys is handed out, as a sequential listing would
  /// never have seen them, and no offset beyond the window is asked for.
  @Test(arguments: [2, 4, 9])
  func nothingBeyondAShortPageIsListed(width: Int) async throws {
    let server = OffsetServer(total: 5000, seed: UInt64(width))
    server.shortAt = 300
    #expect(try await ids(server, width: width) == hashes(0..<307))
    #expect(server.offsets.count <= 4 + width - 1)
    #expect(server.offsets.allSatisfy { $0 <= 300 + (width - 1) * 100 })
    #expect(server.offsets.first == 0)
  }

  /// A short page that arrives before the pages ahead of it proves the end
  /// at once: the window asks for no offset beyond it while it waits for them.
  @Test func aShortPageStopsNewOffsetsBeforeItsTurn() async throws {
    let server = OffsetServer(total: 5000)
    server.shortAt = 300
    server.delayAt = [100: 60, 200: 60, 300: 0]
    #expect(try await ids(server, width: 4) == hashes(0..<307))
    // 0 alone, then the window 100…400 at once; nothing after the short page is in.
    #expect(server.offsets.sorted() == [0, 100, 200, 300, 400])
  }

  /// A page beyond the end that fails is never reported: a sequential
  /// listing would not have asked for it.
  @Test func aFailureBeyondTheEndIsNotAnError() async throws {
    let server = OffsetServer(total: 250)
    server.failAt = [300, 400, 500]
    #expect(try await ids(server, width: 8) == hashes(0..<250))
  }

  /// A page before the end that fails ends the listing with its error, as it
  /// would one page at a time, and nothing beyond it is asked for afterwards.
  @Test func aFailureBeforeTheEndIsTheListingsError() async throws {
    let server = OffsetServer(total: 5000)
    server.failAt = [200]
    server.maxDelayMillis = 0
    let error = await #expect(throws: KeyError.self) { try await ids(server, width: 4) }
    #expect(error?.status == 500)
    #expect(server.offsets.count <= 3 + 4 - 1)
  }

  /// A page longer than predicted names an offset the window did not ask
  /// for: what it asked ahead is dropped and the listing goes on where the
  /// page said, so the keys are still exactly the sequential ones.
  @Test func aPageOfAnotherLengthRestartsTheWindow() async throws {
    let server = OffsetServer(total: 1000)
    server.longAt = [200, 500]
    let sequential = try await ids(
      {
        let reference = OffsetServer(total: 1000)
        reference.longAt = [200, 500]
        return reference
      }(), width: 1)
    #expect(try await ids(server, width: 4) == sequential)
    #expect(sequential == hashes(0..<1000))
  }

  /// A 429 narrows the window to one request for the rest of the listing;
  /// the throttled page is retried (as always) and the keys are complete.
  @Test func a429NarrowsTheWindowToOne() async throws {
    let server = OffsetServer(total: 3000, seed: 7)
    server.throttleAt = [500]
    #expect(try await ids(server, width: 6, retries: 2) == hashes(0..<3000))
    #expect(server.mostInFlight > 1)
    let later = server.afterThrottle.filter { $0.offset != 500 && $0.offset > 1000 }
    #expect(!later.isEmpty)
    for start in later { #expect(start.inFlight == 1, "offset \(start.offset)") }
  }

  /// Any answer with `Retry-After`, a 200 too, narrows the window the same way.
  @Test func retryAfterOnA200NarrowsTheWindowToo() async throws {
    let server = OffsetServer(total: 3000, seed: 9)
    server.retryAfterAt = [400]
    #expect(try await ids(server, width: 4) == hashes(0..<3000))
    let later = server.afterThrottle.filter { $0.offset > 900 }
    #expect(!later.isEmpty)
    for start in later { #expect(start.inFlight == 1, "offset \(start.offset)") }
  }

  /// The loop guard still holds: no page past `maxPages` is asked for.
  @Test func thePageCeilingStillHolds() async throws {
    let server = OffsetServer(total: 100_000)
    let provider = try openRouter(server)
    let sequence = PageSequence(provider: provider, options: window(4), maxPages: 3)
    var listed = 0
    let error = await #expect(throws: KeyError.self) {
      for try await page in sequence { listed += page.keys.count }
    }
    #expect(error?.message.contains("past 3") == true)
    #expect(listed == 300)
    #expect(server.offsets.count == 3)
  }

  /// `--limit` inside the window and the cursor it prints are exact: resuming
  /// gives the next key not printed, whatever was asked ahead, and the two
  /// halves make the whole listing.
  @Test(arguments: [1, 99, 100, 250, 399, 1000, 1233])
  func limitAndCursorAreExact(limit: Int) async throws {
    let server = OffsetServer(total: 1234, seed: UInt64(limit))
    let provider = try openRouter(server)
    var first: [String] = []
    let stopped = try await Listing.run(
      ListingRequest(providers: [provider], options: window(4), limit: limit)
    ) { _, keys in first += keys.map(\.id) }
    #expect(first == hashes(0..<limit))
    let cursor = try #require(stopped.nextCursor)
    let token = try PageCursor.decode(
      cursor.encoded(), providers: [.openrouter], filter: window(4).fingerprint)
    var rest: [String] = []
    let finished = try await Listing.run(
      ListingRequest(providers: [provider], options: window(4), cursor: token)
    ) { _, keys in rest += keys.map(\.id) }
    #expect(rest == hashes(limit..<1234))
    #expect(finished.nextCursor == nil)
  }

  /// A cursor taken mid-window resumes mid-window: limits in a row walk the
  /// whole listing without a key lost or repeated.
  @Test func limitsInARowWalkTheWholeListing() async throws {
    let server = OffsetServer(total: 777, seed: 3)
    let provider = try openRouter(server)
    var all: [String] = []
    var cursor: PageCursor?
    repeat {
      let result = try await Listing.run(
        ListingRequest(providers: [provider], options: window(5), limit: 130, cursor: cursor)
      ) { _, keys in all += keys.map(\.id) }
      cursor = result.nextCursor
    } while cursor != nil
    #expect(all == hashes(0..<777))
  }

  /// Keys repeated across pages (a key created meanwhile shifts the offsets)
  /// are still dropped in order, as one page at a time.
  /// A server that never stops sending full pages, reached by a cursor near
  /// the last offset keyctl pages to: the window predicts no offset past the
  /// bound, the listing ends with the sequential listing's error, and the
  /// pages before it are still handed out in order.
  @Test func anEndlessAccountNearTheOffsetBoundStopsWithoutAskingPastIt() async throws {
    let server = OffsetServer(total: Int.max)
    let start = PageToken.maxOffset - 250
    let sequence = PageSequence(
      provider: try openRouter(server), start: .token(String(start)), options: window(4))
    var listed: [String] = []
    let error = try await #require(throws: KeyError.self) {
      for try await page in sequence { listed += page.keys.map(\.id) }
    }
    #expect(error.kind == .badResponse)
    // The page at maxOffset − 50 is full and would lead past the bound: as in a
    // sequential listing it is the error, and the two pages before it are listed.
    #expect(listed == (start..<start + 200).map { "h\($0)" })
    #expect(server.offsets.allSatisfy { $0 <= PageToken.maxOffset }, "\(server.offsets)")
    #expect(server.offsets.count <= 4 + 3)
  }

  @Test func theDuplicateGuardStillHolds() async throws {
    func shifted() -> OffsetServer {
      let server = OffsetServer(total: 450)
      server.shiftAt = [200]  // a key before offset 200 was deleted meanwhile
      return server
    }
    let sequential = try await ids(shifted(), width: 1)
    #expect(sequential == hashes(0..<299) + hashes(300..<450))
    #expect(try await ids(shifted(), width: 4) == sequential)
  }
}
