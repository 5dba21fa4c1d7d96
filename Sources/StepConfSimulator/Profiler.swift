import StepConfCore

/// Runs each step of a workflow in the simulator under chosen configurations and records profile samples.
public struct Profiler: Sendable {
    /// Which configurations to measure (``ProfilePlan``; the name is kept for callers).
    public typealias Plan = ProfilePlan

    public var simulator: LambdaSimulator
    /// Seconds between consecutive runs (short enough that instances stay warm).
    public var pauseSeconds: Double = 1

    public init(simulator: LambdaSimulator) { self.simulator = simulator }

    /// Profiles every step of `graph` (``ProfileLoop``); `progress` is called after each run with (runs done, runs planned).
    /// - Throws: ``InputError`` for a step whose parameters the simulator cannot use.
    /// `sizes`: input sizes × nominal the runs take in turn (``ProfileLoop/sizes``).
    public func profile(
        _ graph: WorkflowGraph, plan: Plan, repeats: Int, seed: UInt64, sizes: [Double] = [1],
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> [ProfileSample] {
        var backend = Backend(
            graph: graph, simulator: simulator, pauseSeconds: pauseSeconds,
            workloads: try (0..<graph.count).map {
                try StepWorkload(step: graph[$0], secondsPerDifficultyUnit: simulator.config.secondsPerDifficultyUnit)
            },
            pool: WarmPool(keepAliveSeconds: simulator.config.keepAliveSeconds))
        return try ProfileLoop(plan: plan, repeats: repeats, seed: seed, sizes: sizes).profile(
            graph, grid: simulator.platform.grid, backend: &backend, progress: progress)
    }

    /// Runs one step at a time on the simulator's clock, `pauseSeconds` apart, sharing one warm pool.
    struct Backend: ProfileBackend {
        let graph: WorkflowGraph
        let simulator: LambdaSimulator
        let pauseSeconds: Double
        let workloads: [StepWorkload]
        var pool: WarmPool
        var clock = 0.0

        mutating func run(step v: Int, jobs: Int, configuration: Configuration, rng: inout SeededRandom) -> ProfileSample {
            // A job's work does not depend on how many there are: the workload holds for any size.
            var step = graph[v]
            step.jobs = jobs
            let run = simulator.run(step, workload: workloads[v], configuration: configuration, start: clock, pool: &pool, rng: &rng)
            clock = run.end + pauseSeconds
            return run.sample(step: step, configuration: configuration)
        }
    }
}
