/// Which configurations a profiler measures, and in what order (shared by the simulator's profiler and the
/// local one, which only differ in how a configuration is measured).
public enum ProfilePlan: Sendable, Hashable, CustomStringConvertible {
    /// Every runnable configuration of the grid.
    case grid
    /// `n` runnable configurations per step, drawn at random.
    case sample(Int)
    /// Per memory size: every q at one fan-out, then every fan-out at the best q — about 10 runs per
    /// memory size, what the estimator needs.
    case adaptive

    /// Parses `grid`, `sample:N` or `adaptive`.
    /// - Throws: ``InputError`` for anything else.
    public static func parse(_ text: String) throws -> ProfilePlan {
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

    /// Walks the plan over `runnable` (a step's runnable configurations of a grid with `memorySizes`),
    /// calling `measure` for each configuration chosen; `measure` returns the run's compute time, seconds,
    /// which the adaptive plan uses to pick q. `shuffle` orders the candidates of `sample:N` (the caller's
    /// random stream, which its `measure` may also draw from, so it is not borrowed here).
    public func walk(
        runnable: [Configuration], memorySizes: [Int], shuffle: ([Configuration]) -> [Configuration],
        measure: (Configuration) throws -> Double
    ) rethrows {
        switch self {
        case .grid:
            for theta in runnable { _ = try measure(theta) }
        case .sample(let n):
            for theta in shuffle(runnable).prefix(n).sorted(by: { ($0.memoryMB, $0.inter, $0.intra) < ($1.memoryMB, $1.inter, $1.intra) }) {
                _ = try measure(theta)
            }
        case .adaptive:
            for m in memorySizes {
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
                for theta in atM where theta.inter == sweepP { sweep.append((theta.intra, try measure(theta))) }
                let bestQ = Estimator.chooseIntra(sweep)
                // Widest fan-outs first, so no later run needs a sandbox the warm-up did not start.
                for p in inters.reversed() where p != sweepP {
                    guard let q = atM.filter({ $0.inter == p && $0.intra <= bestQ }).map(\.intra).max() else { continue }
                    _ = try measure(Configuration(memoryMB: m, inter: p, intra: q))
                }
            }
        }
    }
}
