import StepConfCore

/// The "decision error" of a model (docs/model.md): what the policies predict for the configurations they pick
/// over a sweep of SLOs, against what those configurations do in the simulator.
///
/// For each SLO (a factor of the fastest predicted makespan) and each planning policy, the plan is made
/// with the model as it stands (no safety margin, so that the prediction is the model's own), and every
/// step's pick is run in the simulator, warm (one warm-up run first), `repeats` times: the measured step
/// time is the median and the cost the mean, each against the prediction. Dynamic policies pick from the
/// same per-step options (the same model, the same choice set); their picks depend on the run, which
/// `evaluate` measures.
public struct DecisionCheck: Sendable {
    public var simulator: LambdaSimulator
    /// Runs per pick.
    public var repeats: Int
    public var seed: UInt64

    public init(simulator: LambdaSimulator, repeats: Int = 5, seed: UInt64 = 1) {
        self.simulator = simulator
        self.repeats = max(1, repeats)
        self.seed = seed
    }

    /// One policy at one SLO.
    public struct Row: Sendable, Hashable, Codable {
        public var policy: String
        public var sloSeconds: Double
        /// Picks compared (one per step).
        public var picks: Int
        /// Relative error of each pick's step time and cost.
        public var time: Estimator.ErrorStats
        public var cost: Estimator.ErrorStats
        /// The plan's makespan as predicted and as the picks' measured medians add up along the DAG.
        public var predictedMakespanSeconds: Double
        public var measuredMakespanSeconds: Double
        public var predictedCostUSD: Double
        public var measuredCostUSD: Double

        enum CodingKeys: String, CodingKey {
            case policy, picks, time, cost
            case sloSeconds = "slo_s"
            case predictedMakespanSeconds = "predicted_makespan_s"
            case measuredMakespanSeconds = "measured_makespan_s"
            case predictedCostUSD = "predicted_cost_usd"
            case measuredCostUSD = "measured_cost_usd"
        }
    }

    /// Checks `policies` at each of `sloFactors` × the fastest predicted makespan.
    /// - Throws: ``InputError`` for a step the simulator cannot run or a policy that cannot plan.
    public func run(
        graph: WorkflowGraph, model: PerformanceModel, policies: [PolicyName] = [.optimal, .static],
        sloFactors: [Double] = [1.2, 1.5, 2, 3]
    ) throws -> [Row] {
        let platform = simulator.platform
        let workloads = try (0..<graph.count).map {
            try StepWorkload(step: graph[$0], secondsPerDifficultyUnit: simulator.config.secondsPerDifficultyUnit)
        }
        let space = try ConfigurationSpace(graph: graph, model: model, platform: platform, includesConfigurator: false)
        let fastest = space.fastestMakespanSeconds
        var measured: [[Int]: (seconds: Double, costUSD: Double)] = [:]
        var pool = WarmPool(keepAliveSeconds: simulator.config.keepAliveSeconds)
        var clock = 0.0
        func measure(_ v: Int, _ theta: Configuration) -> (seconds: Double, costUSD: Double) {
            let key = [v, theta.memoryMB, theta.inter, theta.intra]
            if let known = measured[key] { return known }
            let stream = UInt64(v) << 40 | UInt64(truncatingIfNeeded: theta.memoryMB) << 16 | UInt64(truncatingIfNeeded: theta.inter) << 8
                | UInt64(truncatingIfNeeded: theta.intra & 0xFF)
            var rng = SeededRandom(seed: seed).derived(stream)
            var times: [Double] = []
            var costs: [Double] = []
            for run in 0...repeats {
                let r = simulator.run(graph[v], workload: workloads[v], configuration: theta, start: clock, pool: &pool, rng: &rng)
                clock = r.end + 1
                guard run > 0 else { continue }  // the warm-up
                times.append(r.totalSeconds)
                costs.append(r.costUSD(memoryMB: theta.memoryMB, platform: platform))
            }
            let result = (median(times), costs.reduce(0, +) / Double(costs.count))
            measured[key] = result
            return result
        }
        var rows: [Row] = []
        for name in policies {
            guard let policy = try Policies.make(name, graph: graph, model: model, platform: platform, safety: 0) as? any StaticPolicy else {
                throw InputError(.invalidParameter, "the decision check plans with static policies; `\(name)` decides at run time")
            }
            for factor in sloFactors {
                let slo = fastest * factor
                let decisions = try policy.plan(sloSeconds: slo)
                let plan = Dictionary(decisions.map { ($0.step, $0) }, uniquingKeysWith: { a, _ in a })
                var timeErrors: [Double] = []
                var costErrors: [Double] = []
                var predictedFinish = [Double](repeating: 0, count: graph.count)
                var measuredFinish = [Double](repeating: 0, count: graph.count)
                var predictedCost = 0.0
                var measuredCost = 0.0
                for v in graph.topologicalOrder {
                    guard let decision = plan[v], let stepModel = model.steps[graph.ids[v]] else { continue }
                    let actual = measure(v, decision.configuration)
                    // Measured warm, so compared with the warm prediction (a plan's own times charge the cold
                    // starts of a fresh execution).
                    let predicted = ConfigurationSpace.estimate(
                        decision.configuration, step: graph[v], model: stepModel, platform: platform
                    ).seconds
                    timeErrors.append((predicted - actual.seconds) / actual.seconds)
                    costErrors.append((decision.costUSD - actual.costUSD) / actual.costUSD)
                    predictedFinish[v] = graph.readyTime(v, finish: predictedFinish) + predicted
                    measuredFinish[v] = graph.readyTime(v, finish: measuredFinish) + actual.seconds
                    predictedCost += decision.costUSD
                    measuredCost += actual.costUSD
                }
                rows.append(Row(
                    policy: name.rawValue, sloSeconds: slo, picks: timeErrors.count, time: Estimator.ErrorStats(timeErrors),
                    cost: Estimator.ErrorStats(costErrors), predictedMakespanSeconds: predictedFinish.max() ?? 0,
                    measuredMakespanSeconds: measuredFinish.max() ?? 0, predictedCostUSD: predictedCost,
                    measuredCostUSD: measuredCost))
            }
        }
        return rows
    }
}
