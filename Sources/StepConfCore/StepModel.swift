import FoundationEssentials
import Glibc

/// The fitted performance model of one step (docs/model.md): the time of one function instance, the mapping
/// delay t_map(p), and the noise around both.
///
/// The paper's Eq. (1) predicts t̂ from γ̄ = γ/p and x = min(m/m_s, q). It holds where q divides the
/// instance's jobs, the visible cores do not bind and the program is single-threaded; there this model is
/// Eq. (1) case 2 with β2 = 0 (α = α2/δ_s). Where the truth departs, its inputs are extended
/// (``InstanceTime``): the jobs of each instance rather than the mean γ/p, job waves ⌈n/q⌉, the cores a
/// memory size can use, Amdahl's law on the step's multi-core ratio in place of case 1's exponential,
/// process start-up per worker, and storage transfers whose speed rises with memory up to a cap.
public struct StepModel: Sendable, Hashable, Codable {
    /// The model-file format this type reads and writes.
    public static let format = 2

    /// The time one instance takes for its jobs.
    public var instance: InstanceTime
    /// The mapping delay t_map(p).
    public var mapping: MappingDelay
    /// The spread of step times around the model, cold starts and rare slow-downs.
    public var noise: NoiseModel
    /// Notes the estimator left, e.g. which parameters the profile could not determine.
    public var flags: [String]
    /// How the parameters were fitted, for people reading the file.
    public var fit: FitSummary?

    public init(
        instance: InstanceTime, mapping: MappingDelay, noise: NoiseModel = NoiseModel(), flags: [String] = [],
        fit: FitSummary? = nil
    ) {
        self.instance = instance
        self.mapping = mapping
        self.noise = noise
        self.flags = flags
        self.fit = fit
    }

    /// Jobs of the busiest instance when `jobs` are spread over `p` instances: ⌈γ/p⌉. It sets the step time.
    public static func jobsPerInstance(jobs: Int, inter p: Int) -> Int {
        guard p > 0 else { return jobs }
        return jobs / p + (jobs % p == 0 ? 0 : 1)
    }

    /// The mean billed time of the step's instances, seconds: ⌊γ/p⌋ or ⌈γ/p⌉ jobs each, as the step splits
    /// them (the paper's t̂ at γ̄ = γ/p, taken per instance). It sets the cost: p instances are billed this each.
    /// `sharedWith`: how many steps run side by side with this one's p instances on a platform whose cores are one
    /// machine's (``Platform/CoreTier/shared``): they share its cores with k·p instances (1 elsewhere).
    public func computeSeconds(_ theta: Configuration, jobs: Int, platform: Platform, sharedWith k: Int = 1) -> Double {
        Self.instanceShares(jobs: jobs, inter: theta.inter).reduce(0.0) { sum, share in
            sum + share.fraction * instance.seconds(
                jobs: share.jobs, memoryMB: theta.memoryMB, intra: theta.intra, instances: theta.inter * max(1, k),
                platform: platform)
        }
    }

    /// The instances of a step by their jobs (``InstanceSplit``): ⌊γ/p⌋ for some, ⌈γ/p⌉ for γ mod p of them, with
    /// the fraction of the p instances each holds. The mean instance, which sets the cost, is their weighted sum.
    static func instanceShares(jobs: Int, inter: Int) -> [(jobs: Int, fraction: Double)] {
        let p = max(1, inter)
        let light = jobs / p
        let heavier = jobs % p
        var shares: [(jobs: Int, fraction: Double)] = []
        if light > 0 { shares.append((light, Double(p - heavier) / Double(p))) }
        if heavier > 0 { shares.append((light + 1, Double(heavier) / Double(p))) }
        return shares
    }

    /// The step time, seconds: the paper's t_map(p) + t̂ of the busiest instance, with what it assumes made
    /// explicit. Instances start one after another (instance j is ready t_map(j + 1) after the step starts)
    /// and the first γ mod p hold ⌈γ/p⌉ jobs (``InstanceSplit``): the step ends with the later of the last
    /// heavy instance and the last instance,
    ///
    ///     t = max(t_map(γ mod p) + t_inst(⌈γ/p⌉)·f, t_map(p) + t_inst(⌊γ/p⌋)·f),  f = 1 + σ·z_p
    ///
    /// (the first term only when γ mod p > 0). A step waits for the slowest of its p instances: with
    /// per-instance spread σ (``NoiseModel/instanceSpread``) the median slowest is z_p standard deviations
    /// up (``NoiseModel/medianMaximumOfNormals(_:)``).
    public func stepSeconds(_ theta: Configuration, jobs: Int, platform: Platform, sharedWith k: Int = 1) -> Double {
        let terms = Self.stepTerms(theta, jobs: jobs)
        let slowest = noise.slowestFactor(inter: theta.inter)
        return terms.reduce(0.0) { best, term in
            let t = instance.seconds(
                jobs: term.jobs, memoryMB: theta.memoryMB, intra: theta.intra, instances: theta.inter * max(1, k),
                platform: platform)
            return max(best, mapping.seconds(inter: term.readyAfter) + t * slowest)
        }
    }

    /// The instances that can end a step: (how many instances are ready by the time it is, its jobs) for the
    /// last heavy instance (when jobs do not divide evenly) and the last instance.
    static func stepTerms(_ theta: Configuration, jobs: Int) -> [(readyAfter: Int, jobs: Int)] {
        let p = max(1, theta.inter)
        let light = jobs / p
        let heavier = jobs % p
        var terms: [(readyAfter: Int, jobs: Int)] = []
        if heavier > 0 { terms.append((heavier, light + 1)) }
        if light > 0 { terms.append((p, light)) }
        return terms
    }

    /// The time one instance takes for n jobs at memory m with q workers, seconds:
    ///
    ///     t_inst = α·W + ι·n / min(m/m_s, b) + ν·n + κ·q_e + φ
    ///     W = max(n/u, ⌈n/q_e⌉ · ((1 − ρ)/s + ρ/u)),  q_e = min(q, n),  s = min(1, u)
    ///     u = min(m/m_s, cores(m), host cores / p)
    ///
    /// W is the CPU time in one-core seconds per unit of work: the instance cannot beat its credit u (all n
    /// jobs over u cores; on a shared host, p instances split its cores), and each of q_e workers runs
    /// ⌈n/q_e⌉ jobs one after another (job waves), the serial part of each on at most one core, the multi-core
    /// part over u. With ρ = 0, q | n and u = m/m_s it is Eq. (1) case 2's γ̄ / min(m/m_s, q) exactly.
    public struct InstanceTime: Sendable, Hashable, Codable {
        /// α: seconds one job's work takes on one full core (Eq. (1) case 2's α2/δ_s).
        public var workSecondsPerJob: Double
        /// ρ: the fraction of a job's work that uses every core the instance has (the paper's multi-core
        /// ratio, §II-B), 0…1.
        public var multicoreRatio: Double
        /// ι: seconds per job of storage transfer at one core's memory (m = m_s).
        public var ioSecondsPerJob: Double
        /// b: the memory share m/m_s past which storage gets no faster (≥ 1).
        public var ioShareCap: Double
        /// ν: seconds per job that memory does not change (handing a job to a worker and back).
        public var perJobSeconds: Double
        /// κ: seconds per worker process started.
        public var perWorkerSeconds: Double
        /// φ: seconds per instance (start-up, storage request latency).
        public var baseSeconds: Double

        public init(
            workSecondsPerJob: Double, multicoreRatio: Double = 0, ioSecondsPerJob: Double = 0, ioShareCap: Double = 8,
            perJobSeconds: Double = 0, perWorkerSeconds: Double = 0, baseSeconds: Double = 0
        ) {
            self.workSecondsPerJob = workSecondsPerJob
            self.multicoreRatio = multicoreRatio
            self.ioSecondsPerJob = ioSecondsPerJob
            self.ioShareCap = ioShareCap
            self.perJobSeconds = perJobSeconds
            self.perWorkerSeconds = perWorkerSeconds
            self.baseSeconds = baseSeconds
        }

        /// The model's inputs for one instance: how each parameter multiplies into the time. Linear in
        /// (α, ι, ν, κ, φ) once ρ and b are fixed, which is how the estimator fits them.
        public struct Inputs: Sendable, Hashable {
            /// W for the multi-core ratio used.
            public var work: Double
            /// n / min(m/m_s, b).
            public var io: Double
            /// n.
            public var jobs: Double
            /// q_e.
            public var workers: Double
        }

        /// The inputs at n jobs, memory m, q workers, one of `instances` running at once, for multi-core ratio
        /// `rho` and storage cap `cap`.
        public static func inputs(
            jobs n: Int, memoryMB: Int, intra q: Int, instances: Int, platform: Platform, multicoreRatio rho: Double,
            ioShareCap cap: Double
        ) -> Inputs {
            let jobs = Double(max(0, n))
            let share = platform.vcpuCredit(memoryMB: memoryMB)
            let usable = max(platform.usableCores(memoryMB: memoryMB, instances: instances), 1e-9)
            let serialSpeed = max(min(1, usable), 1e-9)
            let workers = max(1, min(q, n))
            let waves = Double(n <= 0 ? 0 : (n + workers - 1) / workers)
            let work = max(jobs / usable, waves * ((1 - rho) / serialSpeed + rho / usable))
            return Inputs(work: work, io: jobs / max(min(share, cap), 1e-9), jobs: jobs, workers: Double(workers))
        }

        /// t_inst for n jobs at memory m with q workers, one of `instances` running at once, seconds.
        public func seconds(jobs n: Int, memoryMB: Int, intra q: Int, instances: Int, platform: Platform) -> Double {
            let x = Self.inputs(
                jobs: n, memoryMB: memoryMB, intra: q, instances: instances, platform: platform,
                multicoreRatio: multicoreRatio, ioShareCap: ioShareCap)
            return workSecondsPerJob * x.work + ioSecondsPerJob * x.io + perJobSeconds * x.jobs
                + perWorkerSeconds * x.workers + baseSeconds
        }

        enum CodingKeys: String, CodingKey {
            case workSecondsPerJob = "work_s_per_job"
            case multicoreRatio = "multicore_ratio"
            case ioSecondsPerJob = "io_s_per_job"
            case ioShareCap = "io_share_cap"
            case perJobSeconds = "per_job_s"
            case perWorkerSeconds = "per_worker_s"
            case baseSeconds = "base_s"
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

    /// What the estimator did for one step.
    public struct FitSummary: Sendable, Hashable, Codable {
        /// Profile rows the fit used.
        public var samples: Int
        /// Distinct configurations the fit used.
        public var configurations: Int
        /// Mean and max relative error of the step time on the fitted configurations.
        public var meanRelativeError: Double
        public var maxRelativeError: Double

        public init(samples: Int, configurations: Int, meanRelativeError: Double, maxRelativeError: Double) {
            self.samples = samples
            self.configurations = configurations
            self.meanRelativeError = meanRelativeError
            self.maxRelativeError = maxRelativeError
        }

        enum CodingKeys: String, CodingKey {
            case samples, configurations
            case meanRelativeError = "mean_rel_error"
            case maxRelativeError = "max_rel_error"
        }
    }

    /// Every parameter that must be a finite number ≥ 0, with its name (the step quantiles, which may be
    /// negative, are checked by ``rangeProblem``).
    public var namedParameters: [(String, Double)] {
        let i = instance
        let n = noise
        var list: [(String, Double)] = [
            ("instance.work_s_per_job", i.workSecondsPerJob), ("instance.multicore_ratio", i.multicoreRatio),
            ("instance.io_s_per_job", i.ioSecondsPerJob), ("instance.io_share_cap", i.ioShareCap),
            ("instance.per_job_s", i.perJobSeconds), ("instance.per_worker_s", i.perWorkerSeconds),
            ("instance.base_s", i.baseSeconds),
            ("mapping.base_s", mapping.baseSeconds), ("mapping.per_instance_s", mapping.perInstanceSeconds),
            ("mapping.knee", mapping.knee), ("mapping.past_knee_s", mapping.pastKneeSeconds),
            ("noise.instance_spread", n.instanceSpread), ("noise.slowdown_probability", n.slowdownProbability),
            ("noise.slowdown_factor", n.slowdownFactor),
            ("noise.instance_slowdown_probability", n.instanceSlowdownProbability),
        ]
        if let cold = n.coldStart {
            list += [
                ("noise.cold_start.penalty_s", cold.penaltySeconds), ("noise.cold_start.per_z_s", cold.perZSeconds),
                ("noise.cold_start.instance_probability", cold.instanceProbability),
            ]
        }
        return list
    }

    /// Checks what ``namedParameters`` cannot: ratios in 0…1, caps ≥ 1, quantile names.
    /// - Returns: the first problem, as `(parameter, what it must be)`; nil when the model is usable.
    public var rangeProblem: (String, String)? {
        if let bad = namedParameters.first(where: { !($0.1.isFinite && $0.1 >= 0) }) {
            return (bad.0, "a finite number ≥ 0, got \(bad.1)")
        }
        // Every time in seconds, every factor and count within what the arithmetic can carry (``InputBounds``).
        for (name, value) in namedParameters {
            let limit: Double =
                name == "mapping.knee" ? Double(InputBounds.maxInter)
                : name.hasSuffix("_cap") || name.hasSuffix("_factor") || name.hasSuffix("_spread") ? InputBounds.maxFactor
                : InputBounds.maxSeconds
            if value > limit { return (name, "at most \(InputBounds.format(limit)), got \(value)") }
        }
        if instance.multicoreRatio > 1 { return ("instance.multicore_ratio", "at most 1, got \(instance.multicoreRatio)") }
        if instance.ioShareCap < 1 { return ("instance.io_share_cap", "at least 1, got \(instance.ioShareCap)") }
        if noise.slowdownProbability > 1 { return ("noise.slowdown_probability", "at most 1") }
        if noise.instanceSlowdownProbability > 1 { return ("noise.instance_slowdown_probability", "at most 1") }
        for (key, value) in noise.instanceSlowdownQuantiles.sorted(by: { $0.key < $1.key }) {
            guard NoiseModel.percentile(key) != nil else {
                return ("noise.instance_slowdown_quantiles.\(key)", "named pNN with 0 < NN < 100")
            }
            guard value.isFinite, value >= 0, value <= InputBounds.maxFactor else {
                return ("noise.instance_slowdown_quantiles.\(key)", "a finite ratio ≥ 0 (instance / median − 1), got \(value)")
            }
        }
        if let cold = noise.coldStart, cold.instanceProbability > 1 {
            return ("noise.cold_start.instance_probability", "at most 1")
        }
        for (key, value) in noise.stepQuantiles.sorted(by: { $0.key < $1.key }) {
            guard NoiseModel.percentile(key) != nil else {
                return ("noise.step_quantiles.\(key)", "named pNN with 0 < NN < 100")
            }
            guard value.isFinite, value > -1, value <= InputBounds.maxFactor else {
                return ("noise.step_quantiles.\(key)", "a finite ratio above −1 (run / predicted − 1), got \(value)")
            }
        }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case format, instance, mapping, noise, flags, fit
        // The first format's keys, recognised to refuse such a file with the reason.
        case case1, case2
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let format = try c.decodeIfPresent(Int.self, forKey: .format)
        if format == nil, c.contains(.case2) || c.contains(.case1) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: c.codingPath,
                debugDescription: "this is a format-1 model (Eq. (1) `case1`/`case2` parameters fitted at the best q only); "
                    + "format \(Self.format) predicts every configuration the optimizer may choose — refit it from its profile: "
                    + "stepconf fit --samples PROFILE.csv --out MODEL.json"))
        }
        if let format, format != Self.format {
            throw DecodingError.dataCorrupted(.init(
                codingPath: c.codingPath + [CodingKeys.format],
                debugDescription: "model format \(format) is not one this stepconf reads (it reads format \(Self.format))"))
        }
        instance = try c.decode(InstanceTime.self, forKey: .instance)
        mapping = try c.decode(MappingDelay.self, forKey: .mapping)
        noise = try c.decodeIfPresent(NoiseModel.self, forKey: .noise) ?? NoiseModel()
        flags = try c.decodeIfPresent([String].self, forKey: .flags) ?? []
        fit = try c.decodeIfPresent(FitSummary.self, forKey: .fit)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.format, forKey: .format)
        try c.encode(instance, forKey: .instance)
        try c.encode(mapping, forKey: .mapping)
        try c.encode(noise, forKey: .noise)
        if !flags.isEmpty { try c.encode(flags, forKey: .flags) }
        try c.encodeIfPresent(fit, forKey: .fit)
    }
}
