import Foundation
import PropertyBased
import StepConfCore
import StepConfPareto
import StepConfTestSupport
import Testing

/// The sorting and the indicators against their definitions, on random point sets.
@Suite struct ParetoPropertyTests {
    static func points(_ seed: Int) -> [ObjectivePoint] {
        var rng = SeededRandom(seed: UInt64(seed))
        // A coarse grid, so that ties and duplicates are common.
        return (0..<Int.random(in: 1...25, using: &rng)).map { _ in
            ObjectivePoint(Double(Int.random(in: 0...6, using: &rng)), Double(Int.random(in: 0...6, using: &rng)))
        }
    }

    @Test func frontsPartitionThePointsByDominanceRank() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000)) { seed in
            let points = Self.points(seed)
            let fronts = NonDominatedSorting.fronts(points)
            #expect(fronts.flatMap { $0 }.sorted() == Array(points.indices), "every point in one front (seed \(seed))")
            for (rank, front) in fronts.enumerated() {
                for i in front {
                    // Nothing in this front or a later one dominates it; something in the front before does.
                    let later = fronts[rank...].flatMap { $0 }
                    #expect(!later.contains { points[$0].dominates(points[i]) }, "seed \(seed)")
                    if rank > 0 { #expect(fronts[rank - 1].contains { points[$0].dominates(points[i]) }, "seed \(seed)") }
                }
            }
        }
    }

    @Test func crowdingIsInfiniteAtAFrontsEndsAndNonNegativeInside() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000)) { seed in
            let points = Self.points(seed)
            guard let front = NonDominatedSorting.fronts(points).first else { return }
            let distance = NonDominatedSorting.crowding(front, points)
            #expect(distance.count == front.count, "seed \(seed)")
            #expect(distance.allSatisfy { $0 >= 0 }, "seed \(seed)")
            if front.count >= 2 { #expect(distance.filter(\.isInfinite).count >= 2, "seed \(seed)") }
        }
    }

    /// The area dominated within the reference box, counted on a fine grid: the oracle for the hypervolume.
    static func gridHypervolume(_ points: [ObjectivePoint], _ indicators: Indicators) -> Double {
        let cells = 400
        let (r1, r2) = Indicators.hypervolumePoint
        let span1 = indicators.nadir.f1 - indicators.ideal.f1, span2 = indicators.nadir.f2 - indicators.ideal.f2
        let normalized = points.map { p in
            ((p.f1 - indicators.ideal.f1) / (span1 > 0 ? span1 : 1), (p.f2 - indicators.ideal.f2) / (span2 > 0 ? span2 : 1))
        }
        // Points better than the reference front's ideal dominate below 0 too: the box starts where they do.
        let lo1 = min(0, normalized.map(\.0).min() ?? 0), lo2 = min(0, normalized.map(\.1).min() ?? 0)
        var covered = 0
        for a in 0..<cells {
            for b in 0..<cells {
                let x = lo1 + (Double(a) + 0.5) / Double(cells) * (r1 - lo1)
                let y = lo2 + (Double(b) + 0.5) / Double(cells) * (r2 - lo2)
                if normalized.contains(where: { $0.0 <= x && $0.1 <= y }) { covered += 1 }
            }
        }
        return Double(covered) / Double(cells * cells) * (r1 - lo1) * (r2 - lo2)
    }

    @Test func hypervolumeIsTheDominatedArea() async {
        await propertyCheck(count: 40, input: Gen.int(in: 0...1_000_000)) { seed in
            let reference = Self.points(seed)
            let indicators = Indicators(reference: reference)
            let candidate = Self.points(seed + 1)
            let exact = indicators.hypervolume(candidate)
            let grid = Self.gridHypervolume(candidate, indicators)
            #expect(abs(exact - grid) <= 0.01 * max(1, grid), "seed \(seed): \(exact) vs \(grid)")
            // More points never dominate less.
            #expect(indicators.hypervolume(candidate + reference) >= exact - 1e-12, "seed \(seed)")
        }
    }

    @Test func igdIsZeroExactlyWhenTheReferenceIsCovered() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...1_000_000)) { seed in
            let reference = Self.points(seed)
            let indicators = Indicators(reference: reference)
            #expect(indicators.igd(reference) < 1e-12, "seed \(seed)")
            #expect(indicators.igd(reference + Self.points(seed + 7)) < 1e-12, "seed \(seed)")
            #expect(indicators.igd(Self.points(seed + 3)) >= 0, "seed \(seed)")
        }
    }

    @Test func holmAdjustedValuesAreMonotoneAndNeverBelowTheRawOnes() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let raw = (0..<Int.random(in: 1...8, using: &rng)).map { _ in rng.unit() }
            let adjusted = SignificanceTests.holm(raw)
            #expect(adjusted.count == raw.count, "seed \(seed)")
            for (a, r) in zip(adjusted, raw) { #expect(a >= r - 1e-12 && a <= 1 + 1e-12, "seed \(seed)") }
            let order = raw.indices.sorted { raw[$0] < raw[$1] }
            for (x, y) in zip(order, order.dropFirst()) { #expect(adjusted[x] <= adjusted[y] + 1e-12, "seed \(seed)") }
        }
    }

    @Test func wilcoxonIsSymmetricAndOneOnIdenticalSamples() {
        let a = [1.0, 2.5, 3, 4.75, 5, 6.5, 7, 8.25, 9, 10.5]
        let b = a.map { $0 + 1 }
        #expect(abs(SignificanceTests.wilcoxonSignedRank(a, b) - SignificanceTests.wilcoxonSignedRank(b, a)) < 1e-12)
        #expect(SignificanceTests.wilcoxonSignedRank(a, a) == 1)
        #expect(SignificanceTests.wilcoxonSignedRank(a, b) < 0.01, "ten shifts all the same way")
    }
}

/// The genetic operators keep every gene inside its bounds, whatever the parents and the random stream.
@Suite struct VariationTests {
    static func bounds(_ rng: inout SeededRandom) -> [ClosedRange<Int>] {
        (0..<Int.random(in: 1...12, using: &rng)).map { _ in
            let low = Int.random(in: 0...5, using: &rng)
            return low...(low + Int.random(in: 0...20, using: &rng))
        }
    }

    @Test func crossoverAndMutationStayWithinTheBounds() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let bounds = Self.bounds(&rng)
            let variation = Variation()
            let a = Variation.random(bounds, rng: &rng), b = Variation.random(bounds, rng: &rng)
            #expect(zip(a, bounds).allSatisfy { $1.contains($0) } && zip(b, bounds).allSatisfy { $1.contains($0) }, "seed \(seed)")
            var (c, d) = variation.crossover(a, b, bounds: bounds, rng: &rng)
            #expect(c.count == bounds.count && d.count == bounds.count, "seed \(seed)")
            variation.mutate(&c, bounds: bounds, rng: &rng)
            variation.mutate(&d, bounds: bounds, rng: &rng)
            #expect(zip(c, bounds).allSatisfy { $1.contains($0) }, "seed \(seed): \(c) outside \(bounds)")
            #expect(zip(d, bounds).allSatisfy { $1.contains($0) }, "seed \(seed): \(d) outside \(bounds)")
        }
    }

    @Test func aSingleValuedGeneNeverMoves() {
        var rng = SeededRandom(seed: 5)
        let bounds = [3...3, 0...0, 7...7]
        var x = Variation.random(bounds, rng: &rng)
        for _ in 0..<100 { Variation().mutate(&x, bounds: bounds, rng: &rng) }
        #expect(x == [3, 0, 7])
        let (c, d) = Variation().crossover([3, 0, 7], [3, 0, 7], bounds: bounds, rng: &rng)
        #expect(c == [3, 0, 7] && d == [3, 0, 7])
    }

    @Test func identicalParentsGiveChildrenWithTheirGenesBeforeMutation() {
        var rng = SeededRandom(seed: 11)
        let bounds = Array(repeating: 0...30, count: 6)
        let parent = [1, 5, 9, 13, 17, 21]
        let (c, d) = Variation().crossover(parent, parent, bounds: bounds, rng: &rng)
        #expect(c == parent && d == parent, "simulated binary crossover of equal genes keeps them")
    }
}

/// The search problem over a workflow's plans prices a plan as the exact solver does: one time pass, one cost.
@Suite struct WorkflowProblemPropertyTests {
    @Test func aPlansObjectivesAreTheSolversMakespanAndCost() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let workflow = RandomWorkflows.make(count: Int.random(in: 1...7, using: &rng), rng: &rng)
            let graph = try! WorkflowGraph(workflow)
            var steps: [String: StepModel] = [:]
            for step in workflow.steps {
                steps[step.id] = StepModel(
                    instance: .init(workSecondsPerJob: 0.05 + rng.unit(), multicoreRatio: rng.unit(), ioSecondsPerJob: 0.01, ioShareCap: 2,
                                    perJobSeconds: 0, perWorkerSeconds: 0.001, baseSeconds: 0.05),
                    mapping: .init(baseSeconds: 0.1, perInstanceSeconds: 0.005, pastKneeSeconds: 0.004), noise: NoiseModel())
            }
            let model = PerformanceModel(workflow: workflow.name, steps: steps)
            let space = try! ConfigurationSpace(graph: graph, model: model, platform: .aws, includesConfigurator: false)
            let problem = WorkflowProblem(space: space)
            let x = problem.bounds.map { Int.random(in: $0, using: &rng) }
            let point = problem.evaluate(x)
            let options = space.steps.map { ExactSolver.Options(seconds: $0.seconds, costUSD: $0.costUSD) }
            let choice = (0..<graph.count).map { problem.choices[$0][x[$0]] }
            let solver = ExactSolver(graph: graph)
            let (makespan, cost) = solver.evaluate(choice, options)
            #expect(abs(point.f1 - makespan) <= 1e-12 * max(1, makespan), "seed \(seed)")
            #expect(abs(point.f2 - cost) <= 1e-15 * max(1, cost * 1e6), "seed \(seed)")
            for v in 0..<graph.count { #expect(problem.configuration(x, step: v) == space.steps[v].configurations[choice[v]]) }
            // The anchors: every step fastest, and every step cheapest.
            #expect(problem.anchors[0].f1 <= point.f1 + 1e-12 && problem.anchors[1].f2 <= point.f2 + 1e-15, "seed \(seed)")
        }
    }
}
