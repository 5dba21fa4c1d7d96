import Foundation

extension Platform {
    enum CodingKeys: String, CodingKey {
        case architecture
        case priceX86PerGBSecond = "price_x86_per_gb_second"
        case priceArmPerGBSecond = "price_arm_per_gb_second"
        case pricePerRequest = "price_per_request"
        case pricePerTransition = "price_per_transition"
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
        func fail(_ field: String, _ why: String) -> InputError {
            InputError(.invalidGrid, "\(source): field `\(field)` \(why)")
        }
        let prices: [(String, Double)] = [
            ("price_x86_per_gb_second", priceX86PerGBSecond), ("price_arm_per_gb_second", priceArmPerGBSecond),
            ("price_per_request", pricePerRequest), ("price_per_transition", pricePerTransition),
        ]
        for (field, value) in prices where !(value.isFinite && value >= 0) {
            throw fail(field, "must be a price ≥ 0, got \(value)")
        }
        guard singleCoreMemoryMB.isFinite, singleCoreMemoryMB > 0 else {
            throw fail("single_core_memory_mb", "must be > 0, got \(singleCoreMemoryMB)")
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
        for (i, p) in grid.inter.enumerated() where p < 1 {
            throw fail("grid.inter[\(i)]", "must be ≥ 1, got \(p)")
        }
        for (i, q) in grid.intra.enumerated() where q < 1 {
            throw fail("grid.intra[\(i)]", "must be ≥ 1, got \(q)")
        }
        guard Set(grid.memoryMB).count == grid.memoryMB.count, Set(grid.inter).count == grid.inter.count,
            Set(grid.intra).count == grid.intra.count
        else { throw fail("grid", "repeats a value") }
        guard coreTiers.allSatisfy({ $0.cores >= 1 }), coreTiers.last.map({ $0.upToMemoryMB >= maxMemoryMB }) ?? false
        else { throw fail("core_tiers", "must give ≥ 1 core to every memory size up to \(maxMemoryMB) MB") }
        guard transitionsPerStep >= 0, transitionsPerInstance >= 0 else {
            throw fail("transitions_per_step", "must be ≥ 0")
        }
        guard configurator.seconds.isFinite, configurator.seconds >= 0, configurator.billedSeconds >= 0,
            configurator.memoryMB >= minMemoryMB, configurator.memoryMB <= maxMemoryMB
        else { throw fail("configurator", "needs seconds ≥ 0 and a memory size within Lambda's range") }
        guard keepAliveSeconds.isFinite, keepAliveSeconds >= 0 else { throw fail("keep_alive_s", "must be ≥ 0") }
        return self
    }

    /// Decodes and validates a platform (JSON; missing fields take the AWS defaults); `source` names it
    /// in messages.
    /// - Throws: ``InputError``.
    public static func decode(_ data: Data, source: String) throws -> Platform {
        do {
            return try JSONDecoder().decode(Platform.self, from: data).validated(source: source)
        } catch let error as DecodingError {
            throw InputError(.malformed, "\(source): \(JSONErrorText.describe(error))")
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(.malformed, "\(source): not valid JSON")
        }
    }
}
