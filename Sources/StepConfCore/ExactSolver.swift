/// Solves problem (6) exactly: the cheapest choice of one option per step whose longest path meets the
/// SLO (docs/policies.md).
///
/// Each step is first pruned to its Pareto-efficient (t, c) options. A series-parallel DAG is solved by
/// a dynamic programme over Pareto fronts: on exact times while the fronts stay small, otherwise on a
/// time grid of `gridUnits` cells. On the grid, times are rounded *up* to find the plan — so a reported
/// plan always meets the SLO on exact times — and rounded *down* in a second pass whose cost is a lower
/// bound on the true optimum; both are reported. Other DAGs are solved by branch and bound on exact times.
public struct ExactSolver: Sendable {
    /// Work limits; past them the solver changes method and says so in the result.
    public struct Limits: Sendable, Hashable {
        /// Largest front kept on exact times before switching to the grid.
        public var exactFrontCap: Int
        /// Largest number of point pairs one series step may combine on exact times.
        public var exactPairBudget: Int
        /// Cells of the time grid over the SLO.
        public var gridUnits: Int
        /// Search nodes branch and bound may visit before it stops with the best plan found.
        public var nodeLimit: Int

        public init(exactFrontCap: Int = 2048, exactPairBudget: Int = 400_000, gridUnits: Int = 2000, nodeLimit: Int = 5_000_000) {
            self.exactFrontCap = exactFrontCap
            self.exactPairBudget = exactPairBudget
            self.gridUnits = gridUnits
            self.nodeLimit = nodeLimit
        }
    }

    /// One step's options: time in seconds and cost in USD, index-aligned.
    public struct Options: Sendable, Hashable {
        public var seconds: [Double]
        public var costUSD: [Double]

        public init(seconds: [Double], costUSD: [Double]) {
            self.seconds = seconds
            self.costUSD = costUSD
        }
    }

    /// What the solver found.
    public struct Result: Sendable, Hashable {
        /// Chosen option index per step.
        public var choice: [Int]
        /// Total cost of the choice, USD.
        public var costUSD: Double
        /// Longest path of the choice on exact times, seconds.
        public var makespanSeconds: Double
        /// Whether the choice meets the SLO. When no choice does, `choice` is the fastest plan.
        public var feasible: Bool
        /// True when the choice is proven optimal on exact times.
        public var provenOptimal: Bool
        /// A cost no plan meeting the SLO can beat, USD.
        public var lowerBoundUSD: Double
        /// Grid cell width in seconds when the grid was used, else nil.
        public var gridSeconds: Double?
        /// `series-parallel` or `branch-and-bound`.
        public var method: String
        /// (cost − lower bound) / cost.
        public var gap: Double { costUSD > 0 ? max(0, costUSD - lowerBoundUSD) / costUSD : 0 }
    }

    public let graph: WorkflowGraph
    public let limits: Limits
    let tree: SeriesParallelTree?

    /// Prepares a solver for `graph` (the series-parallel decomposition is done once).
    public init(graph: WorkflowGraph, limits: Limits = Limits()) {
        self.graph = graph
        self.limits = limits
        self.tree = SeriesParallelTree(graph: graph)
    }

    /// Whether the graph is series-parallel (solved by the front DP) or needs branch and bound.
    public var isSeriesParallel: Bool { tree != nil }

    /// Finds the cheapest plan whose makespan is at most `sloSeconds`.
    /// - Precondition: one non-empty ``Options`` per step.
    public func solve(_ options: [Options], sloSeconds: Double) -> Result {
        precondition(options.count == graph.count && options.allSatisfy { !$0.seconds.isEmpty })
        let pareto = options.map { StepOptions.paretoIndices(seconds: $0.seconds, costUSD: $0.costUSD) }
        let fastest = pareto.map { $0[0] }
        let fastestPlan = evaluate(fastest, options)
        guard fastestPlan.makespan <= sloSeconds else {
            return Result(
                choice: fastest, costUSD: fastestPlan.cost, makespanSeconds: fastestPlan.makespan, feasible: false,
                provenOptimal: false, lowerBoundUSD: .infinity, gridSeconds: nil,
                method: tree == nil ? "branch-and-bound" : "series-parallel")
        }
        if let tree {
            return solveSeriesParallel(tree, options, pareto, sloSeconds, fastest: fastest)
        }
        return branchAndBound(options, pareto, sloSeconds)
    }

    /// The steps of the longest path of one option per step, from a first step to the one that ends last.
    public func criticalPath(_ choice: [Int], _ options: [Options]) -> [Int] {
        graph.criticalPath(finish: graph.finishTimes { options[$0].seconds[choice[$0]] })
    }

    /// Cost and exact makespan of one option per step.
    public func evaluate(_ choice: [Int], _ options: [Options]) -> (makespan: Double, cost: Double) {
        let finish = graph.finishTimes { options[$0].seconds[choice[$0]] }
        // Summed in topological order, as every plan's cost is.
        let cost = graph.topologicalOrder.reduce(0.0) { $0 + options[$1].costUSD[choice[$1]] }
        return (finish.reduce(0.0, max), cost)
    }
}
