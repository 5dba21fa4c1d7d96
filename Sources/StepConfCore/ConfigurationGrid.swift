/// The sets M, P and Q of Eq. (2): memory sizes, inter- and intra-function parallelism.
public struct ConfigurationGrid: Sendable, Hashable, Codable {
    /// M: memory sizes, MB.
    public var memoryMB: [Int]
    /// P: degrees of inter-function parallelism (function instances per step).
    public var inter: [Int]
    /// Q: degrees of intra-function parallelism (worker processes per instance).
    public var intra: [Int]

    public init(memoryMB: [Int], inter: [Int], intra: [Int]) {
        self.memoryMB = memoryMB
        self.inter = inter
        self.intra = intra
    }

    /// The paper's grid (§VI-A): 8 memory sizes × 6 × 4 = 192 configurations.
    public static let paper = ConfigurationGrid(
        memoryMB: [512, 1024, 1536, 2048, 4096, 6144, 8192, 10_240],
        inter: [1, 2, 4, 8, 16, 32],
        intra: [1, 2, 4, 8])

    /// Number of configurations in the grid.
    public var count: Int { memoryMB.count * inter.count * intra.count }

    /// This grid with P and/or Q narrowed, as the baselines require.
    /// Every configuration of the grid that `step` can run (``Workflow/Step/canRun(_:)``), by memory, then p, then q.
    public func runnable(by step: Workflow.Step) -> [Configuration] {
        memoryMB.flatMap { m in inter.flatMap { p in intra.map { Configuration(memoryMB: m, inter: p, intra: $0) } } }
            .filter(step.canRun)
    }

    public func restricted(inter: [Int]? = nil, intra: [Int]? = nil) -> ConfigurationGrid {
        ConfigurationGrid(memoryMB: memoryMB, inter: inter ?? self.inter, intra: intra ?? self.intra)
    }

    enum CodingKeys: String, CodingKey {
        case memoryMB = "memory_mb"
        case inter, intra
    }
}

/// θ = (m, p, q): one step's configuration.
public struct Configuration: Sendable, Hashable, Codable, CustomStringConvertible {
    /// m: memory of each function instance, MB.
    public var memoryMB: Int
    /// p: function instances the step fans out to.
    public var inter: Int
    /// q: worker processes inside each instance.
    public var intra: Int

    public init(memoryMB: Int, inter: Int, intra: Int) {
        self.memoryMB = memoryMB
        self.inter = inter
        self.intra = intra
    }

    public var description: String { "(m=\(memoryMB), p=\(inter), q=\(intra))" }

    enum CodingKeys: String, CodingKey {
        case memoryMB = "memory_mb"
        case inter, intra
    }
}
