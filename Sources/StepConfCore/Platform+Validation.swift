import FoundationEssentials
import Glibc

extension Platform {
    enum CodingKeys: String, CodingKey {
        case architecture
        case priceX86PerGBSecond = "price_x86_per_gb_second"
        case priceArmPerGBSecond = "price_arm_per_gb_second"
        case pricePerRequest = "price_per_request"
        case pricePerTransition = "price_per_transition"
        case pricePerExpressRequest = "price_per_express_request"
        case pricePerExpressGBSecond = "price_per_express_gb_second"
        case singleCoreMemoryMB = "single_core_memory_mb"
        case minMemoryMB = "min_memory_mb"
        case maxMemoryMB = "max_memory_mb"
        case coreTiers = "core_tiers"
        case grid
        case transitionsPerStep = "transitions_per_step"
        case transitionsPerInstance = "transitions_per_instance"
        case configurator
        case keepAliveSeconds = "keep_alive_s"
    }

    /// Decodes a platform file; every field is optional and defaults to ``Platform/aws``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Platform.aws
        self.init(
            architecture: try c.decodeIfPresent(Architecture.self, forKey: .architecture) ?? d.architecture,
            priceX86PerGBSecond: try c.decodeIfPresent(Double.self, forKey: .priceX86PerGBSecond)
                ?? d.priceX86PerGBSecond,
            priceArmPerGBSecond: try c.decodeIfPresent(Double.self, forKey: .priceArmPerGBSecond)
                ?? d.priceArmPerGBSecond,
            pricePerRequest: try c.decodeIfPresent(Double.self, forKey: .pricePerRequest) ?? d.pricePerRequest,
            pricePerTransition: try c.decodeIfPresent(Double.self, forKey: .pricePerTransition)
                ?? d.pricePerTransition,
            pricePerExpressRequest: try c.decodeIfPresent(Double.self, forKey: .pricePerExpressRequest)
                ?? d.pricePerExpressRequest,
            pricePerExpressGBSecond: try c.decodeIfPresent(Double.self, forKey: .pricePerExpressGBSecond)
                ?? d.pricePerExpressGBSecond,
            singleCoreMemoryMB: try c.decodeIfPresent(Double.self, forKey: .singleCoreMemoryMB)
                ?? d.singleCoreMemoryMB,
            minMemoryMB: try c.decodeIfPresent(Int.self, forKey: .minMemoryMB) ?? d.minMemoryMB,
            maxMemoryMB: try c.decodeIfPresent(Int.self, forKey: .maxMemoryMB) ?? d.maxMemoryMB,
            coreTiers: try c.decodeIfPresent([CoreTier].self, forKey: .coreTiers) ?? d.coreTiers,
            grid: try c.decodeIfPresent(ConfigurationGrid.self, forKey: .grid) ?? d.grid,
            transitionsPerStep: try c.decodeIfPresent(Int.self, forKey: .transitionsPerStep) ?? d.transitionsPerStep,
            transitionsPerInstance: try c.decodeIfPresent(Int.self, forKey: .transitionsPerInstance)
                ?? d.transitionsPerInstance,
            configurator: try c.decodeIfPresent(ConfiguratorCost.self, forKey: .configurator) ?? d.configurator,
            keepAliveSeconds: try c.decodeIfPresent(Double.self, forKey: .keepAliveSeconds) ?? d.keepAliveSeconds)
    }

    /// Returns the platform if its prices, tiers and grid are within Lambda's limits.
    /// - Throws: ``InputError`` naming the field.
    public func validated(source: String = "platform") throws -> Platform {
        try validate(source: source)
        return self
    }

    /// Checks that the platform's prices, tiers and grid are within Lambda's limits. (It returns nothing: the release
    /// build of Swift 6.3.1 returned a corrupt error from a specialised copy that returned `self` — a crash on every
    /// platform file.)
    /// - Throws: ``InputError`` naming the field.
    public func validate(source: String = "platform") throws {
        func fail(_ field: String, _ why: String) -> InputError {
            InputError(.invalidGrid, "\(source): field `\(field)` \(why)")
        }
        let prices: [(String, Double)] = [
            ("price_x86_per_gb_second", priceX86PerGBSecond), ("price_arm_per_gb_second", priceArmPerGBSecond),
            ("price_per_request", pricePerRequest), ("price_per_transition", pricePerTransition),
            ("price_per_express_request", pricePerExpressRequest), ("price_per_express_gb_second", pricePerExpressGBSecond),
        ]
        for (field, value) in prices where InputBounds.check(value, in: 0...InputBounds.maxPriceUSD) == nil {
            throw fail(field, "must be a price in 0…\(InputBounds.format(InputBounds.maxPriceUSD)) USD, got \(value)")
        }
        guard InputBounds.check(singleCoreMemoryMB, in: 1...Double(InputBounds.maxMemoryMB)) != nil else {
            throw fail("single_core_memory_mb", "must lie in 1…\(InputBounds.maxMemoryMB) MB, got \(singleCoreMemoryMB)")
        }
        guard minMemoryMB >= 128, maxMemoryMB <= 10_240, minMemoryMB <= maxMemoryMB else {
            throw fail("min_memory_mb/max_memory_mb", "must lie within Lambda's 128–10,240 MB")
        }
        guard !grid.memoryMB.isEmpty, !grid.inter.isEmpty, !grid.intra.isEmpty else {
            throw fail("grid", "needs at least one memory size, one inter and one intra value")
        }
        for (i, m) in grid.memoryMB.enumerated() where m < minMemoryMB || m > maxMemoryMB {
            throw fail("grid.memory_mb[\(i)]", "is \(m) MB, outside Lambda's range \(minMemoryMB)–\(maxMemoryMB) MB")
        }
        for (i, p) in grid.inter.enumerated() where p < 1 || p > InputBounds.maxInter {
            throw fail("grid.inter[\(i)]", "must lie in 1…\(InputBounds.maxInter), got \(p)")
        }
        for (i, q) in grid.intra.enumerated() where q < 1 || q > InputBounds.maxIntra {
            throw fail("grid.intra[\(i)]", "must lie in 1…\(InputBounds.maxIntra), got \(q)")
        }
        guard Set(grid.memoryMB).count == grid.memoryMB.count, Set(grid.inter).count == grid.inter.count,
            Set(grid.intra).count == grid.intra.count
        else { throw fail("grid", "repeats a value") }
        guard coreTiers.allSatisfy({ $0.cores >= 1 && $0.cores <= InputBounds.maxIntra }), coreTiers.last.map({ $0.upToMemoryMB >= maxMemoryMB }) ?? false
        else { throw fail("core_tiers", "must give ≥ 1 core to every memory size up to \(maxMemoryMB) MB") }
        guard (0...1_000).contains(transitionsPerStep), (0...1_000).contains(transitionsPerInstance) else {
            throw fail("transitions_per_step/transitions_per_instance", "must lie in 0…1000")
        }
        guard InputBounds.check(configurator.seconds, in: 0...900) != nil,
            InputBounds.check(configurator.billedSeconds, in: 0...900) != nil,
            configurator.memoryMB >= minMemoryMB, configurator.memoryMB <= maxMemoryMB
        else { throw fail("configurator", "needs seconds ≥ 0 and a memory size within Lambda's range") }
        guard InputBounds.check(keepAliveSeconds, in: 0...InputBounds.maxSeconds) != nil else {
            throw fail("keep_alive_s", "must be \(InputBounds.describe(0...InputBounds.maxSeconds)) seconds")
        }
    }

    /// Decodes and validates a platform (JSON; missing fields take the AWS defaults); `source` names it
    /// in messages.
    /// - Throws: ``InputError``.
    public static func decode(_ data: Data, source: String) throws -> Platform {
        try StrictJSON.check([UInt8](data), source: source)
        let platform: Platform
        do {
            platform = try JSONDecoder().decode(Platform.self, from: data)
        } catch let error as DecodingError {
            throw InputError(.malformed, "\(source): \(JSONErrorText.describe(error))")
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(.malformed, "\(source): not valid JSON")
        }
        try platform.validate(source: source)
        return platform
    }
}
