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
}

/// A configuration policy: static ones fix every step before the run, dynamic ones decide each step
/// when it starts.
public protocol StepPolicy: Sendable {
    /// The policy's name.
    var name: PolicyName { get }
    /// The options the policy chooses from (with the configurator's cost for dynamic policies).
    var space: ConfigurationSpace { get }
    /// For a static policy, every step's decision, made before the run; nil for a dynamic one.
    /// - Throws: what the cache throws.
    func planAhead(sloSeconds: Double) throws -> [StepDecision]?
    /// Decides one step at run time (a static policy returns its planned decision).
    /// - Throws: what the cache throws.
    func decide(step: Int, context: DecisionContext) throws -> StepDecision
}
