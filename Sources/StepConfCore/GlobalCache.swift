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

/// How many instances of one function (kind and memory, e.g. `synthetic-m2048`) ran recently and until when, across
/// executions: what a configurator reads to tell whether a step of p instances finds them warm. Kept as a staircase
/// of uses, each later and narrower than the one before: a use that ends no earlier and is no narrower than an older
/// one stands for it (the instances that ran it are idle no sooner). The JSON form is `[[until_s, instances], …]`.
///
/// The count is an estimate from the configurators' own records, as the platform does not say: instances that end a
/// use stay warm for the keep-alive, and a use still running holds as many as it needs.
public struct FunctionUses: Sendable, Hashable, Codable {
    /// One use: `instances` ran until `until`, seconds.
    public struct Use: Sendable, Hashable {
        public var until: Double
        public var instances: Int

        public init(until: Double, instances: Int) {
            self.until = until
            self.instances = instances
        }
    }

    /// Uses kept at most: older ones drop first (they are the first to expire).
    public static let maxUses = 32

    /// The staircase, in the order of `until` (ascending), `instances` strictly descending.
    public private(set) var uses: [Use]

    public init() { uses = [] }

    /// The staircase of `uses` in any order (``recording(until:instances:)`` of each).
    public init(_ uses: [Use]) {
        self.init()
        for use in uses { self = recording(until: use.until, instances: use.instances) }
    }

    /// When the latest use ends, seconds; nil when none is recorded.
    public var lastUntil: Double? { uses.last?.until }

    /// The record with a use of `instances` (at least 1) until `time` added; a non-finite time changes nothing.
    public func recording(until time: Double, instances: Int) -> FunctionUses {
        guard time.isFinite else { return self }
        let n = max(1, instances)
        if uses.contains(where: { $0.until >= time && $0.instances >= n }) { return self }
        var copy = self
        copy.uses.removeAll { $0.until <= time && $0.instances <= n }
        let at = copy.uses.firstIndex { $0.until > time } ?? copy.uses.endIndex
        copy.uses.insert(Use(until: time, instances: n), at: at)
        if copy.uses.count > Self.maxUses { copy.uses.removeFirst(copy.uses.count - Self.maxUses) }
        return copy
    }

    /// Both records in one.
    public func merged(with other: FunctionUses) -> FunctionUses {
        other.uses.reduce(self) { $0.recording(until: $1.until, instances: $1.instances) }
    }

    /// Instances idle and warm at `now`: the widest use that ended within `keepAliveSeconds` (a use ending within a
    /// millisecond counts as ended: clocks in Unix seconds round), less the widest still running (its instances are
    /// busy; a step beside it needs instances of its own).
    public func idleInstances(at now: Double, keepAliveSeconds: Double) -> Int {
        var ended = 0
        var busy = 0
        for use in uses {
            if use.until > now + 1e-3 {
                busy = max(busy, use.instances)
            } else if now - use.until <= keepAliveSeconds {
                ended = max(ended, use.instances)
            }
        }
        return max(0, ended - busy)
    }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        var read: [Use] = []
        while !container.isAtEnd {
            var pair = try container.nestedUnkeyedContainer()
            let until = try pair.decode(Double.self)
            let instances = try pair.decode(Double.self)
            guard until.isFinite, instances.isFinite, instances >= 1, instances <= Double(InputBounds.maxInter), instances.rounded() == instances else {
                throw DecodingError.dataCorruptedError(
                    in: pair, debugDescription: "a use is [until_s, instances] with 1 ≤ instances ≤ \(InputBounds.maxInter)")
            }
            read.append(Use(until: until, instances: Int(instances)))
            guard read.count <= Self.maxUses * 4 else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "more than \(Self.maxUses * 4) uses")
            }
        }
        self.init(read)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for use in uses {
            var pair = container.nestedUnkeyedContainer()
            try pair.encode(use.until)
            try pair.encode(use.instances)
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
    /// The recent uses of `function` (kind and memory, e.g. `synthetic-m2048`) across executions; nil when none is
    /// recorded.
    /// - Throws: when the store cannot be read.
    func uses(function: String) throws -> FunctionUses?
    /// Records that `instances` of `function` run until `time` (``FunctionUses/recording(until:instances:)``: racing
    /// writers both land).
    /// - Throws: when the store cannot be written.
    func recordUse(function: String, until time: Double, instances: Int) throws
    /// The static plan stored for `execution`, if any.
    /// - Throws: when the store cannot be read.
    func plan(execution: String) throws -> CachedPlan?
    /// Stores the static plan of `execution` (it lives as long as the execution's scopes).
    /// - Throws: when the store cannot be written.
    func storePlan(execution: String, _ plan: CachedPlan) throws
}

extension GlobalCache {
    /// When `function`'s latest recorded use ends, seconds; nil when none is recorded.
    /// - Throws: when the store cannot be read.
    public func lastUse(function: String) throws -> Double? { try uses(function: function)?.lastUntil }
}

/// A process-local ``GlobalCache`` for planning, simulation and tests.
public final class InMemoryGlobalCache: GlobalCache {
    private struct Key: Hashable {
        var execution: String
        var step: String
    }

    private let entries = Mutex<[Key: CachedScope]>([:])
    private let functionUses = Mutex<[String: FunctionUses]>([:])
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

    public func uses(function: String) -> FunctionUses? { functionUses.withLock { $0[function] } }

    public func recordUse(function: String, until time: Double, instances: Int) {
        functionUses.withLock { $0[function] = ($0[function] ?? FunctionUses()).recording(until: time, instances: instances) }
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
