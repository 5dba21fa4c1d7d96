import StepConfCore

/// Runs each step of a workflow in the simulator under chosen configurations and records profile samples.
public struct Profiler: Sendable {
    /// Which configurations to measure (``ProfilePlan``; the name is kept for callers).
    public typealias Plan = ProfilePlan

    public var simulator: LambdaSimulator
    /// Seconds between consecutive runs (short enough that instances stay warm).
    public var pauseSeconds: Double = 1

    public init(simulator: LambdaSimulator) { self.simulator = simulator }

    /// Profiles every step of `graph`; `progress` is called after each step with (done, total).
    /// - Throws: ``InputError`` for a step whose parameters the simulator cannot use.
    public func profile(
        _ graph: WorkflowGraph, plan: Plan, repeats: Int, seed: UInt64, progress: ((Int, Int) -> Void)? = nil
    ) throws -> [ProfileSample] {
        var samples: [ProfileSample] = []
        var pool = WarmPool(keepAliveSeconds: simulator.config.keepAliveSeconds)
        var clock = 0.0
        for (index, v) in graph.topologicalOrder.enumerated() {
            let step = graph[v]
            let workload = try StepWorkload(step: step, secondsPerDifficultyUnit: simulator.config.secondsPerDifficultyUnit)
            var rng = SeededRandom(seed: seed).derived(UInt64(v + 1))
            let grid = simulator.platform.grid
            let runnable = grid.runnable(by: step)
            var warmed = Set<Int>()
            func measure(_ theta: Configuration) -> Double {
                if warmed.insert(theta.memoryMB).inserted {
                    // A warm-up fan-out, as a profiler on AWS would do. It is recorded as a cold sample: it is
                    // how the estimator learns what a cold start adds.
                    let widest = runnable.filter { $0.memoryMB == theta.memoryMB }.map(\.inter).max() ?? 1
                    let warm = Configuration(memoryMB: theta.memoryMB, inter: widest, intra: 1)
                    let run = simulator.run(step, workload: workload, configuration: warm, start: clock, pool: &pool, rng: &rng)
                    clock = run.end + pauseSeconds
                    samples.append(run.sample(step: step, configuration: warm))
                }
                var computes: [Double] = []
                for _ in 0..<repeats {
                    let run = simulator.run(step, workload: workload, configuration: theta, start: clock, pool: &pool, rng: &rng)
                    clock = run.end + pauseSeconds
                    samples.append(run.sample(step: step, configuration: theta))
                    computes.append(run.meanComputeSeconds)
                }
                return computes.sorted()[computes.count / 2]
            }
            plan.walk(
                runnable: runnable, memorySizes: grid.memoryMB,
                shuffle: { $0.shuffled(using: &rng) }, measure: measure)
            progress?(index + 1, graph.count)
        }
        return samples
    }
}
