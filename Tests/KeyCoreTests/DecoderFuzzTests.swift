import Foundation
import Testing

@testable import KeyCore

/// SplitMix64: a small seeded generator, so every run mutates the same way and
/// a failure names a seed and an index that reproduce it.
struct SeededGenerator: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) {
    state = seed
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var mixed = state
    mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
    return mixed ^ (mixed >> 31)
  }
}

/// A JSON value whose text the test controls exactly: member order, duplicate
/// members and the spelling of numbers survive, which a round trip through
/// `JSONSerialization` would not allow.
enum FuzzJSON {
  case object([(String, FuzzJSON)])
  case array([FuzzJSON])
  case string(String)
  case number(String)
  case bool(Bool)
  case null

  var text: String {
    switch self {
    case .object(let members):
      return "{" + members.map { Self.quote($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
    case .array(let items): return "[" + items.map(\.text).joined(separator: ",") + "]"
    case .string(let value): return Self.quote(value)
    case .number(let spelling): return spelling
    case .bool(let value): return value ? "true" : "false"
    case .null: return "null"
    }
  }

  static func quote(_ value: String) -> String {
    var result = "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }

  /// How many values the tree holds (itself included), for picking one at random.
  var count: Int {
    switch self {
    case .object(let members): return 1 + members.reduce(0) { $0 + $1.1.count }
    case .array(let items): return 1 + items.reduce(0) { $0 + $1.count }
    default: return 1
    }
  }

  /// The tree with the value at pre-order position `index` passed through `change`.
  func replacing(at index: Int, with change: (FuzzJSON) -> FuzzJSON) -> FuzzJSON {
    if index == 0 { return change(self) }
    var offset = 1
    switch self {
    case .object(let members):
      var result: [(String, FuzzJSON)] = []
      for (name, value) in members {
        let size = value.count
        let target = index - offset
        result.append(
          (name, (0..<size).contains(target) ? value.replacing(at: target, with: change) : value))
        offset += size
      }
      return .object(result)
    case .array(let items):
      var result: [FuzzJSON] = []
      for item in items {
        let size = item.count
        let target = index - offset
        result.append((0..<size).contains(target) ? item.replacing(at: target, with: change) : item)
        offset += size
      }
      return .array(result)
    default:
      return self
    }
  }
}

/// Produces mutated payloads from a valid one.
struct PayloadMutator {
  var random: SeededGenerator

  mutating func int(_ bound: Int) -> Int {
    Int.random(in: 0..<bound, using: &random)
  }

  /// Values of every JSON type, including ones no decoder expects.
  mutating func strangeValue() -> FuzzJSON {
    switch int(18) {
    case 0: return .null
    case 1: return .bool(int(2) == 0)
    case 2: return .number("0")
    case 3: return .number("-1.5e300")
    case 4: return .number("1e400")
    case 5: return .number("123456789012345678901234567890")
    case 6: return .number("-0")
    case 7: return .string("")
    case 8: return .string(String(repeating: "x", count: 100_000))
    case 9: return .string("\u{0}\u{1B}[31m\u{7F}🔑ключ\u{FEFF}")
    case 10: return .string("2026-02-30T25:61:61Z")
    case 11: return .array([])
    case 12: return .object([])
    case 13: return .array([.number("1"), .string("a"), .null, .object([])])
    case 14: return Self.nested(depth: 100 + int(2_000), object: int(2) == 0)
    case 15: return .array(Array(repeating: .object([("id", .string("x"))]), count: 500))
    case 16: return .string(String(repeating: "\\", count: 1_000))
    default: return .number(String(Int.random(in: Int.min...Int.max, using: &random)))
    }
  }

  static func nested(depth: Int, object: Bool) -> FuzzJSON {
    var value = FuzzJSON.null
    for _ in 0..<depth { value = object ? .object([("a", value)]) : .array([value]) }
    return value
  }

  /// One change to the structure: a value of the wrong type, a member removed,
  /// duplicated or renamed, an array grown, or the whole document wrapped.
  mutating func structural(_ tree: FuzzJSON) -> FuzzJSON {
    let index = int(tree.count)
    switch int(6) {
    case 0, 1:
      let value = strangeValue()
      return tree.replacing(at: index) { _ in value }
    case 2:
      let pick = int(1_000)
      return tree.replacing(at: index) { node in
        guard case .object(var members) = node, !members.isEmpty else { return node }
        members.remove(at: pick % members.count)
        return .object(members)
      }
    case 3:
      let pick = int(1_000)
      let value = strangeValue()
      return tree.replacing(at: index) { node in
        guard case .object(var members) = node, !members.isEmpty else { return node }
        let member = members[pick % members.count]
        members.insert((member.0, value), at: (pick / 7) % (members.count + 1))
        return .object(members)
      }
    case 4:
      let pick = int(1_000)
      return tree.replacing(at: index) { node in
        switch node {
        case .object(var members) where !members.isEmpty:
          let position = pick % members.count
          members[position].0 = members[position].0.uppercased() + "_"
          return .object(members)
        case .array(let items) where !items.isEmpty:
          return .array(Array(repeating: items[pick % items.count], count: 300))
        default: return node
        }
      }
    default:
      return int(2) == 0 ? .array([tree]) : .object([("data", tree)])
    }
  }

  /// One change to the bytes: flipped bits, a deleted, duplicated or swapped
  /// run, or a stray byte (JSON punctuation, NUL or invalid UTF-8) inserted.
  mutating func textual(_ bytes: [UInt8]) -> [UInt8] {
    var result = bytes
    guard !result.isEmpty else { return [0x7B] }
    let position = int(result.count)
    let length = min(result.count - position, 1 + int(8))
    switch int(6) {
    case 0:
      for _ in 0...int(3) {
        result[int(result.count)] ^= UInt8(1 << int(8))
      }
    case 1: result.removeSubrange(position..<position + length)
    case 2: result.insert(contentsOf: result[position..<position + length], at: position)
    case 3: result.swapAt(position, int(result.count))
    case 4:
      let stray: [UInt8] = [0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x22, 0x5C, 0x30, 0x2D, 0x00, 0xFF]
      result.insert(stray[int(stray.count)], at: position)
    default:
      result.replaceSubrange(position..<position + length, with: Array("null".utf8))
    }
    return result
  }
}

/// One valid provider payload and the call that reads it.
struct FuzzTarget: CustomTestStringConvertible, Sendable {
  enum Call: Sendable {
    case list
    case create
  }

  let provider: ProviderID
  let call: Call
  let status: Int
  let payload: @Sendable () -> FuzzJSON

  var testDescription: String { "\(provider.rawValue) \(call) (HTTP \(status))" }
}

private let orgID = "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f"
private let environments: [ProviderID: [String: String]] = [
  .fal: ["FAL_ADMIN_KEY": "fuzz_id:fuzz-admin-secret-0123"],
  .px0: ["PX0_ACCESS_TOKEN": "sess_fuzz_0123456789", "PX0_ORG_ID": orgID],
  .cartesia: ["CARTESIA_ADMIN_KEY": "sk_car_admin_fuzz_0123"],
  .openrouter: ["OPENROUTER_MANAGEMENT_KEY": "sk-or-v1-mgmt-fuzz-0123"],
]

private func falKey(_ id: String) -> FuzzJSON {
  .object([
    ("key_id", .string(id)), ("alias", .string("Key \(id)")), ("scope", .string("API")),
    ("created_at", .string("2025-01-15T12:00:00Z")), ("creator_nickname", .string("dev")),
    ("creator_email", .string("dev@example.com")),
  ])
}

private func px0Key(_ id: String) -> FuzzJSON {
  .object([
    ("id", .string(id)), ("name", .string("render worker")), ("org_id", .string(orgID)),
    ("team_id", .null), ("operation", .string("read_render")),
    ("created_at", .string("2026-02-01T09:30:00Z")),
    ("last_used_at", .string("2026-02-03T10:00:00.250Z")),
  ])
}

private func cartesiaKey(_ id: String) -> FuzzJSON {
  .object([
    ("id", .string(id)), ("description", .string("Production TTS")),
    ("created_at", .string("2025-11-02T08:15:30.5+01:00")),
    ("creator_email", .string("ada@example.com")), ("creator_still_in_org", .bool(true)),
    ("creator_image_url", .null),
  ])
}

private func openRouterKey(_ hash: String) -> FuzzJSON {
  .object([
    ("hash", .string(hash)), ("name", .string("batch")), ("label", .string("sk-or-v1-0e6...1c96")),
    ("disabled", .bool(false)), ("limit", .number("100")), ("limit_remaining", .number("74.5")),
    ("usage", .number("25.5")), ("created_at", .string("2025-08-24T10:30:00Z")),
    ("updated_at", .null), ("expires_at", .string("2027-12-31T23:59:59Z")),
    ("last_used_at", .null), ("creator_user_id", .string("user_2dHFtVWx2n56w6HkM")),
    ("workspace_id", .string("0df9e665-d932-5740-b2c7-b52af166bc11")),
  ])
}

@Suite struct DecoderFuzzTests {
  static let seed: UInt64 = 0x6465_636F_6465  // "decode"
  static let mutationsPerTarget = 1_500

  static let targets: [FuzzTarget] = [
    FuzzTarget(provider: .fal, call: .list, status: 200) {
      .object([
        ("keys", .array([falKey("a1"), falKey("b2"), falKey("c3")])),
        ("next_cursor", .string("Mg==")), ("has_more", .bool(true)),
      ])
    },
    FuzzTarget(provider: .fal, call: .create, status: 201) {
      .object([
        ("key_id", .string("new1")), ("key_secret", .string("fresh-secret")),
        ("key", .string("new1:fresh-secret")),
      ])
    },
    FuzzTarget(provider: .px0, call: .list, status: 200) {
      .object([("api_keys", .array([px0Key("8f14e45f"), px0Key("c9f0f895")]))])
    },
    FuzzTarget(provider: .px0, call: .create, status: 201) {
      .object([
        ("id", .string("8f14e45f")), ("name", .string("ci")), ("key", .string("ak_0123456789")),
        ("operation", .string("all")), ("org_id", .string(orgID)),
        ("created_at", .string("2026-02-01T09:30:00Z")),
      ])
    },
    FuzzTarget(provider: .cartesia, call: .list, status: 200) {
      .object([
        ("data", .array([cartesiaKey("key_01HQA"), cartesiaKey("key_01HQB")])),
        ("has_more", .bool(true)),
      ])
    },
    FuzzTarget(provider: .openrouter, call: .list, status: 200) {
      .object([("data", .array([openRouterKey("f01d5260"), openRouterKey("a9c3e1b7")]))])
    },
    FuzzTarget(provider: .openrouter, call: .create, status: 201) {
      .object([("data", openRouterKey("f01d5260")), ("key", .string("sk-or-v1-0e6f1c96"))])
    },
    // Error bodies are decoded too (for the message and request id).
    FuzzTarget(provider: .fal, call: .list, status: 500) {
      .object([
        (
          "error",
          .object([
            ("type", .string("server_error")), ("message", .string("boom")),
            ("request_id", .string("req-1")),
          ])
        )
      ])
    },
    FuzzTarget(provider: .px0, call: .create, status: 400) {
      .object([("error", .string("name is required"))])
    },
    FuzzTarget(provider: .cartesia, call: .list, status: 429) {
      .object([
        ("error_code", .null), ("title", .string("Too Many Requests")),
        ("message", .string("slow down")), ("request_id", .string("req-2")),
        ("doc_url", .null),
      ])
    },
    FuzzTarget(provider: .openrouter, call: .list, status: 401) {
      .object([("error", .object([("code", .number("401")), ("message", .string("No auth"))]))])
    },
  ]

  /// Every mutation of every payload ends in a page (or created key) or a
  /// `KeyError`, never another error and never a crash; for a 2xx answer the
  /// error is "unreadable response" (exit 6) with a short message.
  @Test(arguments: targets)
  func mutatedPayloadsGiveAPageOrAKeyError(_ target: FuzzTarget) async throws {
    let valid = Array(target.payload().text.utf8)
    // The unmutated payload gives the documented outcome: a page or a key for a
    // 2xx, the status's error otherwise.
    let baseline = await Self.run(target, body: valid)
    #expect(baseline == (target.status < 300 ? .decoded : .keyError), "\(baseline)")

    var bodies: [[UInt8]] = (0..<valid.count).map { Array(valid.prefix($0)) }
    var mutator = PayloadMutator(
      random: SeededGenerator(seed: Self.seed ^ UInt64(target.testDescription.stableHash)))
    for index in 0..<Self.mutationsPerTarget {
      if index % 2 == 0 {
        bodies.append(Array(mutator.structural(target.payload()).text.utf8))
      } else {
        var bytes = valid
        for _ in 0...mutator.int(2) { bytes = mutator.textual(bytes) }
        bodies.append(bytes)
      }
    }
    var failures: [String] = []
    var decoded = 0
    for (index, body) in bodies.enumerated() {
      // Leave the test threads to the timing-sensitive end-to-end tests now and then.
      if index % 50 == 0 { await Task.yield() }
      switch await Self.run(target, body: body) {
      case .decoded: decoded += 1
      case .keyError: break
      case .problem(let problem):
        let excerpt = String(decoding: body.prefix(200), as: UTF8.self)
        failures.append("#\(index) \(problem) — body began: \(excerpt)")
      }
    }
    for failure in failures.prefix(10) { Issue.record(Comment(rawValue: failure)) }
    #expect(failures.isEmpty, "\(failures.count) of \(bodies.count) bodies misbehaved")
    if target.status < 300 {
      // Both outcomes occur, so the mutations reach past the first check.
      #expect(decoded > 0 && decoded < bodies.count, "\(decoded) of \(bodies.count) decoded")
    }
  }

  /// What one body led to.
  enum Outcome: Equatable, CustomStringConvertible {
    /// A page or a created key.
    case decoded
    /// A `KeyError` of the kind the status calls for.
    case keyError
    /// Anything else, described.
    case problem(String)

    var description: String {
      switch self {
      case .decoded: "decoded"
      case .keyError: "KeyError"
      case .problem(let text): text
      }
    }
  }

  /// Feeds one body through the adapter and judges the outcome.
  static func run(_ target: FuzzTarget, body: [UInt8]) async -> Outcome {
    let status = target.status
    let transport = MockTransport([
      MockTransport.Step(
        expectation: "any request", matches: { _ in true },
        respond: { _ in
          HTTPResponse(
            status: status, headers: ["Content-Type": "application/json"], body: Data(body))
        })
    ])
    do {
      let provider = try makeProvider(
        target.provider, environment: environments[target.provider] ?? [:], transport: transport)
      switch target.call {
      case .list:
        let page = try await provider.page(at: .start, options: ListOptions())
        guard status < 300 else { return .problem("HTTP \(status) gave a page") }
        // Each key decoded from an object, so the slice kept as `raw` must be that object.
        for key in page.keys where key.raw.bytes.first != 0x7B || key.raw.bytes.last != 0x7D {
          return .problem(
            "key \(key.id) has a raw value that is not one object: "
              + String(decoding: key.raw.bytes.prefix(100), as: UTF8.self))
        }
        // And `raw` is one line of JSON a script can parse, holding nothing a
        // terminal acts on, whatever the mutation put into it.
        for key in page.keys {
          let text = String(decoding: key.raw.bytes, as: UTF8.self)
          if Untrusted.holdsTerminalControls(text) || text.contains(" ") && text.contains("\n") {
            return .problem(
              "key \(key.id) has a raw value with terminal controls: \(text.prefix(100))")
          }
          if (try? JSONSerialization.jsonObject(with: key.raw.bytes)) == nil {
            return .problem(
              "key \(key.id) has a raw value that does not parse: \(text.prefix(100))")
          }
        }
      case .create:
        _ = try await provider.create(CreateRequest(name: "fuzz"))
        guard status < 300 else { return .problem("HTTP \(status) gave a created key") }
      }
      return .decoded
    } catch let error as KeyError {
      if status < 300 {
        guard error.kind == .badResponse else {
          return .problem("2xx gave a \(error.kind) error: \(error)")
        }
        guard error.message.contains("HTTP \(status)"), error.provider == target.provider else {
          return .problem("the error does not name the provider and status: \(error.message)")
        }
        guard error.message.count < 600 else {
          return .problem("the error message is \(error.message.count) characters long")
        }
      } else {
        guard error.kind == KeyError.kind(forStatus: status), error.status == status else {
          return .problem("HTTP \(status) gave a \(error.kind) error: \(error)")
        }
      }
      return .keyError
    } catch {
      return .problem("threw \(type(of: error)), not KeyError: \(error)")
    }
  }
}

extension String {
  /// A hash that is the same on every run (`hashValue` is seeded per process).
  fileprivate var stableHash: UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return hash
  }
}
