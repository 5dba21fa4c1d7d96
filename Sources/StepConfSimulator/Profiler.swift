import StepConfCore

/// Runs each step of a workflow in the simulator under chosen configurations and records profile samples.
public struct Profiler: Sendable {
    /// Which configurations to measure.
    public enum Plan: Sendable, Hashable, CustomStringConvertible {
        /// Every runnable configuration of the grid.
        case grid
        /// `n` runnable configurations per step, drawn at random.
        case sample(Int)
        /// Per memory size: every q at one fan-out, then every fan-out at the best q — about 10 runs per
        /// memory size, what the estimator needs.
        case adaptive

        /// Parses `grid`, `sample:N` or `adaptive`.
        /// - Throws: ``InputError`` for anything else.
        public static func parse(_ text: String) throws -> Plan {
            if text == "grid" { return .grid }
            if text == "adaptive" { return .adaptive }
            if text.hasPrefix("sample:"), let n = Int(text.dropFirst(7)), n >= 1 { return .sample(n) }
            throw InputError(.malformed, "--configs must be grid, adaptive or sample:N with N ≥ 1, got `\(text)`")
        }

        public var description: String {
            switch self {
            case .grid: return "grid"
            case .adaptive: return "adaptive"
            case .sample(let n): return "sample:\(n)"
            }
        }
    }

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
            let runnable = grid.memoryMB.flatMap { m in
                grid.inter.flatMap { p in grid.intra.map { Configuration(memoryMB: m, inter: p, intra: $0) } }
            }.filter(step.canRun)
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
            switch plan {
            case .grid:
                runnable.forEach { _ = measure($0) }
            case .sample(let n):
                var chosen = runnable
                chosen.shuffle(using: &rng)
                chosen.prefix(n).sorted { ($0.memoryMB, $0.inter, $0.intra) < ($1.memoryMB, $1.inter, $1.intra) }
                    .forEach { _ = measure($0) }
            case .adaptive:
                for m in grid.memoryMB {
                    let atM = runnable.filter { $0.memoryMB == m }
                    guard !atM.isEmpty else { continue }
                    // The fan-out where the most q can run (ties: the wider, whose mean over more instances is
                    // less noisy), then every q there.
                    let inters = Set(atM.map(\.inter)).sorted()
                    let sweepP = inters.max { a, b in
                        let ca = atM.filter { $0.inter == a }.count
                        let cb = atM.filter { $0.inter == b }.count
                        return ca != cb ? ca < cb : a < b
                    }!
                    var sweep: [(intra: Int, seconds: Double)] = []
                    for theta in atM where theta.inter == sweepP { sweep.append((theta.intra, measure(theta))) }
                    let bestQ = Estimator.chooseIntra(sweep)
                    // Widest fan-outs first, so no later run needs a sandbox the warm-up did not start.
                    for p in inters.reversed() where p != sweepP {
                        guard let q = atM.filter({ $0.inter == p && $0.intra <= bestQ }).map(\.intra).max() else { continue }
                        _ = measure(Configuration(memoryMB: m, inter: p, intra: q))
                    }
                }
            }
            progress?(index + 1, graph.count)
        }
        return samples
    }
}
