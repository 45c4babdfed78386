/// How many terminal columns text takes, so that tables line up with names in
/// Chinese, Japanese, Korean or emoji (a character count puts `画像生成` in 4
/// columns; a terminal shows it in 8).
///
/// Measured per character (grapheme cluster, which the standard library
/// splits without ICU): East Asian Wide and Fullwidth characters and emoji
/// shown as emoji take 2 columns, combining marks and other zero-width
/// characters 0, everything else 1. The wide ranges are a small table written
/// out below (Unicode 14's East Asian Width `W` and `F`, which since Unicode 9
/// include every default-emoji character, merged across unassigned gaps);
/// combining marks come from the standard library's own Unicode tables. None
/// of it depends on ICU or the locale.
enum DisplayWidth {
  /// The columns `text` takes.
  static func of(_ text: String) -> Int {
    // Printable ASCII (almost every id and most names): one column a byte.
    if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text.utf8.count }
    return text.reduce(0) { $0 + of($1) }
  }

  /// The columns one character takes: 2 if any of its scalars is wide, or if
  /// an emoji asks for emoji presentation (U+FE0F after `❤`); 0 if all of
  /// them are zero-width; else 1.
  static func of(_ character: Character) -> Int {
    var width = 0
    var emojiBase = false
    for scalar in character.unicodeScalars {
      if scalar.value == 0xFE0F, emojiBase { return 2 }
      if width == 0 { emojiBase = scalar.properties.isEmoji }
      width = max(width, of(scalar))
      if width == 2 { return 2 }
    }
    return width
  }

  /// The columns one scalar takes on its own.
  static func of(_ scalar: Unicode.Scalar) -> Int {
    let value = scalar.value
    if value < 0x7F { return value < 0x20 ? 0 : 1 }
    if value < 0xA0 { return 0 }
    if isWide(value) { return 2 }
    // Hangul vowels and final consonants join the syllable's leading consonant.
    if (0x1160...0x11FF).contains(value) || (0xD7B0...0xD7FF).contains(value) { return 0 }
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format, .control: return 0
    default: return 1
    }
  }

  /// `text` cut to at most `width` columns, ending in `…` when anything was
  /// cut (spaces before the `…` dropped); `text` itself when it fits.
  static func truncated(_ text: String, to width: Int) -> String {
    guard of(text) > width else { return text }
    guard width > 0 else { return "" }
    var kept = ""
    var used = 0
    for character in text {
      let next = of(character)
      if used + next > width - 1 { break }
      kept.append(character)
      used += next
    }
    while kept.last == " " { kept.removeLast() }
    return kept + "…"
  }

  /// Whether a scalar is East Asian Wide or Fullwidth, or a regional
  /// indicator (two of which make a flag, shown 2 columns wide).
  static func isWide(_ value: UInt32) -> Bool {
    if value < 0x1100 { return false }
    if (0x1_F1E6...0x1_F1FF).contains(value) { return true }
    var low = 0
    var high = wideRanges.count - 1
    while low <= high {
      let middle = (low + high) / 2
      let range = wideRanges[middle]
      if value < range.0 {
        high = middle - 1
      } else if value > range.1 {
        low = middle + 1
      } else {
        return true
      }
    }
    return false
  }

  /// East Asian Width `W` or `F` (Unicode 14), first and last scalar of each
  /// run, sorted; runs separated only by unassigned code points are merged.
  private static let wideRanges: [(UInt32, UInt32)] = [
    (0x1100, 0x115F), (0x231A, 0x231B), (0x2329, 0x232A), (0x23E9, 0x23EC), (0x23F0, 0x23F0),
    (0x23F3, 0x23F3), (0x25FD, 0x25FE), (0x2614, 0x2615), (0x2648, 0x2653), (0x267F, 0x267F),
    (0x2693, 0x2693), (0x26A1, 0x26A1), (0x26AA, 0x26AB), (0x26BD, 0x26BE), (0x26C4, 0x26C5),
    (0x26CE, 0x26CE), (0x26D4, 0x26D4), (0x26EA, 0x26EA), (0x26F2, 0x26F3), (0x26F5, 0x26F5),
    (0x26FA, 0x26FA), (0x26FD, 0x26FD), (0x2705, 0x2705), (0x270A, 0x270B), (0x2728, 0x2728),
    (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755), (0x2757, 0x2757), (0x2795, 0x2797),
    (0x27B0, 0x27B0), (0x27BF, 0x27BF), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55),
    (0x2E80, 0x303E), (0x3041, 0x3247), (0x3250, 0x4DBF), (0x4E00, 0xA4C6), (0xA960, 0xA97C),
    (0xAC00, 0xD7A3), (0xF900, 0xFAD9), (0xFE10, 0xFE19), (0xFE30, 0xFE6B), (0xFF01, 0xFF60),
    (0xFFE0, 0xFFE6), (0x16FE0, 0x1B2FB), (0x1F004, 0x1F004), (0x1F0CF, 0x1F0CF),
    (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F200, 0x1F320), (0x1F32D, 0x1F335),
    (0x1F337, 0x1F37C), (0x1F37E, 0x1F393), (0x1F3A0, 0x1F3CA), (0x1F3CF, 0x1F3D3),
    (0x1F3E0, 0x1F3F0), (0x1F3F4, 0x1F3F4), (0x1F3F8, 0x1F43E), (0x1F440, 0x1F440),
    (0x1F442, 0x1F4FC), (0x1F4FF, 0x1F53D), (0x1F54B, 0x1F54E), (0x1F550, 0x1F567),
    (0x1F57A, 0x1F57A), (0x1F595, 0x1F596), (0x1F5A4, 0x1F5A4), (0x1F5FB, 0x1F64F),
    (0x1F680, 0x1F6C5), (0x1F6CC, 0x1F6CC), (0x1F6D0, 0x1F6D2), (0x1F6D5, 0x1F6DF),
    (0x1F6EB, 0x1F6EC), (0x1F6F4, 0x1F6FC), (0x1F7E0, 0x1F7F0), (0x1F90C, 0x1F93A),
    (0x1F93C, 0x1F945), (0x1F947, 0x1F9FF), (0x1FA70, 0x1FAF6), (0x20000, 0x3FFFD),
  ]
}
