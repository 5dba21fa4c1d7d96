import FoundationEssentials
import Glibc

/// Which configurations a profiler measures, and in what order (shared by the simulator's profiler and the
/// local one, which only differ in how a configuration is measured).
public enum ProfilePlan: Sendable, Hashable, CustomStringConvertible {
    /// Every runnable configuration of the grid.
    case grid
    /// `n` runnable configurations per step, drawn at random.
    case sample(Int)
    /// A space-filling design of at most `n` configurations per memory size (see ``spread(runnable:perMemory:)``).
    case spread(Int)

    /// The default: a space-filling design of 10 configurations per memory size.
    public static let standard = ProfilePlan.spread(10)

    /// Parses `grid`, `sample:N`, `spread` or `spread:N` (`adaptive`, the former default, is read as `spread`).
    /// - Throws: ``InputError`` for anything else.
    public static func parse(_ text: String) throws -> ProfilePlan {
        if text == "grid" { return .grid }
        if text == "spread" || text == "adaptive" { return .standard }
        if text.hasPrefix("sample:"), let n = Int(text.dropFirst(7)), n >= 1 { return .sample(n) }
        if text.hasPrefix("spread:"), let n = Int(text.dropFirst(7)), n >= 2 { return .spread(n) }
        throw InputError(.malformed, "--configs must be grid, spread, spread:N with N ≥ 2 or sample:N with N ≥ 1, got `\(text)`")
    }

    public var description: String {
        switch self {
        case .grid: return "grid"
        case .spread(let n): return "spread:\(n)"
        case .sample(let n): return "sample:\(n)"
        }
    }

    /// Whether the plan's first run at each memory size is a designed cold start (``spread(runnable:jobs:perMemory:)``);
    /// otherwise the profiler warms each memory size up first with a run of its own.
    public var opensWithColdStarts: Bool {
        if case .spread = self { return true }
        return false
    }

    /// The configurations to run, in order, for a step of `jobs` jobs. `shuffle` orders the candidates of
    /// `sample:N` (the caller's random stream).
    public func configurations(
        runnable: [Configuration], jobs: Int, shuffle: ([Configuration]) -> [Configuration]
    ) -> [Configuration] {
        switch self {
        case .grid:
            return runnable
        case .sample(let n):
            return shuffle(runnable).prefix(n).sorted { ($0.memoryMB, $0.inter, $0.intra) < ($1.memoryMB, $1.inter, $1.intra) }
        case .spread(let n):
            return Self.spread(runnable: runnable, jobs: jobs, perMemory: n)
        }
    }

    /// A space-filling design over the whole choice set: per memory size, at most `perMemory` configurations.
    ///
    /// Each memory size opens with its two cold starts, so that the cold-start model sees two fan-outs: p = 1
    /// with the most workers it can run, then the widest fan-out with one worker (which warms every sandbox
    /// the later runs use). The rest are chosen greedily to be as far as possible (maximin) from every
    /// configuration already chosen, at this and the previous memory sizes, in (log m, log p, log q, log
    /// waves ⌈⌈γ/p⌉/q⌉) normalised to 0…1 — so neighbouring memory sizes cover different (p, q) and together
    /// the grid, including the configurations with one job per worker.
    public static func spread(runnable: [Configuration], jobs: Int, perMemory: Int) -> [Configuration] {
        guard !runnable.isEmpty else { return [] }
        func log2(_ x: Int) -> Double { Glibc.log2(Double(max(x, 1))) }
        let span = { (values: [Double]) -> (Double, Double) in
            let low = values.min() ?? 0
            return (low, max((values.max() ?? 0) - low, 1e-9))
        }
        let memorySpan = span(runnable.map { log2($0.memoryMB) })
        let interSpan = span(runnable.map { log2($0.inter) })
        let intraSpan = span(runnable.map { log2($0.intra) })
        func waves(_ c: Configuration) -> Int {
            let n = StepModel.jobsPerInstance(jobs: jobs, inter: c.inter)
            return (n + c.intra - 1) / max(c.intra, 1)
        }
        let waveSpan = span(runnable.map { log2(waves($0)) })
        func point(_ c: Configuration) -> [Double] {
            [(log2(c.memoryMB) - memorySpan.0) / memorySpan.1, (log2(c.inter) - interSpan.0) / interSpan.1,
             (log2(c.intra) - intraSpan.0) / intraSpan.1, (log2(waves(c)) - waveSpan.0) / waveSpan.1]
        }
        func distance(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        var chosen: [Configuration] = []
        var points: [[Double]] = []
        let memorySizes = Array(Set(runnable.map(\.memoryMB))).sorted()
        for m in memorySizes {
            var candidates = runnable.filter { $0.memoryMB == m }
            var picked: [Configuration] = []
            func take(_ c: Configuration) {
                picked.append(c)
                points.append(point(c))
                candidates.removeAll { $0 == c }
            }
            let narrowest = candidates.map(\.inter).min()!
            if let first = candidates.filter({ $0.inter == narrowest }).max(by: { $0.intra < $1.intra }) { take(first) }
            let widest = candidates.map(\.inter).max() ?? narrowest
            if picked.count < perMemory, widest != narrowest,
                let second = candidates.filter({ $0.inter == widest }).min(by: { $0.intra < $1.intra })
            {
                take(second)
            }
            while picked.count < perMemory, !candidates.isEmpty {
                let scored = candidates.map { c -> (Configuration, Double) in
                    let x = point(c)
                    return (c, points.map { distance($0, x) }.min() ?? .infinity)
                }
                take(scored.max { $0.1 < $1.1 }!.0)
            }
            chosen += picked
        }
        return chosen
    }
}
