import Foundation
import StepConfAWS
import StepConfCore
import StepConfFunctions
import StepConfLambda
import StepConfTestSupport
import Synchronization
import Testing

@Suite(.serialized) struct DynamoDBGlobalCacheTests {
    let moto: Moto
    let dynamo: DynamoDBClient

    init() throws {
        moto = try Moto.shared()
        dynamo = DynamoDBClient(configuration: try moto.configuration())
        try dynamo.createTable("stepconf-cache", ttlAttribute: DynamoDBGlobalCache.ttlAttribute)
    }

    @Test func keepsTheGlobalCacheContract() throws {
        let broken = try GlobalCacheContract.violations { DynamoDBGlobalCache(dynamo: dynamo, table: "stepconf-cache") }
        #expect(broken.isEmpty, "\(broken)")
    }

    @Test func storesAndMergesLikeTheInMemoryCache() throws {
        let cache = DynamoDBGlobalCache(dynamo: dynamo, table: "stepconf-cache")
        let reference = InMemoryGlobalCache()
        let writes: [[String: CachedScope]] = [
            ["a": CachedScope(deadline: 10, members: ["a", "b"]), "c": CachedScope(deadline: 7, members: ["c"])],
            ["a": CachedScope(deadline: 12, members: ["a", "d"])],
            ["a": CachedScope(deadline: 9.5, members: ["e"]), "c": CachedScope(deadline: 8, members: [])],
        ]
        for write in writes {
            try cache.store(execution: "e1", scopes: write)
            reference.store(execution: "e1", scopes: write)
        }
        for step in ["a", "c"] {
            let stored = try #require(try cache.scope(execution: "e1", step: step))
            let expected = try #require(reference.scope(execution: "e1", step: step))
            #expect(stored.deadline == expected.deadline)
            #expect(Set(stored.members) == Set(expected.members))
        }
        #expect(try cache.scope(execution: "e1", step: "zzz") == nil)
        #expect(try cache.scope(execution: "e2", step: "a") == nil)
        try cache.recordUse(function: "synthetic-m2048", until: 100, instances: 1)
        try cache.recordUse(function: "synthetic-m2048", until: 90, instances: 1)
        #expect(try cache.lastUse(function: "synthetic-m2048") == 100)
        #expect(try cache.lastUse(function: "never") == nil)
        let item = try #require(try dynamo.getItem(table: "stepconf-cache", key: ["pk": ["S": "scope|e1|a"]]))
        #expect(DynamoDBClient.number(in: item[DynamoDBGlobalCache.ttlAttribute])! > Date().timeIntervalSince1970)
        // A static plan: one per execution, read back as written, and it expires like the rest.
        var plan = CachedPlan([])
        plan.steps = [.init(option: 3, subSLOSeconds: 1.5, fallback: false), .init(option: 0, subSLOSeconds: nil, fallback: true)]
        #expect(try cache.plan(execution: "e1") == nil)
        try cache.storePlan(execution: "e1", plan)
        #expect(try cache.plan(execution: "e1") == plan)
        #expect(try cache.plan(execution: "e2") == nil)
        let planItem = try #require(try dynamo.getItem(table: "stepconf-cache", key: ["pk": ["S": "plan|e1"]]))
        #expect(DynamoDBClient.number(in: planItem[DynamoDBGlobalCache.ttlAttribute])! > Date().timeIntervalSince1970)
    }

    @Test func racingConfiguratorsEndWithTheEarliestDeadlineAndEveryMember() throws {
        let cache = DynamoDBGlobalCache(dynamo: dynamo, table: "stepconf-cache")
        let writers = 12
        let group = DispatchGroup()
        let failures = FailureBox()
        for w in 0..<writers {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    for round in 0..<3 {
                        try cache.store(
                            execution: "race", scopes: ["s": CachedScope(deadline: Double(100 - w - round * 20), members: ["w\(w)"])])
                        try cache.recordUse(function: "f-m1024", until: Double(w * 10 + round), instances: 1)
                    }
                } catch {
                    failures.add("\(error)")
                }
            }.start()
        }
        group.wait()
        #expect(failures.all.isEmpty)
        let scope = try #require(try cache.scope(execution: "race", step: "s"))
        #expect(scope.deadline == Double(100 - (writers - 1) - 40))
        #expect(Set(scope.members) == Set((0..<writers).map { "w\($0)" }))
        #expect(try cache.lastUse(function: "f-m1024") == Double((writers - 1) * 10 + 2))
    }

    @Test func itemsRoundTripWithTheirAttributeTypesAndExpressionsTakeNamesAndValues() throws {
        let key: JSONValue = ["pk": DynamoDBClient.string("types-\(UUID().uuidString.prefix(6))")]
        let item = key.setting("n", DynamoDBClient.number(2.5)).setting("whole", DynamoDBClient.number(1e12))
            .setting("s", DynamoDBClient.string("é/\"q\"")).setting("set", ["SS": .strings(["b", "a"])])
        try dynamo.putItem(table: "stepconf-cache", item: item)
        let read = try #require(try dynamo.getItem(table: "stepconf-cache", key: key))
        #expect(DynamoDBClient.number(in: read["n"]) == 2.5 && DynamoDBClient.number(in: read["whole"]) == 1e12)
        #expect(read["whole"]?["N"]?.stringValue == "1000000000000", "a whole number is written without a fraction")
        #expect(read["s"]?["S"]?.stringValue == "é/\"q\"")
        #expect(Set(read["set"]?["SS"]?.arrayValue?.compactMap(\.stringValue) ?? []) == ["a", "b"])
        // An update with names only, then with names and values, then a condition on what it wrote.
        #expect(try dynamo.updateItem(table: "stepconf-cache", key: key, update: "REMOVE #s", names: ["#s": "s"]))
        #expect(try dynamo.getItem(table: "stepconf-cache", key: key)?["s"] == nil)
        #expect(try dynamo.updateItem(
            table: "stepconf-cache", key: key, update: "SET #n = :v", names: ["#n": "n"], values: [":v": DynamoDBClient.number(7)]))
        #expect(try !dynamo.updateItem(
            table: "stepconf-cache", key: key, update: "SET #n = :v", condition: "#n < :v", names: ["#n": "n"],
            values: [":v": DynamoDBClient.number(7)]))
        #expect(DynamoDBClient.number(in: try dynamo.getItem(table: "stepconf-cache", key: key)?["n"]) == 7)
        #expect(try dynamo.getItem(table: "stepconf-cache", key: ["pk": DynamoDBClient.string("never-written")]) == nil)
        #expect(DynamoDBClient.number(in: DynamoDBClient.string("12")) == nil && DynamoDBClient.number(in: nil) == nil)
    }

    @Test func aConditionThatFailsIsReportedAsNotApplied() throws {
        try dynamo.putItem(table: "stepconf-cache", item: ["pk": ["S": "x"], "v": DynamoDBClient.number(1)])
        let applied = try dynamo.updateItem(
            table: "stepconf-cache", key: ["pk": ["S": "x"]], update: "SET v = :n", condition: "v > :n",
            values: [":n": DynamoDBClient.number(5)])
        #expect(!applied)
        let error = #expect(throws: AWSError.self) {
            try dynamo.putItem(table: "stepconf-cache", item: ["pk": ["S": "x"]], condition: "attribute_not_exists(pk)")
        }
        #expect(error?.awsCode == "ConditionalCheckFailedException")
        let missingTable = #expect(throws: AWSError.self) { try dynamo.getItem(table: "nope", key: ["pk": ["S": "x"]]) }
        #expect(missingTable?.code == .notFound)
    }
}

final class FailureBox: Sendable {
    private let items = Mutex<[String]>([])
    func add(_ item: String) { items.withLock { $0.append(item) } }
    var all: [String] { items.withLock { $0 } }
}

/// The configurator handler on the DynamoDB cache, chosen as on AWS by `STEPCONF_CACHE_TABLE`.
@Suite(.serialized) struct ConfiguratorOnDynamoDBTests {
    @Test func theConfiguratorKeepsItsScopesInTheTable() throws {
        let moto = try Moto.shared()
        let dynamo = DynamoDBClient(configuration: try moto.configuration())
        try dynamo.createTable("stepconf-cache-cfg", ttlAttribute: DynamoDBGlobalCache.ttlAttribute)
        let environment = LambdaEnvironment([
            "_HANDLER": "configurator", "STEPCONF_CACHE_TABLE": "stepconf-cache-cfg",
            "STEPCONF_WORKFLOW_DIR": TestPaths.root.appendingPathComponent("examples").path,
            "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_ENDPOINT_URL_DYNAMODB": moto.server.url,
        ])
        let handler = try HandlerRegistry.make(environment)
        let event = #"{"workflow": "video", "step": "extract", "execution": "exec-ddb", "slo_s": 8, "start_time": \#(Date().timeIntervalSince1970)}"#
        let context = LambdaContext(
            invocation: Invocation(requestID: "r", deadlineMs: 0, invokedFunctionARN: "arn", payload: Data()), environment: environment)
        let output = try JSONSerialization.jsonObject(with: try handler.handle(Data(event.utf8), context: context)) as? [String: Any]
        let plan = (output?["steps"] as? [String: Any])?["extract"] as? [String: Any]
        #expect((plan?["function"] as? String)?.hasPrefix("stepconf-video-extract-m") == true)
        // What Algorithm 2 wrote went to the table: scopes of this execution and the function's last use.
        let items = try dynamo.call("Scan", ["TableName": "stepconf-cache-cfg"])["Items"]?.arrayValue ?? []
        let keys = items.compactMap { $0["pk"]?["S"]?.stringValue }
        #expect(keys.contains { $0.hasPrefix("scope|exec-ddb|") }, "\(keys)")
        #expect(keys.contains { $0.hasPrefix("use|") }, "\(keys)")

        var broken = environment.variables
        broken["AWS_REGION"] = nil
        let error = #expect(throws: (any Error).self) { try HandlerRegistry.make(LambdaEnvironment(broken)) }
        #expect(String(describing: error!).contains("STEPCONF_CACHE_TABLE"))
    }
}
