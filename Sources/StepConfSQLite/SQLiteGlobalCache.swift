import CSQLite
import FoundationEssentials
import Glibc
import StepConfCore
import Synchronization

/// The embedded ``GlobalCache``: one SQLite file that every configurator process on the machine shares.
///
/// WAL journaling lets readers run beside a writer; every read-merge-write runs in a `BEGIN IMMEDIATE`
/// transaction, which takes the write lock first, so two configurators that race on the same entry both
/// land (earlier deadline kept, members unioned) instead of one overwriting the other. A busy lock is
/// waited for up to `busyTimeoutMs`.
public final class SQLiteGlobalCache: GlobalCache {
    /// A database that could not be opened or used, with SQLite's message.
    public struct CacheError: CodedError {
        public enum Code: Sendable, Hashable {
            /// The database file cannot be opened or created.
            case open
            /// A statement failed (locked past the busy timeout, disk full, a damaged file).
            case statement
            /// A stored value cannot be decoded.
            case unreadableEntry
        }

        public let code: Code
        public let message: String

        public init(_ code: Code, _ message: String) {
            self.code = code
            self.message = message
        }
    }

    /// `sqlite3 *` is a C pointer with no Sendable conformance; every use is inside `connection`'s lock.
    private struct Handle: @unchecked Sendable { let db: OpaquePointer }

    private let connection: Mutex<Handle>
    /// Entries older than this are dropped when a cache is opened, seconds.
    public let timeToLiveSeconds: Double
    /// How long a statement waits for a busy database, milliseconds.
    let busyTimeoutMs: Int32

    /// Opens (creating if needed) the database at `path`.
    /// - Throws: ``CacheError``.
    public init(path: String, busyTimeoutMs: Int32 = 10_000, timeToLiveSeconds: Double = 86_400) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        guard sqlite3_open_v2(path, &db, flags, nil) == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw CacheError(.open, "\(path): cannot open the cache database: \(message)")
        }
        sqlite3_busy_timeout(db, busyTimeoutMs)
        self.busyTimeoutMs = busyTimeoutMs
        self.connection = Mutex(Handle(db: db))
        self.timeToLiveSeconds = timeToLiveSeconds
        do {
            try execute("PRAGMA journal_mode=WAL")
        } catch let error as CacheError {
            // The first statement is where a file that is not a database shows: say which file.
            throw CacheError(error.code, "\(path): \(error.message.replacing("cache database: ", with: "not a usable cache database: "))")
        }
        // A commit in WAL mode with synchronous=NORMAL does not wait for fsync (milliseconds on a VM disk, paid
        // before every step); a crash can lose the last writes of a cache, never corrupt it.
        try execute("PRAGMA synchronous=NORMAL")
        try execute("""
            CREATE TABLE IF NOT EXISTS scopes (
              execution TEXT NOT NULL, step TEXT NOT NULL, deadline REAL NOT NULL, members TEXT NOT NULL,
              written REAL NOT NULL, PRIMARY KEY (execution, step));
            DROP TABLE IF EXISTS uses;
            CREATE TABLE IF NOT EXISTS function_uses (function TEXT PRIMARY KEY, uses TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS plans (execution TEXT PRIMARY KEY, plan TEXT NOT NULL, written REAL NOT NULL);
            """)
        let expired = Date().timeIntervalSince1970 - timeToLiveSeconds
        try execute("DELETE FROM scopes WHERE written < \(expired); DELETE FROM plans WHERE written < \(expired)")
    }

    deinit { connection.withLock { _ = sqlite3_close_v2($0.db) } }

    public func scope(execution: String, step: String) throws -> CachedScope? {
        try connection.withLock { handle in
            let rows = try query(
                handle.db, "SELECT deadline, members FROM scopes WHERE execution = ?1 AND step = ?2", [execution, step])
            guard let row = rows.first, let deadline = row[0] as? Double, let members = row[1] as? String else { return nil }
            return CachedScope(deadline: deadline, members: members.split(separator: "\n").map(String.init))
        }
    }

    public func store(execution: String, scopes: [String: CachedScope]) throws {
        try transaction { db in
            for (step, scope) in scopes.sorted(by: { $0.key < $1.key }) {
                let rows = try query(db, "SELECT deadline, members FROM scopes WHERE execution = ?1 AND step = ?2", [execution, step])
                var merged = scope
                if let row = rows.first, let deadline = row[0] as? Double, let members = row[1] as? String {
                    merged = CachedScope(deadline: deadline, members: members.split(separator: "\n").map(String.init))
                        .merged(with: scope)
                }
                _ = try query(
                    db, "INSERT OR REPLACE INTO scopes (execution, step, deadline, members, written) VALUES (?1, ?2, ?3, ?4, ?5)",
                    [execution, step, merged.deadline, merged.members.joined(separator: "\n"), Date().timeIntervalSince1970])
            }
        }
    }

    public func uses(function: String) throws -> FunctionUses? {
        let text = try connection.withLock { handle in
            try query(handle.db, "SELECT uses FROM function_uses WHERE function = ?1", [function]).first?[0] as? String
        }
        return try text.map { try Self.decodeUses($0, function: function) }
    }

    public func recordUse(function: String, until time: Double, instances: Int) throws {
        try transaction { db in
            let stored = try query(db, "SELECT uses FROM function_uses WHERE function = ?1", [function]).first?[0] as? String
            let merged = (try stored.map { try Self.decodeUses($0, function: function) } ?? FunctionUses())
                .recording(until: time, instances: instances)
            _ = try query(
                db, "INSERT OR REPLACE INTO function_uses (function, uses) VALUES (?1, ?2)",
                [function, String(decoding: try JSONEncoder().encode(merged), as: UTF8.self)])
        }
    }

    private static func decodeUses(_ text: String, function: String) throws -> FunctionUses {
        do {
            return try JSONDecoder().decode(FunctionUses.self, from: Data(text.utf8))
        } catch {
            throw CacheError(.unreadableEntry, "the uses stored for function \(function) are unreadable: \(error)")
        }
    }

    public func plan(execution: String) throws -> CachedPlan? {
        let text = try connection.withLock { handle in
            try query(handle.db, "SELECT plan FROM plans WHERE execution = ?1", [execution]).first?[0] as? String
        }
        guard let text else { return nil }
        do {
            return try JSONDecoder().decode(CachedPlan.self, from: Data(text.utf8))
        } catch {
            throw CacheError(.unreadableEntry, "the plan stored for execution \(execution) is unreadable: \(error)")
        }
    }

    public func storePlan(execution: String, _ plan: CachedPlan) throws {
        let text = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        try connection.withLock { handle in
            _ = try query(
                handle.db, "INSERT OR REPLACE INTO plans (execution, plan, written) VALUES (?1, ?2, ?3)",
                [execution, text, Date().timeIntervalSince1970])
        }
    }

    /// Every scope stored for `execution`, by entry step (for inspection).
    public func scopes(execution: String) throws -> [String: CachedScope] {
        try connection.withLock { handle in
            var result: [String: CachedScope] = [:]
            for row in try query(handle.db, "SELECT step, deadline, members FROM scopes WHERE execution = ?1", [execution]) {
                if let step = row[0] as? String, let deadline = row[1] as? Double, let members = row[2] as? String {
                    result[step] = CachedScope(deadline: deadline, members: members.split(separator: "\n").map(String.init))
                }
            }
            return result
        }
    }

    /// Runs `sql`. A statement that finds the database busy is tried again until `busyTimeoutMs` has passed: SQLite
    /// does not call its busy handler for every lock (switching to WAL, or opening one another connection is
    /// recovering, answers busy at once), and several functions open one cache at the same time.
    private func execute(_ sql: String) throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(busyTimeoutMs))
        while true {
            let (code, text) = connection.withLock { handle -> (Int32, String?) in
                var message: UnsafeMutablePointer<CChar>?
                let code = sqlite3_exec(handle.db, sql, nil, nil, &message)
                defer { sqlite3_free(message) }
                return code == SQLITE_OK ? (code, nil) : (code & 0xff, message.map { String(cString: $0) } ?? "unknown error")
            }
            guard let text else { return }
            guard code == SQLITE_BUSY || code == SQLITE_LOCKED, ContinuousClock.now < deadline else {
                throw CacheError(.statement, "cache database: \(text)")
            }
            usleep(5_000)
        }
    }

    private func transaction(_ body: (OpaquePointer) throws -> Void) throws {
        try connection.withLock { handle in
            _ = try query(handle.db, "BEGIN IMMEDIATE", [])
            do {
                try body(handle.db)
                _ = try query(handle.db, "COMMIT", [])
            } catch {
                _ = try? query(handle.db, "ROLLBACK", [])
                throw error
            }
        }
    }

    /// Runs one statement with bound text and real parameters; returns its rows.
    private func query(_ db: OpaquePointer, _ sql: String, _ parameters: [Any]) throws -> [[Any?]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw CacheError(.statement, "cache database: \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(statement) }
        let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
        for (index, value) in parameters.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case let text as String: sqlite3_bind_text(statement, position, text, -1, transient)
            case let number as Double: sqlite3_bind_double(statement, position, number)
            default: sqlite3_bind_null(statement, position)
            }
        }
        var rows: [[Any?]] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { return rows }
            guard step == SQLITE_ROW else {
                throw CacheError(.statement, "cache database: \(String(cString: sqlite3_errmsg(db)))")
            }
            rows.append((0..<sqlite3_column_count(statement)).map { column -> Any? in
                switch sqlite3_column_type(statement, column) {
                case SQLITE_FLOAT, SQLITE_INTEGER: return sqlite3_column_double(statement, column)
                case SQLITE_TEXT: return String(cString: sqlite3_column_text(statement, column))
                default: return nil
                }
            })
        }
    }
}
