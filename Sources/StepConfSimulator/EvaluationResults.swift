import StepConfCore

/// The figures of an evaluation: what `results.json` holds.
public struct EvaluationResults: Sendable, Codable {
    /// One (SLO, policy).
    public struct Row: Sendable, Codable {
        public var sloSeconds: Double
        /// The SLO as a multiple of the fastest achievable mean makespan.
        public var sloFactor: Double
        public var policy: String
        /// Fraction of requests that finished within the SLO.
        public var sloAttainment: Double
        /// What the policy's plan predicted of it (``AttainmentEstimator``), a fraction; nil without a plan (hindsight).
        public var predictedAttainment: Double?
        public var meanSeconds: Double
        public var p50Seconds: Double
        public var p95Seconds: Double
        public var p99Seconds: Double
        public var meanCostUSD: Double
        /// Standard deviation of the cost per request, USD.
        public var costStdUSD: Double
        /// Mean cost over `optimal`'s at the same SLO.
        public var costVsOptimal: Double?
        /// Mean cost over the hindsight optimum's at the same SLO (the true lower bound).
        public var costVsHindsight: Double?
        public var fallbackStepsPerRequest: Double
        public var coldStartsPerRequest: Double
        /// Steps per request that ran on a decision made ahead, without waiting for their configurator.
        public var decidedAheadPerRequest: Double
        /// Warm-up invocations per request (``Prewarm``, one per instance warmed), and their mean cost per request, USD
        /// (part of `mean_cost_usd`).
        public var warmUpsPerRequest: Double = 0
        public var warmUpCostUSD: Double = 0
        /// Steps per request that waited for their configurator.
        public var configuratorsPerRequest: Double = 0
        /// Mean cost per request on an Express state machine, USD (`mean_cost_usd` is on a Standard one: every
        /// transition billed); nil where unknown (hindsight).
        public var meanCostExpressUSD: Double?
        /// With input sizes, the requests by quarter of their size: attainment and mean cost against size.
        public var bySize: [SizeBand]?

        enum CodingKeys: String, CodingKey {
            case policy
            case bySize = "by_size"
            case sloSeconds = "slo_s"
            case sloFactor = "slo_factor"
            case sloAttainment = "slo_attainment"
            case predictedAttainment = "predicted_attainment"
            case meanSeconds = "mean_s"
            case p50Seconds = "p50_s"
            case p95Seconds = "p95_s"
            case p99Seconds = "p99_s"
            case meanCostUSD = "mean_cost_usd"
            case costStdUSD = "cost_std_usd"
            case costVsOptimal = "cost_vs_optimal"
            case costVsHindsight = "cost_vs_hindsight"
            case fallbackStepsPerRequest = "fallback_steps_per_request"
            case coldStartsPerRequest = "cold_starts_per_request"
            case decidedAheadPerRequest = "decided_ahead_per_request"
            case warmUpsPerRequest = "warm_ups_per_request"
            case warmUpCostUSD = "warm_up_cost_usd"
            case configuratorsPerRequest = "configurators_per_request"
            case meanCostExpressUSD = "mean_cost_express_usd"
        }
    }

    /// The requests of one (SLO, policy) whose input size lies in `fromSize`…`toSize` (× nominal).
    public struct SizeBand: Sendable, Codable {
        public var fromSize: Double
        public var toSize: Double
        public var requests: Int
        public var sloAttainment: Double
        public var meanCostUSD: Double

        enum CodingKeys: String, CodingKey {
            case requests
            case fromSize = "from_size"
            case toSize = "to_size"
            case sloAttainment = "slo_attainment"
            case meanCostUSD = "mean_cost_usd"
        }

        /// The requests of `cell` by quarter of their sizes (the same draws in every cell of an evaluation); nil when
        /// every request was nominal.
        static func bands(_ cell: Evaluation.Cell) -> [SizeBand]? {
            guard !cell.sizes.isEmpty, cell.sizes.count == cell.durations.count else { return nil }
            let sorted = cell.sizes.sorted()
            let edges = (0...4).map { sorted[min(sorted.count - 1, $0 * sorted.count / 4)] }
            var bands: [SizeBand] = []
            for b in 0..<4 {
                let low = b == 0 ? -Double.infinity : edges[b]
                let high = b == 3 ? Double.infinity : edges[b + 1]
                let members = cell.sizes.indices.filter { cell.sizes[$0] >= low && cell.sizes[$0] < high }
                guard !members.isEmpty else { continue }
                let within = members.filter { cell.durations[$0] <= cell.sloSeconds }.count
                bands.append(SizeBand(
                    fromSize: members.map { cell.sizes[$0] }.min()!, toSize: members.map { cell.sizes[$0] }.max()!,
                    requests: members.count, sloAttainment: Double(within) / Double(members.count),
                    meanCostUSD: members.map { cell.costs[$0] }.reduce(0, +) / Double(members.count)))
            }
            return bands
        }
    }

    /// One policy over every SLO.
    public struct Summary: Sendable, Codable {
        /// Fraction of all its requests, over every SLO, within their SLO.
        public var sloAttainment: Double
        /// Lowest attainment at any SLO ≥ 1.2 × the fastest mean makespan.
        public var minAttainmentFrom1_2x: Double?
        /// Mean cost per request over every SLO, USD.
        public var meanCostUSD: Double
        /// 95th percentile of the duration over all its requests, seconds.
        public var p95Seconds: Double
        /// Fig. 18: the largest cost saving versus `nono` at equal (or better) mean duration.
        public var costSavingVsNono: Double?
        /// Fig. 18: the largest speed-up versus `nono` at equal (or lower) mean cost.
        public var speedupVsNono: Double?
        /// The highest ratio of its mean cost to `optimal`'s at one SLO.
        public var costVsOptimal: Double?
        /// Its mean cost over the hindsight optimum's, pooled over the SLOs ≥ 1.2 × the fastest mean makespan.
        public var costVsHindsightFrom1_2x: Double?

        enum CodingKeys: String, CodingKey {
            case sloAttainment = "slo_attainment"
            case minAttainmentFrom1_2x = "min_slo_attainment_from_1_2x"
            case meanCostUSD = "mean_cost_usd"
            case p95Seconds = "p95_s"
            case costSavingVsNono = "cost_saving_vs_nono"
            case speedupVsNono = "speedup_vs_nono"
            case costVsOptimal = "cost_vs_optimal"
            case costVsHindsightFrom1_2x = "cost_vs_hindsight_from_1_2x"
        }
    }

    /// At one SLO where both attain the percentile: what stepconf saves over static.
    public struct Saving: Sendable, Codable {
        public var sloFactor: Double
        public var sloSeconds: Double
        /// 1 − stepconf's mean cost / static's.
        public var saving: Double

        enum CodingKeys: String, CodingKey {
            case saving
            case sloFactor = "slo_factor"
            case sloSeconds = "slo_s"
        }
    }

    public var workflow: String
    public var requests: Int
    public var seed: UInt64
    public var fastestMeanMakespanSeconds: Double
    public var slos: [Double]
    public var policies: [String]
    public var summary: [String: Summary]
    public var rows: [Row]
    /// The percentile the policies planned for (nil: predicted times alone).
    public var percentile: Double?
    /// Requests per hour the arrivals were drawn at (``Traffic``).
    public var requestsPerHour: Double
    /// Whether the runtime warmed planned steps ahead (``Prewarm``).
    public var prewarm: Bool
    /// stepconf's saving over static at every SLO where both attain the percentile (99 % without one).
    public var stepconfSavingVsStatic: [Saving]
    /// Rows of the wide SLO sweep (up to nono's durations) behind the Fig. 18 figures.
    public var frontier: [Row]
    /// How large the requests' inputs were (``InputSizes``): `fixed`, `lognormal:SIGMA` or a file's count.
    public var inputSizes: String?

    enum CodingKeys: String, CodingKey {
        case workflow, requests, seed, slos, policies, summary, rows, frontier, percentile, prewarm
        case inputSizes = "input_sizes"
        case requestsPerHour = "requests_per_hour"
        case fastestMeanMakespanSeconds = "fastest_mean_makespan_s"
        case stepconfSavingVsStatic = "stepconf_saving_vs_static"
    }

    /// Computes every figure from the simulated cells; `frontierCells` (a wide SLO sweep) feed Fig. 18.
    public init(
        workflow: String, settings: Evaluation.Settings, fastest: Double, slos: [Double], cells: [Evaluation.Cell],
        frontierCells: [Evaluation.Cell] = []
    ) {
        self.workflow = workflow
        self.requests = settings.requests
        self.seed = settings.seed
        self.fastestMeanMakespanSeconds = fastest
        self.slos = slos
        var names = settings.policies.map(\.rawValue)
        for extra in [Evaluation.fastestName, Evaluation.hindsightName] where cells.contains(where: { $0.policy == extra }) {
            names.append(extra)
        }
        self.policies = names
        self.percentile = settings.percentile
        self.requestsPerHour = settings.traffic.requestsPerHour
        self.prewarm = settings.prewarm
        self.inputSizes = settings.inputSizes == .fixed ? nil : settings.inputSizes.description
        self.rows = []
        self.frontier = Self.rows(frontierCells, fastest: fastest)
        var rows = Self.rows(cells, fastest: fastest)
        for k in rows.indices {
            if let optimal = rows.first(where: { $0.policy == "optimal" && $0.sloSeconds == rows[k].sloSeconds }),
                optimal.meanCostUSD > 0
            {
                rows[k].costVsOptimal = rows[k].meanCostUSD / optimal.meanCostUSD
            }
            if let hindsight = rows.first(where: { $0.policy == Evaluation.hindsightName && $0.sloSeconds == rows[k].sloSeconds }),
                hindsight.meanCostUSD > 0
            {
                rows[k].costVsHindsight = rows[k].meanCostUSD / hindsight.meanCostUSD
            }
        }
        self.rows = rows
        let target = (settings.percentile ?? 99) / 100
        self.stepconfSavingVsStatic = slos.compactMap { slo in
            guard let mine = rows.first(where: { $0.policy == "stepconf" && $0.sloSeconds == slo }),
                let base = rows.first(where: { $0.policy == "static" && $0.sloSeconds == slo }),
                mine.sloAttainment >= target - 1e-12, base.sloAttainment >= target - 1e-12, base.meanCostUSD > 0
            else { return nil }
            return Saving(sloFactor: mine.sloFactor, sloSeconds: slo, saving: 1 - mine.meanCostUSD / base.meanCostUSD)
        }
        var summary: [String: Summary] = [:]
        let curves = frontier.isEmpty ? rows : frontier
        let nono = curves.filter { $0.policy == "nono" }
        for name in policies {
            let mine = rows.filter { $0.policy == name }
            let cellsOfPolicy = cells.filter { $0.policy == name }
            let all = cellsOfPolicy.flatMap(\.durations).sorted()
            let within = zip(cellsOfPolicy.flatMap(\.durations), cellsOfPolicy.flatMap { c in c.durations.map { _ in c.sloSeconds } })
                .filter { $0.0 <= $0.1 }.count
            let fromTight = mine.filter { $0.sloFactor >= 1.2 - 1e-9 }.map(\.sloAttainment)
            let (saving, speedup) = Self.versusNono(curves.filter { $0.policy == name }, nono)
            let hindsightRows = rows.filter { $0.policy == Evaluation.hindsightName && $0.sloFactor >= 1.2 - 1e-9 }
            let pooled = mine.filter { $0.sloFactor >= 1.2 - 1e-9 }
            let hindsightCost = hindsightRows.filter { h in pooled.contains { $0.sloSeconds == h.sloSeconds } }
                .reduce(0) { $0 + $1.meanCostUSD }
            summary[name] = Summary(
                sloAttainment: Double(within) / Double(max(all.count, 1)), minAttainmentFrom1_2x: fromTight.min(),
                meanCostUSD: cellsOfPolicy.flatMap(\.costs).reduce(0, +) / Double(max(all.count, 1)),
                p95Seconds: Self.percentile(all, 0.95), costSavingVsNono: saving, speedupVsNono: speedup,
                costVsOptimal: mine.compactMap(\.costVsOptimal).max(),
                costVsHindsightFrom1_2x: hindsightCost > 0 ? pooled.reduce(0) { $0 + $1.meanCostUSD } / hindsightCost : nil)
        }
        self.summary = summary
    }

    static func rows(_ cells: [Evaluation.Cell], fastest: Double) -> [Row] {
        var rows: [Row] = []
        for cell in cells {
            let n = Double(cell.durations.count)
            let sorted = cell.durations.sorted()
            let meanCost = cell.costs.reduce(0, +) / n
            let variance = cell.costs.reduce(0) { $0 + ($1 - meanCost) * ($1 - meanCost) } / max(n - 1, 1)
            var row = Row(
                sloSeconds: cell.sloSeconds, sloFactor: cell.sloSeconds / fastest, policy: cell.policy,
                sloAttainment: Double(cell.durations.filter { $0 <= cell.sloSeconds }.count) / n,
                predictedAttainment: cell.predictedAttainment,
                meanSeconds: cell.durations.reduce(0, +) / n, p50Seconds: Self.percentile(sorted, 0.50),
                p95Seconds: Self.percentile(sorted, 0.95), p99Seconds: Self.percentile(sorted, 0.99),
                meanCostUSD: meanCost, costStdUSD: variance.squareRoot(), costVsOptimal: nil, costVsHindsight: nil,
                fallbackStepsPerRequest: Double(cell.fallbacks) / n, coldStartsPerRequest: Double(cell.coldStarts) / n,
                decidedAheadPerRequest: Double(cell.decidedAhead) / n)
            row.warmUpsPerRequest = Double(cell.warmUps) / n
            row.warmUpCostUSD = cell.warmUpUSD / n
            row.configuratorsPerRequest = Double(cell.configured) / n
            if !cell.expressCosts.isEmpty { row.meanCostExpressUSD = cell.expressCosts.reduce(0, +) / n }
            row.bySize = SizeBand.bands(cell)
            rows.append(row)
        }
        return rows
    }

    /// Fig. 18 against `nono`: for each of nono's (mean duration, mean cost) points, the policy's cheapest
    /// point that is at least as fast gives the cost saving, and its fastest point that costs no more gives
    /// the speed-up; the largest of each over nono's points is reported ("up to", as the paper does).
    static func versusNono(_ mine: [Row], _ nono: [Row]) -> (Double?, Double?) {
        var saving: Double?
        var speedup: Double?
        for base in nono {
            if let cheaper = mine.filter({ $0.meanSeconds <= base.meanSeconds }).map(\.meanCostUSD).min(), base.meanCostUSD > 0 {
                saving = max(saving ?? -.infinity, 1 - cheaper / base.meanCostUSD)
            }
            if let faster = mine.filter({ $0.meanCostUSD <= base.meanCostUSD }).map(\.meanSeconds).min(), faster > 0 {
                speedup = max(speedup ?? 0, base.meanSeconds / faster)
            }
        }
        return (saving, speedup)
    }

    /// Linear-interpolated percentile of sorted values.
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let position = q * Double(sorted.count - 1)
        let low = Int(position)
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}
