import Foundation

/// The fitted performance model of one step: Eq. (1) in both cases and the mapping delay t_map(p).
public struct StepModel: Sendable, Hashable, Codable {
    /// Case 1 of Eq. (1), for multi-core-friendly steps at `m ≥ m_s`; nil for single-thread steps.
    public var case1: MulticoreFit?
    /// Case 2 of Eq. (1): single-thread steps, and every step below `m_s`.
    public var case2: SingleThreadFit
    /// The mapping delay t_map(p).
    public var mapping: MappingDelay
    /// Notes the estimator left, e.g. `fallback-fit` when a fit did not converge.
    public var flags: [String]
    /// The paper's Q: the best measured intra parallelism per memory size (keys are MB as text); nil when
    /// the model was not fitted from a profile, in which case every q of the grid is considered.
    public var bestIntra: [String: Int]?
    /// How the parameters were fitted, for people reading the file.
    public var fit: FitSummary?
    /// What a cold start adds to the step time, seconds (measured: cold minus warm mapping delay at the
    /// same fan-out); nil when the profile held no cold run.
    public var coldStartSeconds: Double?
    /// How much slower than its configuration's median one run of the step is at the 95th percentile
    /// (0.08: 8 % slower); measured over repeated warm runs, nil when the profile has no repeats.
    public var timeSpread95: Double?

    public init(
        case1: MulticoreFit?, case2: SingleThreadFit, mapping: MappingDelay, flags: [String] = [],
        bestIntra: [String: Int]? = nil, fit: FitSummary? = nil
    ) {
        self.case1 = case1
        self.case2 = case2
        self.mapping = mapping
        self.flags = flags
        self.bestIntra = bestIntra
        self.fit = fit
    }

    /// Q(m): the best measured intra parallelism at `memoryMB`, if the model records one.
    public func bestIntra(memoryMB: Int) -> Int? { bestIntra?[String(memoryMB)] }

    /// What the estimator did for one step.
    public struct FitSummary: Sendable, Hashable, Codable {
        /// `case1` (case 2 below m_s, case 1 above) or `case2` (case 2 throughout).
        public var chosenCase: String
        /// Profile rows the fit used.
        public var samples: Int
        /// Distinct configurations the fit used.
        public var configurations: Int
        /// Mean and max relative error of the step time on the fitted configurations.
        public var meanRelativeError: Double
        public var maxRelativeError: Double

        public init(chosenCase: String, samples: Int, configurations: Int, meanRelativeError: Double, maxRelativeError: Double) {
            self.chosenCase = chosenCase
            self.samples = samples
            self.configurations = configurations
            self.meanRelativeError = meanRelativeError
            self.maxRelativeError = maxRelativeError
        }

        enum CodingKeys: String, CodingKey {
            case chosenCase = "case"
            case samples, configurations
            case meanRelativeError = "mean_rel_error"
            case maxRelativeError = "max_rel_error"
        }
    }

    /// Case 1: `t̂ = (α1·γ̄ + β1)·e^(−α2·min(m/m_s, q)) + φ1`, seconds.
    public struct MulticoreFit: Sendable, Hashable, Codable {
        public var alpha1: Double
        public var beta1: Double
        public var alpha2: Double
        public var phi1: Double

        public init(alpha1: Double, beta1: Double, alpha2: Double, phi1: Double) {
            self.alpha1 = alpha1
            self.beta1 = beta1
            self.alpha2 = alpha2
            self.phi1 = phi1
        }
    }

    /// Case 2: `t̂ = α2·γ̄ / (δ_s·min(m/m_s, q) + β2) + φ2`, seconds.
    public struct SingleThreadFit: Sendable, Hashable, Codable {
        public var alpha2: Double
        public var beta2: Double
        public var phi2: Double
        /// δ_s: relative performance of one full core.
        public var deltaS: Double

        public init(alpha2: Double, beta2: Double, phi2: Double, deltaS: Double = 1) {
            self.alpha2 = alpha2
            self.beta2 = beta2
            self.phi2 = phi2
            self.deltaS = deltaS
        }

        enum CodingKeys: String, CodingKey {
            case alpha2, beta2, phi2
            case deltaS = "delta_s"
        }
    }

    /// `t_map(p) = base + perInstance·(p − 1) + pastKnee·max(0, p − knee)²`, seconds: flat-ish for
    /// small fan-outs, growing fast past the knee (inline Map runs at most 40 iterations at once).
    public struct MappingDelay: Sendable, Hashable, Codable {
        public var baseSeconds: Double
        public var perInstanceSeconds: Double
        public var knee: Double
        public var pastKneeSeconds: Double

        public init(baseSeconds: Double, perInstanceSeconds: Double, knee: Double = 30, pastKneeSeconds: Double) {
            self.baseSeconds = baseSeconds
            self.perInstanceSeconds = perInstanceSeconds
            self.knee = knee
            self.pastKneeSeconds = pastKneeSeconds
        }

        /// t_map(p), seconds.
        public func seconds(inter p: Int) -> Double {
            let past = max(0, Double(p) - knee)
            return baseSeconds + perInstanceSeconds * Double(p - 1) + pastKneeSeconds * past * past
        }

        enum CodingKeys: String, CodingKey {
            case baseSeconds = "base_s"
            case perInstanceSeconds = "per_instance_s"
            case knee
            case pastKneeSeconds = "past_knee_s"
        }
    }

    /// Jobs of the busiest instance when `jobs` are spread over `p` instances: ⌈γ/p⌉. It sets the step time.
    public static func jobsPerInstance(jobs: Int, inter p: Int) -> Int { (jobs + p - 1) / p }

    /// t̂ of Eq. (1): the average instance's compute time, seconds, with γ̄ = γ/p as the paper defines it.
    /// It sets the cost (p instances are billed t̂ each).
    /// - Parameters:
    ///   - jobs: γ_i, the step's jobs.
    ///   - singleCoreMemoryMB: m_s.
    public func computeSeconds(_ theta: Configuration, jobs: Int, singleCoreMemoryMB: Double) -> Double {
        computeSeconds(theta, jobsPerInstance: Double(jobs) / Double(theta.inter), singleCoreMemoryMB: singleCoreMemoryMB)
    }

    /// Eq. (1) for the busiest instance, γ̄ = ⌈γ/p⌉: the paper assumes the last instance to start finishes
    /// last; with jobs that do not divide evenly it is also the one with the most jobs.
    public func busiestComputeSeconds(_ theta: Configuration, jobs: Int, singleCoreMemoryMB: Double) -> Double {
        computeSeconds(
            theta, jobsPerInstance: Double(Self.jobsPerInstance(jobs: jobs, inter: theta.inter)),
            singleCoreMemoryMB: singleCoreMemoryMB)
    }

    /// Eq. (1) at a given γ̄, seconds.
    public func computeSeconds(_ theta: Configuration, jobsPerInstance: Double, singleCoreMemoryMB: Double) -> Double {
        let memoryRatio = Double(theta.memoryMB) / singleCoreMemoryMB
        let speedup = min(memoryRatio, Double(theta.intra))
        if let fit = case1, memoryRatio >= 1 {
            return (fit.alpha1 * jobsPerInstance + fit.beta1) * exp(-fit.alpha2 * speedup) + fit.phi1
        }
        return case2.alpha2 * jobsPerInstance / (case2.deltaS * speedup + case2.beta2) + case2.phi2
    }

    /// Every parameter with its name, for validation and display.
    public var namedParameters: [(String, Double)] {
        var list: [(String, Double)] = []
        if let c = case1 {
            list += [("case1.alpha1", c.alpha1), ("case1.beta1", c.beta1), ("case1.alpha2", c.alpha2), ("case1.phi1", c.phi1)]
        }
        list += [
            ("case2.alpha2", case2.alpha2), ("case2.beta2", case2.beta2), ("case2.phi2", case2.phi2),
            ("case2.delta_s", case2.deltaS), ("mapping.base_s", mapping.baseSeconds),
            ("mapping.per_instance_s", mapping.perInstanceSeconds), ("mapping.knee", mapping.knee),
            ("mapping.past_knee_s", mapping.pastKneeSeconds),
        ]
        if let cold = coldStartSeconds { list.append(("cold_start_s", cold)) }
        if let spread = timeSpread95 { list.append(("time_spread_p95", spread)) }
        return list
    }

    enum CodingKeys: String, CodingKey {
        case case1, case2, mapping, flags, fit
        case bestIntra = "best_intra"
        case coldStartSeconds = "cold_start_s"
        case timeSpread95 = "time_spread_p95"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        case1 = try c.decodeIfPresent(MulticoreFit.self, forKey: .case1)
        case2 = try c.decode(SingleThreadFit.self, forKey: .case2)
        mapping = try c.decode(MappingDelay.self, forKey: .mapping)
        flags = try c.decodeIfPresent([String].self, forKey: .flags) ?? []
        bestIntra = try c.decodeIfPresent([String: Int].self, forKey: .bestIntra)
        fit = try c.decodeIfPresent(FitSummary.self, forKey: .fit)
        coldStartSeconds = try c.decodeIfPresent(Double.self, forKey: .coldStartSeconds)
        timeSpread95 = try c.decodeIfPresent(Double.self, forKey: .timeSpread95)
    }

    /// The step time t = t_map(p) + t̂ of the busiest instance, seconds.
    public func stepSeconds(_ theta: Configuration, jobs: Int, singleCoreMemoryMB: Double) -> Double {
        mapping.seconds(inter: theta.inter) + busiestComputeSeconds(theta, jobs: jobs, singleCoreMemoryMB: singleCoreMemoryMB)
    }
}
