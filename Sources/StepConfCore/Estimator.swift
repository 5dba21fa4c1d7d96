/// The performance estimator (paper §III-B, §VI-B): fits each step's Eq. (1) and t_map(p) to a profile.
///
/// Per step: the best intra parallelism Q(m) is chosen per memory size from the measurements; the
/// configurations run at Q(m) are the fit's domain (the paper fits and predicts "with the optimal degree
/// of intra-function parallelism"). The mean compute time t̂ is fitted by Levenberg–Marquardt on relative
/// residuals, once as case 2 throughout and once split at m_s (case 2 below, case 1 above); the split is
/// kept when it lowers the error by 10 % or more. t_map(p) is then fitted by least squares to what the step
/// time adds to t̂ (orchestration, stagger, the slowest instance), so that t_map(p) + t̂ predicts the step.
public struct Estimator: Sendable {
    /// Fitting choices.
    public struct Options: Sendable {
        /// Fraction of each step's configurations held out to measure prediction error (0 for none).
        public var holdoutFraction: Double
        /// Seed of the hold-out split.
        public var seed: UInt64
        /// m_s, MB.
        public var singleCoreMemoryMB: Double
        /// Mapping-delay knee used when the profile has no fan-out past it, and its growth prior, s.
        public var knee: Double
        public var pastKneePriorSeconds: Double
        /// Iteration limit of each Levenberg–Marquardt fit.
        public var maxIterations: Int

        public init(
            holdoutFraction: Double = 0, seed: UInt64 = 1, singleCoreMemoryMB: Double = 1769, knee: Double = 30,
            pastKneePriorSeconds: Double = 0.004, maxIterations: Int = 500
        ) {
            self.maxIterations = maxIterations
            self.holdoutFraction = holdoutFraction
            self.seed = seed
            self.singleCoreMemoryMB = singleCoreMemoryMB
            self.knee = knee
            self.pastKneePriorSeconds = pastKneePriorSeconds
        }
    }

    /// Relative prediction errors of the step time over a set of configurations.
    public struct ErrorStats: Sendable, Hashable, Codable {
        public var configurations: Int
        public var mean: Double
        public var max: Double

        enum CodingKeys: String, CodingKey {
            case configurations
            case mean = "mean_rel_error"
            case max = "max_rel_error"
        }
    }

    /// What the estimator did for one step.
    public struct StepReport: Sendable, Hashable, Codable {
        public var step: String
        public var model: StepModel
        /// Profile rows the final fit used.
        public var samples: Int
        /// Rows per memory size, on average.
        public var samplesPerMemorySize: Double
        /// Error on the configurations the fit saw (all of them, after the final refit).
        public var fitted: ErrorStats
        /// Error on held-out configurations, when a hold-out was asked for.
        public var holdout: ErrorStats?
        /// Error of t̂ alone (compute) on held-out configurations.
        public var holdoutCompute: ErrorStats?
        /// Error on the configurations that had to run fewer than Q(m) workers (fewer jobs per instance than
        /// workers); outside the fit's domain, where Eq. (1) over-predicts multi-core steps.
        public var capped: ErrorStats?
        /// Whether Levenberg–Marquardt converged; false means the documented fallback fit was used.
        public var converged: Bool

        enum CodingKeys: String, CodingKey {
            case step, model, samples, fitted, holdout, converged
            case samplesPerMemorySize = "samples_per_memory_size"
            case holdoutCompute = "holdout_compute"
            case capped = "capped_intra"
        }
    }

    /// The fewest configurations at Q(m) a step needs.
    public static let minimumConfigurations = 4

    public let options: Options

    public init(options: Options = Options()) { self.options = options }

    /// Fits every step found in `samples`.
    /// - Parameter workflowName: the name recorded in the model.
    /// - Throws: ``InputError`` when a step has too few usable measurements (the message says how many
    ///   are needed).
    public func fit(_ samples: [ProfileSample], workflowName: String) throws -> (PerformanceModel, [StepReport]) {
        guard !samples.isEmpty else { throw InputError(.malformed, "the profile has no samples") }
        var order: [String] = []
        var byStep: [String: [ProfileSample]] = [:]
        for s in samples {
            if byStep[s.step] == nil { order.append(s.step) }
            byStep[s.step, default: []].append(s)
        }
        var steps: [String: StepModel] = [:]
        var reports: [StepReport] = []
        for (index, id) in order.enumerated() {
            let report = try fitStep(id, byStep[id]!, seed: options.seed &+ UInt64(index))
            steps[id] = report.model
            reports.append(report)
        }
        return (PerformanceModel(workflow: workflowName, source: "fitted", steps: steps), reports)
    }
}
