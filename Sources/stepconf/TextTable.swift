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

/// Fixed-point formatting without Foundation's locale.
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    // Past what an Int holds at this many digits, Swift's own shortest form (e.g. 1e+20) rather than a trap.
    guard abs(value) * scale < 9e15 else { return "\(value)" }
    let rounded = (abs(value) * scale).rounded()
    let whole = Int(rounded / scale)
    let frac = Int(rounded - Double(whole) * scale)
    let sign = value < 0 && rounded != 0 ? "-" : ""
    if digits == 0 { return "\(sign)\(whole)" }
    let fracText = String(frac)
    return "\(sign)\(whole)." + String(repeating: "0", count: digits - fracText.count) + fracText
}

/// A USD amount with enough significant digits for sub-cent workflow costs.
func usd(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    return "$" + fixed(value, value >= 0.01 ? 4 : 7)
}
