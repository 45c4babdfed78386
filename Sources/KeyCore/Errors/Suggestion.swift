/// "Did you mean" for anything a person types that must match a fixed set:
/// commands, options, option values, config-file tables and keys, audit rules.
///
/// It lives in KeyCore, not in the command line, because the config file and the
/// audit rule list are checked here and must suggest exactly the way the parser
/// does, so one misspelling gets one kind of answer wherever it is made.
public enum Suggestion {
  /// The closest candidate within a small edit distance, or nil.
  ///
  /// The allowed distance grows with the input (a third of its length, 1 to 3),
  /// so short words are not "corrected" into unrelated ones; failing that, a
  /// candidate that starts with at least three typed characters is offered, for
  /// an abbreviation.
  public static func closest(to input: String, in candidates: [String]) -> String? {
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

  /// Levenshtein distance with adjacent transpositions counted as one edit,
  /// because swapped neighbours ("lsit") are the commonest typing slip.
  public static func editDistance(_ left: String, _ right: String) -> Int {
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
