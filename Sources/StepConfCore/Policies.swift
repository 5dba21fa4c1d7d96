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
