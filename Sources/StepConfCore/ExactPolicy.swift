/// `stepconf-exact`: at each step, the whole DAG re-solved exactly with what has already run fixed at
/// its actual (or, if still running, expected) duration, and the current step starting now. Every step
/// still to decide carries what a run will charge it: its configurator's latency and cost (in a dynamic
/// space's options) and a cold start where its function will be cold when it starts.
///
/// Which functions will be cold depends on the plan (a step warms its function for the steps after it), so
/// a decision solves twice. The cautious solve charges a cold start wherever a function is cold now: functions
/// only warm up within an execution, so it assumes no less than a run will charge. Its plan is then walked on
/// predicted times to see which functions it leaves warm, and the refined solve charges cold starts only
/// there. The refined plan is taken when it is cheaper and its own walk (its own warm functions) meets the SLO;
/// a refined plan is also taken when the cautious one cannot meet it and the refined one's walk does.
public struct ExactPolicy: DynamicPolicy {
    /// Solver limits for a decision: a coarser grid than `optimal`, to stay within milliseconds.
    public static let decisionLimits = ExactSolver.Limits(exactFrontCap: 512, exactPairBudget: 40_000, gridUnits: 400)

    public let space: ConfigurationSpace
    public let solver: ExactSolver
    /// A percentile SLO (nil: predicted times alone).
    public var chance: ChanceConstraint?
    public var name: PolicyName { .stepconfExact }

    public init(space: ConfigurationSpace, solver: ExactSolver, chance: ChanceConstraint? = nil) {
        self.space = space
        self.solver = solver
        self.chance = chance
    }

    public func decide(step i: Int, context: DecisionContext) throws -> StepDecision {
        let graph = space.graph
        let t0 = context.executionStart
        // One cache read per function for the whole decision (steps of one kind share their functions).
        var known: [String: Double?] = [:]
        func lastUse(_ function: String) throws -> Double? {
            if let seen = known[function] { return seen }
            let value = try context.cache.lastUse(function: function)
            known[function] = value
            return value
        }
        // The current step's options carry its cold-start penalty where its function is not warm.
        let penalties = try space.coldPenalties(step: i, now: context.now, lastUse: lastUse)
        let own = space.steps[i]
        let ownSeconds = own.seconds.enumerated().map { k, t in t + (penalties?[k] ?? 0) }
        let ready = graph.readyTime(i, finish: context.progress.map { $0.finish ?? -.infinity }, start: t0)
        let wait = max(0, context.now - ready)
        // Durations are counted from the moment a step's predecessors are done, so path sums equal finish
        // times measured from T0. `cold[v]` is what a cold start adds to each option of a step still to decide.
        func options(cold: [[Double]?]) -> [ExactSolver.Options] {
            (0..<graph.count).map { v in
                switch context.progress[v] {
                case .finished(let ready, let finish):
                    return .init(seconds: [max(0, finish - max(ready, t0))], costUSD: [0])
                case .running(let ready, let expected):
                    return .init(seconds: [max(0, expected - max(ready, t0))], costUSD: [0])
                case .pending where v == i:
                    return .init(seconds: ownSeconds.map { $0 + wait }, costUSD: own.costUSD)
                case .pending:
                    let seconds = cold[v].map { zip(space.steps[v].seconds, $0).map(+) } ?? space.steps[v].seconds
                    return .init(seconds: seconds, costUSD: space.steps[v].costUSD)
                }
            }
        }
        var coldNow: [[Double]?] = Array(repeating: nil, count: graph.count)
        for v in 0..<graph.count where v != i && context.progress[v] == .pending {
            coldNow[v] = try space.coldPenalties(step: v, now: context.now, lastUse: lastUse)
        }
        let key = Self.planKey(context.execution)
        var stored: [Int]?
        if let plan = try context.cache.plan(execution: key)?.steps.map(\.option), plan.count == graph.count,
            plan.indices.allSatisfy({ plan[$0] >= 0 && plan[$0] < space.steps[$0].count })
        {
            stored = (0..<graph.count).map { v in context.progress[v] == .pending ? plan[v] : 0 }
        }
        let coldOptions = options(cold: coldNow)

        /// The cheapest plan of the rest whose walk ends by T0 + `slo` (`refine`: also the plans that count on
        /// warmth still to come).
        func solve(within slo: Double, refine: Bool = true) throws -> ExactSolver.Result {
            let cautious = solver.solve(coldOptions, sloSeconds: slo)
            guard refine, coldNow.contains(where: { $0 != nil }) else { return cautious }
            var result = cautious
            let deadline = t0 + slo
            func meets(_ choice: [Int]) throws -> Bool {
                let walked = try walk(choice, step: i, ownSeconds: ownSeconds, context: context, lastUse: lastUse)
                return walked.finish <= deadline + 1e-12 * max(1, deadline)
            }
            // Candidates that count on warmth still to come, each kept only when its own walk meets the SLO: the
            // solve on the warmth the cautious plan leaves, the plan an earlier decision of this execution chose
            // (so a plan found feasible stays available), and the solve on the warmth that plan leaves.
            var seeds = [cautious.choice]
            if let stored {
                let priced = solver.evaluate(stored, coldOptions)
                if !result.feasible || priced.cost < result.costUSD, try meets(stored) {
                    result = ExactSolver.Result(
                        choice: stored, costUSD: priced.cost, makespanSeconds: priced.makespan, feasible: true,
                        provenOptimal: false, lowerBoundUSD: cautious.lowerBoundUSD, gridSeconds: cautious.gridSeconds,
                        method: cautious.method + ", earlier plan kept")
                }
                seeds.append(stored)
            }
            for seed in seeds {
                let walked = try walk(seed, step: i, ownSeconds: ownSeconds, context: context, lastUse: lastUse)
                let refined = solver.solve(options(cold: walked.cold), sloSeconds: slo)
                if refined.feasible, refined.choice != result.choice, !result.feasible || refined.costUSD < result.costUSD,
                    try meets(refined.choice)
                {
                    result = refined
                }
            }
            return result
        }

        // A percentile SLO: the rest must end by the SLO minus the margin its critical path's spread needs.
        // The spread depends on the plan, so it is read off a reference plan (an earlier decision's, else the
        // plan on predicted times), and the solve is repeated once when the plan it gives needs more.
        var result: ExactSolver.Result
        var fallback = false
        if let chance {
            func margin(_ choice: [Int]) -> Double {
                let pending = solver.criticalPath(choice, coldOptions).filter { context.progress[$0] == .pending }
                return chance.margin(
                    error: pending.reduce(0.0) { $0 + space.modelErrors[$1] * coldOptions[$1].seconds[choice[$1]] },
                    variance: pending.reduce(0.0) { $0 + space.variances[$1][choice[$1]] })
            }
            var medianPlan: ExactSolver.Result?
            func median() throws -> ExactSolver.Result {
                if let medianPlan { return medianPlan }
                let plan = try solve(within: context.sloSeconds)
                medianPlan = plan
                return plan
            }
            // The reference only sizes the margin: the cautious plan on predicted times is enough.
            let reference = try stored ?? solve(within: context.sloSeconds, refine: false).choice
            var within = context.sloSeconds - margin(reference)
            result = try solve(within: within)
            if result.feasible {
                let needed = context.sloSeconds - margin(result.choice)
                if needed < within {
                    within = needed
                    let again = try solve(within: within)
                    if again.feasible { result = again }
                }
            } else if try median().feasible {
                // Not at the percentile, but at the median: run the cheapest plan that meets it there, flagged.
                result = try median()
                fallback = true
            }
        } else {
            result = try solve(within: context.sloSeconds)
        }
        if result.feasible {
            try context.cache.storePlan(execution: key, CachedPlan(choice: result.choice))
        }
        let fastest = OptionOrder.fastest(own.count, seconds: { ownSeconds[$0] }, cost: { own.costUSD[$0] })!
        let k = result.feasible ? result.choice[i] : fastest
        var decision = StepDecision(step: i, option: k, in: own, subSLOSeconds: nil, fallback: fallback || !result.feasible)
        decision.seconds = ownSeconds[k]
        decision.solve = result
        try context.cache.recordUse(
            function: space.functionName(step: i, memoryMB: decision.configuration.memoryMB),
            until: context.now + decision.seconds)
        return decision
    }

    /// Where a decision leaves the plan it chose for the rest of the execution (beside a static policy's plan).
    static func planKey(_ execution: String) -> String { execution + "#stepconf-exact" }

    /// The rest of the execution on predicted times if every step still to decide takes its option in `choice`:
    /// when the last step ends, and per step still to decide, the cold start each of its options would meet
    /// at its start (the functions this plan has warmed by then counted warm).
    func walk(
        _ choice: [Int], step i: Int, ownSeconds: [Double], context: DecisionContext,
        lastUse: @escaping (String) throws -> Double?
    ) throws -> (finish: Double, cold: [[Double]?]) {
        var executor = RemainderExecutor(
            space: space, choice: choice, current: i, now: context.now, ownSeconds: ownSeconds,
            progress: context.progress, lastUse: lastUse)
        let walked = try WorkflowDriver(graph: space.graph).run(&executor, start: context.executionStart)
        return (walked.finish.max() ?? context.now, executor.cold)
    }
}

/// Runs the rest of an execution on predicted times for ``ExactPolicy/walk(_:step:ownSeconds:context:lastUse:)``:
/// finished and running steps end when they did or are expected to, the current step starts now, and each step
/// still to decide is charged a cold start where its function is cold at its start, counting the uses this walk
/// has made.
private struct RemainderExecutor: StepExecutor {
    let space: ConfigurationSpace
    let choice: [Int]
    let current: Int
    let now: Double
    let ownSeconds: [Double]
    let progress: [StepProgress]
    let lastUse: (String) throws -> Double?
    /// Uses this walk made, by function: until when.
    var uses: [String: Double] = [:]
    /// Per step still to decide, what a cold start adds to each option at its start.
    var cold: [[Double]?]

    init(
        space: ConfigurationSpace, choice: [Int], current: Int, now: Double, ownSeconds: [Double],
        progress: [StepProgress], lastUse: @escaping (String) throws -> Double?
    ) {
        self.space = space
        self.choice = choice
        self.current = current
        self.now = now
        self.ownSeconds = ownSeconds
        self.progress = progress
        self.lastUse = lastUse
        self.cold = Array(repeating: nil, count: space.graph.count)
    }

    mutating func execute(_ launch: StepLaunch) throws -> ExecutedStep<Void> {
        let v = launch.step
        let finish: Double
        switch progress[v] {
        case .finished(_, let end), .running(_, let end):
            finish = end
        case .pending where v == current:
            finish = now + ownSeconds[choice[v]]
            record(v, until: finish)
        case .pending:
            let start = max(launch.ready, now)
            let walkUses = uses
            let lastUse = self.lastUse
            let penalties = try space.coldPenalties(step: v, now: start) { function in
                let known = try lastUse(function)
                guard let mine = walkUses[function] else { return known }
                return max(mine, known ?? -.infinity)
            }
            cold[v] = penalties
            finish = start + space.chargedSeconds(step: v, option: choice[v], penalties: penalties)
            record(v, until: finish)
        }
        return ExecutedStep(finish: finish, expectedFinish: finish, outcome: ())
    }

    private mutating func record(_ v: Int, until time: Double) {
        let function = space.functionName(step: v, memoryMB: space.steps[v].configurations[choice[v]].memoryMB)
        uses[function] = max(uses[function] ?? -.infinity, time)
    }
}
