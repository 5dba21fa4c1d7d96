import StepConfCore

/// Runs whole requests of a workflow in the simulator under a policy, as the deployed state machine would:
/// each step starts when its predecessors finish; a dynamic policy's configurator decides it then, with the
/// simulator clock and the global cache, and its time and cost are paid; a static policy's plan is fixed.
public struct RequestRunner: Sendable {
    public let graph: WorkflowGraph
    public let simulator: LambdaSimulator
    let workloads: [StepWorkload]

    /// - Throws: ``InputError`` for a step whose parameters the simulator cannot use.
    public init(graph: WorkflowGraph, simulator: LambdaSimulator) throws {
        self.graph = graph
        self.simulator = simulator
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
    }

    /// Runs one request arriving at `arrival`.
    /// - Parameters:
    ///   - fixed: the decisions of a static policy, by step index; nil asks `policy` at each step.
    ///   - dynamic: whether a configurator runs before each step (its time and cost are paid).
    ///   - seed: the request's random stream; each step draws from its own sub-stream, so policies compared
    ///     on the same seed meet the same fluctuations where they make the same choices.
    /// - Throws: what the policy or the cache throws.
    public func run(
        policy: any StepPolicy, fixed: [StepDecision]?, dynamic: Bool, arrival: Double, sloSeconds: Double,
        execution: String, cache: any GlobalCache, pool: inout WarmPool, seed: SeededRandom
    ) throws -> Outcome {
        let n = graph.count
        let platform = simulator.platform
        var finish = [Double](repeating: 0, count: n)
        var done = [Bool](repeating: false, count: n)
        var progress = [StepProgress](repeating: .pending, count: n)
        var position = [Int](repeating: 0, count: n)
        for (k, v) in graph.topologicalOrder.enumerated() { position[v] = k }
        var cost = 0.0
        var fallbacks = 0
        var cold = 0
        for _ in 0..<n {
            var next = -1
            var ready = Double.infinity
            for v in 0..<n where !done[v] && graph.predecessors[v].allSatisfy({ done[$0] }) {
                let r = graph.predecessors[v].reduce(arrival) { max($0, finish[$1]) }
                if r < ready || (r == ready && position[v] < position[next]) {
                    next = v
                    ready = r
                }
            }
            let v = next
            for u in 0..<n {
                if case .running(let r, _) = progress[u], finish[u] <= ready { progress[u] = .finished(ready: r, finish: finish[u]) }
            }
            let decision: StepDecision
            var mapStart = ready
            if let fixed {
                decision = fixed[v]
            } else {
                let context = DecisionContext(
                    now: ready, executionStart: arrival, sloSeconds: sloSeconds, execution: execution, cache: cache,
                    progress: progress)
                decision = try policy.decide(step: v, context: context)
            }
            if dynamic { mapStart += platform.configurator.seconds }
            if decision.fallback { fallbacks += 1 }
            let theta = decision.configuration
            var rng = seed.derived(UInt64(v + 1))
            let run = simulator.run(graph[v], workload: workloads[v], configuration: theta, start: mapStart, pool: &pool, rng: &rng)
            finish[v] = run.end
            done[v] = true
            cold += run.coldStarts
            cost += run.costUSD(
                memoryMB: theta.memoryMB, platform: platform, configuratorSeconds: dynamic ? platform.configurator.billedSeconds : nil)
            // What a configurator can know of a running step is its prediction, not the simulator's future.
            progress[v] = .running(ready: ready, expectedFinish: ready + decision.seconds)
        }
        return Outcome(
            durationSeconds: (finish.max() ?? arrival) - arrival, costUSD: cost, fallbacks: fallbacks, coldStarts: cold)
    }
}
