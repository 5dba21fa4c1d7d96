/// What a step's configurator knows when it decides.
public struct DecisionContext: Sendable {
    /// The current time, seconds (same clock as `executionStart`).
    public var now: Double
    /// T0: when the execution started, seconds.
    public var executionStart: Double
    /// S: the end-to-end SLO, seconds.
    public var sloSeconds: Double
    /// The execution id (scopes the global cache).
    public var execution: String
    /// The global cache of Algorithm 2.
    public var cache: any GlobalCache
    /// How far every step has got, by graph index (read by `stepconf-exact`).
    public var progress: [StepProgress]
    /// When the step is ready, its functions' instances needed, seconds: `now`, except for a decision made ahead
    /// (``AheadDecision``), made for a step ready later than its own clock says.
    public var ready: Double?

    public init(
        now: Double, executionStart: Double, sloSeconds: Double, execution: String, cache: any GlobalCache,
        progress: [StepProgress]
    ) {
        self.now = now
        self.executionStart = executionStart
        self.sloSeconds = sloSeconds
        self.execution = execution
        self.cache = cache
        self.progress = progress
    }
}

/// How far one step has got in an execution. Times are on the execution's clock, seconds.
public enum StepProgress: Sendable, Hashable {
    /// Not yet configured.
    case pending
    /// Configured and running since its predecessors finished at `ready`; expected to end at `expectedFinish`.
    case running(ready: Double, expectedFinish: Double)
    /// Done: became ready at `ready`, finished at `finish`.
    case finished(ready: Double, finish: Double)

    /// When the step ended or is expected to end; nil while pending.
    public var finish: Double? {
        switch self {
        case .finished(_, let finish), .running(_, let finish): finish
        case .pending: nil
        }
    }
}

/// A configuration policy. It takes one of two roles: a ``StaticPolicy`` fixes every step before the run,
/// a ``DynamicPolicy`` decides each step when it starts (``PolicyName/isDynamic`` says which a name makes).
public protocol StepPolicy: Sendable {
    /// The policy's name.
    var name: PolicyName { get }
    /// The options the policy chooses from (with the configurator's cost for dynamic policies).
    var space: ConfigurationSpace { get }
    /// The percentile SLO the policy plans for (nil: predicted times alone).
    var chance: ChanceConstraint? { get }
}

extension StepPolicy {
    public var chance: ChanceConstraint? { nil }
}

/// A policy decided once, before the run, for the whole workflow.
public protocol StaticPolicy: StepPolicy {
    /// Every step's decision, by step index.
    /// - Throws: what the cache throws.
    func plan(sloSeconds: Double) throws -> [StepDecision]
}

extension StaticPolicy {
    /// The plan a deployed configurator makes at the execution's first step: for the SLO less that configurator's own
    /// latency, which runs before the first step (on the critical path). An SLO no longer than the latency is planned
    /// as it is (nothing meets it; the plan falls back as ``plan(sloSeconds:)`` does).
    /// - Throws: what ``plan(sloSeconds:)`` throws.
    public func deployedPlan(sloSeconds: Double) throws -> [StepDecision] {
        let latency = space.platform.configurator.seconds
        return try plan(sloSeconds: sloSeconds > latency ? sloSeconds - latency : sloSeconds)
    }
}

/// A policy decided step by step at run time, by the configurator before each step.
public protocol DynamicPolicy: StepPolicy {
    /// Decides one step when it starts.
    /// - Throws: what the cache throws.
    func decide(step: Int, context: DecisionContext) throws -> StepDecision
    /// Whether the policy decides the steps after a step ahead, when that step is decided (``AheadDecision``):
    /// only when a decision reads nothing but the time left and the global cache.
    var decidesAhead: Bool { get }
    /// Whether a run checks for a decision made ahead before asking step `v`'s configurator (a `Check` Choice on the
    /// state machine). Default: where the policy decides ahead, the steps the state machine checks
    /// (``AheadDecision/isChecked(_:in:)``).
    func checks(step v: Int) -> Bool
    /// The decisions ahead after `step` was decided (`decision`, in `context`), by step index. Default: the chains
    /// that start at `step`'s successors (``AheadDecision``).
    /// - Throws: what the policy or the cache throws.
    func decideAhead(after step: Int, decision: StepDecision, context: DecisionContext) throws -> [Int: AheadDecision]
    /// How far every step of `execution` has got when step `step` is configured at `now`, as a configurator that sees
    /// only the global cache can tell (the simulator and `plan` know it and pass it). Default: every step pending, for
    /// a policy that does not read it.
    /// - Throws: what the cache throws.
    func observedProgress(step: Int, now: Double, executionStart: Double, execution: String, cache: any GlobalCache) throws
        -> [StepProgress]
}

extension DynamicPolicy {
    public var decidesAhead: Bool { false }

    public func checks(step v: Int) -> Bool { decidesAhead && AheadDecision.isChecked(v, in: space.graph) }

    public func decideAhead(after step: Int, decision: StepDecision, context: DecisionContext) throws -> [Int: AheadDecision] {
        try decideChainsAhead(after: step, decision: decision, context: context)
    }

    public func observedProgress(
        step: Int, now: Double, executionStart: Double, execution: String, cache: any GlobalCache
    ) throws -> [StepProgress] {
        Array(repeating: .pending, count: space.graph.count)
    }
}

/// How one run consults its policy: a plan fixed before the run, a static policy's plan as it is deployed, or a
/// dynamic policy asked at each step (and a configurator's time and cost paid for it).
public enum PolicyRun: Sendable {
    /// A plan fixed before the run, with no configurator at all: the references (every step at its fastest).
    case planned([StepDecision])
    /// A static policy's plan as deployed (docs/lambda.md, "Static plans deployed"): the execution's first configurator
    /// makes it, paid at the first step (its latency and invocation), and answers every later step's θ, which that step
    /// reads through its `Check` (a Choice: one state transition).
    case plannedOnce([StepDecision])
    case perStep(any DynamicPolicy)

    /// The run of `policy` against `sloSeconds`: a static policy plans now, as its deployed configurator would
    /// (``StaticPolicy/deployedPlan(sloSeconds:)``).
    /// - Throws: what planning throws, or ``InputError`` for a policy of neither role.
    public static func prepare(_ policy: any StepPolicy, sloSeconds: Double) throws -> PolicyRun {
        switch policy {
        case let planned as any StaticPolicy:
            // A plan whose options count a configurator at every step is the best one a dynamic policy could make, a
            // reference (``Policies/bestDynamic(graph:model:platform:safety:)``); any other runs as deployed.
            if planned.space.includesConfigurator { return .planned(try planned.plan(sloSeconds: sloSeconds)) }
            return .plannedOnce(try planned.deployedPlan(sloSeconds: sloSeconds))
        case let dynamic as any DynamicPolicy: return .perStep(dynamic)
        default: throw InputError(.unknownPolicy, "internal: policy \(policy.name.rawValue) is neither static nor dynamic")
        }
    }

    /// The plan, for a run planned before its steps.
    public var plan: [StepDecision]? {
        switch self {
        case .planned(let plan), .plannedOnce(let plan): return plan
        case .perStep: return nil
        }
    }

    /// Whether a configurator decides each step (its time and cost are paid).
    public var isDynamic: Bool {
        if case .perStep = self { return true }
        return false
    }

    /// The decision for `step` at its start.
    /// - Throws: what the dynamic policy throws.
    public func decide(step: Int, context: @autoclosure () -> DecisionContext) throws -> StepDecision {
        switch self {
        case .planned(let plan), .plannedOnce(let plan): return plan[step]
        case .perStep(let policy): return try policy.decide(step: step, context: context())
        }
    }
}
