import Foundation

extension JSONValue {
  /// The value as `raw` for the output: the provider's bytes, byte for byte,
  /// except that white space between tokens is removed (so an ndjson record
  /// stays one line), characters `Untrusted.movesTerminal` flags inside
  /// strings are escaped as `\uXXXX` (so no terminal acts on them), any string
  /// that spells a credential is re-encoded with it masked, and the members
  /// named in `removing` (a created key's secret) are left out.
  ///
  /// A value that needs none of that — nearly every key of every page — is
  /// copied whole.
  func raw(removing names: [StaticString] = []) -> RawJSON {
    let node = self.node
    let range = self.range
    let mayMaskEscaped = node.flags & JSONNode.escapes != 0 && !document.redactor.isEmpty
    if names.isEmpty, !document.holdsSecret, !mayMaskEscaped,
      node.flags & (JSONNode.space | JSONNode.unsafe) == 0
    {
      return RawJSON(sanitized: Data(document.bytes[range]))
    }
    var output: [UInt8] = []
    output.reserveCapacity(range.count)
    document.emit(index, removing: names, into: &output)
    return RawJSON(sanitized: Data(output))
  }
}

extension JSONDocument {
  /// Appends the value at `index` as `JSONValue.raw` describes; `names` are
  /// members of this value (not of values inside it) to leave out.
  fileprivate func emit(_ index: Int, removing names: [StaticString], into output: inout [UInt8]) {
    let node = nodes[index]
    switch node.kind {
    case .object:
      output.append(0x7B)
      var child = index + 1
      let end = Int(node.next)
      var first = true
      while child < end {
        let value = child + 1
        if names.isEmpty || !names.contains(where: { "\($0)" == decodeString(child) }) {
          if !first { output.append(0x2C) }
          first = false
          emitString(child, into: &output)
          output.append(0x3A)
          emit(value, removing: [], into: &output)
        }
        child = Int(nodes[value].next)
      }
      output.append(0x7D)
    case .array:
      output.append(0x5B)
      var child = index + 1
      let end = Int(node.next)
      while child < end {
        if child != index + 1 { output.append(0x2C) }
        emit(child, removing: [], into: &output)
        child = Int(nodes[child].next)
      }
      output.append(0x5D)
    case .string:
      emitString(index, into: &output)
    case .number, .trueValue, .falseValue, .null:
      output += bytes[Int(node.start)..<Int(node.end)]
    }
  }

  /// Appends one string: masked and re-encoded when it spells a credential,
  /// else as sent with raw terminal-moving characters escaped.
  private func emitString(_ index: Int, into output: inout [UInt8]) {
    let node = nodes[index]
    if !redactor.isEmpty, holdsSecret || node.flags & JSONNode.escapes != 0 {
      let text = decodeString(index)
      if redactor.occurs(in: text) {
        Untrusted.appendJSONString(redactor.redact(text), to: &output)
        return
      }
    }
    let start = Int(node.start)
    let end = Int(node.end)
    guard node.flags & JSONNode.unsafe != 0 else {
      output += bytes[start..<end]
      return
    }
    // Escapes already in the text are ASCII and pass through unchanged; only
    // raw characters that move a terminal are rewritten.
    let buffer = bytes
    var position = start
    while position < end {
      let byte = buffer[position]
      if byte < 0x80 {
        if byte == 0x7F {
          Untrusted.appendEscape(0x7F, to: &output)
        } else {
          output.append(byte)
        }
        position += 1
        continue
      }
      let (scalar, length) = Untrusted.decodeScalar(buffer, at: position)
      if Untrusted.movesTerminal(scalar) {
        Untrusted.appendEscape(scalar, to: &output)
      } else {
        output += UnsafeBufferPointer(rebasing: buffer[position..<position + length])
      }
      position += length
    }
  }
}
