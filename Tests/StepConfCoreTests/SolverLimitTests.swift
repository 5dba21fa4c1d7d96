import Foundation
import PropertyBased
import StepConfCore
import Testing

/// The exact solver under the tightest limits a decision may give it: whatever it returns is priced truly, feasible
/// only when its plan meets the SLO, and never cheaper than the optimum by enumeration.
@Suite struct SolverLimitTests {
    @Test func underAnyLimitsAReportedPlanIsHonest() async {
        await propertyCheck(count: 150, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            let graph = try! WorkflowGraph(Fixtures.randomWorkflow(count: Int.random(in: 1...6, using: &rng), rng: &rng))
            let options = (0..<graph.count).map { _ -> ExactSolver.Options in
                let n = Int.random(in: 1...5, using: &rng)
                return .init(
                    seconds: (0..<n).map { _ in Double(Int.random(in: 1...20, using: &rng)) / 4 },
                    costUSD: (0..<n).map { _ in Double(Int.random(in: 1...20, using: &rng)) })
            }
            let limits = ExactSolver.Limits(
                exactFrontCap: Int.random(in: 1...8, using: &rng), exactPairBudget: Int.random(in: 1...50, using: &rng),
                gridUnits: Int.random(in: 1...30, using: &rng), nodeLimit: Int.random(in: 1...40, using: &rng))
            let solver = ExactSolver(graph: graph, limits: limits)
            let fastest = graph.makespan { v in options[v].seconds.min()! }
            let slo = fastest * Double.random(in: 0.9...2, using: &rng)
            let result = solver.solve(options, sloSeconds: slo)
            let priced = solver.evaluate(result.choice, options)
            #expect(abs(priced.cost - result.costUSD) <= 1e-9 * max(1, priced.cost), "seed \(seed)")
            #expect(abs(priced.makespan - result.makespanSeconds) <= 1e-9 * max(1, priced.makespan), "seed \(seed)")
            if result.feasible { #expect(priced.makespan <= slo * (1 + 1e-9), "a feasible plan meets the SLO (seed \(seed))") }
            if let best = Fixtures.bruteForce(graph: graph, options: options, slo: slo) {
                #expect(!result.feasible || result.costUSD >= best - 1e-9, "never below the optimum (seed \(seed))")
                #expect(result.lowerBoundUSD <= best + 1e-9, "the bound bounds (seed \(seed))")
            } else {
                #expect(!result.feasible, "nothing meets the SLO (seed \(seed))")
            }
        }
    }
}
