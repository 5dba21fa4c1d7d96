import StepConfSimulator
import Testing

@Suite struct PolicyTargetsTests {
    /// An evaluation's results, made by its own initializer from cells of 200 requests, with rows (policy, SLO
    /// factor, attainment, cost, configurators per request) at F = 2 s.
    private func results(_ rows: [(String, Double, Double, Double, Double)]) throws -> EvaluationResults {
        let requests = 200
        let cells = rows.map { policy, factor, attainment, cost, configurators in
            let slo = factor * 2
            let within = Int((attainment * Double(requests)).rounded())
            var cell = Evaluation.Cell(
                sloSeconds: slo, policy: policy,
                durations: (0..<requests).map { $0 < within ? slo / 2 : slo * 2 },
                costs: Array(repeating: cost, count: requests), fallbacks: 0, coldStarts: 0)
            cell.configured = Int((configurators * Double(requests)).rounded())
            cell.expressCosts = policy == Evaluation.hindsightName ? [] : Array(repeating: cost / 2, count: requests)
            return cell
        }
        var settings = Evaluation.Settings(requests: requests, seed: 11, policies: [.stepconfExact, .static, .optimal])
        settings.percentile = 99
        return EvaluationResults(
            workflow: "w", settings: settings, fastest: 2, slos: Array(Set(rows.map { $0.1 * 2 })).sorted(), cells: cells)
    }

    @Test func exactIsJudgedAgainstTheCeilingTheCheapestBaselineAttainingAsMuchAndHindsight() throws {
        let r = try results([
            // 1.1 × F is below the targets' range and is left out.
            ("stepconf-exact", 1.1, 0.50, 9, 1), ("fastest", 1.1, 0.60, 20, 0),
            // 1.2 ×: the ceiling is 90 %, so 89.5 % attains; static attains less (no baseline), optimal more but costs more.
            ("stepconf-exact", 1.2, 0.895, 10, 1), ("static", 1.2, 0.85, 8, 0), ("optimal", 1.2, 0.99, 12, 0),
            ("fastest", 1.2, 0.90, 20, 0), ("hindsight", 1.2, 1, 8, 0),
            // 1.5 ×: misses 98 %; the cheaper of static and optimal that attains as much is the baseline.
            ("stepconf-exact", 1.5, 0.97, 9, 2), ("static", 1.5, 0.99, 10, 0), ("optimal", 1.5, 0.98, 9.5, 0),
            ("fastest", 1.5, 1, 20, 0), ("hindsight", 1.5, 1, 8, 0),
            // 2 ×: as cheap as static.
            ("stepconf-exact", 2, 0.99, 8, 1), ("static", 2, 0.99, 8, 0), ("optimal", 2, 0.9, 7, 0),
            ("fastest", 2, 1, 20, 0), ("hindsight", 2, 1, 8, 0),
        ])
        let t = try #require(PolicyTargets(r))
        #expect(t.rows.map(\.sloFactor) == [1.2, 1.5, 2])
        #expect(abs(t.rows[0].requiredAttainment - 0.89) < 1e-12 && t.rows[0].attains)
        #expect(t.rows[0].baseline == "optimal" && abs(t.rows[0].costVsBaseline! - 10.0 / 12) < 1e-12)
        #expect(!t.rows[1].attains && t.rows[1].baseline == "optimal" && abs(t.rows[1].costVsBaseline! - 9 / 9.5) < 1e-12)
        #expect(t.rows[2].baseline == "static" && t.rows[2].costVsBaseline == 1)
        #expect(abs(t.meanSaving! - ((1 - 10.0 / 12) + (1 - 9 / 9.5) + 0) / 3) < 1e-12)
        #expect(abs(t.costVsHindsight! - 27.0 / 24) < 1e-12)
        #expect(abs(t.configuratorsPerRequest - 4.0 / 3) < 1e-12)
        #expect(t.rows[0].costExpressUSD == 5)
        let verdicts = Dictionary(uniqueKeysWithValues: t.verdicts.map { ($0.target.prefix(12), $0.met) })
        #expect(verdicts.values.filter { $0 }.count == 2, "\(t.verdicts)")
        #expect(t.verdicts[0].met == false && t.verdicts[1].met == true && t.verdicts[4].met == false)
    }

    @Test func withoutAnExactRowFromTheTargetsRangeThereIsNothingToJudge() throws {
        #expect(PolicyTargets(try results([("stepconf-exact", 1.1, 0.5, 9, 1), ("static", 1.2, 1, 9, 0)])) == nil)
    }
}
