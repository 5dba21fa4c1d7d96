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
    /// Samples behind a decision's sampled percentile (``AttainmentEstimator``).
    public static let decisionSamples = 1_000

    public let space: ConfigurationSpace
    public let solver: ExactSolver
    /// A percentile SLO (nil: predicted times alone).
    public var chance: ChanceConstraint?
    /// One plan with recourse (docs/policies.md): a decision writes, for every step still to run, its plan and the latest start
    /// at which the rest of the plan still holds the percentile; a step ready by then runs on the plan with no
    /// configurator (``checks(step:)``), a later one is re-solved with the time actually left. Without it, every step
    /// is re-solved.
    public var recourse: Bool
    /// Whether the runtime warms the planned steps' functions ahead (``Prewarm``): a decision then charges no cold
    /// start to the steps it plans ahead, only to its own step where its function is cold now.
    public var prewarm: Bool
    /// Samples the noise model for the sampled percentile and the latest starts.
    public let estimator: AttainmentEstimator
    public var name: PolicyName { .stepconfExact }

    public init(
        space: ConfigurationSpace, solver: ExactSolver, chance: ChanceConstraint? = nil, recourse: Bool = true, prewarm: Bool = false
    ) {
        self.space = space
        self.solver = solver
        self.chance = chance
        self.recourse = recourse
        self.prewarm = prewarm
        self.estimator = space.estimator.prefix(Self.decisionSamples)
    }

    /// Rounds of margin correction behind a sampled percentile, and when a round is close enough (a share of the SLO).
    static let percentileRounds = 6
    static let percentileTolerance = 0.003

    /// What a step planned ahead saves by running on the plan (recourse): its configurator's latency, seconds, and its
    /// invocation less the Check's transition, USD.
    var aheadSavingSeconds: Double { recourse && space.includesConfigurator ? space.platform.configurator.seconds : 0 }
    var aheadSavingUSD: Double {
        recourse && space.includesConfigurator
            ? space.platform.billing.plannedConfiguratorUSD - space.platform.billing.transitionsUSD(1) : 0
    }

    /// With recourse, the plan is read ahead by every step but the first (which starts with the execution).
    public var decidesAhead: Bool { recourse }

    /// Every step but the first, joins included, checks the plan before asking its configurator.
    public func checks(step v: Int) -> Bool { recourse && AheadDecision.isChecked(v, in: space.graph) }

    public func decide(step i: Int, context: DecisionContext) throws -> StepDecision {
        var solve = try ExactDecision(policy: self, step: i, context: context)
        let (result, fallback) = try chance.map { try solve.atPercentile($0) } ?? (try solve.solve(within: context.sloSeconds), false)
        try context.cache.storePlan(execution: Self.planKey(context.execution), solve.cachedPlan(result.choice, fallback: fallback))
        let own = space.steps[i]
        let ownSeconds = solve.ownSeconds
        let fastest = OptionOrder.fastest(own.count, seconds: { ownSeconds[$0] }, cost: { own.costUSD[$0] })!
        let k = result.feasible ? result.choice[i] : fastest
        var decision = StepDecision(step: i, option: k, in: own, subSLOSeconds: nil, fallback: fallback || !result.feasible)
        decision.seconds = ownSeconds[k]
        decision.solve = result
        try context.cache.recordUse(
            function: space.functionName(step: i, memoryMB: decision.configuration.memoryMB),
            until: context.now + decision.seconds, instances: decision.configuration.inter)
        return decision
    }

    /// The plan the decision at `step` stored, for every step still to run but `step`: each on its planned option,
    /// held until its latest start.
    public func decideAhead(after step: Int, decision: StepDecision, context: DecisionContext) throws -> [Int: AheadDecision] {
        guard recourse, let plan = try context.cache.plan(execution: Self.planKey(context.execution)),
            plan.steps.count == space.graph.count
        else { return [:] }
        var ahead: [Int: AheadDecision] = [:]
        for (w, planned) in plan.steps.enumerated() where w != step && context.progress[w] == .pending {
            guard let latest = planned.latestStart, planned.option >= 0, planned.option < space.steps[w].count else { continue }
            let decided = StepDecision(
                step: w, option: planned.option, in: space.steps[w], subSLOSeconds: nil, fallback: planned.fallback)
            ahead[w] = AheadDecision(decision: decided, deadline: latest, plannedReady: planned.plannedStart)
        }
        return ahead
    }

    /// How far the execution has got, read from the plan the last decision stored (``CachedPlan/Step``): `step` and
    /// the steps after it are pending and the steps before it have ended (by now); every other step ended, runs or is
    /// pending by its record — the ready time and (expected) end a decision wrote for a step that had started — or, for
    /// a step that ran on the plan with no configurator, by its planned start and predicted time.
    public func observedProgress(
        step i: Int, now: Double, executionStart: Double, execution: String, cache: any GlobalCache
    ) throws -> [StepProgress] {
        let graph = space.graph
        let before = graph.ancestors(of: i)
        let after = graph.descendants(of: i)
        let plan = try cache.plan(execution: Self.planKey(execution)).flatMap { $0.steps.count == graph.count ? $0 : nil }
        return (0..<graph.count).map { v in
            if v == i || after.contains(v) { return .pending }
            let step = plan?.steps[v]
            var times: (ready: Double, end: Double)?
            if let step, let ready = step.ready, let end = step.end {
                times = (ready, end)
            } else if let step, let start = step.plannedStart, space.steps[v].seconds.indices.contains(step.option) {
                times = (start, start + space.steps[v].seconds[step.option] - aheadSavingSeconds)
            }
            guard let (ready, end) = times, ready.isFinite, end.isFinite else {
                return before.contains(v) ? .finished(ready: executionStart, finish: now) : .pending
            }
            if before.contains(v) || end <= now { return .finished(ready: min(ready, now), finish: min(end, now)) }
            return ready <= now ? .running(ready: ready, expectedFinish: end) : .pending
        }
    }

    /// Where a decision leaves the plan it chose for the rest of the execution (beside a static policy's plan).
    public static func planKey(_ execution: String) -> String { execution + "#stepconf-exact" }

    /// The rest of the execution on predicted times if every step still to decide takes its option in `choice`:
    /// when the last step ends, per step when it starts (never before now) and ends, and per step still to decide,
    /// the cold start each of its options would meet at its start (the functions this plan has warmed by then
    /// counted warm).
    func walk(
        _ choice: [Int], step i: Int, ownSeconds: [Double], context: DecisionContext,
        uses: @escaping (String) throws -> FunctionUses?
    ) throws -> (finish: Double, cold: [[Double]?], stepStart: [Double], stepFinish: [Double]) {
        var executor = RemainderExecutor(
            space: space, choice: choice, current: i, now: context.now, ownSeconds: ownSeconds,
            progress: context.progress, prewarm: prewarm, savedSeconds: aheadSavingSeconds, uses: uses)
        let walked = try WorkflowDriver(graph: space.graph).run(&executor, start: context.executionStart)
        return (walked.finish.max() ?? context.now, executor.cold, walked.ready.map { max($0, context.now) }, walked.finish)
    }
}

/// Runs the rest of an execution on predicted times for ``ExactPolicy/walk(_:step:ownSeconds:context:uses:)``:
/// finished and running steps end when they did or are expected to, the current step starts now, and each step
/// still to decide is charged a cold start where its function is cold at its start, counting the uses this walk
/// has made, and none of its configurator where it runs on the plan (recourse), as the solve charges it.
private struct RemainderExecutor: StepExecutor {
    let space: ConfigurationSpace
    let choice: [Int]
    let current: Int
    let now: Double
    let ownSeconds: [Double]
    let progress: [StepProgress]
    /// Whether the steps still to decide are warmed ahead (charged no cold start).
    let prewarm: Bool
    /// What a step still to decide saves by running on the plan (``ExactPolicy/aheadSavingSeconds``).
    let savedSeconds: Double
    let knownUses: (String) throws -> FunctionUses?
    /// Uses this walk made, by function.
    var uses: [String: FunctionUses] = [:]
    /// Per step still to decide, what a cold start adds to each option at its start.
    var cold: [[Double]?]

    init(
        space: ConfigurationSpace, choice: [Int], current: Int, now: Double, ownSeconds: [Double],
        progress: [StepProgress], prewarm: Bool, savedSeconds: Double, uses: @escaping (String) throws -> FunctionUses?
    ) {
        self.prewarm = prewarm
        self.savedSeconds = savedSeconds
        self.space = space
        self.choice = choice
        self.current = current
        self.now = now
        self.ownSeconds = ownSeconds
        self.progress = progress
        self.knownUses = uses
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
            let knownUses = self.knownUses
            let penalties = prewarm ? nil : try space.coldPenalties(step: v, now: start) { function in
                let known = try knownUses(function)
                guard let mine = walkUses[function] else { return known }
                return known.map { $0.merged(with: mine) } ?? mine
            }
            cold[v] = penalties
            finish = start + space.chargedSeconds(step: v, option: choice[v], penalties: penalties) - savedSeconds
            record(v, until: finish)
        }
        return ExecutedStep(finish: finish, expectedFinish: finish, outcome: ())
    }

    private mutating func record(_ v: Int, until time: Double) {
        let theta = space.steps[v].configurations[choice[v]]
        let function = space.functionName(step: v, memoryMB: theta.memoryMB)
        uses[function] = (uses[function] ?? FunctionUses()).recording(until: time, instances: theta.inter)
    }
}
