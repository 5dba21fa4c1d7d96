import FoundationEssentials
import Glibc
import StepConfCore

/// Algorithm 2's global cache in a DynamoDB table (string partition key `pk`), shared by every
/// configurator of a workflow. Two configurators may race; each write is one or two atomic UpdateItems, so
/// the stored result is the same whoever writes first (``CachedScope/merged(with:)``):
/// - `scope|{execution}|{step}`: `members` grows by `ADD` (a string set, a union), and `deadline` is set
///   only if it is earlier than the stored one (`ConditionExpression`);
/// - `use|{function}`: ``FunctionUses`` as JSON in `uses`, read, merged and written back only if nobody wrote in
///   between (`ConditionExpression` on the text read; a writer that lost the race reads again);
/// - `plan|{execution}`: a static policy's plan as JSON in `plan` (racing writers write the same plan).
/// Every item carries `expires_at` (epoch seconds) for DynamoDB's time to live.
public final class DynamoDBGlobalCache: GlobalCache {
    public let dynamo: DynamoDBClient
    public let table: String
    /// How long entries live, seconds.
    public let timeToLiveSeconds: Double

    public init(dynamo: DynamoDBClient, table: String, timeToLiveSeconds: Double = 86_400) {
        self.dynamo = dynamo
        self.table = table
        self.timeToLiveSeconds = timeToLiveSeconds
    }

    /// The attribute DynamoDB's time to live reads.
    public static let ttlAttribute = "expires_at"

    private var expiry: JSONValue { DynamoDBClient.number((Date().timeIntervalSince1970 + timeToLiveSeconds).rounded()) }

    private static func key(_ name: String) -> JSONValue { ["pk": DynamoDBClient.string(name)] }

    private static func scopeKey(_ execution: String, _ step: String) -> JSONValue { key("scope|\(execution)|\(step)") }

    public func scope(execution: String, step: String) throws -> CachedScope? {
        guard let item = try dynamo.getItem(table: table, key: Self.scopeKey(execution, step)),
            let deadline = DynamoDBClient.number(in: item["deadline"])
        else { return nil }
        let members = (item["members"]?["SS"]?.arrayValue ?? []).compactMap(\.stringValue).sorted()
        return CachedScope(deadline: deadline, members: members)
    }

    public func store(execution: String, scopes: [String: CachedScope]) throws {
        for (step, scope) in scopes.sorted(by: { $0.key < $1.key }) {
            let key = Self.scopeKey(execution, step)
            var values: JSONValue = [":e": expiry]
            var names = ["#x": Self.ttlAttribute]
            var update = "SET #x = :e"
            if !scope.members.isEmpty {
                values = values.setting(":m", ["SS": .strings(Array(Set(scope.members)).sorted())])
                names["#m"] = "members"
                update += " ADD #m :m"
            }
            try dynamo.updateItem(table: table, key: key, update: update, names: names, values: values)
            try dynamo.updateItem(
                table: table, key: key, update: "SET #d = :d", condition: "attribute_not_exists(#d) OR #d > :d",
                names: ["#d": "deadline"], values: [":d": DynamoDBClient.number(scope.deadline)])
        }
    }

    public func uses(function: String) throws -> FunctionUses? {
        try storedUses(function)?.uses
    }

    /// Attempts at a read-merge-write before giving up (each lost race means another configurator wrote).
    static let useWriteAttempts = 16

    public func recordUse(function: String, until time: Double, instances: Int) throws {
        for _ in 0..<Self.useWriteAttempts {
            let stored = try storedUses(function)
            let merged = (stored?.uses ?? FunctionUses()).recording(until: time, instances: instances)
            if let stored, merged == stored.uses { return }
            let text = String(decoding: try JSONEncoder().encode(merged), as: UTF8.self)
            var values: JSONValue = [":u": DynamoDBClient.string(text), ":e": expiry]
            var condition = "attribute_not_exists(#u)"
            if let stored {
                values = values.setting(":o", DynamoDBClient.string(stored.text))
                condition = "#u = :o"
            }
            let written = try dynamo.updateItem(
                table: table, key: Self.key("use|\(function)"), update: "SET #u = :u, #x = :e", condition: condition,
                names: ["#u": "uses", "#x": Self.ttlAttribute], values: values)
            if written { return }
        }
        throw AWSError(
            .invalidResponse,
            "the uses of \(function) in \(table) changed under \(Self.useWriteAttempts) writes in a row; not recorded")
    }

    /// The uses stored for `function` and the exact text they were read from (the next write's condition).
    private func storedUses(_ function: String) throws -> (uses: FunctionUses, text: String)? {
        guard let text = try dynamo.getItem(table: table, key: Self.key("use|\(function)"))?["uses"]?["S"]?.stringValue else {
            return nil
        }
        do {
            return (try JSONDecoder().decode(FunctionUses.self, from: Data(text.utf8)), text)
        } catch {
            throw AWSError(.invalidResponse, "the uses stored for \(function) in \(table) are unreadable: \(error)")
        }
    }

    public func plan(execution: String) throws -> CachedPlan? {
        let item = try dynamo.getItem(table: table, key: Self.key("plan|\(execution)"))
        guard let text = item?["plan"]?["S"]?.stringValue else { return nil }
        do {
            return try JSONDecoder().decode(CachedPlan.self, from: Data(text.utf8))
        } catch {
            throw AWSError(.invalidResponse, "the plan stored for execution \(execution) in \(table) is unreadable: \(error)")
        }
    }

    public func storePlan(execution: String, _ plan: CachedPlan) throws {
        let text = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        _ = try dynamo.updateItem(
            table: table, key: Self.key("plan|\(execution)"), update: "SET #p = :p, #x = :e",
            names: ["#p": "plan", "#x": Self.ttlAttribute], values: [":p": DynamoDBClient.string(text), ":e": expiry])
    }

}
