import ArgumentParser
import Foundation
import StepConfCore
import StepConfSQLite

struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Inspect or write the local (SQLite) global cache the configurators share.",
        subcommands: [CacheShow.self, CachePut.self])
}

/// `--db` and `--execution`, shared by the cache verbs.
struct CacheOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The cache database.", valueName: "file"))
    var db: String = "/tmp/stepconf-cache.sqlite"

    @Option(help: "Execution id.")
    var execution: String

    func validate() throws {
        guard !execution.isEmpty, execution.utf8.count <= 256 else {
            throw ValidationError("--execution must be a non-empty id of at most 256 bytes")
        }
    }
}

struct CacheShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print the scopes stored for one execution (JSON).",
        discussion: "Example: stepconf cache show --db /tmp/stepconf-cache.sqlite --execution exec-1")

    @OptionGroup var cache: CacheOptions

    func run() throws {
        try printJSON(try openCache(cache.db).scopes(execution: cache.execution))
    }
}

struct CachePut: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put", abstract: "Store a scope (merged like a configurator's write: earlier deadline, union of members).",
        discussion: "Example: stepconf cache put --execution e --step s02 --deadline 12.5 --members s02,s05")

    @OptionGroup var cache: CacheOptions

    @Option(help: "Entry step of the scope.")
    var step: String

    @Option(help: "Latest finish timestamp of the scope, seconds.")
    var deadline: Double

    @Option(help: ArgumentHelp("Comma-separated member step ids.", valueName: "ids"))
    var members: String

    @Option(help: "Write it this many times (a load for concurrency tests).")
    var repeats: Int = 1

    func validate() throws {
        guard deadline.isFinite else { throw ValidationError("--deadline must be a number") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        let store = try openCache(cache.db)
        let scope = CachedScope(deadline: deadline, members: members.split(separator: ",").map(String.init))
        for _ in 0..<repeats { try store.store(execution: cache.execution, scopes: [step: scope]) }
    }
}

private func openCache(_ path: String) throws -> SQLiteGlobalCache {
    try SQLiteGlobalCache(path: path)
}
