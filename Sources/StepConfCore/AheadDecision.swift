/// A step's decision made before the step is ready, so that its configurator is off the critical path
/// (ours): the configurator of step u also decides the steps that can only follow u (one
/// predecessor each, down the chain), each as if it became ready when its predecessor is predicted to end.
///
/// The decision is used when the step is ready by its ``deadline``; then it had at least the time the
/// decision assumed, so the decision meets what it would have met then (the time left only grows — a
/// decision with more time left is never less feasible). A step ready later asks its configurator, as every
/// step did before. Where the step is ready early the decision may cost more than a fresh one would: it was
/// made with less time. The saving is the configurator's latency (and its invocation) on every step decided
/// ahead; `stepconf evaluate` reports how many were.
///
/// Only a policy whose decision reads nothing but the time left and the global cache decides ahead
/// (``DynamicPolicy/decidesAhead``): for a step whose one predecessor is still running, no other step's
/// decision writes its cache scope (Algorithm 2 writes scopes only for steps reachable from the deciding
/// one, and every path to such a step passes through that predecessor). Other configurators' records of
/// which functions run may still change before the step is ready; a decision ahead does not see them, and at
/// worst plans a cold start that turns out warm.
public struct AheadDecision: Sendable, Hashable {
    /// The decision, as the policy made it for a ready time of ``deadline``.
    public var decision: StepDecision
    /// The latest ready time at which the decision holds: when its one predecessor was predicted to end (a chain),
    /// or the latest start at which the rest of a plan still holds the SLO's percentile (`stepconf-exact`), seconds on
    /// the decision's clock.
    public var deadline: Double
    /// When the step is planned to become ready, seconds (what its warm-ups are timed by, ``Prewarm``).
    public var plannedReady: Double

    public init(decision: StepDecision, deadline: Double, plannedReady: Double? = nil) {
        self.decision = decision
        self.deadline = deadline
        self.plannedReady = plannedReady ?? deadline
    }

    /// Whether a step ready at `ready` runs on this decision: when it is ready by the deadline.
    public func holds(ready: Double) -> Bool { ready <= deadline }

    /// The steps that may be decided ahead: those with exactly one predecessor. (A step joining several
    /// branches is ready when the last one ends, which no one configurator knows.)
    public static func isChained(_ step: Int, in graph: WorkflowGraph) -> Bool { graph.predecessors[step].count == 1 }

    /// The steps the state machine checks for a decision made ahead before configuring them (a `Check` Choice): every
    /// step but the first, joins included (`stepconf-exact` plans joins ahead; other policies pass the Choice to
    /// their configurator there).
    public static func isChecked(_ step: Int, in graph: WorkflowGraph) -> Bool { !graph.predecessors[step].isEmpty }
}

extension DynamicPolicy {
    /// The decisions down the chains after `step` was decided (`decision`, in `context`): every step down the chains
    /// that start at `step`'s successors with one predecessor. Each is decided when its predecessor is predicted
    /// to end, less the configurator's latency its options count but it will not wait for: a step's Map is
    /// then planned to start at that end, and starts no later when the step is ready by it. Empty for a policy
    /// that does not decide ahead.
    /// - Throws: what the policy or the cache throws.
    public func decideChainsAhead(after step: Int, decision: StepDecision, context: DecisionContext) throws -> [Int: AheadDecision] {
        guard decidesAhead else { return [:] }
        let graph = space.graph
        let latency = space.includesConfigurator ? space.platform.configurator.seconds : 0
        var ahead: [Int: AheadDecision] = [:]
        var progress = context.progress
        // Depth first, successors in graph order: the order the configurators would decide them in. A step's
        // predicted end is when it was decided plus its predicted time (which counts a configurator).
        var pending: [(step: Int, ready: Double, end: Double)] = [(step, context.now, context.now + decision.seconds)]
        while let (u, ready, end) = pending.popLast() {
            progress[u] = .finished(ready: ready, finish: end)
            var next: [(step: Int, ready: Double, end: Double)] = []
            for v in graph.successors[u] where AheadDecision.isChained(v, in: graph) {
                var later = context
                later.now = end - latency
                later.ready = end
                later.progress = progress
                let decided = try decide(step: v, context: later)
                ahead[v] = AheadDecision(decision: decided, deadline: end)
                next.append((v, end, later.now + decided.seconds))
            }
            pending.append(contentsOf: next.reversed())
        }
        return ahead
    }
}

/// How one step was decided at its start (``PolicyRun/decide(step:context:ahead:)``).
public struct LaunchDecision: Sendable {
    /// The decision the step runs on.
    public var decision: StepDecision
    /// Whether a configurator decided it now (its time and cost are paid).
    public var configured: Bool
    /// Whether the state machine checked for a decision made ahead first (a Choice: one transition).
    public var checked: Bool
    /// Whether it runs on a decision made ahead.
    public var decidedAhead: Bool { checked && !configured }
}

extension PolicyRun {
    /// Decides `step` at its start as the state machine does: a step the policy checks (``DynamicPolicy/checks(step:)``)
    /// that an earlier configurator decided ahead runs on that decision when ready by its deadline; any other step of
    /// a dynamic policy asks its configurator, which also decides steps ahead (into `ahead`). A deployed static plan is
    /// made by the configurators of the steps with no predecessor and read by every other step's `Check`; a reference
    /// plan is read as it is.
    /// - Throws: what the policy or the cache throws.
    public func decide(
        step v: Int, of graph: WorkflowGraph, context: DecisionContext, ahead: inout [Int: AheadDecision]
    ) throws -> LaunchDecision {
        let policy: any DynamicPolicy
        switch self {
        case .planned(let plan): return LaunchDecision(decision: plan[v], configured: false, checked: false)
        case .plannedOnce(let plan):
            let checked = AheadDecision.isChecked(v, in: graph)
            return LaunchDecision(decision: plan[v], configured: !checked, checked: checked)
        case .perStep(let dynamic): policy = dynamic
        }
        let checked = policy.checks(step: v)
        if checked, let early = ahead.removeValue(forKey: v), early.holds(ready: context.now) {
            return LaunchDecision(decision: early.decision, configured: false, checked: true)
        }
        let decision = try policy.decide(step: v, context: context)
        ahead.merge(try policy.decideAhead(after: v, decision: decision, context: context)) { $1 }
        return LaunchDecision(decision: decision, configured: true, checked: checked)
    }
}
