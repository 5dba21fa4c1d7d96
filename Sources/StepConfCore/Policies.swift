/// Builds the policy of a given name for one workflow, model and platform.
public enum Policies {
    /// Default planning margin, in units of each step's measured 95th-percentile spread.
    public static let defaultSafety = 2.0

    /// The factor of the fastest makespan an `auto` SLO gives.
    public static let autoSLOFactor = 1.5

    /// The `auto` SLO: 1.5 × the fastest makespan on the most demanding assumptions any policy plans with —
    /// every step deciding through its configurator (its latency in every step) and every function cold (a
    /// fresh cache), with the planning margin `safety`. One definition for `plan`, `run` and `bench`, so that
    /// every policy, static or dynamic, can meet it: its own fastest plan is no slower than this.
    /// - Throws: ``InputError`` when no θ of the grid fits a step.
    public static func autoSLOSeconds(
        graph: WorkflowGraph, model: PerformanceModel, platform: Platform, safety: Double = defaultSafety
    ) throws -> Double {
        let space = try ConfigurationSpace(
            graph: graph, model: model, platform: platform, includesConfigurator: true, safety: safety)
        return autoSLOFactor * space.fastestMakespanSeconds(coldEverywhere: true)
    }

    /// Makes the policy `name`.
    /// - Parameters:
    ///   - limits: work limits of the exact solver (`optimal`, `stepconf-exact`).
    ///   - considerEveryIntra: offer every runnable q, not only the one the model predicts fastest at each (m, p).
    ///   - safety: how many 95th-percentile spreads (the 95th percentile of ``NoiseModel/stepQuantiles``) to add to each
    ///     predicted step time when planning.
    /// - Throws: ``InputError`` when no θ of the policy's grid fits a step.
    public static func make(
        _ name: PolicyName, graph: WorkflowGraph, model: PerformanceModel, platform: Platform,
        limits: ExactSolver.Limits? = nil, considerEveryIntra: Bool = false, safety: Double = defaultSafety
    ) throws -> any StepPolicy {
        let space = try ConfigurationSpace(
            graph: graph, model: model, platform: platform, grid: name.grid(from: platform.grid),
            includesConfigurator: name.isDynamic, considerEveryIntra: considerEveryIntra, safety: safety)
        switch name {
        case .stepconf, .intraOnly, .interOnly:
            return HeuristicPolicy(name: name, optimizer: StepConfOptimizer(space: space))
        case .static, .nono:
            return StaticHeuristicPolicy(name: name, optimizer: StepConfOptimizer(space: space))
        case .optimal:
            return OptimalPolicy(space: space, solver: ExactSolver(graph: graph, limits: limits ?? .init()))
        case .stepconfExact:
            return ExactPolicy(
                space: space, solver: ExactSolver(graph: graph, limits: limits ?? ExactPolicy.decisionLimits))
        }
    }
}

/// `stepconf`, `intra-only`, `inter-only`: Algorithm 2 at each step's start.
public struct HeuristicPolicy: DynamicPolicy {
    public let name: PolicyName
    public let optimizer: StepConfOptimizer
    public var space: ConfigurationSpace { optimizer.space }

    public func decide(step: Int, context: DecisionContext) throws -> StepDecision {
        try optimizer.decide(
            step: step, now: context.now, executionStart: context.executionStart, sloSeconds: context.sloSeconds,
            execution: context.execution, cache: context.cache)
    }
}

/// `static`, `nono`: Algorithm 2 applied once before the run to every step at its predicted start,
/// never corrected.
public struct StaticHeuristicPolicy: StaticPolicy {
    public let name: PolicyName
    public let optimizer: StepConfOptimizer
    public var space: ConfigurationSpace { optimizer.space }

    public func plan(sloSeconds: Double) throws -> [StepDecision] {
        try Replay.run(policy: HeuristicPolicy(name: name, optimizer: optimizer), sloSeconds: sloSeconds).decisions
    }
}

/// `optimal`: the exact optimum of (6) on predicted times, decided before the run.
public struct OptimalPolicy: StaticPolicy {
    public let space: ConfigurationSpace
    public let solver: ExactSolver
    public var name: PolicyName { .optimal }

    /// The exact solve of the whole workflow for `sloSeconds`.
    public func solve(sloSeconds: Double) -> ExactSolver.Result {
        solver.solve(space.steps.map { ExactSolver.Options(seconds: $0.seconds, costUSD: $0.costUSD) }, sloSeconds: sloSeconds)
    }

    public func plan(sloSeconds: Double) -> [StepDecision] {
        let result = solve(sloSeconds: sloSeconds)
        return result.choice.enumerated().map { v, k in
            var d = StepDecision(step: v, option: k, in: space.steps[v], subSLOSeconds: nil, fallback: !result.feasible)
            d.solve = v == 0 ? result : nil
            return d
        }
    }
}

/// `stepconf-exact`: at each step, the whole DAG re-solved exactly with what has already run fixed at
/// its actual (or, if still running, expected) duration, and the current step starting now. Every step
/// still to decide carries what a run will charge it: its configurator's latency and cost (in a dynamic
/// space's options) and a cold start where its function is cold at the time of the decision.
public struct ExactPolicy: DynamicPolicy {
    /// Solver limits for a decision: a coarser grid than `optimal`, to stay within milliseconds.
    public static let decisionLimits = ExactSolver.Limits(exactFrontCap: 512, exactPairBudget: 40_000, gridUnits: 400)

    public let space: ConfigurationSpace
    public let solver: ExactSolver
    public var name: PolicyName { .stepconfExact }

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
        var options: [ExactSolver.Options] = []
        options.reserveCapacity(graph.count)
        // Durations are counted from the moment a step's predecessors are done, so path sums equal
        // finish times measured from T0.
        for v in 0..<graph.count {
            switch context.progress[v] {
            case .finished(let ready, let finish):
                options.append(.init(seconds: [max(0, finish - max(ready, t0))], costUSD: [0]))
            case .running(let ready, let expected):
                options.append(.init(seconds: [max(0, expected - max(ready, t0))], costUSD: [0]))
            case .pending where v == i:
                let ready = graph.predecessors[v].reduce(t0) { latest, p in
                    switch context.progress[p] {
                    case .finished(_, let f), .running(_, let f): return max(latest, f)
                    case .pending: return latest
                    }
                }
                let wait = max(0, context.now - ready)
                options.append(.init(seconds: ownSeconds.map { $0 + wait }, costUSD: own.costUSD))
            case .pending:
                // A step still to decide is charged, when it runs, its configurator (in its options) and a cold
                // start where its function is cold then. Cold now means cold then at the latest: functions only
                // warm up within an execution, so the solve assumes no more than the run will charge.
                let later = try space.coldPenalties(step: v, now: context.now, lastUse: lastUse)
                let seconds = later.map { zip(space.steps[v].seconds, $0).map(+) } ?? space.steps[v].seconds
                options.append(.init(seconds: seconds, costUSD: space.steps[v].costUSD))
            }
        }
        let result = solver.solve(options, sloSeconds: context.sloSeconds)
        let fastest = ownSeconds.indices.min { a, b in
            ownSeconds[a] != ownSeconds[b] ? ownSeconds[a] < ownSeconds[b] : own.costUSD[a] < own.costUSD[b]
        }!
        let k = result.feasible ? result.choice[i] : fastest
        var decision = StepDecision(step: i, option: k, in: own, subSLOSeconds: nil, fallback: !result.feasible)
        decision.seconds = ownSeconds[k]
        decision.solve = result
        try context.cache.recordUse(
            function: space.functionName(step: i, memoryMB: decision.configuration.memoryMB),
            until: context.now + decision.seconds)
        return decision
    }
}
