import Foundation
import StepConfCore
import StepConfFunctions
import StepConfLambda
import StepConfSQLite
import StepConfStorage
import StepConfTestSupport
import Testing


@Suite(.serialized) struct ConfiguratorTests {
    let context = LambdaContext(
        invocation: Invocation(requestID: "r", deadlineMs: 0, invokedFunctionARN: "arn", payload: Data()),
        environment: LambdaEnvironment([:]))

    private func event(
        _ step: String, execution: String, start: Double, slo: Double, keys: [String]? = nil, percentile: Double? = nil,
        workflow: String = "synthetic16"
    ) throws -> ConfiguratorEvent {
        var object: [String: Any] = ["workflow": workflow, "step": step, "execution": execution, "slo_s": slo, "start_time": start]
        if let keys { object["input"] = ["keys": keys] }
        if let percentile { object["slo_percentile"] = percentile }
        return try JSONDecoder().decode(ConfiguratorEvent.self, from: JSONSerialization.data(withJSONObject: object))
    }

    @Test func thePlatformFileComesFromTheEnvironmentAndABadOneIsRefused() throws {
        let directory = TestPaths.root.appendingPathComponent("examples").path
        let plain = try ConfiguratorHandler.Settings(environment: LambdaEnvironment(["STEPCONF_WORKFLOW_DIR": directory]))
        #expect(plain.platform == .aws)
        var platform = Platform.aws
        platform.grid = ConfigurationGrid(memoryMB: [1024], inter: [1, 2], intra: [1])
        let file = TestPaths.scratch("platform.json")
        try JSONEncoder().encode(platform).write(to: URL(fileURLWithPath: file))
        let loaded = try ConfiguratorHandler.Settings(environment: LambdaEnvironment(["STEPCONF_WORKFLOW_DIR": directory, "STEPCONF_PLATFORM": file]))
        #expect(loaded.platform.grid.memoryMB == [1024])
        #expect(throws: InputError.self) {
            _ = try ConfiguratorHandler.Settings(environment: LambdaEnvironment(["STEPCONF_WORKFLOW_DIR": directory, "STEPCONF_PLATFORM": "missing.json"]))
        }
    }

    @Test func decisionsEqualThoseOfStepconfPlanForTheSameInputs() throws {
        let workflow = try Workflow.load(from: TestPaths.root.appendingPathComponent("examples/synthetic16.json").path)
        let model = try PerformanceModel.load(
            from: TestPaths.root.appendingPathComponent("examples/synthetic16.model.json").path, for: workflow)
        let graph = try WorkflowGraph(workflow)
        let policy = try Policies.make(.stepconf, graph: graph, model: model, platform: .aws)
        let slo = 2 * policy.space.fastestMakespanSeconds
        let plan = try Plan.make(policy: policy, sloSeconds: slo)

        let start = 1_700_000_000.0
        var clock = start
        let cache = try SQLiteGlobalCache(path: TestPaths.scratch("cache.sqlite"))
        let handler = ConfiguratorHandler(
            settings: .init(workflowDirectory: TestPaths.root.appendingPathComponent("examples").path), cache: cache,
            now: { clock })
        // Ask in the order `plan` decided, at the predicted start of each step.
        var known: [String: ConfiguratorOutput.Planned] = [:]
        var aheadSteps = 0
        for step in plan.steps.sorted(by: { ($0.startSeconds, graph.topologicalOrder.firstIndex(of: graph.index[$0.id]!)!) < ($1.startSeconds, graph.topologicalOrder.firstIndex(of: graph.index[$1.id]!)!) }) {
            // A step the plan ran on a decision made ahead is not asked: it runs on its predecessor's answer.
            if step.decidedAhead {
                let early = try #require(known[step.id], "\(step.id) was decided ahead")
                #expect(early.memoryMB == step.memoryMB && early.inter == step.inter && early.intra == step.intra, "\(step.id)")
                #expect(try #require(early.deadlineSeconds) >= start + step.startSeconds - 1e-6)
                aheadSteps += 1
                continue
            }
            clock = start + step.startSeconds
            let out = try handler.handle(try event(step.id, execution: "e1", start: start, slo: slo), context: context)
            let own = try #require(out.plan)
            #expect(own.memoryMB == step.memoryMB && own.inter == step.inter && own.intra == step.intra, "\(step.id)")
            #expect(own.function == "stepconf-synthetic-m\(step.memoryMB)")
            #expect(own.items.count == step.inter)
            #expect(own.items.last?.jobEnd == graph[graph.index[step.id]!].jobs)
            known.merge(out.steps) { $1 }
        }
        #expect(aheadSteps > 0)
    }

    /// The deployed configurator runs stepconf-exact from the global cache alone: asked at each step's start as the
    /// state machine asks it (steps ready by their latest start run on the plan an earlier answer carried), it makes
    /// the decisions `stepconf plan`'s replay makes, which knows every step's progress.
    @Test(arguments: ["synthetic16", "fanout4", "video"])
    func stepconfExactInTheConfiguratorDecidesAsThePlansReplay(name: String) throws {
        let examples = TestPaths.root.appendingPathComponent("examples").path
        let workflow = try Workflow.load(from: examples + "/\(name).json")
        let model = try PerformanceModel.load(from: examples + "/\(name).model.json", for: workflow)
        let graph = try WorkflowGraph(workflow)
        let policy = try Policies.make(.stepconfExact, graph: graph, model: model, platform: .aws)
        let order = Dictionary(uniqueKeysWithValues: graph.topologicalOrder.enumerated().map { ($1, $0) })
        for factor in [1.2, 1.6, 2.5] {
            let slo = factor * policy.space.fastestMakespanSeconds
            let plan = try Plan.make(policy: policy, sloSeconds: slo)
            let start = 1_700_000_000.0
            var clock = start
            let handler = ConfiguratorHandler(
                settings: .init(workflowDirectory: examples, policy: .stepconfExact),
                cache: try SQLiteGlobalCache(path: TestPaths.scratch("exact.sqlite")), now: { clock })
            var known: [String: ConfiguratorOutput.Planned] = [:]
            var configured = 0
            for step in plan.steps.sorted(by: { ($0.startSeconds, order[graph.index[$0.id]!]!) < ($1.startSeconds, order[graph.index[$1.id]!]!) }) {
                let what = "\(name) at \(factor) × F, step \(step.id)"
                if step.decidedAhead {
                    let early = try #require(known[step.id], "\(what) was decided ahead")
                    #expect(early.memoryMB == step.memoryMB && early.inter == step.inter && early.intra == step.intra, "\(what)")
                    #expect(try #require(early.deadlineSeconds) >= start + step.startSeconds - 1e-6, "\(what)")
                    continue
                }
                clock = start + step.startSeconds
                let out = try handler.handle(
                    try event(step.id, execution: "e-\(factor)", start: start, slo: slo, workflow: name), context: context)
                let own = try #require(out.plan)
                #expect(own.memoryMB == step.memoryMB && own.inter == step.inter && own.intra == step.intra, "\(what)")
                #expect(out.decision.fallback == step.fallback, "\(what)")
                known.merge(out.steps) { $1 }
                configured += 1
            }
            // One plan with recourse: on predicted times the first answer carries every later step.
            #expect(configured == 1, "\(name) at \(factor) × F: \(configured) configurator calls")
        }
    }

    @Test func theEventsPercentileSetsTheMarginAndAnInvalidOneIsRefused() throws {
        let start = 1_700_000_000.0
        let cache = try SQLiteGlobalCache(path: TestPaths.scratch("cache.sqlite"))
        let handler = ConfiguratorHandler(
            settings: .init(workflowDirectory: TestPaths.root.appendingPathComponent("examples").path), cache: cache,
            now: { start })
        // A looser percentile leaves the first step more of the time left: it can only be cheaper.
        let strict = try handler.handle(try event("s01", execution: "a", start: start, slo: 8, percentile: 99.9), context: context)
        let loose = try handler.handle(try event("s01", execution: "b", start: start, slo: 8, percentile: 50), context: context)
        #expect(try #require(loose.decision.subSLOSeconds) > (try #require(strict.decision.subSLOSeconds)))
        #expect(loose.decision.predictedCostUSD <= strict.decision.predictedCostUSD)
        for bad in [0.0, 100, 120] {
            #expect(throws: InputError.self) {
                try handler.handle(try event("s01", execution: "c", start: start, slo: 8, percentile: bad), context: context)
            }
        }
    }

    @Test func aStaticPlanIsDecidedOncePerExecutionAndKeptInTheGlobalCache() throws {
        let examples = TestPaths.root.appendingPathComponent("examples").path
        let workflow = try Workflow.load(from: examples + "/synthetic16.json")
        let model = try PerformanceModel.load(from: examples + "/synthetic16.model.json", for: workflow)
        let graph = try WorkflowGraph(workflow)
        let policy = try Policies.make(.static, graph: graph, model: model, platform: .aws)
        let slo = 2 * policy.space.fastestMakespanSeconds
        let expected = try Plan.make(policy: policy, sloSeconds: slo)
        let path = TestPaths.scratch("static.sqlite")
        let handler = ConfiguratorHandler(
            settings: .init(workflowDirectory: examples, policy: .static), cache: try SQLiteGlobalCache(path: path))
        #expect(try SQLiteGlobalCache(path: path).plan(execution: "e1") == nil)
        let first = try handler.handle(try event(graph.ids[graph.start], execution: "e1", start: 0, slo: slo), context: context)
        // The plan is in the shared cache now, for any configurator of the execution to read.
        let stored = try #require(try SQLiteGlobalCache(path: path).plan(execution: "e1"))
        #expect(stored.steps.count == graph.count)
        #expect(first.plan?.memoryMB == expected.steps[graph.start].memoryMB)
        // Another configurator process (a fresh handler) answers every step from that plan, even when a
        // later event carried another SLO: the execution was planned once.
        let other = ConfiguratorHandler(
            settings: .init(workflowDirectory: examples, policy: .static), cache: try SQLiteGlobalCache(path: path))
        for (v, step) in expected.steps.enumerated() {
            let out = try other.handle(try event(graph.ids[v], execution: "e1", start: 0, slo: slo * 3), context: context)
            let own = try #require(out.plan)
            #expect(own.memoryMB == step.memoryMB && own.inter == step.inter && own.intra == step.intra, "\(step.id)")
        }
        // A new execution is planned for its own SLO.
        let loose = try Plan.make(policy: policy, sloSeconds: slo * 3)
        let out = try other.handle(try event(graph.ids[graph.end], execution: "e2", start: 0, slo: slo * 3), context: context)
        #expect(out.plan?.memoryMB == loose.steps[graph.end].memoryMB && out.plan?.inter == loose.steps[graph.end].inter)
    }

    @Test func inputKeysAreSplitEvenlyOverTheInstances() throws {
        let cache = try SQLiteGlobalCache(path: TestPaths.scratch("cache.sqlite"))
        let handler = ConfiguratorHandler(
            settings: .init(workflowDirectory: TestPaths.root.appendingPathComponent("examples").path), cache: cache,
            now: { 1_700_000_000 })
        let keys = (0..<10).map { "in/\($0)" }
        let out = try handler.handle(try event("s01", execution: "e2", start: 1_700_000_000, slo: 60, keys: keys), context: context)
        // Each instance takes its share of the step's input by its index and the instance count.
        let input = StepInput(keys: keys)
        let own = try #require(out.plan)
        let shares = own.items.map { input.share(instance: $0.index, of: $0.instances) }
        #expect(shares.flatMap { $0 } == keys)
        #expect(shares.map(\.count).max()! - shares.map(\.count).min()! <= 1)
        #expect(own.items.allSatisfy { $0.intra == own.intra && $0.instances == own.inter })
    }

    @Test func stepconfDecidesTheChainsAfterItsStepAheadWithDeadlinesInTheEnginesFormat() throws {
        let examples = TestPaths.root.appendingPathComponent("examples").path
        let start = 1_700_000_000.0
        let handler = ConfiguratorHandler(
            settings: .init(workflowDirectory: examples), cache: try SQLiteGlobalCache(path: TestPaths.scratch("cache.sqlite")),
            now: { start })
        let json = #"{"workflow":"synthetic16","step":"s01","execution":"e","slo_s":20,"start_time":1700000000,"entered_time":"2023-11-14T22:13:20.000Z"}"#
        let out = try handler.handle(try JSONDecoder().decode(ConfiguratorEvent.self, from: Data(json.utf8)), context: context)
        // s01's configurator decides every step that can only follow it, down each chain to the joins.
        let chained = ["s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09", "s10", "s11"]
        #expect(out.decision.decidedAhead == chained)
        #expect(Set(out.steps.keys) == Set(chained + ["s01"]))
        let own = try #require(out.steps["s01"])
        #expect(own.deadlineSeconds == nil && own.items.count == own.inter)
        // A chain's deadlines grow down the chain, each the predecessor's predicted end, written as AWS writes times.
        let s02 = try #require(out.steps["s02"]), s05 = try #require(out.steps["s05"]), s08 = try #require(out.steps["s08"])
        let d02 = try #require(s02.deadlineSeconds), d05 = try #require(s05.deadlineSeconds), d08 = try #require(s08.deadlineSeconds)
        #expect(abs(d02 - (start + out.decision.predictedSeconds)) < 1e-6)
        #expect(d02 < d05 && d05 < d08)
        let text = try #require(s02.deadline)
        #expect(text.hasPrefix("2023-11-14T22:13:2") && text.hasSuffix("Z") && text.count == "2023-11-14T22:13:20.000Z".count)
        #expect(try #require(s02.deadline) < (try #require(s05.deadline)))
        #expect(s02.items.count == s02.inter && s02.items.allSatisfy { $0.instances == s02.inter })
        // A join is decided by its own configurator.
        #expect(out.steps["s12"] == nil && out.steps["s13"] == nil)
        let planned = ConfiguratorHandler(
            settings: .init(workflowDirectory: examples, policy: .static),
            cache: try SQLiteGlobalCache(path: TestPaths.scratch("cache.sqlite")), now: { start })
        let fixed = try planned.handle(try JSONDecoder().decode(ConfiguratorEvent.self, from: Data(json.utf8)), context: context)
        // A static plan holds whatever the time: its first answer carries every later step's θ, joins included, each
        // until a year after the start, and the plan the cache keeps for the execution.
        #expect(Set(fixed.steps.keys) == Set((1...16).map { String(format: "s%02d", $0) }))
        #expect(fixed.decision.decidedAhead.count == 15 && fixed.decision.decidedAhead.contains("s13"))
        for (id, step) in fixed.steps where id != "s01" {
            #expect(step.deadlineSeconds == start + ConfiguratorHandler.staticPlanHorizonSeconds, "\(id)")
        }
        // What a later step's configurator answers from the stored plan is what the first answer carried.
        for id in ["s05", "s13"] {
            let later = json.replacingOccurrences(of: #""step":"s01""#, with: #""step":"\#(id)""#)
            let own = try planned.handle(try JSONDecoder().decode(ConfiguratorEvent.self, from: Data(later.utf8)), context: context)
            let mine = try #require(own.steps[id]), carried = try #require(fixed.steps[id])
            #expect(mine.memoryMB == carried.memoryMB && mine.inter == carried.inter && mine.intra == carried.intra, "\(id)")
        }
    }

    @Test func isoStartTimesAndBadInputAreHandled() throws {
        let json = #"{"workflow":"synthetic16","step":"s01","execution":"e","slo_s":5,"start_time":"2026-11-22T21:03:00.250Z"}"#
        let event = try JSONDecoder().decode(ConfiguratorEvent.self, from: Data(json.utf8))
        #expect(abs(event.startTime - 1_795_381_380.25) < 1e-3)
        let cache = try SQLiteGlobalCache(path: TestPaths.scratch("cache.sqlite"))
        let handler = ConfiguratorHandler(
            settings: .init(workflowDirectory: TestPaths.root.appendingPathComponent("examples").path), cache: cache)
        #expect(throws: InputError.self) {
            try handler.handle(try self.event("s99", execution: "e", start: 0, slo: 5), context: context)
        }
        #expect(throws: InputError.self) {
            try handler.handle(try self.event("s01", execution: "e", start: 0, slo: 0), context: context)
        }
        #expect(throws: (any Error).self) {
            try ConfiguratorHandler(settings: .init(workflowDirectory: "/nonexistent"), cache: cache)
                .handle(try self.event("s01", execution: "e", start: 0, slo: 5), context: context)
        }
    }
}

@Suite(.serialized) struct SQLiteGlobalCacheTests {
    @Test func mergesLikeTheInMemoryCache() throws {
        let cache = try SQLiteGlobalCache(path: TestPaths.scratch("c.sqlite"))
        try cache.store(execution: "e", scopes: ["x": CachedScope(deadline: 9, members: ["x", "y"])])
        try cache.store(execution: "e", scopes: ["x": CachedScope(deadline: 7, members: ["x", "z"])])
        #expect(try cache.scope(execution: "e", step: "x") == CachedScope(deadline: 7, members: ["x", "y", "z"]))
        #expect(try cache.scope(execution: "other", step: "x") == nil)
        try cache.recordUse(function: "k-m1024", until: 5, instances: 1)
        try cache.recordUse(function: "k-m1024", until: 3, instances: 1)
        #expect(try cache.lastUse(function: "k-m1024") == 5)
        #expect(try cache.lastUse(function: "k-m2048") == nil)
        var plan = CachedPlan([])
        plan.steps = [.init(option: 2, subSLOSeconds: nil, fallback: false)]
        try cache.storePlan(execution: "e", plan)
        #expect(try cache.plan(execution: "e") == plan)
        #expect(try cache.plan(execution: "other") == nil)
    }

    @Test func concurrentWritersFromSeveralProcessesAllLand() throws {
        let db = TestPaths.scratch("shared.sqlite")
        _ = try SQLiteGlobalCache(path: db)
        var processes: [Process] = []
        for k in 0..<6 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: TestPaths.product("stepconf"))
            p.arguments = ["cache", "put", "--db", db, "--execution", "race", "--step", "s", "--deadline", "\(100 - k)",
                           "--members", "s,w\(k)", "--repeats", "40"]
            try p.run()
            processes.append(p)
        }
        for p in processes { p.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        let scope = try #require(try SQLiteGlobalCache(path: db).scope(execution: "race", step: "s"))
        #expect(scope.deadline == 95)
        #expect(Set(scope.members) == Set(["s"] + (0..<6).map { "w\($0)" }))
    }
}

@Suite(.serialized) struct BootstrapTests {
    /// Runs `bootstrap` against the scripted Runtime API with `events`; returns what it posted.
    private func runBootstrap(
        handler: String, events: [Any], environment extra: [String: String] = [:], serverMode: String? = nil,
        executable: String = "fixture-bootstrap", logPath: String? = nil
    ) throws -> (status: Int32, posts: [[String: Any]]) {
        let eventsPath = TestPaths.scratch("events.json")
        let recordPath = TestPaths.scratch("record.json")
        try JSONSerialization.data(withJSONObject: events).write(to: URL(fileURLWithPath: eventsPath))
        let server = try PythonHelper(
            script: "fake_runtime_api.py", arguments: [eventsPath, recordPath] + (serverMode.map { [$0] } ?? []), keepStdinOpen: false)
        let port = server.port
        // The server lives until the bootstrap is done with it (it is killed by PID when released).
        defer { withExtendedLifetime(server) {} }
        let bootstrap = Process()
        // The tests' bootstrap: the shipped runtime (BootstrapMain) with the echo and sleep handlers.
        bootstrap.executableURL = URL(fileURLWithPath: TestPaths.product(executable))
        bootstrap.environment = ["AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(port)", "_HANDLER": handler].merging(extra) { $1 }
        if let logPath {
            FileManager.default.createFile(atPath: logPath, contents: nil)
            bootstrap.standardError = FileHandle(forWritingAtPath: logPath)
        } else {
            bootstrap.standardError = FileHandle.nullDevice
        }
        try bootstrap.run()
        bootstrap.waitUntilExit()
        let posts = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: recordPath)))) as? [[String: Any]] ?? []
        return (bootstrap.terminationStatus, posts)
    }

    @Test func theShippedBootstrapHasNoTestHandlers() throws {
        for handler in ["echo", "sleep", "crash"] {
            let (status, posts) = try runBootstrap(handler: handler, events: [["x": 1]], executable: "bootstrap")
            #expect(status == 1)
            #expect((posts.first?["path"] as? String)?.hasSuffix("/init/error") == true)
            #expect((posts.first?["body"] as? String)?.contains("unknown handler `\(handler)`") == true)
        }
    }

    @Test func aBadContractVariableIsAnInitErrorThatNamesIt() throws {
        let (status, posts) = try runBootstrap(
            handler: "configurator", events: [["x": 1]], environment: ["STEPCONF_SAFETY": "lots"], executable: "bootstrap")
        #expect(status == 1)
        #expect((posts.first?["path"] as? String)?.hasSuffix("/init/error") == true)
        #expect((posts.first?["body"] as? String)?.contains("STEPCONF_SAFETY must be a number") == true)
    }

    @Test func echoRespondsAndExitsWhenTheRuntimeAPIAnswers500() throws {
        let (status, posts) = try runBootstrap(handler: "echo", events: [["hello": 1], ["hello": 2]])
        #expect(status == 1)
        #expect(posts.count == 2)
        #expect((posts[0]["path"] as? String)?.hasSuffix("/response") == true)
        #expect((posts[1]["body"] as? String)?.contains("2") == true)
    }

    @Test(arguments: ["socket", "curl"])
    func bothTransportsFollowChunkedBodiesAndClosedConnections(transport: String) throws {
        let events = (0..<7).map { ["n": $0, "pad": String(repeating: "x", count: 40_000 * ($0 % 2))] as [String: Any] }
        let (status, posts) = try runBootstrap(
            handler: "echo", events: events, environment: ["STEPCONF_RUNTIME_TRANSPORT": transport], serverMode: "mixed")
        #expect(status == 1)  // the Runtime API's 500 after the last event
        #expect(posts.count == 7)
        for (i, post) in posts.enumerated() {
            #expect(post["path"] as? String == "/2018-06-01/runtime/invocation/req-\(6 - i)-\(i)/response")
            let echoed = try JSONSerialization.jsonObject(with: Data((post["body"] as? String ?? "").utf8)) as? [String: Any]
            #expect(echoed?["n"] as? Int == i)
            #expect((echoed?["pad"] as? String)?.count == 40_000 * (i % 2))
        }
    }

    @Test func anUnknownTransportOrABadEndpointStopsAtOnce() throws {
        let (status, posts) = try runBootstrap(
            handler: "echo", events: [["x": 1]], environment: ["STEPCONF_RUNTIME_TRANSPORT": "carrier-pigeon"])
        #expect(status == 1 && posts.isEmpty)
        let noPort = #expect(throws: RuntimeAPIError.self) { try HTTPRuntimeClient(endpoint: "no-port-here") }
        #expect(noPort?.code == .configuration)
        #expect(throws: RuntimeAPIError.self) { try HTTPRuntimeClient(endpoint: "127.0.0.1:99999") }
        let unreachable = try HTTPRuntimeClient(endpoint: "127.0.0.1:1/instances/x")
        let refused = #expect(throws: RuntimeAPIError.self) { try unreachable.next() }
        #expect(refused?.code == .unreachable && refused?.status == nil)
    }

    /// The bootstrap's stderr as JSON records, one per line (a line that is not a JSON object fails the test).
    private func records(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
    }

    @Test func aBadEventIsReportedOnErrorAndTheNextOneStillRuns() throws {
        let log = TestPaths.scratch("bad-event.log")
        let (_, posts) = try runBootstrap(handler: "sleep", events: [["seconds": "soon"], ["seconds": 0]], logPath: log)
        #expect((posts[0]["path"] as? String)?.hasSuffix("/error") == true)
        #expect(posts[0]["error_type"] as? String == "EventDecodingError")
        #expect((posts[1]["path"] as? String)?.hasSuffix("/response") == true)
        // Lambda's JSON log format: the failure is one ERROR record carrying the request id.
        let failed = try #require(try records(log).first { $0["message"] as? String == "the handler failed" })
        #expect(failed["level"] as? String == "ERROR")
        #expect(failed["error-type"] as? String == "EventDecodingError")
        let id = try #require(failed["requestId"] as? String)
        #expect(id.hasPrefix("req-") && failed["aws-request-id"] as? String == id)
        #expect((failed["timestamp"] as? String)?.hasSuffix("Z") == true)
    }

    /// The events that killed a step function's runtime (a conversion or an allocation on event data) get a function
    /// error naming the field, and the runtime serves the next event.
    @Test func outOfRangeStepEventsAreFunctionErrorsNotExits() throws {
        let store = TestPaths.scratch("bad-step-events-store")
        let bad: [[String: Any]] = [
            ["execution": "e", "step": "s", "job_end": 2, "params": ["worker_memory_mb": 1e308]],
            ["execution": "e", "step": "s", "job_end": 2, "params": ["worker_memory_mb": -1e308]],
            ["execution": "e", "step": "s", "job_end": 2_147_483_648],
            ["execution": "e", "step": "s", "job_end": 2, "intra": Int.max],
            ["execution": "e", "step": "s", "job_start": 5, "job_end": 2],
            ["execution": "e", "step": "s", "job_end": 2, "index": -1],
            ["execution": "e", "step": "s", "job_end": 2, "params": ["difficulty": 1e300]],
        ]
        let good: [String: Any] = ["execution": "e", "step": "s", "job_end": 2, "params": ["difficulty": 1000]]
        // The fake Runtime API closes once its events are served; every one of them was answered.
        let (_, posts) = try runBootstrap(
            handler: "synthetic", events: bad + [good],
            environment: ["STEPCONF_STORE": store, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024"], executable: "bootstrap")
        #expect(posts.count == bad.count + 1)
        for post in posts.prefix(bad.count) {
            #expect((post["path"] as? String)?.hasSuffix("/error") == true, "\(post)")
            #expect(post["error_type"] as? String == "EventDecodingError", "\(post)")
        }
        #expect((posts.last?["path"] as? String)?.hasSuffix("/response") == true, "\(posts.last ?? [:])")
    }

    @Test func theLogLevelComesFromLambdasVariable() throws {
        let log = TestPaths.scratch("fatal.log")
        _ = try runBootstrap(
            handler: "sleep", events: [["seconds": "soon"]], environment: ["AWS_LAMBDA_LOG_LEVEL": "FATAL"], logPath: log)
        #expect(try records(log).isEmpty)
        let unknown = TestPaths.scratch("unknown-level.log")
        _ = try runBootstrap(handler: "sleep", events: [], environment: ["AWS_LAMBDA_LOG_LEVEL": "LOUD"], logPath: unknown)
        #expect(try records(unknown).contains { ($0["message"] as? String)?.contains("AWS_LAMBDA_LOG_LEVEL=LOUD") == true })
    }

    @Test func anUnknownHandlerIsAnInitError() throws {
        let (status, posts) = try runBootstrap(handler: "nope", events: [["x": 1]])
        #expect(status == 1)
        #expect((posts.first?["path"] as? String)?.hasSuffix("/init/error") == true)
        #expect((posts.first?["body"] as? String)?.contains("configurator") == true)
    }

    @Test func theConfiguratorRunsFromTheBundle() throws {
        let event: [String: Any] = ["workflow": "video", "step": "extract", "execution": "x1", "slo_s": 8,
                                    "start_time": Date().timeIntervalSince1970]
        let log = TestPaths.scratch("configurator.log")
        let (_, posts) = try runBootstrap(
            handler: "configurator", events: [event],
            environment: ["STEPCONF_WORKFLOW_DIR": TestPaths.root.appendingPathComponent("examples").path,
                          "STEPCONF_CACHE_PATH": TestPaths.scratch("cache.sqlite"), "AWS_LAMBDA_LOG_LEVEL": "DEBUG"],
            logPath: log)
        let body = try #require(posts.first?["body"] as? String)
        let answer = try JSONSerialization.jsonObject(with: Data(body.utf8)) as! [String: Any]
        let output = try #require((answer["steps"] as? [String: Any])?["extract"] as? [String: Any])
        #expect((output["function"] as? String)?.hasPrefix("stepconf-video-extract-m") == true)
        #expect((output["items"] as? [Any])?.count == output["inter"] as? Int)
        let decided = try #require(try records(log).first { $0["message"] as? String == "decided" })
        #expect(decided["level"] as? String == "DEBUG" && (decided["requestId"] as? String)?.hasPrefix("req-") == true)
        #expect(decided["workflow"] as? String == "video" && decided["step"] as? String == "extract")
        #expect(decided["execution"] as? String == "x1" && decided["memory-mb"] as? String == "\(output["memory_mb"] as? Int ?? -1)")
    }

    /// An answer stays within Step Functions' state data: the steps planned ahead with the largest fan-outs are left to
    /// their own configurators, the smaller ones kept, and nothing is dropped when everything fits.
    @Test func anAnswerLeavesOutTheLargestStepsPlannedAheadWhenTheyWouldNotFit() {
        func ahead(_ v: Int, inter: Int) -> (Int, AheadDecision) {
            let decision = StepDecision(
                step: v, option: 0, configuration: Configuration(memoryMB: 1024, inter: inter, intra: 1), seconds: 1, costUSD: 0,
                subSLOSeconds: nil, fallback: false)
            return (v, AheadDecision(decision: decision, deadline: 10))
        }
        let small = Dictionary(uniqueKeysWithValues: [ahead(1, inter: 32), ahead(2, inter: 8)])
        #expect(ConfiguratorHandler.withinStateData(small, own: 32).keys.sorted() == [1, 2])
        let large = Dictionary(uniqueKeysWithValues: [ahead(1, inter: 1_000), ahead(2, inter: 400), ahead(3, inter: 10), ahead(4, inter: 400)])
        let kept = ConfiguratorHandler.withinStateData(large, own: 200)
        #expect(kept.keys.sorted() == [2, 3, 4])
        #expect(kept.values.reduce(200) { $0 + $1.decision.configuration.inter } <= ConfiguratorHandler.maxAnswerItems)
        #expect(ConfiguratorHandler.withinStateData(large, own: ConfiguratorHandler.maxAnswerItems).isEmpty)
    }
}
