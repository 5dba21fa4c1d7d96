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
        let graph = space.graph
        let n = graph.count
        // Lines 2–4: the sub-graph entered at v_i and its latest finish timestamp.
        let cached = try cache.scope(execution: execution, step: graph.ids[i])
        var member = [Bool](repeating: cached == nil, count: n)
        if let cached {
            for id in cached.members { if let k = graph.index[id] { member[k] = true } }
            member[i] = true
        }
        let deadline = cached?.deadline ?? executionStart + sloSeconds
        let remaining = deadline - now

        // G_i: the members reachable from v_i.
        var inScope = [Bool](repeating: false, count: n)
        inScope[i] = true
        var stack = [i]
        while let v = stack.popLast() {
            for s in graph.successors[v] where member[s] && !inScope[s] {
                inScope[s] = true
                stack.append(s)
            }
        }

        // Line 8: the critical path by weights, longest path from v_i (reverse topological order).
        var pathWeight = [Double](repeating: 0, count: n)
        var next = [Int](repeating: -1, count: n)
        for v in graph.topologicalOrder.reversed() where inScope[v] {
            var best = 0.0
            for s in graph.successors[v] where inScope[s] && pathWeight[s] > best {
                best = pathWeight[s]
                next[v] = s
            }
            pathWeight[v] = weights[v] + best
        }
        var critical: [Int] = []
        var onCritical = [Bool](repeating: false, count: n)
        var v = i
        while v >= 0 {
            critical.append(v)
            onCritical[v] = true
            v = next[v]
        }

        // Line 9, Eq. (13): the sub-SLO in proportion to the θ* time on the critical path — of the time left
        // after the margin a percentile SLO needs for that path's spread (ours; DESIGN §5).
        let total = pathWeight[i]
        let budget = Self.budget(
            remaining: remaining, weight: total, error: weightError(critical),
            variance: critical.reduce(0) { $0 + weightVariances[$1] }, chance: chance)
        func share(_ k: Int) -> Double { total > 0 ? weights[k] / total * budget : budget / Double(critical.count) }
        let subSLO = share(i)

        // Line 10, (11): the cheapest θ within the sub-SLO, else θ_max (Algorithm 1, lines 9–10). Ours: an
        // option whose function has not run within the keep-alive carries its measured cold-start cost.
        let options = space.steps[i]
        let penalties = try space.coldPenalties(step: i, now: ready ?? now, cache: cache)
        var decision = Self.choose(options, step: i, within: subSLO, penalties: penalties)
        try cache.recordUse(
            function: space.functionName(step: i, memoryMB: decision.configuration.memoryMB), until: now + decision.seconds)

        // Lines 11–18: each sub-graph off the critical path must finish before the critical step it
        // joins may start: τ*_k − s_k.
        var startDeadline = [Double](repeating: deadline, count: n)
        var elapsed = now
        for k in critical {
            startDeadline[k] = elapsed
            elapsed += share(k)
        }
        var scopes: [String: CachedScope] = [:]
        var component = [Int](repeating: -1, count: n)
        for seed in graph.topologicalOrder where inScope[seed] && !onCritical[seed] && component[seed] < 0 {
            var members: [Int] = []
            var branchDeadline = deadline
            component[seed] = seed
            var queue = [seed]
            while let b = queue.popLast() {
                members.append(b)
                for s in graph.successors[b] {
                    if !inScope[s] { continue }
                    if onCritical[s] {
                        branchDeadline = min(branchDeadline, startDeadline[s])
                    } else if component[s] < 0 {
                        component[s] = seed
                        queue.append(s)
                    }
                }
                for p in graph.predecessors[b] where inScope[p] && !onCritical[p] && component[p] < 0 {
                    component[p] = seed
                    queue.append(p)
                }
            }
            let ids = members.map { graph.ids[$0] }
            for b in members where !graph.predecessors[b].contains(where: { component[$0] == seed }) {
                scopes[graph.ids[b]] = CachedScope(deadline: branchDeadline, members: ids)
            }
        }
        // Lines 19–21: the rest of the critical path keeps T*_i.
        if critical.count > 1 {
            scopes[graph.ids[critical[1]]] = CachedScope(
                deadline: deadline, members: critical.dropFirst().map { graph.ids[$0] })
        }
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
