/// Prices, CPU allotment and the configuration grid of the FaaS platform (docs/model.md).
///
/// Every figure defaults to AWS Lambda + Step Functions Standard in us-east-1 and the paper's grid.
public struct Platform: Sendable, Hashable, Codable {
    /// The processor architecture, which sets the GB-second price.
    public enum Architecture: String, Sendable, Hashable, Codable, CaseIterable {
        case x86_64, arm64
    }

    /// Architecture of the functions.
    public var architecture: Architecture
    /// μ0 for x86_64, USD per GB-second.
    public var priceX86PerGBSecond: Double
    /// μ0 for arm64, USD per GB-second.
    public var priceArmPerGBSecond: Double
    /// μ1, USD per function request.
    public var pricePerRequest: Double
    /// μ2, USD per Step Functions state transition (a Standard workflow).
    public var pricePerTransition: Double
    /// An Express workflow's price per execution, USD (it bills no transitions).
    public var pricePerExpressRequest: Double
    /// An Express workflow's price per GB-second of its duration, USD.
    public var pricePerExpressGBSecond: Double
    /// m_s: the memory size, in MB, that buys exactly one vCPU of credit.
    public var singleCoreMemoryMB: Double
    /// Smallest and largest memory Lambda accepts, MB.
    public var minMemoryMB: Int
    /// Largest memory Lambda accepts, MB.
    public var maxMemoryMB: Int
    /// Visible cores by memory: the first tier whose `upToMemoryMB` holds the size applies.
    public var coreTiers: [CoreTier]
    /// The grid the configurator chooses from.
    public var grid: ConfigurationGrid
    /// State transitions per step besides one per instance (the Map state itself).
    public var transitionsPerStep: Int
    /// State transitions per function instance of a step (its Task state).
    public var transitionsPerInstance: Int
    /// The configurator function that dynamic policies run before each step.
    public var configurator: ConfiguratorCost
    /// How long an idle function instance is assumed to stay warm, seconds.
    public var keepAliveSeconds: Double

    /// A tier of visible cores.
    public struct CoreTier: Sendable, Hashable, Codable {
        /// The tier covers memory sizes up to and including this, MB.
        public var upToMemoryMB: Int
        /// Cores visible to a function of that size.
        public var cores: Int
        /// Whether those cores are one machine's, shared by every instance running at once (the local
        /// emulator's host); on Lambda each instance has its own (false).
        public var shared: Bool

        public init(upToMemoryMB: Int, cores: Int, shared: Bool = false) {
            self.upToMemoryMB = upToMemoryMB
            self.cores = cores
            self.shared = shared
        }

        enum CodingKeys: String, CodingKey {
            case upToMemoryMB = "up_to_memory_mb"
            case cores, shared
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            upToMemoryMB = try c.decode(Int.self, forKey: .upToMemoryMB)
            cores = try c.decode(Int.self, forKey: .cores)
            shared = try c.decodeIfPresent(Bool.self, forKey: .shared) ?? false
        }
    }

    /// What one configurator decision costs in time and money.
    public struct ConfiguratorCost: Sendable, Hashable, Codable {
        /// Memory of the configurator function, MB.
        public var memoryMB: Int
        /// Wall time one decision adds before its step, seconds (invoke + run + state transition).
        public var seconds: Double
        /// Billed duration of one decision, seconds.
        public var billedSeconds: Double

        public init(memoryMB: Int = 512, seconds: Double = 0.045, billedSeconds: Double = 0.005) {
            self.memoryMB = memoryMB
            self.seconds = seconds
            self.billedSeconds = billedSeconds
        }

        enum CodingKeys: String, CodingKey {
            case memoryMB = "memory_mb"
            case seconds
            case billedSeconds = "billed_seconds"
        }
    }

    /// The paper's platform: AWS us-east-1 prices and the paper's grid.
    public init(
        architecture: Architecture = .x86_64,
        priceX86PerGBSecond: Double = 0.0000166667,
        priceArmPerGBSecond: Double = 0.0000133334,
        pricePerRequest: Double = 0.20 / 1_000_000,
        pricePerTransition: Double = 0.025 / 1_000,
        pricePerExpressRequest: Double = 1.00 / 1_000_000,
        pricePerExpressGBSecond: Double = 0.00001667,
        singleCoreMemoryMB: Double = 1769,
        minMemoryMB: Int = 128,
        maxMemoryMB: Int = 10_240,
        coreTiers: [CoreTier] = [
            .init(upToMemoryMB: 3008, cores: 2), .init(upToMemoryMB: 5307, cores: 3),
            .init(upToMemoryMB: 7076, cores: 4), .init(upToMemoryMB: 8845, cores: 5),
            .init(upToMemoryMB: 10_240, cores: 6),
        ],
        grid: ConfigurationGrid = .paper,
        transitionsPerStep: Int = 1,
        transitionsPerInstance: Int = 1,
        configurator: ConfiguratorCost = .init(),
        keepAliveSeconds: Double = 600
    ) {
        self.keepAliveSeconds = keepAliveSeconds
        self.architecture = architecture
        self.priceX86PerGBSecond = priceX86PerGBSecond
        self.priceArmPerGBSecond = priceArmPerGBSecond
        self.pricePerRequest = pricePerRequest
        self.pricePerTransition = pricePerTransition
        self.pricePerExpressRequest = pricePerExpressRequest
        self.pricePerExpressGBSecond = pricePerExpressGBSecond
        self.singleCoreMemoryMB = singleCoreMemoryMB
        self.minMemoryMB = minMemoryMB
        self.maxMemoryMB = maxMemoryMB
        self.coreTiers = coreTiers
        self.grid = grid
        self.transitionsPerStep = transitionsPerStep
        self.transitionsPerInstance = transitionsPerInstance
        self.configurator = configurator
    }

    /// The defaults: AWS us-east-1, x86_64, the paper's grid.
    public static let aws = Platform()

    /// μ0 for the chosen architecture, USD per GB-second.
    public var pricePerGBSecond: Double {
        architecture == .x86_64 ? priceX86PerGBSecond : priceArmPerGBSecond
    }

    /// vCPU credit a function of `memoryMB` gets: `m / m_s`.
    public func vcpuCredit(memoryMB: Int) -> Double { Double(memoryMB) / singleCoreMemoryMB }

    /// The cores each of `instances` functions of `memoryMB` running at once can keep busy: its credit m/m_s,
    /// at most the cores it sees (outside the platform's memory range, the nearest tier's), and where those
    /// are one machine's (``CoreTier/shared``) at most its share of them.
    public func usableCores(memoryMB: Int, instances: Int = 1) -> Double {
        let tier = self.tier(memoryMB: memoryMB) ?? (memoryMB < minMemoryMB ? coreTiers.first : coreTiers.last)
        let cores = Double(tier?.cores ?? 1)
        let own = min(vcpuCredit(memoryMB: memoryMB), cores)
        guard tier?.shared == true else { return own }
        return min(own, cores / Double(max(instances, 1)))
    }

    /// Cores visible to a function of `memoryMB` (nil outside Lambda's range).
    public func visibleCores(memoryMB: Int) -> Int? { tier(memoryMB: memoryMB)?.cores }

    /// The core tier of `memoryMB` (nil outside Lambda's range).
    func tier(memoryMB: Int) -> CoreTier? {
        guard memoryMB >= minMemoryMB, memoryMB <= maxMemoryMB else { return nil }
        return coreTiers.first { memoryMB <= $0.upToMemoryMB }
    }
}
