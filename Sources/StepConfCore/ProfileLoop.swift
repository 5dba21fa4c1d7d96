/// What a profiler measures with: the simulator, or real functions through the emulator.
public protocol ProfileBackend {
    /// Runs step `step` (a graph index) once at `configuration` and returns what it measured; `jobs` is the step's
    /// job count for this run (the workflow's, or that of an input of another size: ``ProfileLoop/sizes``). `rng` is
    /// the step's random stream, which the profile plan's shuffle also draws from.
    /// - Throws: why the run could not be measured; the profile stops.
    mutating func run(step: Int, jobs: Int, configuration: Configuration, rng: inout SeededRandom) throws -> ProfileSample
}

/// The one profiling loop: every step in topological order, the configurations its ``ProfilePlan``
/// chooses among those the grid can run (`canRun`: nothing memory pressure would slow is measured), each
/// `repeats` times. A plan that does not open each memory size with designed cold starts gets a warm-up
/// fan-out the first time a memory size is used (recorded as the cold sample the estimator learns cold
/// starts from); a configuration alone at its memory size runs at least twice, its second run warm. With several input sizes, the configurations a step's plan chooses take them in turn (the
/// model then sees each step's jobs vary as well as θ, within the same number of runs).
public struct ProfileLoop: Sendable {
    public var plan: ProfilePlan
    public var repeats: Int
    public var seed: UInt64
    /// Input sizes, × the workflow's nominal size (``Workflow/scaled(by:)``), taken in turn; `[1]`: the workflow as
    /// its file says.
    public var sizes: [Double]

    public init(plan: ProfilePlan, repeats: Int, seed: UInt64, sizes: [Double] = [1]) {
        self.plan = plan
        self.repeats = max(1, repeats)
        self.seed = seed
        self.sizes = sizes.isEmpty ? [1] : sizes
    }

    /// Profiles every step of `graph` on `grid`; `progress` gets (runs done, runs planned) after each run.
    /// - Throws: what the backend throws; ``InputError`` for a size that takes a step past the bounds.
    public func profile<Backend: ProfileBackend>(
        _ graph: WorkflowGraph, grid: ConfigurationGrid, backend: inout Backend, progress: ((Int, Int) -> Void)? = nil
    ) throws -> [ProfileSample] {
        var rngs = (0..<graph.count).map { SeededRandom(seed: seed).derived(UInt64($0 + 1)) }
        let scaled = try sizes.map { try graph.workflow.scaled(by: $0) }
        // Plan every step first, so that progress can say how many runs are left.
        var runs: [(step: Int, jobs: Int, configuration: Configuration)] = []
        for v in graph.topologicalOrder {
            let runnable = grid.runnable(by: graph[v])
            var warmed = Set<Int>()
            let chosen = plan.configurations(runnable: runnable, jobs: graph[v].jobs, shuffle: { $0.shuffled(using: &rngs[v]) })
            // A configuration alone at its memory size (a one-job step runs only at p = q = 1) is that function's
            // first run, which a plan opening with designed cold starts makes cold: it runs once more, warm, so that
            // the step's warm time is measured whatever --repeats says.
            var perMemory: [Int: Int] = [:]
            for theta in chosen { perMemory[theta.memoryMB, default: 0] += 1 }
            for (i, theta) in chosen.enumerated() {
                let times = plan.opensWithColdStarts && perMemory[theta.memoryMB] == 1 ? max(repeats, 2) : repeats
                if !plan.opensWithColdStarts, warmed.insert(theta.memoryMB).inserted {
                    let widest = runnable.filter { $0.memoryMB == theta.memoryMB }.map(\.inter).max() ?? 1
                    runs.append((v, graph[v].jobs, Configuration(memoryMB: theta.memoryMB, inter: widest, intra: 1)))
                }
                // The sizes in turn; one this θ cannot run (fewer jobs than instances) runs at the workflow's own.
                let sized = scaled[i % scaled.count].steps[v]
                let jobs = sized.canRun(theta) ? sized.jobs : graph[v].jobs
                for _ in 0..<times { runs.append((v, jobs, theta)) }
            }
        }
        var samples: [ProfileSample] = []
        samples.reserveCapacity(runs.count)
        for (done, run) in runs.enumerated() {
            samples.append(try backend.run(step: run.step, jobs: run.jobs, configuration: run.configuration, rng: &rngs[run.step]))
            progress?(done + 1, runs.count)
        }
        return samples
    }
}
