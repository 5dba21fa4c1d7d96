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
    private let uses: KnownUses
    /// The plan at the median, solved once when needed.
    private var medianPlan: ExactSolver.Result?

    /// The functions' uses read so far, shared by the walks of one decision.
    final class KnownUses {
        let cache: any GlobalCache
        var known: [String: FunctionUses?] = [:]
        init(cache: any GlobalCache) { self.cache = cache }
        func uses(_ function: String) throws -> FunctionUses? {
            if let seen = known[function] { return seen }
            let value = try cache.uses(function: function)
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
        let uses = KnownUses(cache: context.cache)
        self.uses = uses
        // The current step's options carry its cold-start penalty where its function is not warm.
        let penalties = try space.coldPenalties(step: i, now: context.now, uses: uses.uses)
        ownSeconds = space.steps[i].seconds.enumerated().map { k, t in t + (penalties?[k] ?? 0) }
        let ready = graph.readyTime(i, finish: context.progress.map { $0.finish ?? -.infinity }, start: context.executionStart)
        wait = max(0, context.now - ready)
        var coldNow: [[Double]?] = Array(repeating: nil, count: graph.count)
        // Steps planned ahead are warmed ahead where the runtime prewarms: no cold start to charge them.
        for v in 0..<graph.count where v != i && context.progress[v] == .pending && !policy.prewarm {
            coldNow[v] = try space.coldPenalties(step: v, now: context.now, uses: uses.uses)
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
        // With recourse a step planned ahead runs on the plan: no configurator's time or cost, only its Check's transition.
        let savedSeconds = policy.aheadSavingSeconds
        let savedUSD = policy.aheadSavingUSD
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
                return .init(seconds: seconds.map { $0 - savedSeconds }, costUSD: space.steps[v].costUSD.map { $0 - savedUSD })
            }
        }
    }

    func walk(_ choice: [Int]) throws -> (finish: Double, cold: [[Double]?], stepStart: [Double], stepFinish: [Double]) {
        try policy.walk(choice, step: step, ownSeconds: ownSeconds, context: context, uses: uses.uses)
    }

    /// Whether the walk of `choice` (its own warm functions) ends by T0 + `slo`.
    func meets(_ choice: [Int], within slo: Double) throws -> Bool {
        let deadline = context.executionStart + slo
        return try walk(choice).finish <= deadline + AttainmentEstimator.slack(deadline: deadline, span: slo)
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

    /// Every step as a run of `choice` pays it, for sampling (``AttainmentEstimator``): steps that ended or run at their
    /// (expected) end, this step after its configurator, and the steps still to decide on the plan — without a
    /// configurator where they run on it (recourse), warmed ahead where the runtime prewarms.
    func plannedSteps(_ choice: [Int]) -> [AttainmentEstimator.PlannedStep] {
        let space = policy.space
        return (0..<space.graph.count).map { v in
            switch context.progress[v] {
            case .finished(_, let finish), .running(_, let finish):
                return .init(function: "", inter: 0, seconds: 0, finish: finish)
            case .pending where v == step:
                return space.plannedStep(v, option: choice[v], configured: space.includesConfigurator)
            case .pending:
                var planned = space.plannedStep(v, option: choice[v], configured: space.includesConfigurator && !policy.recourse)
                planned.prewarmed = policy.prewarm
                return planned
            }
        }
    }

    /// What is warm now by the global cache: per function of a step still to run, its instances idle and warm
    /// (``FunctionUses/idleInstances(at:keepAliveSeconds:)``).
    func warmth() throws -> AttainmentEstimator.Warmth {
        let space = policy.space
        var instances: [String: Int] = [:]
        for v in 0..<space.graph.count where context.progress[v] == .pending {
            for memoryMB in Set(space.steps[v].configurations.map(\.memoryMB)) {
                let function = space.functionName(step: v, memoryMB: memoryMB)
                guard instances[function] == nil else { continue }
                let idle = try uses.uses(function)?.idleInstances(at: context.now, keepAliveSeconds: space.platform.keepAliveSeconds) ?? 0
                if idle > 0 { instances[function] = idle }
            }
        }
        return .init(instances: instances, chance: 1)
    }

    /// The sampled `level` quantile of when the rest of `choice` ends, on the execution's clock.
    func sampledEnd(_ choice: [Int], level: Double, warmth: AttainmentEstimator.Warmth) -> Double {
        policy.estimator.quantile(
            plannedSteps(choice), level: level, start: context.executionStart, now: context.now, warmth: warmth)
    }

    /// Per step still to run, the latest time it may become ready for the rest of `choice` to end by the SLO on the
    /// predicted times the solve charged (cold starts where the plan meets them): the SLO less the longest path from
    /// its start through its successors. Nil for a step that has ended or runs.
    func predictedLatestStarts(_ choice: [Int]) throws -> [Double?] {
        let walked = try walk(choice)
        let graph = policy.space.graph
        var tail = [Double](repeating: 0, count: graph.count)
        for v in graph.topologicalOrder.reversed() {
            let after = graph.successors[v].reduce(0.0) { max($0, tail[$1]) }
            tail[v] = (context.progress[v] == .pending ? walked.stepFinish[v] - walked.stepStart[v] : 0) + after
        }
        let deadline = context.executionStart + context.sloSeconds
        return (0..<graph.count).map { context.progress[$0] == .pending ? deadline - tail[$0] : nil }
    }

    /// A percentile SLO, sampled: the cheapest plan whose sampled P-quantile of the end meets the SLO. The deterministic
    /// solve is asked for the rest to end by the SLO minus a margin; the margin starts as a normal approximation of a
    /// reference plan's critical path (an earlier decision's, else the cautious plan's) and is corrected by what the
    /// sample says the plan needs, a few rounds. Where no plan holds the percentile, the fastest plan, flagged
    /// (`fallback`): it attains the most.
    mutating func atPercentile(_ chance: ChanceConstraint) throws -> (ExactSolver.Result, fallback: Bool) {
        let slo = context.sloSeconds
        let deadline = context.executionStart + slo
        let level = chance.percentile / 100
        let warm = try warmth()
        let reference = try stored ?? solve(within: slo, refine: false).choice
        let tolerance = ExactPolicy.percentileTolerance * slo
        var within = max(tolerance, min(slo, slo - margin(reference, chance)))
        var best: ExactSolver.Result?
        // The sampled end is not continuous in the deterministic deadline (plans jump), so the corrections are kept
        // inside the bracket of deadlines known to be too tight or to hold P (`holds`: the cheapest plan that holds P
        // asks for no less) and known to miss it (`misses`): a correction that would leave the bracket bisects it
        // instead, and one that misses steps past the edge by the tolerance.
        var holds = -Double.infinity
        var misses = Double.infinity
        var stride = tolerance
        var previous: [Int]?
        for _ in 0..<ExactPolicy.percentileRounds {
            let result = try solve(within: within)
            guard result.feasible else {
                // The margin asked for more than the fastest plan gives: no plan ends by then even on predicted times.
                // Ask for less, halfway to the SLO (or to a deadline already known to miss).
                holds = max(holds, within)
                let next = (within + min(misses, slo)) / 2
                guard next - within > tolerance else { break }
                within = next
                continue
            }
            let end = sampledEnd(result.choice, level: level, warmth: warm)
            let gap = deadline - end
            if gap >= -AttainmentEstimator.slack(deadline: deadline, span: slo, relative: 1e-9) {
                if best.map({ result.costUSD < $0.costUSD }) ?? true { best = result }
                holds = max(holds, within)
                // Close enough: a smaller correction would not change the plan's cost by much.
                if gap <= tolerance { break }
            } else {
                misses = min(misses, within)
            }
            // A miss steps past the edge; while the plan stays the same (the solver's grid is coarser than the step),
            // twice as far each round.
            stride = result.choice == previous ? stride * 2 : tolerance
            previous = result.choice
            var next = within + gap - (gap < 0 ? stride : 0)
            if next <= holds || next >= misses {
                guard holds.isFinite, misses.isFinite else { break }
                next = (holds + misses) / 2
            }
            within = min(slo, next)
        }
        if let best { return (best, false) }
        // No plan holds P: every step still to decide at its fastest (the solve past any deadline gives it).
        return (try solve(within: 0, refine: false), true)
    }

    /// The plan to store for the steps still to run: each on `choice`, with (recourse) its planned start on predicted
    /// times and its latest start, the time by which it must be ready for the rest of the plan to hold the percentile
    /// (``AttainmentEstimator/latestStarts(_:deadline:level:start:now:warmth:)``). Without a percentile the plan was
    /// solved on predicted times, so its latest starts are read on the same times (``predictedLatestStarts(_:)``): a
    /// sampled median can sit a little above them, and a plan that just fits would then never be run on.
    ///
    /// Every step that has started is recorded with its ready time and (expected) end, this step with its predicted end.
    func cachedPlan(_ choice: [Int], fallback: Bool) throws -> CachedPlan {
        var plan = CachedPlan(choice: choice)
        for v in plan.steps.indices {
            switch context.progress[v] {
            case .finished(let ready, let end), .running(let ready, let end):
                (plan.steps[v].ready, plan.steps[v].end) = (ready, end)
            case .pending where v == step:
                (plan.steps[v].ready, plan.steps[v].end) = (context.now - wait, context.now + ownSeconds[choice[v]])
            case .pending:
                break
            }
        }
        guard policy.recourse else { return plan }
        let planned = plannedSteps(choice)
        let deadline = context.executionStart + context.sloSeconds
        let latest = try policy.chance.map {
            policy.estimator.latestStarts(
                planned, deadline: deadline, level: $0.percentile / 100, start: context.executionStart, now: context.now,
                warmth: try warmth())
        } ?? predictedLatestStarts(choice)
        let predicted = policy.estimator.predictedStarts(planned, start: context.executionStart, now: context.now)
        for v in plan.steps.indices where context.progress[v] == .pending && v != step {
            plan.steps[v].fallback = fallback
            plan.steps[v].plannedStart = predicted[v]
            // A plan that already runs every step at its fastest (no plan holds P) has nothing faster to re-solve
            // to: every later step runs on it, with no configurator on the critical path.
            plan.steps[v].latestStart = fallback ? CachedPlan.Step.never : latest[v]
        }
        return plan
    }
}
