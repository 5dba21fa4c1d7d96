import Synchronization

/// A sub-graph of one execution with the timestamp by which it must finish: the `(G*, T*)` pairs of
/// Algorithm 2 (lines 11–21).
public struct CachedScope: Sendable, Hashable, Codable {
    /// Latest finish timestamp T* of the sub-graph, seconds (same clock as the execution start).
    public var deadline: Double
    /// Ids of the steps in the sub-graph.
    public var members: [String]

    public init(deadline: Double, members: [String]) {
        self.deadline = deadline
        self.members = members
    }

    /// Two writes for the same entry step keep the earlier deadline (the safer one for the SLO) and the
    /// union of the members, so the result does not depend on which configurator wrote first.
    public func merged(with other: CachedScope) -> CachedScope {
        var seen = Set(members)
        var union = members
        for m in other.members where seen.insert(m).inserted { union.append(m) }
        return CachedScope(deadline: min(deadline, other.deadline), members: union)
    }
}

/// A static policy's plan for one execution, decided by the configurator of whichever step asked first
/// and read by the others: per step (by index), the option chosen, its sub-SLO and whether it fell back.
/// A plan depends only on the workflow, its model and the SLO, so two configurators that race write the
/// same plan.
public struct CachedPlan: Sendable, Hashable, Codable {
    public struct Step: Sendable, Hashable, Codable {
        public var option: Int
        public var subSLOSeconds: Double?
        public var fallback: Bool
        /// When the step is planned to become ready, seconds (`stepconf-exact`'s plan: its warm-ups are timed by it).
        public var plannedStart: Double?
        /// The latest ready time at which the rest of the plan still holds the SLO's percentile, seconds
        /// (`stepconf-exact`'s plan: a step ready later is re-solved).
        public var latestStart: Double?
        /// For a step that had started when the plan was written (`stepconf-exact`'s plan): when it became ready and
        /// when it ended or is expected to, seconds. A configurator that sees only the global cache reads how far the
        /// execution has got from these (``ExactPolicy/observedProgress(step:now:executionStart:execution:cache:)``).
        public var ready: Double?
        public var end: Double?

        /// The latest start of a step that is never re-solved, however late it is ready (a finite number, so the
        /// plan stays JSON).
        public static let never = Double.greatestFiniteMagnitude

        public init(option: Int, subSLOSeconds: Double?, fallback: Bool, plannedStart: Double? = nil, latestStart: Double? = nil) {
            self.option = option
            self.subSLOSeconds = subSLOSeconds
            self.fallback = fallback
            self.plannedStart = plannedStart
            self.latestStart = latestStart
        }

        enum CodingKeys: String, CodingKey {
            case option, fallback
            case subSLOSeconds = "sub_slo_s"
            case plannedStart = "planned_start_s"
            case latestStart = "latest_start_s"
            case ready = "ready_s"
            case end = "end_s"
        }
    }

    public var steps: [Step]

    public init(_ decisions: [StepDecision]) {
        steps = decisions.map { Step(option: $0.option, subSLOSeconds: $0.subSLOSeconds, fallback: $0.fallback) }
    }

    /// A plan of one option per step, by step index.
    public init(choice: [Int]) {
        steps = choice.map { Step(option: $0, subSLOSeconds: nil, fallback: false) }
    }

    /// The plan's decisions over `space`; nil when it does not fit (another workflow or grid wrote it).
    public func decisions(in space: ConfigurationSpace) -> [StepDecision]? {
        guard steps.count == space.steps.count,
            zip(steps, space.steps).allSatisfy({ $0.option >= 0 && $0.option < $1.configurations.count })
        else { return nil }
        return steps.enumerated().map { v, s in
            StepDecision(step: v, option: s.option, in: space.steps[v], subSLOSeconds: s.subSLOSeconds, fallback: s.fallback)
        }
    }
}

/// The global cache shared by the configurators of one workflow (paper §IV-B): per execution, the
/// sub-graph that starts at a step and its latest finish timestamp, and a static policy's plan.
/// DynamoDB on AWS, SQLite locally.
public protocol GlobalCache: Sendable {
    /// The scope stored for the sub-graph entered at `step` in `execution`, if any.
    /// - Throws: when the store cannot be read.
    func scope(execution: String, step: String) throws -> CachedScope?
    /// Stores scopes keyed by their entry step, merging with what is there (``CachedScope/merged(with:)``).
    /// - Throws: when the store cannot be written.
    func store(execution: String, scopes: [String: CachedScope]) throws
    /// When `function` (kind and memory, e.g. `synthetic-m2048`) was last expected to finish running,
    /// across executions; nil when never recorded.
    /// - Throws: when the store cannot be read.
    func lastUse(function: String) throws -> Double?
    /// Records that `function` runs until `time`; a later time replaces an earlier one.
    /// - Throws: when the store cannot be written.
    func recordUse(function: String, until time: Double) throws
    /// The static plan stored for `execution`, if any.
    /// - Throws: when the store cannot be read.
    func plan(execution: String) throws -> CachedPlan?
    /// Stores the static plan of `execution` (it lives as long as the execution's scopes).
    /// - Throws: when the store cannot be written.
    func storePlan(execution: String, _ plan: CachedPlan) throws
}

/// A process-local ``GlobalCache`` for planning, simulation and tests.
public final class InMemoryGlobalCache: GlobalCache {
    private struct Key: Hashable {
        var execution: String
        var step: String
    }

    private let entries = Mutex<[Key: CachedScope]>([:])
    private let uses = Mutex<[String: Double]>([:])
    private let plans = Mutex<[String: CachedPlan]>([:])

    public init() {}

    public func scope(execution: String, step: String) -> CachedScope? {
        entries.withLock { $0[Key(execution: execution, step: step)] }
    }

    public func store(execution: String, scopes: [String: CachedScope]) {
        entries.withLock { table in
            for (step, scope) in scopes {
                let key = Key(execution: execution, step: step)
                table[key] = table[key].map { $0.merged(with: scope) } ?? scope
            }
        }
    }

    public func lastUse(function: String) -> Double? { uses.withLock { $0[function] } }

    public func recordUse(function: String, until time: Double) {
        uses.withLock { $0[function] = max($0[function] ?? -.infinity, time) }
    }

    public func plan(execution: String) -> CachedPlan? { plans.withLock { $0[execution] } }

    public func storePlan(execution: String, _ plan: CachedPlan) { plans.withLock { $0[execution] = plan } }

    /// Forgets every entry of `execution`.
    public func removeAll(execution: String) {
        entries.withLock { table in table = table.filter { $0.key.execution != execution } }
        plans.withLock { _ = $0.removeValue(forKey: execution) }
    }

    /// Number of stored entries (for tests).
    public var count: Int { entries.withLock { $0.count } }
}
