import FoundationEssentials
import Glibc

/// How one step's measured times scatter around its model (issue: percentile SLOs build on it), fitted from a
/// profile's repeats and residuals and stored in the model file.
///
/// - the spread σ of one instance's time (log-normal, σ ≈ its coefficient of variation): a step waits for
///   the slowest of its p instances, so its median time grows with p (``slowestFactor(inter:)``);
/// - the quantiles of one warm run's step time over the prediction (`p50`, `p90`, `p95`, `p99`, as
///   run / predicted − 1): the empirical distribution percentile planning draws on;
/// - rare slow-downs: the chance that a run lands far above its prediction, and by how much;
/// - rare slow-downs of one instance (fitted where the profile has every instance's duration): the chance that one
///   instance takes far longer than the others of its run, and by how much (quantiles of its time over their median,
///   minus 1). A step of p instances meets one with chance 1 − (1 − π)^p, so its tail grows with p;
/// - cold starts: what they add as a function of p, and the chance that an instance starts cold although
///   its function ran recently.
public struct NoiseModel: Sendable, Hashable, Codable {
    /// σ: spread of one instance's time around the model.
    public var instanceSpread: Double
    /// One warm run's step time over the model's, minus 1, by percentile (`p50`, `p90`, …).
    public var stepQuantiles: [String: Double]
    /// The chance that one run is a slow-down (far above the rest).
    public var slowdownProbability: Double
    /// How much slower than predicted a slow-down run is (median ratio; 1 when none was seen).
    public var slowdownFactor: Double
    /// Cold starts; nil when the profile held no cold run.
    public var coldStart: ColdStart?
    /// π_slow: the chance that one instance is slowed down (0 where the profile had no per-instance durations).
    public var instanceSlowdownProbability: Double
    /// A slowed instance's time over the median instance of its run, minus 1, by percentile (`p10`, `p50`, `p90`).
    public var instanceSlowdownQuantiles: [String: Double]

    public init(
        instanceSpread: Double = 0, stepQuantiles: [String: Double] = [:], slowdownProbability: Double = 0,
        slowdownFactor: Double = 1, coldStart: ColdStart? = nil, instanceSlowdownProbability: Double = 0,
        instanceSlowdownQuantiles: [String: Double] = [:]
    ) {
        self.instanceSlowdownProbability = instanceSlowdownProbability
        self.instanceSlowdownQuantiles = instanceSlowdownQuantiles
        self.instanceSpread = instanceSpread
        self.stepQuantiles = stepQuantiles
        self.slowdownProbability = slowdownProbability
        self.slowdownFactor = slowdownFactor
        self.coldStart = coldStart
    }

    /// What cold starts cost: `penalty(p) = penalty_s + per_z_s · z_p` seconds added to the step when its
    /// function is cold (the slowest of p sandbox placements), and the chance `1 − (1 − π)^p` that a step of
    /// p instances meets at least one cold instance although its function ran within the keep-alive.
    public struct ColdStart: Sendable, Hashable, Codable {
        public var penaltySeconds: Double
        public var perZSeconds: Double
        /// π: the chance that one instance starts cold while its function is warm.
        public var instanceProbability: Double

        public init(penaltySeconds: Double, perZSeconds: Double = 0, instanceProbability: Double = 0) {
            self.penaltySeconds = penaltySeconds
            self.perZSeconds = perZSeconds
            self.instanceProbability = instanceProbability
        }

        /// Seconds a cold start adds to a step of p instances.
        public func penalty(inter p: Int) -> Double { penaltySeconds + perZSeconds * NoiseModel.medianMaximumOfNormals(p) }

        /// The chance that a warm step of p instances still meets a cold one.
        public func probability(inter p: Int) -> Double { 1 - pow(1 - instanceProbability, Double(max(p, 1))) }

        enum CodingKeys: String, CodingKey {
            case penaltySeconds = "penalty_s"
            case perZSeconds = "per_z_s"
            case instanceProbability = "instance_probability"
        }
    }

    /// The standard deviation of one warm run's step time over its prediction, relative: from the stored
    /// quantiles ((p95 − p50)/z₀.₉₅, else (p90 − p50)/z₀.₉), else the instance spread σ; nil when the model
    /// holds neither.
    public var relativeStepSpread: Double? {
        if let q95 = stepQuantiles["p95"], let q50 = stepQuantiles["p50"] { return max(0, q95 - q50) / 1.6448536269514722 }
        if let q90 = stepQuantiles["p90"], let q50 = stepQuantiles["p50"] { return max(0, q90 - q50) / 1.2815515655446004 }
        return instanceSpread > 0 ? instanceSpread : nil
    }

    /// The variance of a step's time, seconds², for a step predicted at `seconds` with p instances whose
    /// function is warm (a cold start where the function is known cold is charged in the time itself):
    /// the warm spread, rare slow-downs (a Bernoulli of height (factor − 1)·t) and the chance that an
    /// instance starts cold anyway (a Bernoulli of height penalty(p)).
    /// - Parameter fallbackSpread: the relative spread to use when the model stores none (e.g. the fit's error).
    public func stepVariance(seconds t: Double, inter p: Int, fallbackSpread: Double = 0) -> Double {
        let spread = relativeStepSpread ?? fallbackSpread
        let slow = slowdownProbability * (1 - slowdownProbability) * (slowdownFactor - 1) * (slowdownFactor - 1)
        var variance = t * t * (spread * spread + slow)
        if let coldStart, coldStart.instanceProbability > 0 {
            let chance = coldStart.probability(inter: p)
            let height = coldStart.penalty(inter: p)
            variance += chance * (1 - chance) * height * height
        }
        return variance.isFinite ? max(0, variance) : .infinity
    }

    /// 1 + σ·z_p: how much longer than one typical instance the slowest of p takes (median).
    public func slowestFactor(inter p: Int) -> Double { 1 + instanceSpread * Self.medianMaximumOfNormals(p) }

    /// The stored quantile at `level` (0 < level < 1), interpolated linearly between stored percentiles
    /// (held flat past the ends); nil when none is stored.
    public func stepQuantile(_ level: Double) -> Double? { Self.interpolate(stepQuantiles, at: level) }

    /// The value of percentile-keyed `quantiles` (`p50`, …) at `level` (0…1), joined linearly, held flat past the
    /// ends; nil when none is stored.
    static func interpolate(_ quantiles: [String: Double], at level: Double) -> Double? {
        let points = quantiles.compactMap { key, value in Self.percentile(key).map { ($0 / 100, value) } }.sorted { $0.0 < $1.0 }
        guard let first = points.first, let last = points.last else { return nil }
        if level <= first.0 { return first.1 }
        if level >= last.0 { return last.1 }
        for (a, b) in zip(points, points.dropFirst()) where level <= b.0 {
            return a.1 + (b.1 - a.1) * (level - a.0) / (b.0 - a.0)
        }
        return last.1
    }

    /// The percentile a quantile key names (`p95` → 95), nil for anything else.
    public static func percentile(_ key: String) -> Double? {
        guard key.hasPrefix("p"), let value = Double(key.dropFirst()), value > 0, value < 100 else { return nil }
        return value
    }

    /// The quantile keys the estimator writes.
    public static let percentiles: [Double] = [50, 90, 95, 99]

    /// The key of a percentile (`95` → `p95`, `99.9` → `p99.9`).
    public static func key(percentile: Double) -> String {
        percentile == percentile.rounded() ? "p\(Int(percentile))" : "p\(percentile)"
    }

    /// z_p: the median of the largest of p independent standard normal draws, Φ⁻¹(0.5^(1/p)); 0 for p ≤ 1.
    public static func medianMaximumOfNormals(_ p: Int) -> Double {
        guard p > 1 else { return 0 }
        if p < table.count { return table[p] }
        return standardNormalQuantile(pow(0.5, 1 / Double(p)))
    }

    private static let table: [Double] = (0..<257).map { $0 <= 1 ? 0 : standardNormalQuantile(pow(0.5, 1 / Double($0))) }

    /// Φ⁻¹(u) for 0 < u < 1, by bisection on Φ(x) = erfc(−x/√2)/2 (accurate to 1e-12; called for a table).
    public static func standardNormalQuantile(_ u: Double) -> Double {
        guard u > 0 else { return -.infinity }
        guard u < 1 else { return .infinity }
        var low = -40.0
        var high = 40.0
        for _ in 0..<200 where high - low > 1e-13 {
            let mid = (low + high) / 2
            if erfc(-mid / 2.0.squareRoot()) / 2 < u { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }

    enum CodingKeys: String, CodingKey {
        case instanceSpread = "instance_spread"
        case stepQuantiles = "step_quantiles"
        case slowdownProbability = "slowdown_probability"
        case slowdownFactor = "slowdown_factor"
        case coldStart = "cold_start"
        case instanceSlowdownProbability = "instance_slowdown_probability"
        case instanceSlowdownQuantiles = "instance_slowdown_quantiles"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(instanceSpread, forKey: .instanceSpread)
        try c.encode(stepQuantiles, forKey: .stepQuantiles)
        try c.encode(slowdownProbability, forKey: .slowdownProbability)
        try c.encode(slowdownFactor, forKey: .slowdownFactor)
        try c.encodeIfPresent(coldStart, forKey: .coldStart)
        // Written only where fitted, so a model fitted without per-instance durations reads as it did.
        if instanceSlowdownProbability > 0 || !instanceSlowdownQuantiles.isEmpty {
            try c.encode(instanceSlowdownProbability, forKey: .instanceSlowdownProbability)
            try c.encode(instanceSlowdownQuantiles, forKey: .instanceSlowdownQuantiles)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        instanceSpread = try c.decodeIfPresent(Double.self, forKey: .instanceSpread) ?? 0
        stepQuantiles = try c.decodeIfPresent([String: Double].self, forKey: .stepQuantiles) ?? [:]
        slowdownProbability = try c.decodeIfPresent(Double.self, forKey: .slowdownProbability) ?? 0
        slowdownFactor = try c.decodeIfPresent(Double.self, forKey: .slowdownFactor) ?? 1
        coldStart = try c.decodeIfPresent(ColdStart.self, forKey: .coldStart)
        instanceSlowdownProbability = try c.decodeIfPresent(Double.self, forKey: .instanceSlowdownProbability) ?? 0
        instanceSlowdownQuantiles = try c.decodeIfPresent([String: Double].self, forKey: .instanceSlowdownQuantiles) ?? [:]
    }

    /// The chance that a step of p instances meets at least one slowed instance.
    public func instanceSlowdownChance(inter p: Int) -> Double {
        instanceSlowdownProbability > 0 ? 1 - pow(1 - min(instanceSlowdownProbability, 1), Double(max(p, 1))) : 0
    }

    /// A slowed instance's excess at `level` (0…1) of its distribution: the stored quantiles joined linearly, held flat
    /// past the ends; 0 when none is stored.
    public func instanceSlowdown(_ level: Double) -> Double { Self.interpolate(instanceSlowdownQuantiles, at: level) ?? 0 }
}
