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
        autoSLOFactor * (try fastestColdMakespan(.stepconf, graph: graph, model: model, platform: platform, safety: safety))
    }

    /// The fastest makespan policy `name` can plan, every function cold: each step at its fastest θ of the policy's
    /// grid, through its configurator where the policy pays one (a static policy, as deployed, waits for its one
    /// configurator before the first step: ``PolicyRun/plannedOnce(_:)``).
    /// - Throws: ``InputError`` when no θ of the grid fits a step.
    static func fastestColdMakespan(
        _ name: PolicyName, graph: WorkflowGraph, model: PerformanceModel, platform: Platform, safety: Double
    ) throws -> Double {
        try ConfigurationSpace(
            graph: graph, model: model, platform: platform, grid: name.grid(from: platform.grid),
            includesConfigurator: name.isDynamic, safety: safety
        ).fastestMakespanSeconds(coldEverywhere: true) + (name.isDynamic ? 0 : platform.configurator.seconds)
    }

    /// An SLO where configuring pays, for a run that shows it (`stepconf run`'s `auto`), and why it was picked.
    public struct PromiseSLO: Sendable, Hashable {
        /// The SLO, seconds.
        public var seconds: Double
        /// The fastest makespan any policy has (every step at its fastest θ, through its configurator, cold), seconds.
        public var fastestSeconds: Double
        /// The fastest makespan `nono` has (one instance and one worker per step, cold), seconds.
        public var nonoFastestSeconds: Double
        /// Whether `nono` cannot meet it: configuring the fan-out and the workers is what meets it.
        public var nonoMisses: Bool
        /// One sentence: how it was picked.
        public var reason: String
    }

    /// Tightest factor of the fastest makespan a promise SLO takes: room for the machine's noise. The fastest makespan
    /// is a pessimistic one (every step cold and through its configurator; decisions ahead and warm-ups remove most of
    /// both), so 10 % is room enough: on the 2-core development VM, `chain9` at 1.134 × met its SLO in 5 of 5 runs with
    /// 0.09–0.21 s to spare and at most one step of nine at its fallback.
    public static let promiseMinFactor = 1.1
    /// How far under `nono`'s fastest makespan a promise SLO sits, so that `nono` misses it by a margin, not by noise.
    public static let promiseNonoShare = 0.9

    /// The SLO a run on defaults takes: the `auto` SLO (1.5 × the fastest makespan) when `nono` cannot meet it;
    /// else, where `nono`'s fastest plan is slow enough, 90 % of its makespan (at least 1.1 × the fastest), so that only
    /// a policy that configures fan-out and workers meets it; else the `auto` SLO, saying that `nono` meets it too.
    /// - Throws: ``InputError`` when no θ of the grid fits a step.
    public static func promiseSLO(
        graph: WorkflowGraph, model: PerformanceModel, platform: Platform, safety: Double = defaultSafety
    ) throws -> PromiseSLO {
        let fastest = try fastestColdMakespan(.stepconf, graph: graph, model: model, platform: platform, safety: safety)
        let nono = try fastestColdMakespan(.nono, graph: graph, model: model, platform: platform, safety: safety)
        let auto = autoSLOFactor * fastest
        func text(_ x: Double) -> String { TextFormat.fixed(x, 3) }
        let autoText = "\(autoSLOFactor) × the fastest predicted makespan (\(text(fastest)) s)"
        if nono > auto / promiseNonoShare {
            return PromiseSLO(
                seconds: auto, fastestSeconds: fastest, nonoFastestSeconds: nono, nonoMisses: true,
                reason: "\(autoText); nono's fastest plan takes \(text(nono)) s, so only configuring fan-out and workers meets it")
        }
        let tight = promiseNonoShare * nono
        if tight >= promiseMinFactor * fastest {
            return PromiseSLO(
                seconds: tight, fastestSeconds: fastest, nonoFastestSeconds: nono, nonoMisses: true,
                reason: "\(Int(promiseNonoShare * 100)) % of nono's fastest predicted makespan (\(text(nono)) s), "
                    + "\(text(tight / fastest)) × the fastest (\(text(fastest)) s): only configuring fan-out and workers meets it")
        }
        return PromiseSLO(
            seconds: auto, fastestSeconds: fastest, nonoFastestSeconds: nono, nonoMisses: false,
            reason: "\(autoText); nono's fastest plan (\(text(nono)) s) meets it too: on this workflow and platform, "
                + "fan-out and workers buy little time")
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
    ///   - traffic: how often requests arrive (how often a static plan's functions are warm).
    ///   - prewarm: whether the runtime warms each step's planned function ahead of it (``Prewarm``); the plans count
    ///     on it (a step warmed ahead meets no cold start).
    ///   - percentile: the SLO's percentile P (``ChanceConstraint``); nil plans on predicted times alone. `optimal`
    ///     ignores it: it is the offline optimum with fluctuations ignored (docs/policies.md).
    /// - Throws: ``InputError`` when no θ of the policy's grid fits a step, or for a percentile outside (0, 100).
    public static func make(
        _ name: PolicyName, graph: WorkflowGraph, model: PerformanceModel, platform: Platform,
        limits: ExactSolver.Limits? = nil, considerEveryIntra: Bool = false, safety: Double = defaultSafety,
        percentile: Double? = ChanceConstraint.defaultPercentile, traffic: Traffic = .default, prewarm: Bool = false
    ) throws -> any StepPolicy {
        let chance = try percentile.map { try ChanceConstraint(percentile: $0) }
        let space = try ConfigurationSpace(
            graph: graph, model: model, platform: platform, grid: name.grid(from: platform.grid),
            includesConfigurator: name.isDynamic, considerEveryIntra: considerEveryIntra, safety: safety)
        switch name {
        case .stepconf, .intraOnly, .interOnly:
            return HeuristicPolicy(name: name, optimizer: StepConfOptimizer(space: space), chance: chance)
        case .static, .nono:
            return StaticHeuristicPolicy(
                name: name, optimizer: StepConfOptimizer(space: space), chance: chance, traffic: traffic, prewarm: prewarm)
        case .optimal:
            return OptimalPolicy(space: space, solver: ExactSolver(graph: graph, limits: limits ?? .init()))
        case .stepconfExact:
            return ExactPolicy(
                space: space, solver: ExactSolver(graph: graph, limits: limits ?? ExactPolicy.decisionLimits), chance: chance,
                prewarm: prewarm)
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
/// never corrected. With a percentile SLO the plan covers the whole workflow's spread once: it is planned against a
/// shorter SLO, the longest (so the cheapest) whose plan's sampled attainment (``AttainmentEstimator``, under the
/// traffic it is made for) reaches the percentile, found by bisection. Where no planning SLO reaches it, the plan that
/// attains the most, every step at its fastest θ among the candidates.
public struct StaticHeuristicPolicy: StaticPolicy {
    /// Bisection rounds on the planning SLO.
    public static let searchRounds = 7

    public let name: PolicyName
    public let optimizer: StepConfOptimizer
    public var chance: ChanceConstraint?
    /// The traffic the plan is made for: how often a request finds the plan's functions warm.
    public var traffic: Traffic
    /// Whether the runtime warms the plan's steps ahead (``Prewarm``): the plan's attainment then counts no cold start
    /// but the first step's.
    public var prewarm: Bool
    public var space: ConfigurationSpace { optimizer.space }

    public init(
        name: PolicyName, optimizer: StepConfOptimizer, chance: ChanceConstraint? = nil, traffic: Traffic = .default,
        prewarm: Bool = false
    ) {
        self.name = name
        self.optimizer = optimizer
        self.chance = chance
        self.traffic = traffic
        self.prewarm = prewarm
    }

    public func plan(sloSeconds: Double) throws -> [StepDecision] {
        let policy = HeuristicPolicy(name: name, optimizer: optimizer)
        guard let chance else { return try Replay.run(policy: policy, sloSeconds: sloSeconds).decisions }
        let estimator = space.estimator
        let warmChance = traffic.warmChance(keepAliveSeconds: space.platform.keepAliveSeconds)
        let target = chance.percentile / 100
        typealias Candidate = (decisions: [StepDecision], attainment: Double, costUSD: Double)
        func candidate(planningSLO: Double) throws -> Candidate {
            let replay = try Replay.run(policy: policy, sloSeconds: planningSLO)
            let planned = replay.plannedSteps(in: space, prewarm: prewarm)
            let attainment = estimator.attainment(
                planned, deadline: sloSeconds, warmth: .steady(planned, chance: warmChance))
            return (replay.decisions, attainment, replay.costUSD)
        }
        func better(_ a: Candidate, than b: Candidate?) -> Bool {
            guard let b else { return true }
            let aMeets = a.attainment >= target - 1e-12
            let bMeets = b.attainment >= target - 1e-12
            if aMeets != bMeets { return aMeets }
            return aMeets ? a.costUSD < b.costUSD : a.attainment > b.attainment
        }
        var best = try candidate(planningSLO: sloSeconds)
        if best.attainment >= target - 1e-12 { return best.decisions }
        // The longest planning SLO whose plan attains P: shorter ones buy faster steps.
        var low = 0.0
        var high = sloSeconds
        for _ in 0..<Self.searchRounds {
            let mid = (low + high) / 2
            let next = try candidate(planningSLO: mid)
            if better(next, than: best) { best = next }
            if next.attainment >= target - 1e-12 { low = mid } else { high = mid }
        }
        if best.attainment < target - 1e-12 {
            // No planning SLO reached P: every step at its fastest is the last candidate.
            let fastest = try candidate(planningSLO: .leastNonzeroMagnitude)
            if better(fastest, than: best) { best = fastest }
        }
        return best.decisions
    }
}
