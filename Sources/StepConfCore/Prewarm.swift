/// Configuration-aware prewarming (docs/policies.md, after StepConf's TPDS'24 follow-up and Orion, OSDI'22): once a step's
/// θ is known before the step starts, the runtime starts its function's instances ahead — the planned memory size, as
/// many instances as the planned fan-out — with `Event` invocations of a warm-up payload the bootstrap answers at once,
/// timed to end just before the step's planned start. Warm-ups are billed (init and a short invocation) and counted.
///
/// It belongs to the runtime, not to one policy: a static plan knows every θ at the execution's start, a dynamic
/// policy the θ it decided ahead (``AheadDecision``). A step that starts with the execution cannot be warmed for it.
public enum Prewarm {
    /// How long before a step's planned start its warm-ups go out when its cold start is unknown, seconds.
    public static let defaultLeadSeconds = 0.5

    /// Whether a step can be warmed ahead at all: every step but the first, which starts with the execution.
    public static func canWarm(step v: Int, in graph: WorkflowGraph) -> Bool { AheadDecision.isChecked(v, in: graph) }

    /// How long before a step's planned start its warm-ups go out, seconds: twice its fitted cold start at fan-out p
    /// (a warm-up is itself a cold start, long-tailed), else ``defaultLeadSeconds``.
    public static func leadSeconds(_ coldStart: NoiseModel.ColdStart?, inter p: Int) -> Double {
        guard let coldStart else { return defaultLeadSeconds }
        let penalty = coldStart.penalty(inter: p)
        return penalty.isFinite && penalty > 0 ? 2 * penalty : defaultLeadSeconds
    }

    /// One step's warm-ups: `instances` concurrent invocations of `function` at `memoryMB`, sent at `time`.
    public struct WarmUp: Sendable, Hashable {
        public var step: Int
        public var function: String
        public var memoryMB: Int
        public var instances: Int
        /// When they go out, seconds (the execution's clock).
        public var time: Double

        public init(step: Int, function: String, memoryMB: Int, instances: Int, time: Double) {
            self.step = step
            self.function = function
            self.memoryMB = memoryMB
            self.instances = instances
            self.time = time
        }
    }

    /// The warm-ups for step `v` on option `k` planned to start at `plannedStart`, decided at `now`: sent `lead` before
    /// the planned start, and never before `now`.
    public static func warmUp(step v: Int, option k: Int, plannedStart: Double, now: Double, space: ConfigurationSpace) -> WarmUp {
        let theta = space.steps[v].configurations[k]
        let lead = leadSeconds(space.coldStart[v], inter: theta.inter)
        return WarmUp(
            step: v, function: space.functionName(step: v, memoryMB: theta.memoryMB), memoryMB: theta.memoryMB,
            instances: theta.inter, time: max(now, plannedStart - lead))
    }

    /// A static plan's warm-ups, all known at the execution's start `start`: every step but the first, timed by the
    /// plan's predicted starts (each step its decision's predicted time).
    public static func plan(_ decisions: [StepDecision], space: ConfigurationSpace, start: Double) -> [WarmUp] {
        let graph = space.graph
        let finish = graph.finishTimes(start: start) { decisions[$0].seconds }
        return (0..<graph.count).filter { canWarm(step: $0, in: graph) }.map { v in
            warmUp(step: v, option: decisions[v].option, plannedStart: graph.readyTime(v, finish: finish, start: start),
                   now: start, space: space)
        }
    }
}

extension Prewarm {
    /// What a warm-up invocation lasts once its instance is up, seconds: the bootstrap answers a warm-up at once, and
    /// Lambda bills at least a millisecond.
    public static let invocationSeconds = 0.001

    /// The warm-ups for the steps a dynamic policy decided ahead (``AheadDecision``), each timed by its planned ready
    /// time and sent no earlier than `now`; steps in `started` are left out (their instances are already taken).
    public static func ahead(
        _ ahead: [Int: AheadDecision], now: Double, space: ConfigurationSpace, started: Set<Int> = []
    ) -> [WarmUp] {
        ahead.keys.sorted().compactMap { v in
            guard !started.contains(v), canWarm(step: v, in: space.graph), let decision = ahead[v] else { return nil }
            return warmUp(step: v, option: decision.decision.option, plannedStart: decision.plannedReady, now: now, space: space)
        }
    }

    /// The warm-ups planned and not yet sent, one set per step: a later plan for a step replaces its earlier one (a
    /// re-solve that changes a step's θ warms the new function, not the old), and a step that starts takes its own
    /// off (warming it then is too late).
    public struct Schedule: Sendable {
        private var pending: [Int: WarmUp] = [:]

        public init() {}

        /// Plans `warmUps`, replacing what was pending for their steps.
        public mutating func plan(_ warmUps: [WarmUp]) {
            for warmUp in warmUps { pending[warmUp.step] = warmUp }
        }

        /// Drops what is pending for step `v`.
        public mutating func cancel(step v: Int) { pending[v] = nil }

        /// Takes the warm-ups due by `time`, in the order they go out (then by step).
        public mutating func due(by time: Double) -> [WarmUp] {
            let due = pending.values.filter { $0.time <= time }.sorted { ($0.time, $0.step) < ($1.time, $1.step) }
            for warmUp in due { pending[warmUp.step] = nil }
            return due
        }

        /// Whether nothing is pending.
        public var isEmpty: Bool { pending.isEmpty }
    }
}
