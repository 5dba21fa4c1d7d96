import Foundation
import PropertyBased
import StepConfCore
import Testing

@testable import StepConfSimulator

/// The report's plots on any data, hostile included: a document whose tags balance, with every coordinate a number.
@Suite struct SVGPlotPropertyTests {
    /// Whether every element opened is closed, in order (self-closing ones count as both).
    static func balanced(_ svg: String) -> Bool {
        var stack: [String] = []
        var rest = svg[...]
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { return false }
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            if tag.hasPrefix("?") || tag.hasPrefix("!") { continue }
            if tag.hasSuffix("/") { continue }
            let name = String(tag.split(whereSeparator: { $0 == " " || $0 == "\n" }).first ?? "")
            if name.hasPrefix("/") {
                guard stack.popLast() == String(name.dropFirst()) else { return false }
            } else {
                stack.append(name)
            }
        }
        return stack.isEmpty
    }

    @Test func anyDataGivesABalancedDocumentWithoutNaNOrInfinity() async {
        await propertyCheck(count: 150, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            func value() -> Double {
                switch Int.random(in: 0...9, using: &rng) {
                case 0: return .nan
                case 1: return .infinity
                case 2: return -.infinity
                case 3: return 0
                default: return (rng.unit() - 0.3) * pow(10, Double(Int.random(in: -6...6, using: &rng)))
                }
            }
            let xr = SVGPlot.span(value(), value()), yr = SVGPlot.span(value(), value())
            var plot = Bool.random(using: &rng)
                ? SVGPlot(title: "t <&> \"q\"", xLabel: "x & y", yLabel: "cost <USD>", x: xr, y: yr)
                : SVGPlot(title: "t <&> \"q\"", xLabel: "x & y", yLabel: "cost <USD>", logX: xr, y: yr)
            for k in 0..<Int.random(in: 0...4, using: &rng) {
                let points = (0..<Int.random(in: 0...8, using: &rng)).map { _ in (value(), value()) }
                plot.line("policy <\(k)>", points, style: SVGPlot.palette[k % SVGPlot.palette.count], steps: Bool.random(using: &rng))
            }
            plot.reference(x: value(), y: value(), label: "SLO & more")
            let svg = plot.render()
            #expect(Self.balanced(svg), "seed \(seed)")
            #expect(!svg.contains("nan") && !svg.contains("inf"), "seed \(seed)")
            #expect(!svg.contains("<&>") && svg.contains("&lt;"), "text is escaped (seed \(seed))")
        }
    }

    @Test func aSpanIsNeverEmptyOrInfinite() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let pick: [Double] = [.nan, .infinity, -.infinity, 0, 1, -1, 1e300, 5e-324]
            let span = SVGPlot.span(pick.randomElement(using: &rng)!, pick.randomElement(using: &rng)!)
            #expect(span.lowerBound.isFinite && span.upperBound.isFinite && span.upperBound > span.lowerBound, "seed \(seed)")
            #expect(!SVGPlot.ticks(span).isEmpty && SVGPlot.ticks(span).allSatisfy(\.isFinite), "seed \(seed)")
        }
    }
}
