import FoundationEssentials
import Glibc

/// Runs a workflow on predicted times: every step starts when its predecessors finish and is decided by
/// the policy at that moment, as a dynamic policy would decide it at run time if predictions held.
///
/// Every policy is charged the same: each step its predicted time on the chosen option (with the
/// configurator for dynamic policies, in their options) plus a cold start where its function is cold when the
/// step starts, by the replay's own global cache (fresh unless given). What a decision assumed and what the
/// replay charged are compared step by step (``Result/mismatches``).
public enum Replay {
    /// A step whose decision assumed a time other than the one the replay charged it.
    public struct Mismatch: Sendable, Hashable, Codable {
        /// The step's id.
        public var id: String
        /// What the decision assumed the step would take, seconds.
        public var assumedSeconds: Double
        /// What the replay charged it, seconds.
        public var chargedSeconds: Double

        enum CodingKeys: String, CodingKey {
            case id
            case assumedSeconds = "assumed_s"
            case chargedSeconds = "charged_s"
        }
    }

    /// A replayed execution; times in seconds from the execution start.
    public struct Result: Sendable {
        /// Decisions by step index.
        public var decisions: [StepDecision]
        /// When each step started (its predecessors done).
        public var start: [Double]
        /// When each step finished.
        public var finish: [Double]
        /// The step ids, by graph index.
        public var ids: [String]
        /// What the replay charged each step, seconds (`finish − start`).
        public var chargedSeconds: [Double]
        /// Wall time the policy spent on each decision, seconds.
        public var decisionSeconds: [Double]
        /// Per step and option, the cold start it would have paid at the step's start (nil: the step has no
        /// measured cold-start cost). A static planner reads from it which functions its plan leaves warm.
        public var coldPenalties: [[Double]?]
        /// Whether each step ran on a decision made ahead (``AheadDecision``): charged its time without the
        /// configurator's latency its decision counted.
        public var decidedAhead: [Bool]
        /// The configurator's latency a decision made ahead did not wait for, seconds.
        public var aheadSavingSeconds: Double
        /// What each step waited for that its decision does not count, seconds: a deployed static plan's configurator,
        /// before the first step (``PolicyRun/plannedOnce(_:)``); included in ``chargedSeconds``.
        public var waitedSeconds: [Double] = []
        /// The steps whose decision assumed another time than the replay charged (relative difference above
        /// 1e-9), by step index. Empty when every policy's assumptions hold on predicted times.
        public var mismatches: [Mismatch] {
            decisions.indices.compactMap { v in
                let assumed = decisions[v].seconds - (decidedAhead[v] ? aheadSavingSeconds : 0)
                let charged = chargedSeconds[v] - (waitedSeconds.isEmpty ? 0 : waitedSeconds[v])
                guard abs(assumed - charged) > 1e-9 * max(1, abs(charged)) else { return nil }
                return Mismatch(id: ids[v], assumedSeconds: assumed, chargedSeconds: charged)
            }
        }
        /// When the last step finished.
        public var makespanSeconds: Double { finish.max() ?? 0 }
        /// Sum of the steps' predicted costs, USD.
        public var costUSD: Double { decisions.reduce(0) { $0 + $1.costUSD } + extraUSD.reduce(0, +) }
        /// What each step paid beyond its decision's cost, USD: a deployed static plan's configurator at its first step
        /// and its `Check`'s transition at every later one (``PolicyRun/plannedOnce(_:)``); empty for other runs.
        public var extraUSD: [Double] = []
    }

    /// Replays `policy` for one execution with SLO `sloSeconds`.
    ///
    /// A static policy decides every step up front (that one call is its decision time); a dynamic one is
    /// asked at each step's start, in order of start time (``WorkflowDriver``). `prepared`: the run already made for
    /// `policy` and `sloSeconds`, where the caller has it.
    /// - Throws: what the policy throws.
    public static func run(
        policy: any StepPolicy, sloSeconds: Double, cache: (any GlobalCache)? = nil, execution: String = "plan",
        prepared: PolicyRun? = nil
    ) throws -> Result {
        let clock = ContinuousClock()
        let planStart = clock.now
        let run = try prepared ?? PolicyRun.prepare(policy, sloSeconds: sloSeconds)
        let planSeconds = (clock.now - planStart).seconds
        var executor = PredictedExecutor(
            run: run, space: policy.space, sloSeconds: sloSeconds, cache: cache ?? InMemoryGlobalCache(), execution: execution)
        let latency = policy.space.includesConfigurator ? policy.space.platform.configurator.seconds : 0
        let walk = try WorkflowDriver(graph: policy.space.graph).run(&executor)
        var decisions: [StepDecision] = []
        var charged: [Double] = []
        var decisionSeconds: [Double] = []
        var penalties: [[Double]?] = []
        var ahead: [Bool] = []
        var waited: [Double] = []
        var extra: [Double] = []
        for outcome in walk.outcomes {
            guard let outcome else { throw InputError(.malformed, "internal: the replay left a step undecided") }
            decisions.append(outcome.decision)
            ahead.append(outcome.ahead)
            charged.append(outcome.charged)
            decisionSeconds.append(outcome.seconds)
            penalties.append(outcome.penalties)
            waited.append(outcome.waited)
            extra.append(outcome.extraUSD)
        }
        if !run.isDynamic, !decisionSeconds.isEmpty { decisionSeconds[0] = planSeconds }
        return Result(
            decisions: decisions, start: walk.ready, finish: walk.finish, ids: policy.space.graph.ids, chargedSeconds: charged,
            decisionSeconds: decisionSeconds, coldPenalties: penalties, decidedAhead: ahead, aheadSavingSeconds: latency,
            waitedSeconds: waited, extraUSD: extra)
    }

    /// Runs each step for exactly its predicted time, decided by the policy when it starts (or by its plan); a
    /// step decided ahead does not wait for a configurator (``PolicyRun/decide(step:context:ahead:)``).
    struct PredictedExecutor: StepExecutor {
        let run: PolicyRun
        let space: ConfigurationSpace
        let sloSeconds: Double
        let cache: any GlobalCache
        let execution: String
        let clock = ContinuousClock()
        var ahead: [Int: AheadDecision] = [:]

        init(run: PolicyRun, space: ConfigurationSpace, sloSeconds: Double, cache: any GlobalCache, execution: String) {
            self.run = run
            self.space = space
            self.sloSeconds = sloSeconds
            self.cache = cache
            self.execution = execution
        }

        mutating func execute(
            _ launch: StepLaunch
        ) throws -> ExecutedStep<(decision: StepDecision, charged: Double, seconds: Double, penalties: [Double]?, ahead: Bool, waited: Double, extraUSD: Double)> {
            let v = launch.step
            // Read before the decision: a configurator records its own step's use when it decides.
            let penalties = try space.coldPenalties(step: v, now: launch.ready, cache: cache)
            let before = clock.now
            let launched = try run.decide(
                step: v, of: space.graph,
                context: DecisionContext(
                    now: launch.ready, executionStart: 0, sloSeconds: sloSeconds, execution: execution, cache: cache,
                    progress: launch.progress),
                ahead: &ahead)
            let decision = launched.decision
            let seconds = launched.configured ? (clock.now - before).seconds : 0
            var charged = space.chargedSeconds(step: v, option: decision.option, penalties: penalties)
            if launched.decidedAhead, run.isDynamic {
                // Ready when its decision assumed (times are predicted): charged the cold starts that decision read, when
                // the cache held no record of the step's own use yet, and no configurator.
                charged = decision.seconds - (space.includesConfigurator ? space.platform.configurator.seconds : 0)
            }
            // A deployed static plan's configurator runs before its first step's Map, and every later step passes its
            // Check: neither is in the plan's decisions (a dynamic policy's options count its own).
            var waited = 0.0
            var extraUSD = 0.0
            if case .plannedOnce = run {
                let configurator = space.platform.configurator
                waited = launched.configured ? configurator.seconds : 0
                extraUSD = space.platform.billing.launchUSD(
                    configuratorSeconds: launched.configured ? configurator.billedSeconds : nil, checked: launched.checked)
            }
            charged += waited
            let finish = launch.ready + charged
            if !run.isDynamic {
                try cache.recordUse(
                    function: space.functionName(step: v, memoryMB: decision.configuration.memoryMB), until: finish,
                    instances: decision.configuration.inter)
            }
            return ExecutedStep(
                finish: finish, expectedFinish: finish, outcome: (decision, charged, seconds, penalties, launched.decidedAhead, waited, extraUSD))
        }
    }
}

extension Duration {
    /// The duration in seconds.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
