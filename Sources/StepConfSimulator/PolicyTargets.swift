import StepConfCore

/// The targets for `stepconf-exact`, read off one evaluation (`stepconf bench policies --requests N`): per SLO of at
/// least 1.2 × the fastest mean makespan, what it attains against what it must (min(P, what `fastest` attains) − 1
/// point), what it costs against the cheapest of `static` and `optimal` that attains as much, and against hindsight;
/// over the SLOs, the mean saving on 1.2–2 ×, the cost over hindsight and the configurators per request.
///
/// With requests of different sizes (`--input-sizes`), the targets are those of requests that differ: the same
/// attainment, and a mean saving of at least 25 % over every SLO from 1.2 × F (a plan made once must cover the
/// largest input it may meet, so deciding per request is worth more there).
public struct PolicyTargets: Sendable, Codable {
    /// One SLO.
    public struct Row: Sendable, Codable {
        public var sloFactor: Double
        public var sloSeconds: Double
        public var attainment: Double
        /// What it must attain: min(P, `fastest`'s attainment) − 1 point.
        public var requiredAttainment: Double
        public var fastestAttainment: Double
        public var costUSD: Double
        /// On an Express state machine (no per-transition charge).
        public var costExpressUSD: Double?
        /// The cheapest of `static` and `optimal` that attains at least as much (nil: neither does).
        public var baseline: String?
        public var baselineCostUSD: Double?
        public var baselineCostExpressUSD: Double?
        /// Cost over the baseline's (target ≤ 1.01).
        public var costVsBaseline: Double?
        public var costVsHindsight: Double?
        public var configuratorsPerRequest: Double

        public var attains: Bool { attainment >= requiredAttainment - 1e-12 }

        enum CodingKeys: String, CodingKey {
            case attainment, baseline
            case sloFactor = "slo_factor"
            case sloSeconds = "slo_s"
            case requiredAttainment = "required_attainment"
            case fastestAttainment = "fastest_attainment"
            case costUSD = "cost_usd"
            case costExpressUSD = "cost_express_usd"
            case baselineCostUSD = "baseline_cost_usd"
            case baselineCostExpressUSD = "baseline_cost_express_usd"
            case costVsBaseline = "cost_vs_baseline"
            case costVsHindsight = "cost_vs_hindsight"
            case configuratorsPerRequest = "configurators_per_request"
        }
    }

    public static let policy = PolicyName.stepconfExact
    /// The policies a plan made once is taken from.
    public static let baselines: [PolicyName] = [.static, .optimal]
    /// At most this much over the cheapest baseline that attains as much, at every SLO.
    public static let maxCostVsBaseline = 1.01
    /// At least this saving, on average over 1.2–2 × F.
    public static let minMeanSaving = 0.10
    /// At most this much over hindsight, on average over the SLOs ≥ 1.2 × F.
    public static let maxCostVsHindsight = 1.15
    /// At most this many configurators per request on the critical path, on average.
    public static let maxConfigurators = 1.0
    /// With sizes that differ: at least this saving, on average over every SLO ≥ 1.2 × F.
    public static let minMeanSavingSized = 0.25

    public var workflow: String
    public var seed: UInt64
    public var requests: Int
    public var rows: [Row]
    /// 1 − cost / baseline's, averaged over the SLOs of 1.2–2 × F that have a baseline.
    public var meanSaving: Double?
    /// Cost over hindsight's, pooled over the SLOs ≥ 1.2 × F (the evaluation's summary).
    public var costVsHindsight: Double?
    public var configuratorsPerRequest: Double
    /// The distribution of input sizes the requests were drawn from; nil when every request is the nominal size.
    public var inputSizes: String?
    /// 1 − cost / baseline's, averaged over every SLO ≥ 1.2 × F that has a baseline.
    public var meanSavingAll: Double?

    enum CodingKeys: String, CodingKey {
        case workflow, seed, requests, rows
        case inputSizes = "input_sizes"
        case meanSavingAll = "mean_saving_all"
        case meanSaving = "mean_saving"
        case costVsHindsight = "cost_vs_hindsight"
        case configuratorsPerRequest = "configurators_per_request"
    }

    /// The figures of `results` (which must hold `stepconf-exact`, `fastest` and, for the cost targets, `static`,
    /// `optimal` and hindsight); nil without a `stepconf-exact` row at 1.2 × F or more.
    public init?(_ results: EvaluationResults) {
        let percentile = (results.percentile ?? ChanceConstraint.defaultPercentile) / 100
        let tight = 1.2 - 1e-9
        func row(_ policy: String, _ slo: Double) -> EvaluationResults.Row? {
            results.rows.first { $0.policy == policy && $0.sloSeconds == slo }
        }
        var rows: [Row] = []
        for mine in results.rows where mine.policy == Self.policy.rawValue && mine.sloFactor >= tight {
            let fastest = row(Evaluation.fastestName, mine.sloSeconds)?.sloAttainment ?? 0
            let baseline = Self.baselines.compactMap { row($0.rawValue, mine.sloSeconds) }
                .filter { $0.sloAttainment >= mine.sloAttainment - 1e-12 && $0.meanCostUSD > 0 }
                .min { $0.meanCostUSD < $1.meanCostUSD }
            let hindsight = row(Evaluation.hindsightName, mine.sloSeconds)
            rows.append(Row(
                sloFactor: mine.sloFactor, sloSeconds: mine.sloSeconds, attainment: mine.sloAttainment,
                requiredAttainment: min(percentile, fastest) - 0.01, fastestAttainment: fastest, costUSD: mine.meanCostUSD,
                costExpressUSD: mine.meanCostExpressUSD, baseline: baseline?.policy, baselineCostUSD: baseline?.meanCostUSD,
                baselineCostExpressUSD: baseline?.meanCostExpressUSD,
                costVsBaseline: baseline.map { mine.meanCostUSD / $0.meanCostUSD },
                costVsHindsight: hindsight.flatMap { $0.meanCostUSD > 0 ? mine.meanCostUSD / $0.meanCostUSD : nil },
                configuratorsPerRequest: mine.configuratorsPerRequest))
        }
        guard !rows.isEmpty else { return nil }
        self.workflow = results.workflow
        self.seed = results.seed
        self.requests = results.requests
        self.rows = rows
        let savings = rows.filter { $0.sloFactor <= 2 + 1e-9 }.compactMap { $0.costVsBaseline.map { 1 - $0 } }
        meanSaving = savings.isEmpty ? nil : savings.reduce(0, +) / Double(savings.count)
        let all = rows.compactMap { $0.costVsBaseline.map { 1 - $0 } }
        meanSavingAll = all.isEmpty ? nil : all.reduce(0, +) / Double(all.count)
        inputSizes = results.inputSizes
        costVsHindsight = results.summary[Self.policy.rawValue]?.costVsHindsightFrom1_2x
        configuratorsPerRequest = rows.reduce(0) { $0 + $1.configuratorsPerRequest } / Double(rows.count)
    }

    /// Each target, met or not, with the figure it is judged on.
    public var verdicts: [(target: String, met: Bool)] {
        let costs = rows.compactMap(\.costVsBaseline)
        if inputSizes != nil {
            return [
                ("attains ≥ min(P, fastest) − 1 point at every SLO", rows.allSatisfy(\.attains)),
                ("mean saving over the SLOs ≥ 1.2 × F ≥ \(Int(Self.minMeanSavingSized * 100)) % (sizes differ)",
                 (meanSavingAll ?? 0) >= Self.minMeanSavingSized - 1e-12),
            ]
        }
        return [
            ("attains ≥ min(P, fastest) − 1 point at every SLO", rows.allSatisfy(\.attains)),
            ("cost ≤ \(Self.maxCostVsBaseline) × the cheapest of static/optimal attaining as much, at every SLO",
             costs.allSatisfy { $0 <= Self.maxCostVsBaseline + 1e-12 }),
            ("mean saving over 1.2–2 × F ≥ \(Int(Self.minMeanSaving * 100)) %", (meanSaving ?? 0) >= Self.minMeanSaving - 1e-12),
            ("cost ≤ \(Self.maxCostVsHindsight) × hindsight over the SLOs ≥ 1.2 × F",
             (costVsHindsight ?? .infinity) <= Self.maxCostVsHindsight + 1e-12),
            ("≤ \(Int(Self.maxConfigurators)) configurator per request", configuratorsPerRequest <= Self.maxConfigurators + 1e-12),
        ]
    }
}
