import StepConfCore

/// Runs whole requests of a workflow in the simulator under a policy, as the deployed state machine would:
/// each step starts when its predecessors finish; a dynamic policy's configurator decides it then, with the
/// simulator clock and the global cache, and its time and cost are paid; a static policy's plan is fixed.
public struct RequestRunner: Sendable {
    public let graph: WorkflowGraph
    public let simulator: LambdaSimulator
    public let workloads: [StepWorkload]
    let driver: WorkflowDriver

    /// - Throws: ``InputError`` for a step whose parameters the simulator cannot use.
    public init(graph: WorkflowGraph, simulator: LambdaSimulator) throws {
        self.graph = graph
        self.simulator = simulator
        self.driver = WorkflowDriver(graph: graph)
        self.workloads = try (0..<graph.count).map {
            try StepWorkload(step: graph[$0], secondsPerDifficultyUnit: simulator.config.secondsPerDifficultyUnit)
        }
    }

    /// One finished request.
    public struct Outcome: Sendable, Hashable {
        /// From arrival until the last step ended, seconds.
        public var durationSeconds: Double
        /// Lambda, Step Functions and configurator cost, USD.
        public var costUSD: Double
        /// Steps whose budget no configuration met (run at their fastest).
        public var fallbacks: Int
        /// Instances that started cold.
        public var coldStarts: Int
        /// Steps that ran on a decision made ahead, without waiting for their configurator.
        public var decidedAhead: Int
    }

    /// Runs one request arriving at `arrival`.
    /// - Parameters:
    ///   - policy: a static plan, or a dynamic policy asked at each step (after a configurator's latency,
    ///     whose time and cost are paid).
    ///   - seed: the request's random stream; each step draws from its own sub-stream, so policies compared
    ///     on the same seed meet the same fluctuations where they make the same choices.
    /// - Throws: what the policy or the cache throws.
    public func run(
        _ policy: PolicyRun, arrival: Double, sloSeconds: Double, execution: String, cache: any GlobalCache,
        pool: inout WarmPool, seed: SeededRandom
    ) throws -> Outcome {
        var executor = SimulatedExecutor(
            runner: self, policy: policy, arrival: arrival, sloSeconds: sloSeconds,
            execution: execution, cache: cache, pool: WarmPool(keepAliveSeconds: 0), seed: seed)
        swap(&executor.pool, &pool)
        defer { swap(&executor.pool, &pool) }
        let walk = try driver.run(&executor, start: arrival)
        var outcome = Outcome(durationSeconds: (walk.finish.max() ?? arrival) - arrival, costUSD: 0, fallbacks: 0, coldStarts: 0, decidedAhead: 0)
        for step in walk.outcomes {
            guard let step else { continue }
            outcome.costUSD += step.costUSD
            outcome.fallbacks += step.fallback ? 1 : 0
            outcome.coldStarts += step.coldStarts
            outcome.decidedAhead += step.decidedAhead ? 1 : 0
        }
        return outcome
    }

    /// What the simulator keeps of one step.
    struct SimulatedStep {
        var costUSD: Double
        var fallback: Bool
        var coldStarts: Int
        var decidedAhead: Bool
    }

    /// Runs each step in the simulator, decided when it starts (after the configurator's latency for a
    /// dynamic policy) or by a static plan.
    struct SimulatedExecutor: StepExecutor {
        let runner: RequestRunner
        let policy: PolicyRun
        let arrival: Double
        let sloSeconds: Double
        let execution: String
        let cache: any GlobalCache
        var pool: WarmPool
        let seed: SeededRandom
        /// Decisions made ahead for steps not yet ready, by graph index.
        var ahead: [Int: AheadDecision] = [:]

        mutating func execute(_ launch: StepLaunch) throws -> ExecutedStep<SimulatedStep> {
            let v = launch.step
            let platform = runner.simulator.platform
            let context = DecisionContext(
                now: launch.ready, executionStart: arrival, sloSeconds: sloSeconds, execution: execution, cache: cache,
                progress: launch.progress)
            let launched = try policy.decide(step: v, context: context, ahead: &ahead)
            let decision = launched.decision
            let configured = launched.configured
            let latency = configured ? platform.configurator.seconds : 0
            let mapStart = launch.ready + latency
            let theta = decision.configuration
            var rng = seed.derived(UInt64(v + 1))
            let run = runner.simulator.run(
                runner.graph[v], workload: runner.workloads[v], configuration: theta, start: mapStart, pool: &pool, rng: &rng)
            let cost = run.costUSD(
                memoryMB: theta.memoryMB, platform: platform, configuratorSeconds: configured ? platform.configurator.billedSeconds : nil,
                checked: launched.checked)
            // What a configurator can know of a running step is its prediction, not the simulator's future. A dynamic
            // decision's predicted time counts a configurator; one decided ahead did not wait for it.
            let planned = decision.seconds - (policy.isDynamic ? platform.configurator.seconds : 0)
            return ExecutedStep(
                finish: run.end, expectedFinish: mapStart + planned,
                outcome: SimulatedStep(
                    costUSD: cost, fallback: decision.fallback, coldStarts: run.coldStarts, decidedAhead: launched.decidedAhead))
        }
    }
}
