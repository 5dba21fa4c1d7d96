import PropertyBased
import StepConfCore
import Testing

@Suite struct ExactSolverTests {
    private func randomOptions(_ graph: WorkflowGraph, _ rng: inout SplitMix64, maxOptions: Int = 6) -> [ExactSolver.Options] {
        (0..<graph.count).map { _ in
            let k = Int.random(in: 1...maxOptions, using: &rng)
            return ExactSolver.Options(
                seconds: (0..<k).map { _ in Double(Int.random(in: 1...40, using: &rng)) / 4 },
                costUSD: (0..<k).map { _ in Double.random(in: 0.1...5, using: &rng) })
        }
    }

    @Test func seriesParallelDecompositionRecognisesBothKinds() throws {
        func graph(_ steps: [(String, [String])]) throws -> WorkflowGraph {
            try WorkflowGraph(Workflow(name: "g", steps: steps.map { Workflow.Step(id: $0.0, kind: "k", jobs: 1, dependsOn: $0.1) }))
        }
        let diamond = try graph([("s", []), ("a", ["s"]), ("b", ["s"]), ("t", ["a", "b"])])
        #expect(SeriesParallelTree(graph: diamond) != nil)
        // The "N": a → c, a → d, b → d is the smallest DAG that is not series-parallel.
        let n = try graph([("s", []), ("a", ["s"]), ("b", ["s"]), ("c", ["a"]), ("d", ["a", "b"]), ("t", ["c", "d"])])
        #expect(SeriesParallelTree(graph: n) == nil)
        #expect(!ExactSolver(graph: n).isSeriesParallel)
    }

    @Test func optimalEqualsBruteForceOnRandomSmallDAGs() async {
        await propertyCheck(count: 150, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            let graph = try! WorkflowGraph(Fixtures.randomWorkflow(count: Int.random(in: 1...6, using: &rng), rng: &rng))
            let options = randomOptions(graph, &rng)
            let solver = ExactSolver(graph: graph)
            let fastest = solver.evaluate(options.map { o in o.seconds.indices.min { o.seconds[$0] < o.seconds[$1] }! }, options)
            let slo = fastest.makespan * Double.random(in: 0.9...2.5, using: &rng)
            let result = solver.solve(options, sloSeconds: slo)
            let best = Fixtures.bruteForce(graph: graph, options: options, slo: slo)
            #expect(result.feasible == (best != nil))
            if let best {
                #expect(result.provenOptimal)
                #expect(abs(result.costUSD - best) < 1e-9, "seed \(seed): \(result.costUSD) vs \(best), \(result.method)")
                #expect(result.makespanSeconds <= slo)
            }
        }
    }

    @Test func gridFallbackNeverReturnsAnInfeasiblePlanAndBoundsTheOptimum() async {
        // Tiny limits force the time grid on every series-parallel instance.
        let limits = ExactSolver.Limits(exactFrontCap: 1, exactPairBudget: 1, gridUnits: 20)
        await propertyCheck(count: 150, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            let graph = try! WorkflowGraph(Fixtures.randomWorkflow(count: Int.random(in: 2...6, using: &rng), rng: &rng))
            let options = randomOptions(graph, &rng)
            let solver = ExactSolver(graph: graph, limits: limits)
            let fastest = solver.evaluate(options.map { o in o.seconds.indices.min { o.seconds[$0] < o.seconds[$1] }! }, options)
            let slo = fastest.makespan * Double.random(in: 1...2.5, using: &rng)
            let result = solver.solve(options, sloSeconds: slo)
            guard let best = Fixtures.bruteForce(graph: graph, options: options, slo: slo) else {
                Issue.record("seed \(seed): the fastest plan should meet an SLO at or above its makespan")
                return
            }
            #expect(result.feasible)
            #expect(result.makespanSeconds <= slo + 1e-9)
            #expect(result.costUSD >= best - 1e-9)
            #expect(result.lowerBoundUSD <= best + 1e-9, "seed \(seed)")
        }
    }

    @Test func infeasibleSLOReturnsTheFastestPlanFlagged() throws {
        var rng = SplitMix64(seed: 3)
        let graph = try WorkflowGraph(Fixtures.randomWorkflow(count: 5, rng: &rng))
        let options = randomOptions(graph, &rng)
        let solver = ExactSolver(graph: graph)
        let fastest = solver.evaluate(options.map { o in o.seconds.indices.min { o.seconds[$0] < o.seconds[$1] }! }, options)
        let result = solver.solve(options, sloSeconds: fastest.makespan * 0.5)
        #expect(!result.feasible)
        #expect(result.makespanSeconds == fastest.makespan)
    }

    @Test func branchAndBoundSolvesTheNShapeExactly() throws {
        let steps = [("s", []), ("a", ["s"]), ("b", ["s"]), ("c", ["a"]), ("d", ["a", "b"]), ("t", ["c", "d"])]
        let graph = try WorkflowGraph(Workflow(name: "n", steps: steps.map { Workflow.Step(id: $0.0, kind: "k", jobs: 1, dependsOn: $0.1) }))
        var rng = SplitMix64(seed: 11)
        for _ in 0..<30 {
            let options = randomOptions(graph, &rng)
            let solver = ExactSolver(graph: graph)
            let slo = Double.random(in: 5...20, using: &rng)
            let result = solver.solve(options, sloSeconds: slo)
            let best = Fixtures.bruteForce(graph: graph, options: options, slo: slo)
            #expect(result.method == "branch-and-bound")
            #expect(result.feasible == (best != nil))
            if let best { #expect(abs(result.costUSD - best) < 1e-9) }
        }
    }
}
