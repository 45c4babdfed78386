/// "Did you mean" for misspelled commands, options and values.
enum Suggestions {
  /// The closest candidate within a small edit distance, or nil.
  static func closest(to input: String, in candidates: [String]) -> String? {
    let limit = max(1, min(3, input.count / 3))
    var best: (String, Int)?
    for candidate in candidates {
      let distance = editDistance(input.lowercased(), candidate.lowercased())
      if distance <= limit, distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
    }
    if best == nil {
      best = candidates.first { $0.hasPrefix(input) && input.count >= 3 }.map { ($0, 0) }
    }
    return best?.0
  }

  /// Levenshtein distance with adjacent transpositions counted as one edit.
  static func editDistance(_ left: String, _ right: String) -> Int {
    let a = Array(left)
    let b = Array(right)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          current[j] = min(current[j], previous2[j - 2] + 1)
        }
      }
      (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[b.count]
  }
}
