/// Builds the policy of a given name for one workflow, model and platform.
public enum Policies {
    /// Default fixed planning margin, in units of each step's measured 95th-percentile spread: none. The
    /// percentile SLO (``ChanceConstraint``) subsumes it; `--safety` remains for comparison.
    public static let defaultSafety = 0.0

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

    /// The best dynamic plan: `optimal` on the options a dynamic policy decides from, where every step pays its
    /// configurator's time and cost — the cheapest any dynamic policy can be on predicted times.
    /// - Throws: ``InputError`` when no θ of the grid fits a step.
    public static func bestDynamic(
        graph: WorkflowGraph, model: PerformanceModel, platform: Platform, safety: Double = defaultSafety
    ) throws -> OptimalPolicy {
        let space = try ConfigurationSpace(
            graph: graph, model: model, platform: platform, includesConfigurator: true, safety: safety)
        return OptimalPolicy(space: space, solver: ExactSolver(graph: graph))
    }

    /// Makes the policy `name`.
    /// - Parameters:
    ///   - limits: work limits of the exact solver (`optimal`, `stepconf-exact`).
    ///   - considerEveryIntra: offer every runnable q, not only the one the model predicts fastest at each (m, p).
    ///   - safety: how many 95th-percentile spreads (the 95th percentile of ``NoiseModel/stepQuantiles``) to add to each
    ///     predicted step time when planning (default none: the percentile covers the noise).
    ///   - percentile: the SLO's percentile P (``ChanceConstraint``); nil plans on predicted times alone. `optimal`
    ///     ignores it: it is the offline optimum with fluctuations ignored (DESIGN §5).
    /// - Throws: ``InputError`` when no θ of the policy's grid fits a step, or for a percentile outside (0, 100).
    public static func make(
        _ name: PolicyName, graph: WorkflowGraph, model: PerformanceModel, platform: Platform,
        limits: ExactSolver.Limits? = nil, considerEveryIntra: Bool = false, safety: Double = defaultSafety,
        percentile: Double? = ChanceConstraint.defaultPercentile
    ) throws -> any StepPolicy {
        let chance = try percentile.map { try ChanceConstraint(percentile: $0) }
        let space = try ConfigurationSpace(
            graph: graph, model: model, platform: platform, grid: name.grid(from: platform.grid),
            includesConfigurator: name.isDynamic, considerEveryIntra: considerEveryIntra, safety: safety)
        switch name {
        case .stepconf, .intraOnly, .interOnly:
            return HeuristicPolicy(name: name, optimizer: StepConfOptimizer(space: space), chance: chance)
        case .static, .nono:
            return StaticHeuristicPolicy(name: name, optimizer: StepConfOptimizer(space: space), chance: chance)
        case .optimal:
            return OptimalPolicy(space: space, solver: ExactSolver(graph: graph, limits: limits ?? .init()))
        case .stepconfExact:
            return ExactPolicy(
                space: space, solver: ExactSolver(graph: graph, limits: limits ?? ExactPolicy.decisionLimits), chance: chance)
        }
    }
}

/// `stepconf`, `intra-only`, `inter-only`: Algorithm 2 at each step's start; with a percentile SLO, the time
/// left is shared after the margin the remaining critical path's spread needs, so the margin shrinks as
/// steps finish.
public struct HeuristicPolicy: DynamicPolicy {
    public let name: PolicyName
    public let optimizer: StepConfOptimizer
    public var chance: ChanceConstraint?
    public var space: ConfigurationSpace { optimizer.space }
    /// Algorithm 2 reads the time left and the global cache only: it decides ahead (``AheadDecision``) where it
    /// decides through a configurator (not when a static plan is made with it).
    public var decidesAhead: Bool { space.includesConfigurator }

    public init(name: PolicyName, optimizer: StepConfOptimizer, chance: ChanceConstraint? = nil) {
        self.name = name
        self.optimizer = optimizer
        self.chance = chance
    }

    public func decide(step: Int, context: DecisionContext) throws -> StepDecision {
        try optimizer.decide(
            step: step, now: context.now, executionStart: context.executionStart, sloSeconds: context.sloSeconds,
            execution: context.execution, cache: context.cache, chance: chance, ready: context.ready)
    }
}

/// `static`, `nono`: Algorithm 2 applied once before the run to every step at its predicted start,
/// never corrected. With a percentile SLO the plan covers the whole workflow's spread once: it is planned
/// against a shorter SLO, shortened until the plan's critical path meets the SLO at the percentile
/// (Σ t + z_P·√Σ σ² ≤ S; at most ``marginRounds`` plans).
public struct StaticHeuristicPolicy: StaticPolicy {
    /// Plans tried while shortening the SLO to cover the spread.
    public static let marginRounds = 6

    public let name: PolicyName
    public let optimizer: StepConfOptimizer
    public var chance: ChanceConstraint?
    public var space: ConfigurationSpace { optimizer.space }

    public init(name: PolicyName, optimizer: StepConfOptimizer, chance: ChanceConstraint? = nil) {
        self.name = name
        self.optimizer = optimizer
        self.chance = chance
    }

    public func plan(sloSeconds: Double) throws -> [StepDecision] {
        let policy = HeuristicPolicy(name: name, optimizer: optimizer)
        guard let chance else { return try Replay.run(policy: policy, sloSeconds: sloSeconds).decisions }
        let graph = space.graph
        let driver = WorkflowDriver(graph: graph)
        // Start from the share the whole workflow's θ* critical path leaves (as a dynamic first step would).
        var weight = [Double](repeating: 0, count: graph.count)
        var error = [Double](repeating: 0, count: graph.count)
        var variance = [Double](repeating: 0, count: graph.count)
        for v in graph.topologicalOrder.reversed() {
            let next = graph.successors[v].max { weight[$0] < weight[$1] }
            weight[v] = optimizer.weights[v] + (next.map { weight[$0] } ?? 0)
            error[v] = space.modelErrors[v] * optimizer.weights[v] + (next.map { error[$0] } ?? 0)
            variance[v] = optimizer.weightVariances[v] + (next.map { variance[$0] } ?? 0)
        }
        let start = graph.start
        var target = StepConfOptimizer.budget(
            remaining: sloSeconds, weight: weight[start], error: error[start], variance: variance[start], chance: chance)
        var best: (decisions: [StepDecision], quantile: Double)?
        for _ in 0..<Self.marginRounds {
            let replay = try Replay.run(policy: policy, sloSeconds: target)
            let path = driver.criticalPath(finish: replay.finish) { _ in true }
            let spread = path.reduce(0.0) { $0 + space.variances[$1][replay.decisions[$1].option] }
            let error = path.reduce(0.0) { $0 + space.modelErrors[$1] * replay.chargedSeconds[$1] }
            let quantile = replay.makespanSeconds + chance.margin(error: error, variance: spread)
            if best == nil || quantile < best!.quantile { best = (replay.decisions, quantile) }
            if quantile <= sloSeconds * (1 + 1e-9) { break }
            // Shorten by what the spread needs, never by more: a plan that misses on its predicted times alone is
            // the heuristic's own miss (its deterministic version misses too), and with no spread the percentile
            // plan is the deterministic one.
            let margin = quantile - replay.makespanSeconds
            guard margin > 0 else { break }
            target -= min(quantile - sloSeconds, margin)
            if target <= 0 { break }
        }
        return best!.decisions
    }
}
