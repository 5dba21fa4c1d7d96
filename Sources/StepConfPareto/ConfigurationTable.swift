import Foundation
import StepConfCore
import StepConfStorage

/// A complete table of objective values over a grid of three integer decision variables — the word-count
/// problem's `memory_mb,concurrency,batch_pct,duration_s,cost_usd` — searched as a ``DiscreteProblem`` whose
/// variables are indices into each axis. Objectives: f1 = duration, f2 = cost.
public struct ConfigurationTable: DiscreteProblem {
    public static let header = "memory_mb,concurrency,batch_pct,duration_s,cost_usd"
    /// Each variable's values, ascending.
    public let axes: [[Int]]
    /// Objective points in row-major order of the axes.
    public let values: [ObjectivePoint]

    public var bounds: [ClosedRange<Int>] { axes.map { 0...($0.count - 1) } }

    /// - Precondition: `values.count` is the product of the axes' sizes.
    public init(axes: [[Int]], values: [ObjectivePoint]) {
        self.axes = axes
        self.values = values
    }

    /// Builds the table by evaluating every combination (on `threads` threads).
    public static func build(
        axes: [[Int]], threads: Int = ProcessInfo.processInfo.activeProcessorCount, _ evaluate: @escaping @Sendable ([Int]) -> ObjectivePoint
    ) -> ConfigurationTable {
        let sizes = axes.map(\.count)
        let total = sizes.reduce(1, *)
        let slots = ResultSlots<ObjectivePoint>(count: total)
        let chunk = 256
        try? ParallelWork.run(count: (total + chunk - 1) / chunk, threads: threads) { c in
            for flat in (c * chunk)..<min(total, (c + 1) * chunk) {
                var rest = flat
                var values = [Int](repeating: 0, count: axes.count)
                for k in axes.indices.reversed() {
                    values[k] = axes[k][rest % sizes[k]]
                    rest /= sizes[k]
                }
                slots.set(flat, evaluate(values))
            }
        }
        return ConfigurationTable(axes: axes, values: slots.values.map { $0! })
    }

    func flatIndex(_ x: [Int]) -> Int { zip(x, axes).reduce(0) { $0 * $1.1.count + $1.0 } }

    public func evaluate(_ x: [Int]) -> ObjectivePoint { values[flatIndex(x)] }

    /// The decision values (not indices) of `x`.
    public func decision(_ x: [Int]) -> [Int] { zip(x, axes).map { $1[$0] } }

    /// The table as CSV (header, then one row per combination).
    public func csv() -> String {
        var lines = [Self.header]
        lines.reserveCapacity(values.count + 1)
        for x in allDecisions() {
            let v = decision(x)
            let p = evaluate(x)
            lines.append("\(v[0]),\(v[1]),\(v[2]),\(p.f1),\(p.f2)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads a CSV with the header above; every combination of the values that occur must appear once.
    /// - Throws: ``InputError`` naming the file, the line and what is wrong.
    public static func parse(_ text: String, source: String) throws -> ConfigurationTable {
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let first = lines.first, first.trimmingCharacters(in: .whitespaces) == header else {
            throw InputError(.malformed, "\(source): line 1 must be `\(header)`")
        }
        lines.removeFirst()
        var rows: [([Int], ObjectivePoint)] = []
        for (n, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 5 else { throw InputError(.malformed, "\(source): line \(n + 2): expected 5 fields, found \(fields.count)") }
            guard let m = Int(fields[0]), let c = Int(fields[1]), let b = Int(fields[2]) else {
                throw InputError(.malformed, "\(source): line \(n + 2): memory_mb, concurrency and batch_pct must be integers")
            }
            guard let d = Double(fields[3]), let cost = Double(fields[4]), d.isFinite, cost.isFinite, d >= 0, cost >= 0 else {
                throw InputError(.malformed, "\(source): line \(n + 2): duration_s and cost_usd must be numbers ≥ 0")
            }
            rows.append(([m, c, b], ObjectivePoint(d, cost)))
        }
        guard !rows.isEmpty else { throw InputError(.malformed, "\(source): no rows") }
        let axes = (0..<3).map { k in Set(rows.map { $0.0[k] }).sorted() }
        let positions = axes.map { axis in Dictionary(uniqueKeysWithValues: axis.enumerated().map { ($1, $0) }) }
        let total = axes.reduce(1) { $0 * $1.count }
        var values = [ObjectivePoint?](repeating: nil, count: total)
        let probe = ConfigurationTable(axes: axes, values: [])
        for (row, point) in rows {
            let flat = probe.flatIndex((0..<3).map { positions[$0][row[$0]]! })
            guard values[flat] == nil else {
                throw InputError(.malformed, "\(source): memory_mb=\(row[0]), concurrency=\(row[1]), batch_pct=\(row[2]) appears twice")
            }
            values[flat] = point
        }
        if let missing = values.firstIndex(where: { $0 == nil }) {
            var rest = missing
            var v = [Int](repeating: 0, count: 3)
            for k in (0..<3).reversed() {
                v[k] = axes[k][rest % axes[k].count]
                rest /= axes[k].count
            }
            throw InputError(
                .malformed,
                "\(source): the grid is incomplete (\(rows.count) rows of \(total)): no row for memory_mb=\(v[0]), concurrency=\(v[1]), batch_pct=\(v[2])")
        }
        return ConfigurationTable(axes: axes, values: values.map { $0! })
    }
}
