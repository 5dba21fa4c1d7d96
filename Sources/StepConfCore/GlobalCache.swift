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

/// The global cache shared by the configurators of one workflow (paper §IV-B): per execution, the
/// sub-graph that starts at a step and its latest finish timestamp. DynamoDB on AWS, SQLite locally.
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
}

/// A process-local ``GlobalCache`` for planning, simulation and tests.
public final class InMemoryGlobalCache: GlobalCache {
    private struct Key: Hashable {
        var execution: String
        var step: String
    }

    private let entries = Mutex<[Key: CachedScope]>([:])
    private let uses = Mutex<[String: Double]>([:])

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

    /// Forgets every entry of `execution`.
    public func removeAll(execution: String) {
        entries.withLock { table in table = table.filter { $0.key.execution != execution } }
    }

    /// Number of stored entries (for tests).
    public var count: Int { entries.withLock { $0.count } }
}
