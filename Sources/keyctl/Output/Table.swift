/// The one table layout of keyctl's human output: `list`, `providers`, the
/// `field  value` view of one key (`create`, next `get`), and whatever comes next.
///
/// Columns are aligned by display width (`DisplayWidth`), two spaces apart,
/// the last one unpadded so no line ends in spaces. On a terminal the table is
/// fitted to its width by shortening the one column marked `shrinks` (the key
/// name) with `…`; every other column, ids above all, stays whole, because
/// people copy ids into the next command. Output that is not a terminal is
/// never cut (`width` nil): a script gets every character.
struct Table {
  /// How a column is shown.
  struct Column {
    /// The header text (`NAME`); unused when the table shows no header.
    let header: String
    /// How cells are styled on a colour terminal.
    var style = CellStyle.plain
    /// Whether this column may be shortened to fit a terminal.
    var shrinks = false
  }

  /// Styling applied after measuring, so escape codes never count as width.
  enum CellStyle {
    /// As is.
    case plain
    /// A key status, coloured by `Terminal.status`.
    case status
  }

  /// Spaces between columns.
  static let gap = 2
  /// A shrunk column keeps at least this many columns (or its header's
  /// width), so a name stays recognisable even on a narrow terminal.
  static let narrowest = 8

  /// The columns, left to right.
  let columns: [Column]
  /// Whether the first line is the headers (bold on a colour terminal).
  var showsHeader = true
  /// The cells, one array per row, as many as `columns`.
  private(set) var rows: [[String]] = []

  /// A table with these columns and no rows.
  init(columns: [Column], showsHeader: Bool = true) {
    self.columns = columns
    self.showsHeader = showsHeader
  }

  /// Adds a row; the cells must already be one line of blanked text
  /// (`KeyField.text`), since the table only measures and pads.
  mutating func append(_ row: [String]) {
    rows.append(row)
  }

  /// Whether no row was added.
  var isEmpty: Bool { rows.isEmpty }

  /// The table as text, a newline after every line; fitted to `width`
  /// columns when that is given (a terminal) and the table is wider.
  func render(width: Int?, terminal: Terminal) -> String {
    var lines = rows
    if showsHeader { lines.insert(columns.map(\.header), at: 0) }
    var measured = lines.map { $0.map(DisplayWidth.of) }
    var widths = columns.indices.map { column in measured.map { $0[column] }.max() ?? 0 }

    if let width, let shrinking = columns.firstIndex(where: \.shrinks) {
      let total = widths.reduce(0, +) + Self.gap * (columns.count - 1)
      let floor = min(
        widths[shrinking],
        max(Self.narrowest, showsHeader ? DisplayWidth.of(columns[shrinking].header) : 0))
      let target = max(floor, widths[shrinking] - (total - width))
      if target < widths[shrinking] {
        widths[shrinking] = target
        for line in lines.indices where measured[line][shrinking] > target {
          lines[line][shrinking] = DisplayWidth.truncated(lines[line][shrinking], to: target)
          measured[line][shrinking] = DisplayWidth.of(lines[line][shrinking])
        }
      }
    }

    var out = ""
    for (index, cells) in lines.enumerated() {
      let isHeader = showsHeader && index == 0
      for (column, cell) in cells.enumerated() {
        if isHeader {
          out += terminal.bold(cell)
        } else {
          out += columns[column].style == .status ? terminal.status(cell) : cell
        }
        if column < cells.count - 1 {
          out += String(repeating: " ", count: widths[column] - measured[index][column] + Self.gap)
        }
      }
      out += "\n"
    }
    return out
  }
}
