import Foundation
import StepConfCore

/// The self-contained HTML report of an evaluation: tables and inline SVG figures after the paper's
/// Figs. 14–21.
public struct EvaluationReport: Sendable {
    public let results: EvaluationResults
    public let cells: [Evaluation.Cell]

    public init(results: EvaluationResults, cells: [Evaluation.Cell]) {
        self.results = results
        self.cells = cells
    }

    /// Every name a figure draws, each with a style of its own: the policies, then the all-fastest plan and hindsight.
    private var drawn: [String] {
        results.policies + [Evaluation.fastestName, Evaluation.hindsightName].filter { !results.policies.contains($0) }
    }

    private func style(_ policy: String) -> SVGPlot.Style {
        let index = drawn.firstIndex(of: policy) ?? drawn.count
        return SVGPlot.palette[index % SVGPlot.palette.count]
    }

    /// Whether `row` attains less than the SLO's percentile (P, else 99 %), less half a point: a miss, drawn hollow.
    private func misses(_ row: EvaluationResults.Row) -> Bool {
        row.sloAttainment < (results.percentile ?? ChanceConstraint.defaultPercentile) / 100 - 0.005
    }

    /// The label of the hollow points.
    private var missLabel: String {
        "hollow: attains < P = \(fmt(results.percentile ?? ChanceConstraint.defaultPercentile, 1)) %"
    }

    private func cell(_ policy: String, _ slo: Double) -> Evaluation.Cell? {
        cells.first { $0.policy == policy && $0.sloSeconds == slo }
    }

    /// The SLOs the box plots and CDFs show: the tightest at or above 1.2 × the fastest mean makespan, and a
    /// looser one from the middle of the list.
    var featuredSLOs: [Double] {
        let tight = results.slos.first { $0 >= 1.2 * results.fastestMeanMakespanSeconds - 1e-9 } ?? results.slos.first
        let loose = results.slos.sorted()[results.slos.count / 2]
        return [tight, loose].compactMap { $0 }.reduce(into: [Double]()) { if !$0.contains($1) { $0.append($1) } }
    }

    public func html() -> String {
        var page = """
            <!doctype html><html lang="en"><head><meta charset="utf-8">
            <title>StepConf evaluation · \(SVGPlot.escape(results.workflow))</title>
            <style>
            body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#111;max-width:1180px}
            h1{font-size:22px}h2{font-size:17px;margin-top:28px}
            table{border-collapse:collapse;font-size:13px;margin:8px 0}
            th,td{border:1px solid #bbb;padding:3px 8px;text-align:right}th{background:#eee}
            td:first-child,th:first-child{text-align:left}
            .figs{display:flex;flex-wrap:wrap;gap:12px}.note{color:#444;font-size:13px;max-width:1100px}
            </style></head><body>
            <h1>StepConf evaluation · <code>\(SVGPlot.escape(results.workflow))</code></h1>
            <p class="note">\(results.requests) simulated requests per SLO and policy (seed \(results.seed)); fastest achievable
            mean makespan \(fmt(results.fastestMeanMakespanSeconds)) s (every step at its fastest predicted configuration);
            SLOs \(results.slos.map { fmt($0) }.joined(separator: ", ")) s. Dynamic policies (stepconf, intra-only,
            inter-only, stepconf-exact) decide each step at its actual start and pay for their configurator; static,
            nono and optimal decide once before the run. Costs include Lambda, Step Functions transitions and configurators.</p>
            """
        page += summaryTable()
        page += "<h2>Duration per policy (Figs. 14–15)</h2><div class=\"figs\">"
        for slo in featuredSLOs { page += boxPlot(slo) }
        page += "</div><h2>Duration CDF against the SLO (Figs. 16–17)</h2><div class=\"figs\">"
        for slo in featuredSLOs { page += cdf(slo) }
        page += "</div><h2>Versus nono (Fig. 18)</h2><div class=\"figs\">" + versusNono() + "</div>"
        page += "<h2>Cost and attainment versus SLO (Figs. 19–21)</h2><div class=\"figs\">"
        page += perSLO(title: "Mean cost per request", yLabel: "USD", value: \.meanCostUSD)
        page += perSLO(title: "SLO attainment", yLabel: "fraction of requests within the SLO", value: \.sloAttainment)
        page += "</div><h2>Cost against attainment</h2><div class=\"figs\">" + costAgainstAttainment() + "</div>"
        page += "<h2>Predicted against measured attainment</h2><div class=\"figs\">" + calibration() + "</div>"
        page += savingsNote()
        page += "<h2>Every SLO and policy</h2>" + rowsTable()
        return page + "</body></html>\n"
    }

    private func fmt(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }
    private func pct(_ v: Double?) -> String { v.map { String(format: "%.1f %%", $0 * 100) } ?? "–" }

    private func summaryTable() -> String {
        var t = "<h2>Summary</h2><table><tr><th>policy</th><th>SLO attainment</th><th>lowest at ≥ 1.2×</th>"
            + "<th>mean cost (USD)</th><th>p95 (s)</th><th>cost saving vs nono</th><th>speed-up vs nono</th>"
            + "<th>cost / optimal (worst SLO)</th><th>cost / hindsight (SLOs ≥ 1.2×)</th></tr>"
        for name in results.policies {
            guard let s = results.summary[name] else { continue }
            t += "<tr><td>\(name)</td><td>\(pct(s.sloAttainment))</td><td>\(pct(s.minAttainmentFrom1_2x))</td>"
                + "<td>\(String(format: "%.5f", s.meanCostUSD))</td><td>\(fmt(s.p95Seconds))</td>"
                + "<td>\(pct(s.costSavingVsNono))</td><td>\(s.speedupVsNono.map { fmt($0) + "×" } ?? "–")</td>"
                + "<td>\(s.costVsOptimal.map { fmt($0, 3) + "×" } ?? "–")</td>"
                + "<td>\(s.costVsHindsightFrom1_2x.map { fmt($0, 3) + "×" } ?? "–")</td></tr>"
        }
        return t + "</table><p class=\"note\">Attainment and mean cost pool every SLO. Versus nono: the largest cost "
            + "saving at equal or better mean duration, and the largest speed-up at equal or lower mean cost, along "
            + "each policy's (duration, cost) curve over a wide SLO sweep (frontier rows of results.json).</p>"
    }

    private func boxPlot(_ slo: Double) -> String {
        let names = results.policies
        let stats = names.map { name -> [Double]? in
            guard let c = cell(name, slo) else { return nil }
            let s = c.durations.sorted()
            return [0.05, 0.25, 0.5, 0.75, 0.95].map { EvaluationResults.percentile(s, $0) }
        }
        let lows = stats.compactMap { $0?[0] }
        let cap = 2 * slo
        let high = min(max(stats.compactMap { $0?[4] }.max() ?? slo, slo), cap)
        var plot = SVGPlot(
            title: "Duration at SLO \(fmt(slo)) s", categories: names, yLabel: "seconds",
            y: SVGPlot.span(max(0, (lows.min() ?? 0) * 0.9), high * 1.05))
        for (k, s) in stats.enumerated() {
            guard let s else { continue }
            if s[2] > cap {
                plot.bar(slot: k, value: plot.y.upperBound, style: style(names[k]), text: "\(fmt(s[2], 0)) s ↑")
                continue
            }
            plot.box(slot: k, p5: s[0], q1: s[1], median: s[2], q3: s[3], p95: min(s[4], plot.y.upperBound), style: style(names[k]))
        }
        plot.reference(y: slo, label: "SLO")
        return plot.render()
    }

    private func cdf(_ slo: Double) -> String {
        let upper = 1.5 * slo
        let lower = max(0, (results.policies.compactMap { cell($0, slo)?.durations.min() }.min() ?? 0) * 0.95)
        var plot = SVGPlot(
            title: "CDF of duration at SLO \(fmt(slo)) s", xLabel: "seconds", yLabel: "fraction of requests",
            x: SVGPlot.span(lower, upper), y: 0...1)
        for name in results.policies {
            guard let c = cell(name, slo) else { continue }
            let sorted = c.durations.sorted()
            let n = Double(sorted.count)
            var points: [(Double, Double)] = [(lower, 0)]
            for (k, d) in sorted.enumerated() where d <= upper { points.append((d, Double(k + 1) / n)) }
            if let last = points.last { points.append((upper, last.1)) }
            let label = sorted.first.map { $0 > upper } == true ? "\(name) (all beyond \(fmt(upper)) s)" : name
            plot.line(label, points, style: style(name), markers: false, steps: true)
        }
        plot.legendCorner = .outside
        plot.reference(x: slo, label: "SLO")
        return plot.render()
    }

    private func versusNono() -> String {
        let names = results.policies.filter { $0 != "nono" && results.summary[$0]?.costSavingVsNono != nil }
        guard !names.isEmpty else { return "<p class=\"note\">nono was not evaluated.</p>" }
        let savings = names.map { results.summary[$0]?.costSavingVsNono ?? 0 }
        let speedupValues = names.map { results.summary[$0]?.speedupVsNono }
        let speedups = speedupValues.map { $0 ?? 0 }
        var a = SVGPlot(
            title: "Cost saving vs nono at equal performance", categories: names, yLabel: "saving (fraction)",
            y: SVGPlot.span(min(0, (savings.min() ?? 0) * 1.2), max(0.1, (savings.max() ?? 0) * 1.25)))
        for (k, v) in savings.enumerated() { a.bar(slot: k, value: v, style: style(names[k]), text: String(format: "%.1f %%", v * 100)) }
        var b = SVGPlot(
            title: "Speed-up vs nono at equal cost", categories: names, yLabel: "speed-up (×)",
            y: SVGPlot.span(0, max(1.5, (speedups.max() ?? 1) * 1.2)))
        for (k, v) in speedupValues.enumerated() {
            // No point of the policy costs as little as nono: no speed-up at equal cost exists.
            b.bar(slot: k, value: v ?? 0, style: style(names[k]), text: v.map { String(format: "%.2f×", $0) } ?? "none as cheap")
        }
        b.reference(y: 1, label: "nono")
        return a.render() + b.render()
    }

    private func perSLO(title: String, yLabel: String, value: KeyPath<EvaluationResults.Row, Double>) -> String {
        let rows = results.rows
        let values = rows.map { $0[keyPath: value] }
        let slos = results.slos
        var plot = SVGPlot(
            title: title, xLabel: "SLO (s)", yLabel: yLabel, x: SVGPlot.span(slos.min() ?? 0, slos.max() ?? 1),
            y: SVGPlot.span(min(0, values.min() ?? 0), (values.max() ?? 1) * 1.1))
        for name in drawn {
            let mine = rows.filter { $0.policy == name }.sorted { $0.sloSeconds < $1.sloSeconds }
            plot.line(name, mine.map { ($0.sloSeconds, $0[keyPath: value]) }, style: style(name))
            // A cost is read beside what it bought: a point that missed its SLO's percentile is hollow.
            plot.missed(mine.filter(misses).map { ($0.sloSeconds, $0[keyPath: value]) }, style: style(name), label: missLabel)
        }
        plot.legendCorner = .outside
        return plot.render()
    }

    /// The cost-against-attainment figure as a standalone SVG document (`cost-attainment.svg`; the README's picture).
    public func costAgainstAttainmentSVG() -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + costAgainstAttainment() + "\n"
    }

    /// Each policy's (share of requests that missed, mean cost) over the SLOs, the share on a log scale so that 0.1 %,
    /// 1 % and 10 % are as far apart as they matter: left of the P line a policy keeps its promise; lower is cheaper.
    private func costAgainstAttainment() -> String {
        let rows = results.rows
        let costs = rows.map(\.meanCostUSD)
        let missShare = { (r: EvaluationResults.Row) in min(max(1 - r.sloAttainment, 0), 1) }
        // The left end: a decade below the smallest share one request can make (or the smallest share seen), where the
        // points that missed no request are drawn.
        let smallest = ([1 / Double(max(results.requests, 1))] + rows.map(missShare).filter { $0 > 0 }).min() ?? 1e-3
        let none = pow(10, floor(log10(smallest)) - 1)
        // A decade of room left of "none", so that points there stand clear of the axis.
        var plot = SVGPlot(
            title: "Mean cost against the requests that missed the SLO",
            xLabel: "requests that missed the SLO, one point per SLO (log scale; \"none\": every request in time)",
            yLabel: "USD per request", logX: (none / 10)...1, y: SVGPlot.span(min(0, costs.min() ?? 0), (costs.max() ?? 1) * 1.1))
        plot.xTickLabel = { share in
            share < none * 0.999 ? "" : share <= none * 1.001 ? "none" : Self.percentText(share)
        }
        for name in drawn {
            let mine = rows.filter { $0.policy == name }.sorted { missShare($0) < missShare($1) }
            let point = { (r: EvaluationResults.Row) in (max(missShare(r), none), r.meanCostUSD) }
            plot.line(name, mine.map(point), style: style(name))
            plot.missed(mine.filter(misses).map(point), style: style(name), label: missLabel)
        }
        if let percentile = results.percentile {
            plot.reference(x: 1 - percentile / 100, label: "← meets P = \(fmt(percentile, 1)) %", leftOfLine: true)
        }
        plot.legendCorner = .outside
        return plot.render()
    }

    /// A share as a short percentage: 0.1 %, 1 %, 25 %.
    static func percentText(_ share: Double) -> String {
        let value = share * 100
        let text = value >= 1 ? String(format: "%.0f", value) : String(format: "%.3g", value)
        return text + " %"
    }

    /// Each plan's predicted attainment (sampled over the fitted noise model before the run) against what its requests
    /// attained: on the diagonal where the prediction is honest. Dynamic policies adapt as steps end, so their
    /// prediction (of the plan as first replayed) is only indicative.
    private func calibration() -> String {
        var plot = SVGPlot(
            title: "Predicted against measured attainment (one point per SLO)", xLabel: "predicted attainment",
            yLabel: "measured attainment", x: 0...1, y: 0...1)
        for name in results.policies {
            let points = results.rows.filter { $0.policy == name }.compactMap { row in
                row.predictedAttainment.map { ($0, row.sloAttainment) }
            }
            plot.points(name, points, style: style(name))
        }
        plot.line("predicted = measured", [(0, 0), (1, 1)], style: SVGPlot.Style(color: "#999", dash: "4 4", marker: .none), markers: false)
        plot.legendCorner = .topLeft
        return plot.render() + "<p class=\"note\">Static plans (static, nono, optimal, fastest) run as predicted; a dynamic "
            + "policy's point is for the plan it would make on predicted times, which it then changes as steps end.</p>"
    }

    private func savingsNote() -> String {
        let target = results.percentile.map { fmt($0, 1) } ?? "99"
        guard !results.stepconfSavingVsStatic.isEmpty else {
            return "<p class=\"note\">stepconf and static do not both attain \(target) % at any SLO evaluated.</p>"
        }
        let list = results.stepconfSavingVsStatic.map { "\(fmt($0.sloFactor)) × (\(pct($0.saving)))" }.joined(separator: ", ")
        return "<p class=\"note\">Where stepconf and static both attain \(target) %, stepconf's saving over static: \(list).</p>"
    }

    private func rowsTable() -> String {
        var t = "<table><tr><th>SLO (s)</th><th>× fastest</th><th>policy</th><th>attainment</th><th>predicted</th><th>mean (s)</th>"
            + "<th>p50</th><th>p95</th><th>p99</th><th>mean cost (USD)</th><th>cost sd</th><th>cost / optimal</th><th>cost / hindsight</th>"
            + "<th>fallback steps</th><th>cold starts</th></tr>"
        for r in results.rows {
            t += "<tr><td>\(fmt(r.sloSeconds))</td><td>\(fmt(r.sloFactor))</td><td style=\"text-align:left\">\(r.policy)</td>"
                + "<td>\(pct(r.sloAttainment))</td><td>\(pct(r.predictedAttainment))</td><td>\(fmt(r.meanSeconds, 3))</td><td>\(fmt(r.p50Seconds, 3))</td>"
                + "<td>\(fmt(r.p95Seconds, 3))</td><td>\(fmt(r.p99Seconds, 3))</td>"
                + "<td>\(String(format: "%.5f", r.meanCostUSD))</td><td>\(String(format: "%.5f", r.costStdUSD))</td>"
                + "<td>\(r.costVsOptimal.map { fmt($0, 3) } ?? "–")</td><td>\(r.costVsHindsight.map { fmt($0, 3) } ?? "–")</td>"
                + "<td>\(fmt(r.fallbackStepsPerRequest))</td>"
                + "<td>\(fmt(r.coldStartsPerRequest, 1))</td></tr>"
        }
        return t + "</table>"
    }
}
