import StepConfCore

/// A plain-text table with right-aligned numeric columns, for people reading a terminal.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    /// Columns aligned left (the rest align right).
    var leftAligned: Set<Int> = [0]

    init(_ header: [String], leftAligned: Set<Int> = [0]) {
        self.header = header
        self.leftAligned = leftAligned
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ row: [String]) -> String {
            row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return leftAligned.contains(i) ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}

/// Fixed-point formatting without Foundation's locale (Core's ``TextFormat/fixed(_:_:)``, the bootstrap's too).
func fixed(_ value: Double, _ digits: Int) -> String { TextFormat.fixed(value, digits) }

/// A USD amount with enough significant digits for sub-cent workflow costs.
func usd(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    return "$" + fixed(value, value >= 0.01 ? 4 : 7)
}
