/// The performance estimator (paper §III-B, §VI-B): fits each step's ``StepModel`` to a profile.
///
/// Per step, on every profiled configuration (no configuration is outside the fit; memory pressure never
/// reaches it because `canRun` keeps such configurations out of profiles and choices):
/// 1. the instance time (``StepModel/InstanceTime``) to the measured mean compute time t̂, on relative
///    residuals: for a grid of multi-core ratios ρ and storage caps b the other five parameters are linear and
///    solved by non-negative least squares; the best start goes to Levenberg–Marquardt over all seven; runs
///    far above the rest (rare slow-downs) are set aside and the fit repeated once;
/// 2. the step time t = t_map(p) + t_inst(⌈γ/p⌉)·(1 + σ·z_p) to the measured warm step times, linear in
///    t_map's coefficients and the per-instance spread σ (the mapping delay's knee is chosen among the
///    profiled fan-outs when the profile reaches past the default);
/// 3. the noise model (``NoiseModel``) from the residuals, the repeats and the cold runs.
public struct Estimator: Sendable {
    /// Fitting choices.
    public struct Options: Sendable {
        /// Fraction of each step's configurations held out to measure prediction error (0 for none).
        public var holdoutFraction: Double
        /// Seed of the hold-out split.
        public var seed: UInt64
        /// The platform the profile ran on: m_s and the cores each memory size can use.
        public var platform: Platform
        /// Mapping-delay knee used when the profile has no fan-out past it, and its growth prior, s.
        public var knee: Double
        public var pastKneePriorSeconds: Double
        /// Iteration limit of each Levenberg–Marquardt fit.
        public var maxIterations: Int

        public init(
            holdoutFraction: Double = 0, seed: UInt64 = 1, platform: Platform = .aws, knee: Double = 30,
            pastKneePriorSeconds: Double = 0.004, maxIterations: Int = 200
        ) {
            self.maxIterations = maxIterations
            self.holdoutFraction = holdoutFraction
            self.seed = seed
            self.platform = platform
            self.knee = knee
            self.pastKneePriorSeconds = pastKneePriorSeconds
        }
    }

    /// Relative prediction errors over a set of configurations.
    public struct ErrorStats: Sendable, Hashable, Codable {
        public var configurations: Int
        public var mean: Double
        public var max: Double

        public init(configurations: Int, mean: Double, max: Double) {
            self.configurations = configurations
            self.mean = mean
            self.max = max
        }

        /// The statistics of `relative` errors (absolute values).
        public init(_ relative: [Double]) {
            let values = relative.map(abs)
            self.init(
                configurations: values.count, mean: values.reduce(0, +) / Double(Swift.max(values.count, 1)),
                max: values.max() ?? 0)
        }

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
        /// Error of the step time on the configurations the fit saw (all of them, after the final refit).
        public var fitted: ErrorStats
        /// Error of the step time on held-out configurations, when a hold-out was asked for.
        public var holdout: ErrorStats?
        /// Error of t̂ (the mean instance's time) on held-out configurations.
        public var holdoutCompute: ErrorStats?
        /// Error of the step time on the held-out configurations whose instances have no more jobs than
        /// workers (one job per worker: where the paper's Eq. (1) went furthest off).
        public var holdoutCapped: ErrorStats?
        /// Whether Levenberg–Marquardt converged (when it did not, its best point so far is kept and flagged).
        public var converged: Bool

        enum CodingKeys: String, CodingKey {
            case step, model, samples, fitted, holdout, converged
            case samplesPerMemorySize = "samples_per_memory_size"
            case holdoutCompute = "holdout_compute"
            case holdoutCapped = "holdout_capped_intra"
        }
    }

    /// The fewest distinct configurations a step needs (the instance time has seven parameters, the step
    /// time four more), and the fewest memory sizes among them.
    public static let minimumConfigurations = 10
    public static let minimumMemorySizes = 2
    /// A one-job step runs only at p = q = 1, so its time depends on the memory size alone (the CPU share and
    /// the storage share): it needs that many memory sizes, not ten configurations it cannot have.
    public static let minimumOneJobMemorySizes = 4

    /// The fewest distinct configurations `measured` needs: ``minimumOneJobMemorySizes`` for a one-job step,
    /// else ``minimumConfigurations``.
    static func minimumConfigurations(_ measured: [MeasuredConfiguration]) -> Int {
        measured.allSatisfy { $0.jobs == 1 } ? minimumOneJobMemorySizes : minimumConfigurations
    }

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
