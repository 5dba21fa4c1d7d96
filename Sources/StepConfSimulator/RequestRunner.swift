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
        /// Steps that waited for their configurator (each one on the request's path).
        public var configured: Int = 0
        /// State transitions (what a Standard workflow bills, in ``costUSD``).
        public var transitions: Int = 0
        /// What the request costs on an Express state machine instead, USD: no transition billed, its request and
        /// duration instead (``Billing/orchestrationUSD(_:transitions:seconds:)``).
        public var expressCostUSD: Double = 0
        /// Warm-up invocations sent (``Prewarm``), one per instance warmed.
        public var warmUps: Int = 0
        /// Of those, the ones that started an instance (the rest found one idle).
        public var warmUpColdStarts: Int = 0
        /// What the warm-ups cost, USD (part of ``costUSD``).
        public var warmUpUSD: Double = 0
    }

    /// Runs one request arriving at `arrival`.
    /// - Parameters:
    ///   - policy: a static plan, or a dynamic policy asked at each step (after a configurator's latency,
    ///     whose time and cost are paid).
    ///   - seed: the request's random stream; each step draws from its own sub-stream, so policies compared
    ///     on the same seed meet the same fluctuations where they make the same choices.
    ///   - prewarming: the space warm-ups are named and timed from (``Prewarm``), nil for none: a static plan's steps
    ///     are warmed from the execution's start (by one sender invocation), a dynamic policy's as its configurators
    ///     decide them ahead. Warm-ups draw from a stream of their own, so a run without them is unchanged.
    /// - Throws: what the policy or the cache throws.
    public func run(
        _ policy: PolicyRun, arrival: Double, sloSeconds: Double, execution: String, cache: any GlobalCache,
        pool: inout WarmPool, seed: SeededRandom, prewarming: ConfigurationSpace? = nil
    ) throws -> Outcome {
        var executor = SimulatedExecutor(
            runner: self, policy: policy, arrival: arrival, sloSeconds: sloSeconds,
            execution: execution, cache: cache, pool: WarmPool(keepAliveSeconds: 0), seed: seed, prewarming: prewarming)
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
            outcome.configured += step.configured ? 1 : 0
            outcome.transitions += step.transitions
        }
        outcome.transitions += executor.senderTransitions
        outcome.warmUps = executor.warmUps
        outcome.warmUpColdStarts = executor.warmUpColdStarts
        outcome.warmUpUSD = executor.warmUpUSD
        outcome.costUSD += executor.warmUpUSD
        let billing = simulator.platform.billing
        outcome.expressCostUSD = outcome.costUSD - billing.transitionsUSD(outcome.transitions)
            + billing.orchestrationUSD(.express, transitions: outcome.transitions, seconds: outcome.durationSeconds)
        return outcome
    }

    /// What the simulator keeps of one step.
    struct SimulatedStep {
        var costUSD: Double
        var fallback: Bool
        var coldStarts: Int
        var decidedAhead: Bool
        var configured: Bool
        var transitions: Int
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
        let prewarming: ConfigurationSpace?
        /// Decisions made ahead for steps not yet ready, by graph index.
        var ahead: [Int: AheadDecision] = [:]
        var schedule = Prewarm.Schedule()
        var started: Set<Int> = []
        var warmUps = 0
        var warmUpColdStarts = 0
        var warmUpUSD = 0.0
        /// The transition of the Task state that sends a static plan's warm-ups.
        var senderTransitions = 0
        /// The warm-ups' own stream: a run without them draws exactly what it drew before.
        var warmUpRng: SeededRandom

        init(
            runner: RequestRunner, policy: PolicyRun, arrival: Double, sloSeconds: Double, execution: String,
            cache: any GlobalCache, pool: WarmPool, seed: SeededRandom, prewarming: ConfigurationSpace?
        ) {
            self.runner = runner
            self.policy = policy
            self.arrival = arrival
            self.sloSeconds = sloSeconds
            self.execution = execution
            self.cache = cache
            self.pool = pool
            self.seed = seed
            self.prewarming = prewarming
            self.warmUpRng = seed.derived(0x5741_524D)
        }

        mutating func execute(_ launch: StepLaunch) throws -> ExecutedStep<SimulatedStep> {
            let v = launch.step
            let platform = runner.simulator.platform
            if let space = prewarming, started.isEmpty, let plan = policy.plan {
                // A static plan knows every θ at the start: one sender invocation (a Task state) times them all.
                schedule.plan(Prewarm.plan(plan, space: space, start: arrival))
                warmUpUSD += platform.billing.plannedConfiguratorUSD
                senderTransitions = 1
            }
            started.insert(v)
            let context = DecisionContext(
                now: launch.ready, executionStart: arrival, sloSeconds: sloSeconds, execution: execution, cache: cache,
                progress: launch.progress)
            let launched = try policy.decide(step: v, of: runner.graph, context: context, ahead: &ahead)
            let decision = launched.decision
            let configured = launched.configured
            let latency = configured ? platform.configurator.seconds : 0
            let mapStart = launch.ready + latency
            if let space = prewarming {
                // A configurator that decided steps ahead warms them as it answers.
                if configured { schedule.plan(Prewarm.ahead(ahead, now: mapStart, space: space, started: started)) }
                for warmUp in schedule.due(by: mapStart + runner.simulator.config.stepFunctionsTaskSeconds) {
                    let sent = runner.simulator.warmUp(warmUp, pool: &pool, rng: &warmUpRng)
                    warmUps += warmUp.instances
                    warmUpColdStarts += sent.coldStarts
                    warmUpUSD += sent.costUSD
                }
                schedule.cancel(step: v)
            }
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
                    costUSD: cost, fallback: decision.fallback, coldStarts: run.coldStarts, decidedAhead: launched.decidedAhead,
                    configured: configured,
                    transitions: platform.billing.stepTransitions(
                        instances: theta.inter, configured: configured, checked: launched.checked)))
        }
    }
}
