/// One `stepconf-exact` decision's phases: what the step and the rest will be charged (cache reads once per function,
/// the step's own cold start and wait, the cold starts of the steps still to decide), the cautious and refined
/// solves, and the margin a percentile SLO needs.
struct ExactDecision {
    let policy: ExactPolicy
    let step: Int
    let context: DecisionContext
    /// The step's own options' times: its cold start where its function is not warm.
    let ownSeconds: [Double]
    /// How long the step has waited since its predecessors finished.
    let wait: Double
    /// Per step still to decide, what a cold start adds to each option where its function is cold now.
    let coldNow: [[Double]?]
    /// Every step's options charged the cold starts of now (the cautious solve's).
    let coldOptions: [ExactSolver.Options]
    /// The plan an earlier decision of this execution chose (fixed steps at 0), if it fits these options.
    let stored: [Int]?
    /// Cache reads, one per function for the whole decision (steps of one kind share their functions).
    private let uses: LastUses
    /// The plan at the median, solved once when needed.
    private var medianPlan: ExactSolver.Result?

    /// The last uses read so far, shared by the walks of one decision.
    final class LastUses {
        let cache: any GlobalCache
        var known: [String: Double?] = [:]
        init(cache: any GlobalCache) { self.cache = cache }
        func lastUse(_ function: String) throws -> Double? {
            if let seen = known[function] { return seen }
            let value = try cache.lastUse(function: function)
            known[function] = value
            return value
        }
    }

    init(policy: ExactPolicy, step i: Int, context: DecisionContext) throws {
        self.policy = policy
        self.step = i
        self.context = context
        let space = policy.space
        let graph = space.graph
        let uses = LastUses(cache: context.cache)
        self.uses = uses
        // The current step's options carry its cold-start penalty where its function is not warm.
        let penalties = try space.coldPenalties(step: i, now: context.now, lastUse: uses.lastUse)
        ownSeconds = space.steps[i].seconds.enumerated().map { k, t in t + (penalties?[k] ?? 0) }
        let ready = graph.readyTime(i, finish: context.progress.map { $0.finish ?? -.infinity }, start: context.executionStart)
        wait = max(0, context.now - ready)
        var coldNow: [[Double]?] = Array(repeating: nil, count: graph.count)
        for v in 0..<graph.count where v != i && context.progress[v] == .pending {
            coldNow[v] = try space.coldPenalties(step: v, now: context.now, lastUse: uses.lastUse)
        }
        self.coldNow = coldNow
        var stored: [Int]?
        if let plan = try context.cache.plan(execution: ExactPolicy.planKey(context.execution))?.steps.map(\.option),
            plan.count == graph.count, plan.indices.allSatisfy({ plan[$0] >= 0 && plan[$0] < space.steps[$0].count })
        {
            stored = (0..<graph.count).map { v in context.progress[v] == .pending ? plan[v] : 0 }
        }
        self.stored = stored
        coldOptions = Self.options(policy: policy, step: i, context: context, ownSeconds: ownSeconds, wait: wait, cold: coldNow)
    }

    /// Every step's options for the solver. Durations are counted from the moment a step's predecessors are done,
    /// so path sums equal finish times measured from T0; `cold[v]` is what a cold start adds to each option of a
    /// step still to decide.
    static func options(
        policy: ExactPolicy, step i: Int, context: DecisionContext, ownSeconds: [Double], wait: Double, cold: [[Double]?]
    ) -> [ExactSolver.Options] {
        let space = policy.space
        let t0 = context.executionStart
        return (0..<space.graph.count).map { v in
            switch context.progress[v] {
            case .finished(let ready, let finish):
                return .init(seconds: [max(0, finish - max(ready, t0))], costUSD: [0])
            case .running(let ready, let expected):
                return .init(seconds: [max(0, expected - max(ready, t0))], costUSD: [0])
            case .pending where v == i:
                return .init(seconds: ownSeconds.map { $0 + wait }, costUSD: space.steps[i].costUSD)
            case .pending:
                let seconds = cold[v].map { zip(space.steps[v].seconds, $0).map(+) } ?? space.steps[v].seconds
                return .init(seconds: seconds, costUSD: space.steps[v].costUSD)
            }
        }
    }

    func walk(_ choice: [Int]) throws -> (finish: Double, cold: [[Double]?]) {
        try policy.walk(choice, step: step, ownSeconds: ownSeconds, context: context, lastUse: uses.lastUse)
    }

    /// Whether the walk of `choice` (its own warm functions) ends by T0 + `slo`.
    func meets(_ choice: [Int], within slo: Double) throws -> Bool {
        let deadline = context.executionStart + slo
        return try walk(choice).finish <= deadline + 1e-12 * max(1, deadline)
    }

    /// The cheapest plan of the rest whose walk ends by T0 + `slo` (`refine`: also the plans that count on warmth
    /// still to come).
    func solve(within slo: Double, refine: Bool = true) throws -> ExactSolver.Result {
        let solver = policy.solver
        let cautious = solver.solve(coldOptions, sloSeconds: slo)
        guard refine, coldNow.contains(where: { $0 != nil }) else { return cautious }
        var result = cautious
        // Candidates that count on warmth still to come, each kept only when its own walk meets the SLO: the
        // solve on the warmth the cautious plan leaves, the plan an earlier decision of this execution chose
        // (so a plan found feasible stays available), and the solve on the warmth that plan leaves.
        var seeds = [cautious.choice]
        if let stored {
            let priced = solver.evaluate(stored, coldOptions)
            if !result.feasible || priced.cost < result.costUSD, try meets(stored, within: slo) {
                result = ExactSolver.Result(
                    choice: stored, costUSD: priced.cost, makespanSeconds: priced.makespan, feasible: true,
                    provenOptimal: false, lowerBoundUSD: cautious.lowerBoundUSD, gridSeconds: cautious.gridSeconds,
                    method: cautious.method + ", earlier plan kept")
            }
            seeds.append(stored)
        }
        for seed in seeds {
            let walked = try walk(seed)
            let refined = solver.solve(
                Self.options(policy: policy, step: step, context: context, ownSeconds: ownSeconds, wait: wait, cold: walked.cold),
                sloSeconds: slo)
            if refined.feasible, refined.choice != result.choice, !result.feasible || refined.costUSD < result.costUSD,
                try meets(refined.choice, within: slo)
            {
                result = refined
            }
        }
        return result
    }

    /// The margin a percentile SLO needs for the spread and model error of `choice`'s critical path (its steps
    /// still to decide).
    func margin(_ choice: [Int], _ chance: ChanceConstraint) -> Double {
        let space = policy.space
        let pending = policy.solver.criticalPath(choice, coldOptions).filter { context.progress[$0] == .pending }
        return chance.margin(
            error: pending.reduce(0.0) { $0 + space.modelErrors[$1] * coldOptions[$1].seconds[choice[$1]] },
            variance: pending.reduce(0.0) { $0 + space.variances[$1][choice[$1]] })
    }

    /// A percentile SLO: the rest must end by the SLO minus the margin its critical path's spread needs. The spread
    /// depends on the plan, so it is read off a reference plan (an earlier decision's, else the cautious plan on
    /// predicted times), and the solve is repeated once when the plan it gives needs more. Where no plan holds the
    /// percentile, the cheapest that meets the SLO at the median, flagged (`fallback`).
    mutating func atPercentile(_ chance: ChanceConstraint) throws -> (ExactSolver.Result, fallback: Bool) {
        let slo = context.sloSeconds
        let reference = try stored ?? solve(within: slo, refine: false).choice
        var within = slo - margin(reference, chance)
        var result = try solve(within: within)
        if result.feasible {
            let needed = slo - margin(result.choice, chance)
            if needed < within {
                within = needed
                let again = try solve(within: within)
                if again.feasible { result = again }
            }
            return (result, false)
        }
        let median = try medianPlan ?? solve(within: slo)
        medianPlan = median
        return median.feasible ? (median, true) : (result, false)
    }
}
