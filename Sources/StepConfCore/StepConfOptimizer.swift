/// StepConf's Global-cached Most Cost-effective Critical Path algorithm (paper Algorithm 2).
///
/// Weights t_m(θ*) are computed once per configuration space; a decision is then
/// O(|V| + |E| + |Θ|) (Theorem 2).
public struct StepConfOptimizer: Sendable {
    /// The options every step chooses from.
    public let space: ConfigurationSpace
    /// t_m(θ*) per step: the time under the most cost-effective θ (Algorithm 2, lines 5–7).
    public let weights: [Double]
    /// The variance of each step's time under θ*, seconds².
    public let weightVariances: [Double]

    public init(space: ConfigurationSpace) {
        self.space = space
        self.weights = space.steps.map { $0.seconds[$0.mostCostEffective] }
        self.weightVariances = space.steps.indices.map { space.variances[$0][space.steps[$0].mostCostEffective] }
    }

    /// The time a path may plan with when `remaining` seconds are left and its time must stay within them at
    /// percentile P (``ChanceConstraint``), seconds. The path's steps get shares of the budget in proportion
    /// to their θ* weights, so their times — and their spreads and model errors, which grow with time — scale
    /// by budget/W: budget·(1 + E/W + z·√V*/W) = remaining, with W, E = Σ e·t and V* the path's θ* weight, model
    /// error and variance. The margin shrinks as steps finish and the path shortens.
    public static func budget(
        remaining: Double, weight: Double, error: Double = 0, variance: Double, chance: ChanceConstraint?
    ) -> Double {
        guard let chance, remaining > 0, weight > 0 else { return remaining }
        let factor = 1 + chance.margin(error: error, variance: variance) / weight
        return factor > 0 ? remaining / factor : remaining
    }

    /// Σ e·t over `path` at θ*: the model error a path of θ* weights carries, seconds.
    func weightError(_ path: [Int]) -> Double { path.reduce(0) { $0 + space.modelErrors[$1] * weights[$1] } }

    /// Decides θ for `step` at time `now`.
    ///
    /// - Parameters:
    ///   - executionStart: T0, when the execution began (same clock as `now`), seconds.
    ///   - sloSeconds: S, the end-to-end SLO; used when the cache holds nothing for the step.
    ///   - execution: the execution id, which scopes the cache entries.
    ///   - chance: a percentile SLO: the time left is shared after the margin the critical path's spread needs.
    ///   - ready: when the step's functions are needed, for their cold starts (default `now`; later for a decision
    ///     made ahead, ``AheadDecision``).
    /// - Throws: what the cache throws.
    public func decide(
        step i: Int, now: Double, executionStart: Double, sloSeconds: Double, execution: String,
        cache: any GlobalCache, chance: ChanceConstraint? = nil, ready: Double? = nil
    ) throws -> StepDecision {
        let scope = try self.scope(of: i, execution: execution, cache: cache, sloDeadline: executionStart + sloSeconds)
        let critical = criticalPath(from: i, in: scope.inScope)
        let split = subSLOs(critical, remaining: scope.deadline - now, chance: chance)
        // Line 10, (11): the cheapest θ within the sub-SLO, else θ_max (Algorithm 1, lines 9–10). Ours: an
        // option whose function has not run within the keep-alive carries its measured cold-start cost.
        let subSLO = split.share(i)
        let penalties = try space.coldPenalties(step: i, now: ready ?? now, cache: cache)
        var decision = Self.choose(space.steps[i], step: i, within: subSLO, penalties: penalties)
        try cache.recordUse(
            function: space.functionName(step: i, memoryMB: decision.configuration.memoryMB), until: now + decision.seconds,
            instances: decision.configuration.inter)
        let scopes = offPathDeadlines(critical, split: split, inScope: scope.inScope, deadline: scope.deadline, now: now)
        if !scopes.isEmpty { try cache.store(execution: execution, scopes: scopes) }
        decision.subSLOSeconds = subSLO
        return decision
    }

    /// The cheapest option whose time (plus its cold-start penalty) fits `budget`, else the fastest.
    static func choose(_ options: StepOptions, step i: Int, within budget: Double, penalties: [Double]?) -> StepDecision {
        guard let penalties else {
            if let k = options.cheapest(within: budget) {
                return StepDecision(step: i, option: k, in: options, subSLOSeconds: budget, fallback: false)
            }
            return StepDecision(step: i, option: options.fastest, in: options, subSLOSeconds: budget, fallback: true)
        }
        let seconds = { (k: Int) in options.seconds[k] + penalties[k] }
        let cost = { (k: Int) in options.costUSD[k] }
        let best = OptionOrder.cheapest(options.count, within: budget, seconds: seconds, cost: cost)
        let k = best ?? OptionOrder.fastest(options.count, seconds: seconds, cost: cost)!
        var decision = StepDecision(step: i, option: k, in: options, subSLOSeconds: budget, fallback: best == nil)
        decision.seconds += penalties[k]
        return decision
    }
}
