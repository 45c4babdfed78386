import Foundation
import Testing

@testable import KeyCore

/// The duplicate guard's compact id set is exact: it agrees with a
/// `Set<String>` whatever the hash does, through every growth of its table
/// and across the boundaries of its chunks.
@Suite struct KeyIDSetTests {
  /// Inserts `ids` into both sets and checks they agree on each insert and
  /// on membership afterwards.
  private func agree(_ ids: [String], _ set: inout KeyIDSet) {
    var reference: Set<String> = []
    for id in ids {
      let inserted = set.insert(id)
      #expect(inserted == reference.insert(id).inserted, "insert \(id.prefix(40))")
    }
    #expect(set.count == reference.count)
    for id in reference { #expect(set.contains(id)) }
  }

  /// Every id hashes the same: each lookup walks one long chain, and only the
  /// bytes tell ids apart — none is taken for another.
  @Test func idsWithTheSameHashAreAllKept() {
    var set = KeyIDSet(hash: { _ in 0x1234_5678_9ABC_DEF0 })
    let ids = (0..<3000).map { "key-\($0)" }
    agree(ids + ids.shuffled(), &set)
    #expect(!set.contains("key-3000"))
    #expect(!set.contains("key-1 "))
  }

  /// Hashes that agree in the tag bits but not the slot, and the other way
  /// round, still compare the bytes.
  @Test func partialCollisionsCompareTheBytes() {
    var set = KeyIDSet(hash: { bytes in UInt64(bytes.count % 3) << 48 | UInt64(bytes.count % 5) })
    let ids = (0..<2000).map { String(repeating: "x", count: $0 % 17) + "\($0)" }
    agree(ids + ids, &set)
  }

  /// A hundred thousand 64-character hashes (OpenRouter's ids) and more: the
  /// table doubles many times and the bytes span many 64 KiB chunks.
  @Test func manyIdsGrowTheTableAndTheChunks() {
    var set = KeyIDSet()
    var generator = SystemRandomNumberGenerator()
    let ids = (0..<120_000).map { _ in
      (0..<4).map { _ in
        String(generator.next() as UInt64, radix: 16).leftPadded(16)
      }.joined()
    }
    agree(ids + ids.prefix(5000), &set)
    #expect(set.count == Set(ids).count)
  }

  /// Ids of every length at the edges: empty, a byte, non-ASCII, one that just
  /// fits a chunk, and longer ones kept outside the chunks.
  @Test func idsOfEveryLengthAreKept() {
    var set = KeyIDSet()
    let longest = KeyIDSet.maxStoredLength
    let ids = [
      "", "a", "é", "日本", "🔑", "a\u{0}b", String(repeating: "z", count: longest),
      String(repeating: "z", count: longest - 1), String(repeating: "z", count: longest + 1),
      String(repeating: "y", count: 200_000), String(repeating: "q", count: 40_000),
      String(repeating: "q", count: 40_001),
    ]
    agree(ids + ids, &set)
    #expect(!set.contains(String(repeating: "z", count: longest + 2)))
    #expect(!set.contains("b"))
  }

  /// Canonically equal strings with different bytes are different ids, as
  /// they are to a provider (ids are compared byte for byte; a `Set<String>`
  /// took the second for a repeat of the first and dropped that key).
  @Test func idsAreComparedByTheirBytes() {
    var set = KeyIDSet()
    let composed = set.insert("caf\u{E9}")
    let decomposed = set.insert("cafe\u{301}")
    #expect(composed && decomposed)
    #expect(set.count == 2)
    #expect(set.contains("cafe\u{301}"))
  }
}

extension String {
  /// Left-padded with zeros to `width` characters.
  fileprivate func leftPadded(_ width: Int) -> String {
    String(repeating: "0", count: max(0, width - count)) + self
  }
}
