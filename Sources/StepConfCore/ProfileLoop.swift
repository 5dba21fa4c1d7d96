/// What a profiler measures with: the simulator, or real functions through the emulator.
public protocol ProfileBackend {
    /// Runs step `step` (a graph index) once at `configuration` and returns what it measured. `rng` is the
    /// step's random stream, which the profile plan's shuffle also draws from.
    /// - Throws: why the run could not be measured; the profile stops.
    mutating func run(step: Int, configuration: Configuration, rng: inout SeededRandom) throws -> ProfileSample
}

/// The one profiling loop: every step in topological order, the configurations its ``ProfilePlan``
/// chooses among those the grid can run, a warm-up fan-out the first time a memory size is used (recorded
/// as the cold sample the estimator learns cold starts from), then `repeats` runs whose median compute
/// time steers the adaptive plan.
public struct ProfileLoop: Sendable {
    public var plan: ProfilePlan
    public var repeats: Int
    public var seed: UInt64

    public init(plan: ProfilePlan, repeats: Int, seed: UInt64) {
        self.plan = plan
        self.repeats = max(1, repeats)
        self.seed = seed
    }

    /// Profiles every step of `graph` on `grid`; `progress` gets (steps done, steps) after each step.
    /// - Throws: what the backend throws.
    public func profile<Backend: ProfileBackend>(
        _ graph: WorkflowGraph, grid: ConfigurationGrid, backend: inout Backend, progress: ((Int, Int) -> Void)? = nil
    ) throws -> [ProfileSample] {
        var samples: [ProfileSample] = []
        for (done, v) in graph.topologicalOrder.enumerated() {
            var rng = SeededRandom(seed: seed).derived(UInt64(v + 1))
            let runnable = grid.runnable(by: graph[v])
            var warmed = Set<Int>()
            func measure(_ theta: Configuration) throws -> Double {
                if warmed.insert(theta.memoryMB).inserted {
                    let widest = runnable.filter { $0.memoryMB == theta.memoryMB }.map(\.inter).max() ?? 1
                    let warm = Configuration(memoryMB: theta.memoryMB, inter: widest, intra: 1)
                    samples.append(try backend.run(step: v, configuration: warm, rng: &rng))
                }
                var computes: [Double] = []
                for _ in 0..<repeats {
                    let sample = try backend.run(step: v, configuration: theta, rng: &rng)
                    samples.append(sample)
                    computes.append(sample.computeSeconds)
                }
                return median(computes)
            }
            try plan.walk(
                runnable: runnable, memorySizes: grid.memoryMB, shuffle: { $0.shuffled(using: &rng) }, measure: measure)
            progress?(done + 1, graph.count)
        }
        return samples
    }
}
