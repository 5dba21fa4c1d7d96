import Foundation
import StepConfCore
import Synchronization

/// What every ``GlobalCache`` must do, checked against one made fresh by `make`: the contract the in-memory cache,
/// SQLite and DynamoDB all keep. Returns the broken rules (empty: it keeps them all), so that each test target can
/// run it against its own implementation with its own assertions.
public enum GlobalCacheContract {
    public static func violations(of make: () throws -> any GlobalCache) throws -> [String] {
        var broken: [String] = []
        func check(_ holds: Bool, _ rule: String) { if !holds { broken.append(rule) } }
        let cache = try make()
        let execution = "contract-\(UUID().uuidString.prefix(8))"

        check(try cache.scope(execution: execution, step: "a") == nil, "an unknown scope reads as nil")
        check(try cache.lastUse(function: "f-\(execution)") == nil, "an unknown function has no last use")
        check(try cache.plan(execution: execution) == nil, "an unknown execution has no plan")

        try cache.store(execution: execution, scopes: ["a": CachedScope(deadline: 10, members: ["a", "b"])])
        try cache.store(execution: execution, scopes: ["a": CachedScope(deadline: 12, members: ["c"])])
        let merged = try cache.scope(execution: execution, step: "a")
        check(merged?.deadline == 10, "a later deadline does not replace an earlier one")
        check(Set(merged?.members ?? []) == ["a", "b", "c"], "members are the union of every write")
        try cache.store(execution: execution, scopes: ["a": CachedScope(deadline: 7.25, members: [])])
        check(try cache.scope(execution: execution, step: "a")?.deadline == 7.25, "an earlier deadline replaces a later one")
        check(try cache.scope(execution: execution + "-other", step: "a") == nil, "scopes are per execution")
        check(try cache.scope(execution: execution, step: "b") == nil, "scopes are per entry step")

        let function = "synthetic-m2048-\(execution)"
        try cache.recordUse(function: function, until: 100, instances: 4)
        try cache.recordUse(function: function, until: 50, instances: 2)
        check(try cache.lastUse(function: function) == 100, "an earlier use does not replace a later one")
        check(try cache.uses(function: function)?.uses.count == 1, "an earlier, narrower use is stood for by a later, wider one")
        try cache.recordUse(function: function, until: 150.5, instances: 2)
        check(try cache.lastUse(function: function) == 150.5, "a later use replaces an earlier one")
        let uses = try cache.uses(function: function)
        check(uses?.idleInstances(at: 160, keepAliveSeconds: 600) == 4, "a later, narrower use keeps the wider one warm")
        check(uses?.idleInstances(at: 120, keepAliveSeconds: 600) == 2, "a use still running holds its instances")
        check(uses?.idleInstances(at: 720, keepAliveSeconds: 600) == 2, "instances past the keep-alive are cold")
        check(uses?.idleInstances(at: 800, keepAliveSeconds: 600) == 0, "every instance past the keep-alive is cold")

        let plan = CachedPlan(choice: [3, 0, 7])
        try cache.storePlan(execution: execution, plan)
        check(try cache.plan(execution: execution) == plan, "a stored plan reads back as it was")
        let replaced = CachedPlan(choice: [1, 1, 1])
        try cache.storePlan(execution: execution, replaced)
        check(try cache.plan(execution: execution) == replaced, "a plan stored again replaces the first")
        check(try cache.plan(execution: execution + "-other") == nil, "plans are per execution")

        // Many scopes in one call, as a decision stores them.
        let many = Dictionary(uniqueKeysWithValues: (0..<20).map { ("s\($0)", CachedScope(deadline: Double($0), members: ["s\($0)"])) })
        try cache.store(execution: execution, scopes: many)
        let read = try (0..<20).map { try cache.scope(execution: execution, step: "s\($0)")?.deadline }
        check(read == (0..<20).map { Double($0) }, "every scope of one call is stored")
        return broken
    }
}

extension GlobalCacheContract {
    /// The racing rule: `writers` threads storing and recording at once on caches `make` opens (one each, as
    /// configurators in separate processes do), after which the earliest deadline, every member and every writer's
    /// last use (each later and narrower than the one before) are stored. Returns the broken rules.
    public static func raceViolations(writers: Int = 6, rounds: Int = 8, of make: @escaping @Sendable () throws -> any GlobalCache) -> [String] {
        let execution = "race-\(UUID().uuidString.prefix(8))"
        let failures = FailureList()
        onThreads(writers) { k in
            do {
                let cache = try make()
                for round in 0..<rounds {
                    try cache.store(
                        execution: execution,
                        scopes: ["join": CachedScope(deadline: Double(1000 - k * rounds - round), members: ["w\(k)"])])
                    try cache.recordUse(function: "f-\(execution)", until: Double(k * rounds + round), instances: writers - k)
                }
            } catch {
                failures.add("writer \(k): \(error)")
            }
        }
        var broken = failures.all
        do {
            let cache = try make()
            let scope = try cache.scope(execution: execution, step: "join")
            if scope?.deadline != Double(1000 - (writers - 1) * rounds - (rounds - 1)) { broken.append("the earliest deadline won") }
            if Set(scope?.members ?? []) != Set((0..<writers).map { "w\($0)" }) { broken.append("every writer's member is kept") }
            let expected = (0..<writers).map { k in FunctionUses.Use(until: Double(k * rounds + rounds - 1), instances: writers - k) }
            if try cache.uses(function: "f-\(execution)")?.uses != expected { broken.append("every writer's last use is kept") }
        } catch {
            broken.append("reading back: \(error)")
        }
        return broken
    }
}

/// Failures collected from several threads.
final class FailureList: Sendable {
    private let items = Mutex<[String]>([])
    func add(_ item: String) { items.withLock { $0.append(item) } }
    var all: [String] { items.withLock { $0 } }
}
