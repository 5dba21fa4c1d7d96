/// One step's candidate configurations with their predicted time and cost, in grid order.
///
/// Built once when the model is loaded so that a decision only scans arrays.
public struct StepOptions: Sendable {
    /// The candidates θ.
    public let configurations: [Configuration]
    /// t_i(θ) = t_map(p) + t̂ (+ the configurator's time for dynamic policies), seconds.
    public let seconds: [Double]
    /// c_i(θ), USD.
    public let costUSD: [Double]
    /// Index of θ* = argmin c·t, the most cost-effective configuration (Eq. (12), corrected: docs/model.md).
    public let mostCostEffective: Int
    /// Index of θ_max, the fastest configuration (ties: the cheaper).
    public let fastest: Int
    /// Index of the cheapest configuration (ties: the faster).
    public let cheapest: Int

    /// Builds the options from parallel arrays.
    /// - Precondition: the arrays are non-empty and of equal length.
    public init(configurations: [Configuration], seconds: [Double], costUSD: [Double]) {
        precondition(!configurations.isEmpty && configurations.count == seconds.count && seconds.count == costUSD.count)
        self.configurations = configurations
        self.seconds = seconds
        self.costUSD = costUSD
        var star = 0
        for k in 1..<configurations.count {
            // Eq. (12) as printed, argmax c/t⁻¹, would pick the *least* cost-effective θ; performance per
            // cost is t⁻¹/c, maximal where c·t is minimal.
            if costUSD[k] * seconds[k] < costUSD[star] * seconds[star] { star = k }
        }
        mostCostEffective = star
        fastest = OptionOrder.fastest(seconds.count, seconds: { seconds[$0] }, cost: { costUSD[$0] })!
        cheapest = OptionOrder.cheapest(seconds.count, seconds: { seconds[$0] }, cost: { costUSD[$0] })!
    }

    /// Number of candidates.
    public var count: Int { configurations.count }

    /// Solves (11): the cheapest θ with `t(θ) ≤ budget`; nil when none meets it.
    public func cheapest(within budgetSeconds: Double) -> Int? {
        OptionOrder.cheapest(seconds.count, within: budgetSeconds, seconds: { seconds[$0] }, cost: { costUSD[$0] })
    }

    /// Indices of the Pareto-efficient candidates (no other is at least as fast and as cheap and better
    /// in one), sorted by time ascending, so by cost descending.
    public func paretoIndices() -> [Int] { Self.paretoIndices(seconds: seconds, costUSD: costUSD) }

    /// Indices of the Pareto-efficient entries of parallel time and cost arrays, fastest first.
    public static func paretoIndices(seconds: [Double], costUSD: [Double]) -> [Int] {
        let order = (0..<seconds.count).sorted {
            OptionOrder.isFaster(seconds[$0], costUSD[$0], than: seconds[$1], costUSD[$1])
        }
        var front: [Int] = []
        var bestCost = Double.infinity
        for k in order where costUSD[k] < bestCost {
            front.append(k)
            bestCost = costUSD[k]
        }
        return front
    }
}
