/// A policy's plan for one workflow and SLO on predicted times: what `stepconf plan` prints.
public struct Plan: Sendable, Codable {
    /// One step of the plan.
    public struct Step: Sendable, Codable {
        public var id: String
        public var memoryMB: Int
        public var inter: Int
        public var intra: Int
        /// Predicted t_i as the replay charged it, seconds (with the configurator's time for dynamic policies and
        /// a cold start where the step's function was cold).
        public var timeSeconds: Double
        /// Predicted c_i, USD (with the configurator's cost for dynamic policies).
        public var costUSD: Double
        /// Predicted start, seconds from the execution start.
        public var startSeconds: Double
        /// The sub-SLO Algorithm 2 gave the step, seconds.
        public var subSLOSeconds: Double?
        /// True when no θ met the step's budget and the fastest was taken.
        public var fallback: Bool
        /// Time spent deciding this step, µs (0 for static policies, which decide once).
        public var decisionMicroseconds: Double
        /// Whether the step was decided ahead by its predecessor's configurator (``AheadDecision``), and so waits
        /// for no configurator of its own.
        public var decidedAhead: Bool = false

        enum CodingKeys: String, CodingKey {
            case id, inter, intra, fallback
            case decidedAhead = "decided_ahead"
            case memoryMB = "memory_mb"
            case timeSeconds = "time_s"
            case costUSD = "cost_usd"
            case startSeconds = "start_s"
            case subSLOSeconds = "sub_slo_s"
            case decisionMicroseconds = "decision_us"
        }
    }

    /// Details of the exact solver's answer (`optimal`, and the first `stepconf-exact` decision).
    public struct Solver: Sendable, Codable {
        public var method: String
        public var provenOptimal: Bool
        public var lowerBoundUSD: Double?
        public var gap: Double?
        public var gridSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case method
            case provenOptimal = "proven_optimal"
            case lowerBoundUSD = "lower_bound_usd"
            case gap
            case gridSeconds = "grid_s"
        }
    }

    public var workflow: String
    public var policy: PolicyName
    public var sloSeconds: Double
    /// Whether the predicted makespan meets the SLO.
    public var feasible: Bool
    /// The percentile the policy planned for (nil: predicted times alone).
    public var percentile: Double?
    /// The plan's makespan at that percentile if kept as replayed, sampled over the whole DAG
    /// (``AttainmentEstimator``). A dynamic policy adapts at run time, so for it this is an upper estimate.
    public var makespanAtPercentileSeconds: Double?
    /// Whether the replayed plan meets the SLO at the percentile: P(makespan ≤ SLO) ≥ P.
    public var feasibleAtPercentile: Bool?
    /// P(makespan ≤ SLO) of the plan kept as replayed, sampled over the whole DAG under the traffic it was made for
    /// (``AttainmentEstimator``), a fraction.
    public var predictedAttainment: Double
    public var makespanSeconds: Double
    public var costUSD: Double
    /// Total time the policy spent deciding, µs.
    public var decisionMicroseconds: Double
    public var steps: [Step]
    public var solver: Solver?
    /// Steps whose decision assumed another time than the replay charged (empty when the policy decided on
    /// what the run charges).
    public var mismatches: [Replay.Mismatch]

    enum CodingKeys: String, CodingKey {
        case workflow, policy, feasible, steps, solver, mismatches, percentile
        case makespanAtPercentileSeconds = "makespan_at_percentile_s"
        case feasibleAtPercentile = "feasible_at_percentile"
        case predictedAttainment = "predicted_attainment"
        case sloSeconds = "slo_s"
        case makespanSeconds = "makespan_s"
        case costUSD = "cost_usd"
        case decisionMicroseconds = "decision_us"
    }

    /// Plans `policy` for `sloSeconds` by replaying the workflow on predicted times; its attainment is sampled under
    /// `traffic` (how often a request finds its functions warm) and with the runtime warming each step known ahead
    /// (`prewarm`, ``Prewarm``). `prepared`: the policy's run for this SLO where the
    /// caller already made it (a static plan is then not searched for twice).
    /// - Throws: ``InputError`` for an SLO that is not a positive number; what the policy throws.
    public static func make(
        policy: any StepPolicy, sloSeconds: Double, traffic: Traffic = .default, prewarm: Bool = false,
        prepared: PolicyRun? = nil
    ) throws -> Plan {
        guard sloSeconds.isFinite, sloSeconds > 0 else {
            throw InputError(.invalidSLO, "the SLO must be a positive number of seconds, got \(sloSeconds)")
        }
        let replay = try Replay.run(policy: policy, sloSeconds: sloSeconds, prepared: prepared)
        let graph = policy.space.graph
        let steps = (0..<graph.count).map { v in
            let d = replay.decisions[v]
            return Step(
                id: graph.ids[v], memoryMB: d.configuration.memoryMB, inter: d.configuration.inter,
                intra: d.configuration.intra, timeSeconds: replay.chargedSeconds[v],
                costUSD: d.costUSD + (replay.extraUSD.isEmpty ? 0 : replay.extraUSD[v]), startSeconds: replay.start[v],
                subSLOSeconds: d.subSLOSeconds, fallback: d.fallback,
                decisionMicroseconds: replay.decisionSeconds[v] * 1e6, decidedAhead: replay.decidedAhead[v])
        }
        let solve = replay.decisions.lazy.compactMap(\.solve).first
        let solver = solve.map {
            Solver(
                method: $0.method, provenOptimal: $0.provenOptimal,
                lowerBoundUSD: $0.lowerBoundUSD.isFinite ? $0.lowerBoundUSD : nil,
                gap: $0.lowerBoundUSD.isFinite ? $0.gap : nil, gridSeconds: $0.gridSeconds)
        }
        let makespan = replay.makespanSeconds
        let space = policy.space
        let planned = replay.plannedSteps(in: space, prewarm: prewarm)
        let warmth = AttainmentEstimator.Warmth.steady(
            planned, chance: traffic.warmChance(keepAliveSeconds: space.platform.keepAliveSeconds))
        let (predicted, atPercentile) = space.estimator.summary(
            planned, deadline: sloSeconds, level: policy.chance.map { $0.percentile / 100 }, warmth: warmth)
        return Plan(
            workflow: graph.workflow.name, policy: policy.name, sloSeconds: sloSeconds,
            feasible: makespan <= sloSeconds * (1 + 1e-12), percentile: policy.chance?.percentile,
            makespanAtPercentileSeconds: atPercentile,
            feasibleAtPercentile: policy.chance.map { predicted >= $0.percentile / 100 - 1e-12 }, predictedAttainment: predicted,
            makespanSeconds: makespan, costUSD: replay.costUSD,
            decisionMicroseconds: replay.decisionSeconds.reduce(0, +) * 1e6, steps: steps, solver: solver,
            mismatches: replay.mismatches)
    }
}
