import Foundation
import StepConfCore
import StepConfSQLite
import StepConfTestSupport
import Testing

@Suite struct SQLiteGlobalCacheTests {
    @Test func keepsTheGlobalCacheContract() throws {
        let directory = PrivateDirectory("sqlite")
        let broken = try GlobalCacheContract.violations { try SQLiteGlobalCache(path: directory.file("cache.db")) }
        #expect(broken.isEmpty, "\(broken)")
    }

    @Test func theInMemoryCacheKeepsTheSameContract() throws {
        let broken = try GlobalCacheContract.violations { InMemoryGlobalCache() }
        #expect(broken.isEmpty, "\(broken)")
    }

    @Test func racingHandlesKeepTheContractsMergeRules() throws {
        let directory = PrivateDirectory("sqlite")
        let path = directory.file("cache.db")
        #expect(GlobalCacheContract.raceViolations { try SQLiteGlobalCache(path: path) }.isEmpty)
        let shared = InMemoryGlobalCache()
        #expect(GlobalCacheContract.raceViolations { shared }.isEmpty, "one in-memory cache shared by threads")
    }

    @Test func twoHandlesOnOneFileSeeEachOthersWrites() throws {
        let directory = PrivateDirectory("sqlite")
        let first = try SQLiteGlobalCache(path: directory.file("cache.db"))
        let second = try SQLiteGlobalCache(path: directory.file("cache.db"))
        try first.store(execution: "e", scopes: ["a": CachedScope(deadline: 5, members: ["a"])])
        try second.store(execution: "e", scopes: ["a": CachedScope(deadline: 9, members: ["b"])])
        let seen = try first.scope(execution: "e", step: "a")
        #expect(seen?.deadline == 5 && Set(seen?.members ?? []) == ["a", "b"])
        try second.recordUse(function: "f", until: 3, instances: 1)
        #expect(try first.lastUse(function: "f") == 3)
    }

    @Test func racingWritersAllLand() throws {
        let directory = PrivateDirectory("sqlite")
        let path = directory.file("cache.db")
        _ = try SQLiteGlobalCache(path: path)
        let failures = Mutex<[String]>([])
        onThreads(8) { k in
            do {
                let cache = try SQLiteGlobalCache(path: path)
                for round in 0..<10 {
                    try cache.store(
                        execution: "race", scopes: ["join": CachedScope(deadline: Double(100 - k * 10 - round), members: ["w\(k)"])])
                    try cache.recordUse(function: "f", until: Double(k * 10 + round), instances: 1)
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let cache = try SQLiteGlobalCache(path: path)
        let scope = try #require(try cache.scope(execution: "race", step: "join"))
        // The earliest deadline any writer wrote, and every writer's member.
        #expect(scope.deadline == 100 - 7 * 10 - 9)
        #expect(Set(scope.members) == Set((0..<8).map { "w\($0)" }))
        #expect(try cache.lastUse(function: "f") == 79)
    }

    @Test func aFileThatIsNotADatabaseIsAClearErrorNamingIt() throws {
        let directory = PrivateDirectory("sqlite")
        let path = try directory.write("cache.db", Data(String(repeating: "not a database ", count: 200).utf8))
        do {
            _ = try SQLiteGlobalCache(path: path)
            Issue.record("a text file opened as a cache")
        } catch let error as SQLiteGlobalCache.CacheError {
            #expect(error.message.contains(path))
        }
        // The file is left as it was.
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("not a database"))
    }

    @Test func aDirectoryThatDoesNotExistCannotHoldTheCache() throws {
        let directory = PrivateDirectory("sqlite")
        #expect(throws: SQLiteGlobalCache.CacheError.self) {
            try SQLiteGlobalCache(path: directory.file("missing/deeper/cache.db"))
        }
    }

    @Test func entriesPastTheirTimeToLiveAreDroppedWhenTheCacheOpens() throws {
        let directory = PrivateDirectory("sqlite")
        let path = directory.file("cache.db")
        let cache = try SQLiteGlobalCache(path: path, timeToLiveSeconds: 86_400)
        try cache.store(execution: "old", scopes: ["a": CachedScope(deadline: 1, members: ["a"])])
        try cache.storePlan(execution: "old", CachedPlan(choice: [1]))
        #expect(try cache.scope(execution: "old", step: "a") != nil)
        // Reopened with a time to live of nothing, everything written before now has expired.
        Thread.sleep(forTimeInterval: 0.05)
        let reopened = try SQLiteGlobalCache(path: path, timeToLiveSeconds: 0.01)
        #expect(try reopened.scope(execution: "old", step: "a") == nil)
        #expect(try reopened.plan(execution: "old") == nil)
    }
}

import Synchronization
