import KeyCore

/// "Did you mean" for misspelled commands, options and values.
///
/// A thin forwarder to KeyCore's `Suggestion`, which the config file and the
/// audit rules use too, so every misspelling is answered the same way.
enum Suggestions {
  /// The closest candidate within a small edit distance, or nil.
  static func closest(to input: String, in candidates: [String]) -> String? {
    Suggestion.closest(to: input, in: candidates)
  }

  /// Levenshtein distance with adjacent transpositions counted as one edit.
  static func editDistance(_ left: String, _ right: String) -> Int {
    Suggestion.editDistance(left, right)
  }
}
