import Foundation
import StepConfCore
import StepConfExamples
import StepConfPareto
import Testing

/// A small discrete benchmark with a known front: x₀ trades f1 against f2, x₁ only makes both worse, so the
/// front is x₁ = 0 and x₀ = 0…30 (31 points).
struct TradeOff: DiscreteProblem {
    let bounds = [0...30, 0...30]
    func evaluate(_ x: [Int]) -> ObjectivePoint {
        ObjectivePoint(Double(x[0]) + 0.1 * Double(x[1]), Double((30 - x[0]) * (30 - x[0])) / 30 + 0.1 * Double(x[1]))
    }
}

@Suite struct SortingTests {
    let points = [
        ObjectivePoint(1, 5), ObjectivePoint(2, 3), ObjectivePoint(3, 1), ObjectivePoint(2, 4), ObjectivePoint(4, 4),
        ObjectivePoint(5, 5),
    ]

    @Test func fastNonDominatedSortFindsTheFrontsOfAWorkedExample() {
        let fronts = NonDominatedSorting.fronts(points).map { Set($0) }
        #expect(fronts == [[0, 1, 2], [3], [4], [5]])
    }

    @Test func crowdingDistanceIsInfiniteAtTheEndsAndTheNormalizedGapInside() {
        let distances = NonDominatedSorting.crowding([0, 1, 2], points)
        #expect(distances[0] == .infinity && distances[2] == .infinity)
        #expect(abs(distances[1] - 2) < 1e-12)  // (3−1)/(3−1) + (5−1)/(5−1)
        #expect(NonDominatedSorting.crowding([3, 4], points).allSatisfy { $0 == .infinity })
    }

    @Test func nonDominatedFilterSortsAndDropsDuplicates() {
        let front = ParetoFront.nonDominated(points + [ObjectivePoint(2, 3)])
        #expect(front == [ObjectivePoint(1, 5), ObjectivePoint(2, 3), ObjectivePoint(3, 1)])
    }
}

@Suite struct IndicatorTests {
    let reference = [ObjectivePoint(0, 1), ObjectivePoint(1, 0)]

    @Test func hypervolumeOfKnownFronts() {
        let indicators = Indicators(reference: reference)
        // Reference point (1.1, 1.1) in normalized space.
        #expect(abs(indicators.referenceHypervolume - 0.21) < 1e-12)
        #expect(abs(indicators.hypervolume([ObjectivePoint(0.5, 0.5)]) - 0.36) < 1e-12)
        #expect(abs(indicators.hypervolume(reference + [ObjectivePoint(0.5, 0.5)]) - 0.46) < 1e-12)
        #expect(indicators.hypervolume([ObjectivePoint(2, 2)]) == 0)
        // Scaling an objective does not change normalized indicators.
        let scaled = Indicators(reference: [ObjectivePoint(0, 1000), ObjectivePoint(1, 0)])
        #expect(abs(scaled.hypervolume([ObjectivePoint(0.5, 500)]) - 0.36) < 1e-12)
    }

    @Test func igdIsZeroOnTheReferenceAndTheMeanNearestDistanceOtherwise() {
        let indicators = Indicators(reference: reference)
        #expect(indicators.igd(reference) == 0)
        #expect(abs(indicators.igd([ObjectivePoint(0, 1)]) - 2.0.squareRoot() / 2) < 1e-12)
        #expect(indicators.igd([]) == .infinity)
    }
}

@Suite struct StatisticsTests {
    @Test func wilcoxonExactAndApproximate() {
        // Ten positive, distinct differences: the most extreme of 2¹⁰ sign patterns on either side.
        let a = (1...10).map { Double($0) + 100 }, b = [Double](repeating: 100, count: 10)
        #expect(abs(SignificanceTests.wilcoxonSignedRank(a, b) - 2.0 / 1024) < 1e-12)
        #expect(SignificanceTests.wilcoxonSignedRank(a, a) == 1)
        // Symmetric differences: no evidence either way.
        let c: [Double] = [1, -1, 2, -2, 3, -3, 4, -4]
        #expect(SignificanceTests.wilcoxonSignedRank(c, [Double](repeating: 0, count: 8)) > 0.9)
        // 40 pairs, shifted by a constant with ties: the normal approximation says significant.
        let d = (0..<40).map { Double($0 % 7) }, e = d.map { $0 + 0.5 }
        #expect(SignificanceTests.wilcoxonSignedRank(d, e) < 1e-6)
    }

    @Test func holmStepsDownAndStaysMonotone() {
        let adjusted = SignificanceTests.holm([0.01, 0.04, 0.03])
        #expect(zip(adjusted, [0.03, 0.06, 0.06]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(SignificanceTests.holm([0.5, 0.9]) == [1, 1])
    }
}

@Suite struct AlgorithmTests {
    @Test(arguments: MOGA.allCases)
    func reachesWithinTwoPercentOfTheTrueFrontsHypervolume(algorithm: MOGA) {
        let problem = TradeOff()
        let truth = Exhaustive.front(Exhaustive.evaluateAll(problem))
        #expect(truth.count == 31)
        let indicators = Indicators(reference: truth)
        let result = algorithm.run(problem, evaluations: 3000, seed: 7, populationSize: 40)
        #expect(result.evaluations == 3000)
        let ratio = indicators.hypervolume(result.front.map(\.objectives)) / indicators.referenceHypervolume
        #expect(ratio >= 0.98, "\(algorithm.rawValue): HV ratio \(ratio)")
        #expect(result.front.allSatisfy { candidate in
            problem.bounds.indices.allSatisfy { problem.bounds[$0].contains(candidate.x[$0]) }
        })
    }

    @Test(arguments: MOGA.allCases)
    func theSameSeedGivesTheSameFront(algorithm: MOGA) {
        let first = algorithm.run(TradeOff(), evaluations: 800, seed: 42, populationSize: 20)
        let second = algorithm.run(TradeOff(), evaluations: 800, seed: 42, populationSize: 20)
        let other = algorithm.run(TradeOff(), evaluations: 800, seed: 43, populationSize: 20)
        #expect(first.front == second.front)
        #expect(first.front != other.front, "another seed explores differently")
    }
}

@Suite struct ConfigurationTableTests {
    @Test func roundTripsThroughCSVAndLooksUpByIndex() throws {
        let table = ConfigurationTable.build(axes: [[128, 192], [1, 2, 3], [50, 100]], threads: 2) { v in
            ObjectivePoint(Double(v[0] + v[1]), Double(v[2]) / 1000)
        }
        #expect(table.values.count == 12)
        #expect(table.evaluate([1, 2, 0]) == ObjectivePoint(195, 0.05))
        #expect(table.decision([1, 2, 0]) == [192, 3, 50])
        let parsed = try ConfigurationTable.parse(table.csv(), source: "t.csv")
        #expect(parsed.axes == table.axes && parsed.values == table.values)
    }

    @Test(arguments: [
        ("memory_mb,concurrency\n", "line 1"),
        ("memory_mb,concurrency,batch_pct,duration_s,cost_usd\n128,1,50,1.0\n", "line 2: expected 5 fields"),
        ("memory_mb,concurrency,batch_pct,duration_s,cost_usd\n128,1,x,1.0,0.1\n", "must be integers"),
        ("memory_mb,concurrency,batch_pct,duration_s,cost_usd\n128,1,50,-1,0.1\n", "≥ 0"),
        ("memory_mb,concurrency,batch_pct,duration_s,cost_usd\n128,1,50,1,0.1\n128,1,50,2,0.2\n", "appears twice"),
        ("memory_mb,concurrency,batch_pct,duration_s,cost_usd\n128,1,50,1,0.1\n192,2,50,2,0.2\n", "incomplete"),
    ])
    func badTablesAreRefusedWithTheLineAndTheReason(text: String, fragment: String) {
        #expect {
            _ = try ConfigurationTable.parse(text, source: "t.csv")
        } throws: { error in
            String(describing: error).contains(fragment) && String(describing: error).contains("t.csv")
        }
    }
}

@Suite struct WorkflowProblemTests {
    static func problem(_ name: String, grid: ConfigurationGrid? = nil) throws -> WorkflowProblem {
        let workflow = try EmbeddedExamples.workflow(name)
        let space = try ConfigurationSpace(
            graph: try WorkflowGraph(workflow), model: try EmbeddedExamples.model(name, for: workflow), platform: .aws,
            grid: grid, includesConfigurator: false)
        return WorkflowProblem(space: space)
    }

    @Test func itsEndsAreTheAllFastestAndAllCheapestPlans() throws {
        let problem = try Self.problem("synthetic16")
        #expect(abs(problem.anchors[0].f1 - problem.space.fastestMakespanSeconds) < 1e-9)
        #expect(problem.anchors[1].f2 <= problem.anchors[0].f2)
        #expect(problem.log10Size > 10)
    }

    @Test func nsga2FindsMostOfAnEnumerableWorkflowsFront() throws {
        // video: 5 steps; on a narrowed grid (15 options per step) small enough to enumerate here.
        let grid = ConfigurationGrid(memoryMB: [512, 1024, 2048, 4096, 10_240], inter: [1, 4, 16], intra: [1, 2, 4, 8])
        let problem = try Self.problem("video", grid: grid)
        try #require(problem.size <= 2_000_000, "video has \(problem.size) plans")
        let truth = Exhaustive.front(Exhaustive.evaluateAll(problem))
        let indicators = Indicators(reference: truth)
        let found = MOGA.nsga2.run(problem, evaluations: 10_000, seed: 3)
        let ratio = indicators.hypervolume(found.front.map(\.objectives)) / indicators.referenceHypervolume
        #expect(ratio > 0.95, "HV ratio \(ratio)")
    }
}
