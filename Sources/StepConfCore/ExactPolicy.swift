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
        var solve = try ExactDecision(policy: self, step: i, context: context)
        let (result, fallback) = try chance.map { try solve.atPercentile($0) } ?? (try solve.solve(within: context.sloSeconds), false)
        if result.feasible {
            try context.cache.storePlan(execution: Self.planKey(context.execution), CachedPlan(choice: result.choice))
        }
        let own = space.steps[i]
        let ownSeconds = solve.ownSeconds
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
