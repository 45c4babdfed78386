import Foundation

/// An exact set of key ids, in about the ids' own bytes plus 11 to 22 bytes
/// each: what the listing's duplicate guard remembers of every key.
///
/// A `Set<String>` of OpenRouter's 64-character hashes costs about 150 bytes
/// a key (each string its own heap allocation, plus the table), so the guard
/// alone grew a 100,000-key listing by some 15 MiB. Here the ids' UTF-8 bytes
/// go one after another into 64 KiB chunks, which are never moved (no copy of
/// everything when the buffer grows), and an open-addressing table of 64-bit
/// slots points at them: a 16-bit tag of the hash, the chunk, the offset and
/// the length. Two ids are the same only when their bytes are: the hash just
/// finds candidates, so a collision can never drop a key. The hash is the
/// standard library's seeded `Hasher`, so a server cannot choose ids that all
/// collide and make every insert walk the table.
struct KeyIDSet {
  /// Bytes per chunk; an offset into one fits the slot's 16 bits.
  static let chunkSize = 1 << 16
  /// The longest id kept in the chunks (its length + 1 fits 16 bits). Longer
  /// ones, which no provider issues, go to `long`.
  static let maxStoredLength = chunkSize - 2

  /// The ids' bytes; a chunk is never reallocated once made.
  private var chunks: [[UInt8]] = []
  /// Open addressing with linear probing; 0 is an empty slot, else
  /// tag (16 bits) | chunk (16) | offset (16) | length + 1 (16).
  private var slots: [UInt64] = []
  /// Ids stored in the chunks.
  private var stored = 0
  /// Ids longer than `maxStoredLength`.
  private var long: Set<String> = []
  /// The hash of an id's bytes; tests substitute one that collides on purpose.
  private let hash: (UnsafeRawBufferPointer) -> UInt64

  /// An empty set hashing with `hash` (by default the seeded standard hash).
  init(hash: @escaping (UnsafeRawBufferPointer) -> UInt64 = KeyIDSet.standardHash) {
    self.hash = hash
  }

  /// How many ids the set holds.
  var count: Int { stored + long.count }

  /// The seeded standard-library hash of `bytes`.
  static func standardHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var hasher = Hasher()
    hasher.combine(bytes: bytes)
    return UInt64(bitPattern: Int64(hasher.finalize()))
  }

  /// Adds `id`; false when it was already there.
  mutating func insert(_ id: String) -> Bool {
    var id = id
    // 65,535 chunks (4 GiB of ids) is far beyond any listing; past it, ids go to `long` too.
    guard id.utf8.count <= Self.maxStoredLength, chunks.count < 0xFFFF else {
      return !contains(id) && long.insert(id).inserted
    }
    return id.withUTF8 { insert(bytes: UnsafeRawBufferPointer($0)) }
  }

  /// Whether `id` is in the set.
  func contains(_ id: String) -> Bool {
    var id = id
    if long.contains(id) { return true }
    guard id.utf8.count <= Self.maxStoredLength, !slots.isEmpty else { return false }
    return id.withUTF8 { bytes in
      let raw = UnsafeRawBufferPointer(bytes)
      if case .found = probe(raw, hash: hash(raw)) { return true }
      return false
    }
  }

  // MARK: - Private

  /// Where a probe for some bytes ended.
  private enum Probe {
    /// The bytes are in the set, at this slot.
    case found
    /// They are not; this empty slot is where they would go.
    case empty(Int)
  }

  private mutating func insert(bytes: UnsafeRawBufferPointer) -> Bool {
    // Grown before the probe, so the probe's empty slot is still the right one.
    if (stored + 1) * 4 > slots.count * 3 { grow() }
    let hashed = hash(bytes)
    guard case .empty(let slot) = probe(bytes, hash: hashed) else { return false }
    slots[slot] = Self.tag(hashed) << 48 | append(bytes)
    stored += 1
    return true
  }

  /// Linear probing from the hash's slot to the id or the first empty slot.
  private func probe(_ bytes: UnsafeRawBufferPointer, hash hashed: UInt64) -> Probe {
    let mask = slots.count - 1
    let tag = Self.tag(hashed)
    var index = Int(truncatingIfNeeded: hashed) & mask
    while true {
      let slot = slots[index]
      if slot == 0 { return .empty(index) }
      if slot >> 48 == tag, equal(slot, bytes) { return .found }
      index = (index + 1) & mask
    }
  }

  /// The top 16 bits of a hash, kept in the slot so most mismatches need no byte compare.
  private static func tag(_ hashed: UInt64) -> UInt64 { hashed >> 48 }

  /// Whether the slot's stored bytes are exactly `bytes`.
  private func equal(_ slot: UInt64, _ bytes: UnsafeRawBufferPointer) -> Bool {
    let length = Int(slot & 0xFFFF) - 1
    guard length == bytes.count else { return false }
    guard length > 0, let other = bytes.baseAddress else { return true }
    let chunk = Int(slot >> 32 & 0xFFFF)
    let offset = Int(slot >> 16 & 0xFFFF)
    return chunks[chunk].withUnsafeBytes { stored in
      guard let base = stored.baseAddress else { return false }
      return memcmp(base + offset, other, length) == 0
    }
  }

  /// Copies `bytes` into the chunks; returns the slot's low 48 bits for them.
  private mutating func append(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    if chunks.isEmpty || chunks[chunks.count - 1].count + bytes.count > Self.chunkSize {
      var chunk: [UInt8] = []
      chunk.reserveCapacity(Self.chunkSize)
      chunks.append(chunk)
    }
    let chunk = chunks.count - 1
    let offset = chunks[chunk].count
    chunks[chunk].append(contentsOf: bytes)
    return UInt64(chunk) << 32 | UInt64(offset) << 16 | UInt64(bytes.count + 1)
  }

  /// Doubles the table (64 slots at first) and puts every id back, hashing its bytes again.
  private mutating func grow() {
    let old = slots
    slots = Array(repeating: 0, count: max(64, old.count * 2))
    let mask = slots.count - 1
    for slot in old where slot != 0 {
      let chunk = Int(slot >> 32 & 0xFFFF)
      let offset = Int(slot >> 16 & 0xFFFF)
      let length = Int(slot & 0xFFFF) - 1
      let hashed = chunks[chunk].withUnsafeBytes { stored in
        hash(UnsafeRawBufferPointer(rebasing: stored[offset..<offset + length]))
      }
      var index = Int(truncatingIfNeeded: hashed) & mask
      while slots[index] != 0 { index = (index + 1) & mask }
      slots[index] = slot
    }
  }
}
