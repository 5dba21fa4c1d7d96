/// Policies side by side on predicted times at SLOs that are multiples of the fastest makespan (the
/// targets): each policy's cost against `optimal`, and a dynamic policy's also against the best dynamic plan —
/// `optimal` on the dynamic options, where every step pays its configurator's time and cost.
public enum PolicyComparison {
    /// One policy at one SLO.
    public struct Row: Sendable, Codable {
        public var factor: Double
        public var sloSeconds: Double
        public var policy: String
        public var met: Bool
        public var makespanSeconds: Double
        public var costUSD: Double
        /// Cost over `optimal`'s (nil when either misses the SLO).
        public var vsOptimal: Double?
        /// Cost over the best dynamic plan's (dynamic policies; nil when either misses).
        public var vsBestDynamic: Double?
        /// What the configurators of a run cost in all, USD: every step's for a dynamic policy, the one that makes a
        /// static plan for a static policy (already in its cost, with its checks).
        public var configuratorsUSD: Double
        /// Steps whose decision assumed another time than the replay charged.
        public var mismatches: Int

        enum CodingKeys: String, CodingKey {
            case factor, policy, met, mismatches
            case sloSeconds = "slo_s"
            case makespanSeconds = "makespan_s"
            case costUSD = "cost_usd"
            case vsOptimal = "vs_optimal"
            case vsBestDynamic = "vs_best_dynamic"
            case configuratorsUSD = "configurators_usd"
        }
    }

    /// The name the best dynamic plan is reported under.
    public static let bestDynamicName = "best-dynamic"

    /// The fastest makespan the factors multiply: every step through its configurator and cold, with the
    /// planning margin (the `auto` SLO is 1.5 × it).
    public static func fastestSeconds(graph: WorkflowGraph, model: PerformanceModel, platform: Platform, safety: Double) throws -> Double {
        try Policies.autoSLOSeconds(graph: graph, model: model, platform: platform, safety: safety) / Policies.autoSLOFactor
    }

    /// Plans `policies` and the best dynamic plan at each factor × ``fastestSeconds(graph:model:platform:safety:)``.
    /// - Throws: what building or planning a policy throws.
    public static func run(
        graph: WorkflowGraph, model: PerformanceModel, platform: Platform, factors: [Double], policies: [PolicyName],
        safety: Double = Policies.defaultSafety, percentile: Double? = ChanceConstraint.defaultPercentile
    ) throws -> [Row] {
        let fastest = try fastestSeconds(graph: graph, model: model, platform: platform, safety: safety)
        let built = try policies.map {
            try Policies.make($0, graph: graph, model: model, platform: platform, safety: safety, percentile: percentile)
        }
        let bestDynamic = try Policies.bestDynamic(graph: graph, model: model, platform: platform, safety: safety)
        let configurators = Double(graph.count) * platform.billing.plannedConfiguratorUSD
        // A static plan, as deployed, pays one configurator (in its cost, with its checks: ``PolicyRun/plannedOnce(_:)``).
        let staticConfigurator = platform.billing.plannedConfiguratorUSD
        var rows: [Row] = []
        for factor in factors {
            let slo = factor * fastest
            let optimal = try Plan.make(policy: built.first { $0.name == .optimal } ?? Policies.make(
                .optimal, graph: graph, model: model, platform: platform, safety: safety), sloSeconds: slo)
            let best = try Plan.make(policy: bestDynamic, sloSeconds: slo)
            func ratio(_ plan: Plan, _ base: Plan) -> Double? {
                plan.feasible && base.feasible && base.costUSD > 0 ? plan.costUSD / base.costUSD : nil
            }
            for policy in built {
                let plan = policy.name == .optimal ? optimal : try Plan.make(policy: policy, sloSeconds: slo)
                rows.append(Row(
                    factor: factor, sloSeconds: slo, policy: policy.name.rawValue, met: plan.feasible,
                    makespanSeconds: plan.makespanSeconds, costUSD: plan.costUSD, vsOptimal: ratio(plan, optimal),
                    vsBestDynamic: policy.name.isDynamic ? ratio(plan, best) : nil,
                    configuratorsUSD: policy.name.isDynamic ? configurators : staticConfigurator, mismatches: plan.mismatches.count))
            }
            rows.append(Row(
                factor: factor, sloSeconds: slo, policy: bestDynamicName, met: best.feasible,
                makespanSeconds: best.makespanSeconds, costUSD: best.costUSD, vsOptimal: ratio(best, optimal),
                vsBestDynamic: best.feasible ? 1 : nil, configuratorsUSD: configurators, mismatches: best.mismatches.count))
        }
        return rows
    }
}
