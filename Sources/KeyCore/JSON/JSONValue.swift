import Foundation

/// Why a well-formed JSON body still cannot be read: a field missing, of the
/// wrong type, repeated, or out of range. The text names the field's path.
struct JSONReadError: Error, Sendable, CustomStringConvertible {
  /// E.g. "field 'keys[3].alias' has an unexpected type (expected a string, got a number)".
  let description: String
}

/// One value of a `JSONDocument`: a position on its tape, read on demand.
///
/// Adapters define their wire shapes as `init(json:)` readers over these, so
/// each shape is written once and every field is checked for its type. Strings
/// are decoded (and credentials masked) only when read; a value's exact bytes
/// are at hand for `raw`. Errors name the path of the field (`keys[3].alias`),
/// worked out from the tape only when an error is thrown.
struct JSONValue: Sendable {
  /// The document the value belongs to.
  let document: JSONDocument
  /// The value's node on the tape.
  let index: Int

  /// The value's node.
  var node: JSONNode { document.nodes[index] }

  /// What sort of value this is.
  var kind: JSONKind { node.kind }

  /// Whether the value is `null`.
  var isNull: Bool { kind == .null }

  /// The value's bytes in the body.
  var range: Range<Int> {
    let node = self.node
    return Int(node.start)..<Int(node.end)
  }

  // MARK: - Objects

  /// The value of member `name`, nil when the object has no such member.
  /// Throws when this is not an object, or when the member appears twice
  /// (readers disagree on which one counts, so keyctl reads neither).
  func member(_ name: StaticString) throws(JSONReadError) -> JSONValue? {
    try memberIndex(name).map { JSONValue(document: document, index: $0) }
  }

  /// The value of member `name`; throws when it is missing.
  func required(_ name: StaticString) throws(JSONReadError) -> JSONValue {
    JSONValue(document: document, index: try requiredIndex(name))
  }

  /// The value of member `name` unless it is missing or `null`.
  func optional(_ name: StaticString) throws(JSONReadError) -> JSONValue? {
    guard let at = try memberIndex(name), document.nodes[at].kind != .null else { return nil }
    return JSONValue(document: document, index: at)
  }

  // The accessors below read members by tape index, without making a
  // `JSONValue` (and so retaining the document) for each: they run for every
  // field of every key of a listing.

  /// Member `name` as a string; it must be present and a string.
  func string(_ name: StaticString) throws(JSONReadError) -> String {
    let at = try requiredIndex(name)
    try expect(.string, at: at)
    return document.redactedString(at)
  }

  /// Member `name` as a string, nil when missing or `null`.
  func optionalString(_ name: StaticString) throws(JSONReadError) -> String? {
    guard let at = try memberIndex(name), document.nodes[at].kind != .null else { return nil }
    try expect(.string, at: at)
    return document.redactedString(at)
  }

  /// Member `name` as a boolean, nil when missing or `null`.
  func optionalBool(_ name: StaticString) throws(JSONReadError) -> Bool? {
    guard let at = try memberIndex(name) else { return nil }
    switch document.nodes[at].kind {
    case .null: return nil
    case .trueValue: return true
    case .falseValue: return false
    default: throw JSONValue(document: document, index: at).typeError(expected: "a boolean")
    }
  }

  /// The tape index of member `name`'s value (see `member`).
  private func memberIndex(_ name: StaticString) throws(JSONReadError) -> Int? {
    try expect(.object, at: index)
    let nodes = document.nodes
    var found: Int?
    var child = index + 1
    let end = Int(nodes[index].next)
    while child < end {
      if nameEquals(child, name) {
        if found != nil {
          throw JSONReadError(description: "field '\(path(member: name))' appears more than once")
        }
        found = child + 1
      }
      child = Int(nodes[child + 1].next)
    }
    return found
  }

  /// The tape index of member `name`'s value; throws when it is missing.
  private func requiredIndex(_ name: StaticString) throws(JSONReadError) -> Int {
    guard let at = try memberIndex(name) else {
      throw JSONReadError(description: "field '\(path(member: name))' is missing")
    }
    return at
  }

  /// Member `name`, an array, with `transform` applied to each element in
  /// order: how a list page's keys are read.
  func map<Element>(
    _ name: StaticString, _ transform: (JSONValue) throws(JSONReadError) -> Element
  ) throws(JSONReadError) -> [Element] {
    let elements = try array(name)
    var result: [Element] = []
    result.reserveCapacity(elements.estimatedCount)
    for element in elements { result.append(try transform(element)) }
    return result
  }

  /// Member `name` as an array; it must be present and an array.
  func array(_ name: StaticString) throws(JSONReadError) -> JSONElements {
    try required(name).elements()
  }

  /// The names of the object's members, in order (decoded, not redacted).
  func memberNames() throws(JSONReadError) -> [String] {
    try expect(.object)
    var names: [String] = []
    var child = index + 1
    let end = Int(document.nodes[index].next)
    while child < end {
      names.append(document.decodeString(child))
      child = Int(document.nodes[child + 1].next)
    }
    return names
  }

  /// The object's members in order, names decoded (not redacted), for an
  /// object whose member names are data rather than a fixed shape (the
  /// providers of a cursor).
  func members() throws(JSONReadError) -> [(name: String, value: JSONValue)] {
    try expect(.object)
    var members: [(name: String, value: JSONValue)] = []
    var child = index + 1
    let end = Int(document.nodes[index].next)
    while child < end {
      members.append(
        (document.decodeString(child), JSONValue(document: document, index: child + 1)))
      child = Int(document.nodes[child + 1].next)
    }
    return members
  }

  // MARK: - Scalars and arrays

  /// The string, with any credential it spells masked.
  func string() throws(JSONReadError) -> String {
    try expect(.string)
    return document.redactedString(index)
  }

  /// The string exactly as sent, credentials included: only for a created
  /// key's secret, which is checked before it is ever shown.
  func unredactedString() throws(JSONReadError) -> String {
    try expect(.string)
    return document.decodeString(index)
  }

  /// The boolean.
  func bool() throws(JSONReadError) -> Bool {
    switch kind {
    case .trueValue: return true
    case .falseValue: return false
    default: throw typeError(expected: "a boolean")
    }
  }

  /// The number, when it is a whole number an `Int` holds exactly.
  func int() throws(JSONReadError) -> Int {
    try expect(.number)
    let digits = document.bytes[range]
    var value = 0
    var negative = false
    for byte in digits {
      if byte == 0x2D {
        negative = true
        continue
      }
      guard byte >= 0x30, byte <= 0x39 else { throw rangeError("a whole number") }
      let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
      let digit = Int(byte - 0x30)
      let (next, overflowB) =
        negative
        ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
      if overflowA || overflowB { throw rangeError("a whole number keyctl can hold") }
      value = next
    }
    return value
  }

  /// The number as a `Double`; throws when it is beyond a double's range.
  func double() throws(JSONReadError) -> Double {
    try expect(.number)
    let text = String(decoding: document.bytes[range], as: UTF8.self)
    guard let value = Double(text), value.isFinite else {
      throw rangeError("a number keyctl can hold")
    }
    return value
  }

  /// The array's elements.
  func elements() throws(JSONReadError) -> JSONElements {
    try expect(.array)
    return JSONElements(document: document, first: index + 1, end: Int(node.next))
  }

  // MARK: - Errors

  /// Throws the type error unless this value is of kind `wanted`.
  private func expect(_ wanted: JSONKind) throws(JSONReadError) {
    try expect(wanted, at: index)
  }

  /// Throws the type error of the value at `at` unless it is of kind `wanted`.
  private func expect(_ wanted: JSONKind, at: Int) throws(JSONReadError) {
    guard document.nodes[at].kind != wanted else { return }
    throw JSONValue(document: document, index: at).typeError(expected: wanted.described)
  }

  /// "field 'p' has an unexpected type (expected X, got Y)".
  fileprivate func typeError(expected: String) -> JSONReadError {
    JSONReadError(
      description: "\(subject) has an unexpected type (expected \(expected), got "
        + "\(kind.described))")
  }

  /// "field 'p' is not X", for a number out of range.
  private func rangeError(_ expected: String) -> JSONReadError {
    JSONReadError(description: "\(subject) is not \(expected)")
  }

  /// "field 'keys[3].alias'", or "the body" for the top-level value.
  private var subject: String {
    let path = document.path(to: index)
    return path.isEmpty ? "the body" : "field '\(path)'"
  }

  /// The path of member `name` of this object, for errors about it.
  private func path(member name: StaticString) -> String {
    let path = document.path(to: index)
    return path.isEmpty ? "\(name)" : "\(path).\(name)"
  }

  /// Whether the member name at `nameNode` is `name` (decoded when it holds escapes).
  private func nameEquals(_ nameNode: Int, _ name: StaticString) -> Bool {
    let node = document.nodes[nameNode]
    let length = name.utf8CodeUnitCount
    if node.flags & JSONNode.escapes != 0 {
      return document.decodeString(nameNode) == "\(name)"
    }
    guard Int(node.end - node.start) == length + 2, let base = document.bytes.baseAddress else {
      return false
    }
    return memcmp(base + Int(node.start) + 1, name.utf8Start, length) == 0
  }
}

/// The elements of a JSON array, in order.
struct JSONElements: Sequence, Sendable {
  /// The document they belong to.
  let document: JSONDocument
  /// The first element's node (or `end` for an empty array).
  let first: Int
  /// The node after the array.
  let end: Int

  /// Walks the elements, one tape jump each.
  struct Iterator: IteratorProtocol {
    /// The document the elements belong to.
    let document: JSONDocument
    /// The next element's node.
    var current: Int
    /// The node after the array.
    let end: Int

    /// The next element, or nil after the last.
    mutating func next() -> JSONValue? {
      guard current < end else { return nil }
      let value = JSONValue(document: document, index: current)
      current = Int(document.nodes[current].next)
      return value
    }
  }

  /// Makes the iterator.
  func makeIterator() -> Iterator {
    Iterator(document: document, current: first, end: end)
  }

  /// A capacity hint: an upper bound on the number of elements.
  var estimatedCount: Int { end - first }

  /// The last element, found by jumping over the others.
  var last: JSONValue? {
    var last: JSONValue?
    for element in self { last = element }
    return last
  }
}

extension JSONDocument {
  /// The string at `index`, decoded, with any credential it spells masked.
  func redactedString(_ index: Int) -> String {
    let text = decodeString(index)
    guard !redactor.isEmpty, holdsSecret || nodes[index].flags & JSONNode.escapes != 0 else {
      return text
    }
    return redactor.redact(text)
  }

  /// The decoded text of the string at `index` (a value or a member name).
  func decodeString(_ index: Int) -> String {
    let node = nodes[index]
    let content = bytes[Int(node.start) + 1..<Int(node.end) - 1]
    if node.flags & JSONNode.escapes == 0 {
      return String(decoding: UnsafeBufferPointer(rebasing: content), as: UTF8.self)
    }
    return JSONEscapes.unescape(content)
  }

  /// The path of the value at `target` from the root, e.g. `keys[3].alias`;
  /// empty for the root. Walks the tape, so only errors pay for it.
  func path(to target: Int) -> String {
    var path = ""
    var current = 0
    while current != target, current < nodes.count {
      let node = nodes[current]
      var child = current + 1
      let end = Int(node.next)
      var position = 0
      var descended = false
      while child < end {
        let value = node.kind == .object ? child + 1 : child
        let after = Int(nodes[value].next)
        if target >= value, target < after {
          if node.kind == .object {
            let name = Untrusted.bounded(decodeString(child), limit: 64)
            path += path.isEmpty ? name : "." + name
          } else {
            path += "[\(position)]"
          }
          current = value
          descended = true
          break
        }
        child = after
        position += 1
      }
      if !descended { break }
    }
    return path
  }
}
