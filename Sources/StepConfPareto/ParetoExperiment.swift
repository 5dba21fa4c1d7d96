import Foundation
import StepConfCore
import StepConfStorage

/// The study's experiment: every algorithm, `runs` times at each evaluation budget, scored by hypervolume and
/// IGD against the exhaustive front; medians per cell and Holm-adjusted Wilcoxon p-values per budget.
public struct ParetoExperiment: Sendable {
    public var algorithms: [MOGA]
    public var budgets: [Int]
    public var runs: Int
    public var seed: UInt64
    public var populationSize = 100
    public var threads = ProcessInfo.processInfo.activeProcessorCount

    public init(algorithms: [MOGA], budgets: [Int], runs: Int, seed: UInt64) {
        self.algorithms = algorithms
        self.budgets = budgets
        self.runs = runs
        self.seed = seed
    }

    /// One algorithm at one budget: every run's indicators.
    public struct Cell: Sendable, Codable {
        public var algorithm: MOGA
        public var evaluations: Int
        public var hypervolume: [Double]
        public var igd: [Double]
        public var medianHypervolume: Double { median(hypervolume) }
        public var medianIGD: Double { median(igd) }
    }

    /// A pairwise comparison at one budget: Wilcoxon p-values for HV and IGD, Holm-adjusted across the pairs.
    public struct Comparison: Sendable, Codable {
        public var evaluations: Int
        public var first: MOGA
        public var second: MOGA
        public var hypervolumeP: Double
        public var igdP: Double

        enum CodingKeys: String, CodingKey {
            case evaluations, first, second
            case hypervolumeP = "hypervolume_p"
            case igdP = "igd_p"
        }
    }

    public struct Outcome: Sendable {
        public var cells: [Cell]
        public var comparisons: [Comparison]
        /// One run's front per algorithm at `frontBudget` (for the plot).
        public var fronts: [MOGA: [ObjectivePoint]]
        /// The front the indicators were taken against.
        public var reference: [ObjectivePoint]
        public var referenceHypervolume: Double
        public var wallSeconds: Double
    }

    /// Runs the experiment on `problem`. Indicators are taken against `reference` — the exhaustive front — or,
    /// where the space is too large to enumerate, against the non-dominated union of every run's front and
    /// `anchors` (known points, such as all-fastest and all-cheapest plans). `progress` gets (done, total)
    /// after each (algorithm, budget) cell.
    public func run(
        _ problem: some DiscreteProblem, reference: [ObjectivePoint]?, anchors: [ObjectivePoint] = [], frontBudget: Int,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) -> Outcome {
        let clock = ContinuousClock()
        let started = clock.now
        var found: [(MOGA, Int, [[ObjectivePoint]])] = []
        let total = algorithms.count * budgets.count
        for algorithm in algorithms {
            for budget in budgets {
                let slots = ResultSlots<[ObjectivePoint]>(count: runs)
                let population = populationSize
                let base = seed
                try? ParallelWork.run(count: runs, threads: threads) { r in
                    // Run r of every cell starts from the same seed: paired samples for the signed-rank test.
                    let result = algorithm.run(problem, evaluations: budget, seed: base &+ UInt64(r) &* 0x9E37_79B9, populationSize: population)
                    slots.set(r, result.front.map(\.objectives))
                }
                found.append((algorithm, budget, slots.values.map { $0! }))
                progress(found.count, total)
            }
        }
        var fronts: [MOGA: [ObjectivePoint]] = [:]
        for algorithm in algorithms {
            fronts[algorithm] = algorithm.run(problem, evaluations: frontBudget, seed: seed, populationSize: populationSize).front.map(\.objectives)
        }
        let referenceFront = reference ?? ParetoFront.nonDominated(found.flatMap { $0.2.flatMap { $0 } } + anchors + fronts.values.flatMap { $0 })
        let indicators = Indicators(reference: referenceFront)
        let cells = found.map { algorithm, budget, runs in
            Cell(algorithm: algorithm, evaluations: budget, hypervolume: runs.map(indicators.hypervolume), igd: runs.map(indicators.igd))
        }
        var comparisons: [Comparison] = []
        for budget in budgets {
            var pairs: [(MOGA, MOGA)] = []
            for i in algorithms.indices { for j in algorithms.indices where j > i { pairs.append((algorithms[i], algorithms[j])) } }
            func cell(_ a: MOGA) -> Cell { cells.first { $0.algorithm == a && $0.evaluations == budget }! }
            let hv = SignificanceTests.holm(pairs.map { SignificanceTests.wilcoxonSignedRank(cell($0.0).hypervolume, cell($0.1).hypervolume) })
            let igd = SignificanceTests.holm(pairs.map { SignificanceTests.wilcoxonSignedRank(cell($0.0).igd, cell($0.1).igd) })
            for (k, pair) in pairs.enumerated() {
                comparisons.append(Comparison(evaluations: budget, first: pair.0, second: pair.1, hypervolumeP: hv[k], igdP: igd[k]))
            }
        }
        return Outcome(
            cells: cells, comparisons: comparisons, fronts: fronts, reference: referenceFront,
            referenceHypervolume: indicators.referenceHypervolume, wallSeconds: (clock.now - started).seconds)
    }
}
