import Foundation
import StepConfASL
import StepConfCore
import StepConfExamples
import StepConfFunctions
import StepConfLambda
import StepConfTestSupport
import Testing

/// The messages between the state machine, the configurator and the step functions, followed through a generated
/// state machine as the engine would: what the Configure task's Payload sends decodes into ``ConfiguratorEvent``,
/// the answer the handler writes is what the Map reads, and the Invoke task's Payload decodes into ``StepEvent``.
/// A value that must be there; the test fails with `what` when it is not.
func need<T>(_ value: T?, _ what: @autoclosure () -> String = "a value is missing") throws -> T {
    guard let value else { throw MissingValue(description: what()) }
    return value
}

struct MissingValue: Error, CustomStringConvertible { let description: String }

@Suite struct MessageRoundTripTests {
    /// One workflow's generated definition (placeholders filled as SAM fills them), its states by name at any depth.
    struct Machine {
        let graph: WorkflowGraph
        /// Each step's fastest plan, with the functions named as SAM fills the prefix in.
        let fastest: [ConfiguratorOutput.Planned]
        let states: [String: [String: Any]]

        init(_ name: String) throws {
            let workflow = try EmbeddedExamples.workflow(name)
            graph = try WorkflowGraph(workflow)
            fastest = try ConfiguratorOutput.Planned.fastest(
                graph: graph, model: try EmbeddedExamples.model(name, for: workflow), platform: .aws, functionPrefix: "pfx")
            let text = try StateMachineGenerator(graph: graph, model: try EmbeddedExamples.model(name, for: workflow), platform: .aws)
                .generate().text
                .replacingOccurrences(of: StateMachineGenerator.prefixPlaceholder, with: "pfx")
                .replacingOccurrences(of: StateMachineGenerator.configuratorPlaceholder, with: "arn:configurator")
            let definition = try need(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            var found: [String: [String: Any]] = [:]
            func collect(_ states: [String: Any]) {
                for (name, value) in states {
                    guard let state = value as? [String: Any] else { continue }
                    found[name] = state
                    for branch in state["Branches"] as? [[String: Any]] ?? [] { collect(branch["States"] as? [String: Any] ?? [:]) }
                    if let processor = state["ItemProcessor"] as? [String: Any] { collect(processor["States"] as? [String: Any] ?? [:]) }
                }
            }
            collect(try need(definition["States"] as? [String: Any]))
            states = found
        }

        func state(_ name: String) throws -> [String: Any] { try need(states[name], "no state `\(name)`") }
    }

    static let startTime = "2026-12-02T10:00:00.250Z"
    static let enteredTime = "2026-12-02T10:00:01.500Z"

    static func context(item: Any? = nil) -> [String: Any] {
        var context: [String: Any] = [
            "Execution": ["Id": "arn:aws:states:us-east-1:1:execution:m:run-7", "Name": "run-7", "StartTime": startTime],
            "State": ["EnteredTime": enteredTime, "Name": "x"],
        ]
        if let item { context["Map"] = ["Item": ["Value": item, "Index": 0]] }
        return context
    }

    static func json(_ value: some Encodable) throws -> Any {
        try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value), options: [.fragmentsAllowed])
    }

    static func decode<T: Decodable>(_ type: T.Type, _ object: Any) throws -> T {
        try JSONDecoder().decode(type, from: try JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed]))
    }

    /// A handler that decides on the embedded examples, at a fixed clock a second into the execution.
    static func handler() throws -> (ConfiguratorHandler, PrivateDirectory) {
        let directory = PrivateDirectory("roundtrip")
        for (name, text) in EmbeddedExamples.files where name.hasSuffix(".json") {
            try directory.write(name, Data(text.utf8))
        }
        let start = try need(ConfiguratorEvent.parseStartTime(startTime))
        let handler = ConfiguratorHandler(
            settings: .init(workflowDirectory: directory.path, functionPrefix: "pfx"), cache: InMemoryGlobalCache(),
            now: { start + 1 })
        return (handler, directory)
    }

    static let lambda = LambdaContext(
        invocation: Invocation(requestID: "r", deadlineMs: 0, invokedFunctionARN: "", payload: Data()),
        environment: LambdaEnvironment([:]))

    @Test(arguments: ["synthetic16", "video", "wordcount"])
    func everyStepsMessagesRoundTripThroughTheGeneratedStateMachine(workflow: String) throws {
        let machine = try Machine(workflow)
        let (handler, directory) = try Self.handler()
        _ = directory
        let graph = machine.graph
        // The execution input as `stepconf invoke` sends it, after the prelude's checks.
        let execution = ExecutionInput(sloSeconds: 40, sloPercentile: 95, input: StepInput(keys: ["in/a", "in/b", "in/c"]))
        var data = try need(try Self.json(execution) as? [String: Any])
        data["out"] = ["outputs": [String: Any](), "recovered": [String: Any]()]
        for v in graph.topologicalOrder {
            let id = graph.ids[v]
            // Configure: the Payload the engine sends.
            let configure = try machine.state("Configure \(id)")
            let parameters = try need(configure["Parameters"] as? [String: Any])
            let payload = try ASLParameters.apply(try need(parameters["Payload"]), data: data, context: Self.context())
            let event = try Self.decode(ConfiguratorEvent.self, payload)
            #expect(event.workflow == graph.workflow.name && event.step == id && event.execution.hasSuffix(":run-7"))
            #expect(event.sloSeconds == 40 && event.sloPercentile == 95 && event.enteredTime == Self.enteredTime)
            #expect(abs(event.startTime - (try need(ConfiguratorEvent.parseStartTime(Self.startTime)))) < 1e-6)
            let expectedKeys = graph.predecessors[v].isEmpty
                ? ["in/a", "in/b", "in/c"]
                : graph.predecessors[v].map { graph.ids[$0] }.sorted().flatMap { ["\($0)/o0", "\($0)/o1"] }
            #expect(event.input?.allKeys == expectedKeys)
            // The answer, as the ResultSelector keeps it at $.config.
            let answer = try handler.handle(event, context: Self.lambda)
            let selected = try ASLParameters.apply(
                try need(configure["ResultSelector"]), data: ["Payload": try Self.json(answer)], context: Self.context())
            data["config"] = selected
            #expect(try Self.decode(ConfiguratorOutput.self, selected).steps.keys.sorted() == answer.steps.keys.sorted())
            let plan = try need(answer.plan)
            // The Map: its items, its concurrency, and each Invoke's payload and function.
            let run = try machine.state("Run \(id)")
            let items = try need(try ASLParameters.select(try need(run["ItemsPath"] as? String), in: data) as? [Any])
            let inter = try ASLParameters.select(try need(run["MaxConcurrencyPath"] as? String), in: data)
            #expect(items.count == plan.items.count && (inter as? Int) == plan.inter)
            let invoke = try machine.state("Invoke \(id)")
            let invokeParameters = try need(invoke["Parameters"] as? [String: Any])
            var results: [Any] = []
            for item in items {
                let selectedItem = try ASLParameters.apply(
                    try need(run["ItemSelector"]), data: data, context: Self.context(item: item))
                let call = try ASLParameters.apply(invokeParameters, data: selectedItem, context: Self.context(item: item))
                let fields = try need(call as? [String: Any])
                #expect(fields["FunctionName"] as? String == plan.function)
                let stepEvent = try Self.decode(StepEvent.self, try need(fields["Payload"]))
                let planned = try Self.decode(ConfiguratorOutput.Item.self, item)
                #expect(stepEvent.step == id && stepEvent.execution == answer.run && stepEvent.index == planned.index)
                #expect(stepEvent.intra == planned.intra && stepEvent.jobStart == planned.jobStart && stepEvent.jobEnd == planned.jobEnd)
                #expect(stepEvent.keys == (event.input ?? StepInput()).share(instance: planned.index, of: planned.instances))
                #expect(stepEvent.params == graph[v].params)
                // What the function answers, as the Invoke's ResultSelector keeps it.
                let output = StepOutput(
                    outputs: ["\(id)/o\(planned.index)"], manifest: "m", jobs: 1, intra: 1, downloadSeconds: 0,
                    computeSeconds: 0, uploadSeconds: 0)
                results.append(try ASLParameters.apply(
                    try need(invoke["ResultSelector"]), data: ["Payload": try Self.json(output)], context: Self.context()))
            }
            // Two outputs per step, whatever its fan-out, so that the next step's keys are known above.
            let merged: [[String: Any]] = [["outputs": ["\(id)/o0"]], ["outputs": ["\(id)/o1"]]]
            #expect(try results.map { try Self.decode(StepInput.InstanceResult.self, $0) }.count == plan.items.count)
            var out = data["out"] as? [String: Any] ?? [:]
            var outputs = out["outputs"] as? [String: Any] ?? [:]
            outputs[id] = merged
            out["outputs"] = outputs
            data["out"] = out
        }
    }

    /// What the Recover states do when a configurator cannot answer, evaluated as the engine would: `data` is the state
    /// data with the caught error at `$.error`; returns the data the step's Map then reads.
    static func recover(_ id: String, machine: Machine, data: [String: Any]) throws -> (data: [String: Any], source: String) {
        let recover = try machine.state("Recover \(id)")
        let choice = try need((recover["Choices"] as? [[String: Any]])?.first)
        let present = (try? ASLParameters.select(try need(choice["Variable"] as? String), in: data)) != nil
        let pass = try need(present ? choice["Next"] as? String : recover["Default"] as? String)
        var data = data
        var next = pass
        var source = ""
        while !next.hasPrefix("Run ") {
            let state = try machine.state(next)
            let value = try ASLParameters.apply(try need(state["Parameters"]), data: data, context: Self.context())
            if let record = value as? [String: Any], let recorded = record["config_source"] as? String { source = recorded }
            data = try Self.put(value, at: try need(state["ResultPath"] as? String), in: data)
            next = try need(state["Next"] as? String)
        }
        #expect(next == "Run \(id)")
        return (data, source)
    }

    /// `data` with `value` at `path` (`$.a.b`), as a ResultPath writes it.
    static func put(_ value: Any, at path: String, in data: [String: Any]) throws -> [String: Any] {
        let keys = path.dropFirst(2).split(separator: ".").map(String.init)
        func set(_ object: [String: Any], _ keys: ArraySlice<String>) throws -> [String: Any] {
            var object = object
            guard let key = keys.first else { return object }
            if keys.count == 1 {
                object[key] = value
            } else {
                object[key] = try set(try need(object[key] as? [String: Any], "no `\(key)` in \(path)"), keys.dropFirst())
            }
            return object
        }
        return try set(data, keys[...])
    }

    /// The steps a Parallel branch runs, at any depth (nested Parallel states' branches included).
    static func runIDs(in branch: [String: Any]) -> [String] {
        let states = branch["States"] as? [String: Any] ?? [:]
        return states.flatMap { name, value -> [String] in
            let nested = ((value as? [String: Any])?["Branches"] as? [[String: Any]] ?? []).flatMap { runIDs(in: $0) }
            return name.hasPrefix("Run ") ? [String(name.dropFirst(4))] + nested : nested
        }
    }

    /// When every configurator fails, each step runs on its fastest plan; when one fails after an earlier answer
    /// planned its step, on that plan. Each records the error and the source at `$.out.recovered.{id}`, the Map reads
    /// the plan as it reads a configurator's, and the Parallel state keeps every branch's record.
    @Test(arguments: ["synthetic16", "video", "wordcount"])
    func aStepWhoseConfiguratorFailsRunsOnAPlanAtHandAndRecordsIt(workflow: String) throws {
        let machine = try Machine(workflow)
        let graph = machine.graph
        let error: [String: Any] = ["Error": "Lambda.Unknown", "Cause": "the configurator timed out"]
        var data = try need(try Self.json(ExecutionInput(sloSeconds: 40, input: StepInput(keys: ["in/a"]))) as? [String: Any])
        data["out"] = ["outputs": [String: Any](), "recovered": [String: Any]()]
        for v in graph.topologicalOrder {
            let id = graph.ids[v]
            data["error"] = error
            let (recovered, source) = try Self.recover(id, machine: machine, data: data)
            #expect(source == ConfigSource.fastest.rawValue)
            data = recovered
            let record = try Self.decode(ConfigRecovery.self, try ASLParameters.select("$.out.recovered.\(id)", in: data))
            #expect(record == ConfigRecovery(configSource: .fastest, error: .init(error: "Lambda.Unknown", cause: "the configurator timed out")))
            // The Map reads the fastest plan; every Invoke goes to its function.
            let run = try machine.state("Run \(id)")
            let items = try need(try ASLParameters.select(try need(run["ItemsPath"] as? String), in: data) as? [Any])
            #expect(items.count == machine.fastest[v].inter)
            let memory = try ASLParameters.select(try need(run["ItemSelector"] as? [String: Any])["memory_mb.$"] as! String, in: data)
            #expect(memory as? Int == machine.fastest[v].memoryMB)
            // The next configurator gets the size passed on (1: nominal, no configurator measured one).
            #expect(try ASLParameters.select("$.config.decision.input_size", in: data) as? Int == 1)
            #expect(try ASLParameters.select("$.config.run", in: data) as? String == "run-7")
            var out = try need(data["out"] as? [String: Any])
            var outputs = try need(out["outputs"] as? [String: Any])
            outputs[id] = [["outputs": ["\(id)/o0"]]]
            out["outputs"] = outputs
            data["out"] = out
        }
        // Every Parallel state merges its branches' records (each branch's data holds its own steps' records, nested
        // Parallel states' included, since those merged theirs first) and keeps the outputs later steps read. Checked
        // for each one, in a fixed order: the first found in a dictionary once hid the nested ones.
        for name in machine.states.keys.sorted() where name.hasPrefix("Parallel ") {
            let parallel = try machine.state(name)
            let branches = try need(parallel["Branches"] as? [[String: Any]])
            let owned = branches.map { Self.runIDs(in: $0) }
            // A branch starts from the Parallel state's input, so it carries the outputs of the steps outside it.
            let outside = Set(graph.ids).subtracting(owned.joined())
            let results: [Any] = owned.enumerated().map { b, ids in
                let recovered = Dictionary(uniqueKeysWithValues: ids.map { ($0, ["config_source": "fastest", "branch": b] as [String: Any]) })
                let outputs = Dictionary(uniqueKeysWithValues: (ids + outside).map { ($0, [Any]()) })
                return ["out": ["outputs": outputs, "recovered": recovered]]
            }
            let selected = try need(
                try ASLParameters.apply(try need(parallel["ResultSelector"]), data: results, context: Self.context()) as? [String: Any])
            let merged = try need(selected["recovered"] as? [String: Any])
            var owner: [String: Int] = [:]
            for (b, ids) in owned.enumerated() { for id in ids { owner[id] = b } }
            #expect(!owner.isEmpty && merged.keys.sorted() == owner.keys.sorted(), "\(name)")
            for (id, record) in merged { #expect((record as? [String: Any])?["branch"] as? Int == owner[id], "\(name): \(id)") }
        }

        // Configured once, then failing: the next step's configurator fails after its Check found the plan made ahead too
        // late; it runs on that plan.
        let (handler, directory) = try Self.handler()
        _ = directory
        let first = graph.ids[graph.start]
        let event = ConfiguratorEvent(
            workflow: graph.workflow.name, step: first, execution: "arn:aws:states:us-east-1:1:execution:m:run-7", sloSeconds: 60,
            startTime: try need(ConfiguratorEvent.parseStartTime(Self.startTime)), input: StepInput(keys: ["in/a"]),
            enteredTime: Self.enteredTime)
        let answer = try handler.handle(event, context: Self.lambda)
        guard let ahead = answer.decision.decidedAhead.first else { return }
        var later = try need(try Self.json(ExecutionInput(sloSeconds: 60)) as? [String: Any])
        later["config"] = try Self.json(answer)
        later["out"] = ["outputs": [String: Any](), "recovered": [String: Any]()]
        later["error"] = error
        let (recovered, source) = try Self.recover(ahead, machine: machine, data: later)
        #expect(source == ConfigSource.earlierPlan.rawValue)
        let items = try ASLParameters.select("$.config.steps.\(ahead).items", in: recovered) as? [Any]
        #expect(items?.count == answer.steps[ahead]?.inter)
    }

    @Test func aPlanMadeAheadIsWhatTheCheckChoiceReads() throws {
        let machine = try Machine("video")
        let (handler, directory) = try Self.handler()
        _ = directory
        let graph = machine.graph
        let first = try need(graph.topologicalOrder.first)
        let event = ConfiguratorEvent(
            workflow: graph.workflow.name, step: graph.ids[first], execution: "e", sloSeconds: 60,
            startTime: try need(ConfiguratorEvent.parseStartTime(Self.startTime)), input: StepInput(keys: ["k"]),
            enteredTime: Self.enteredTime)
        let answer = try handler.handle(event, context: Self.lambda)
        let data: [String: Any] = ["config": try Self.json(answer)]
        var checked = 0
        for id in answer.decision.decidedAhead {
            let check = try machine.state("Check \(id)")
            let choice = try need((check["Choices"] as? [[String: Any]])?.first)
            let conditions = try need(choice["And"] as? [[String: Any]])
            let path = try need(conditions[1]["StringLessThanEqualsPath"] as? String)
            let deadline = try need(try ASLParameters.select(path, in: data) as? String)
            // Written in the engine's own format, so that the Choice compares the two as strings.
            #expect(deadline.count == Self.enteredTime.count && deadline.hasSuffix("Z"))
            #expect(deadline == answer.steps[id]?.deadline)
            checked += 1
        }
        #expect(checked > 0, "the first step of video decides the next ones ahead")
    }

    @Test func theExecutionInputKeepsItsWireNamesAndOmitsWhatIsAbsent() throws {
        let bare = String(decoding: try JSONEncoder().encode(ExecutionInput(sloSeconds: 3)), as: UTF8.self)
        #expect(bare == #"{"slo_s":3}"#)
        let full = ExecutionInput(sloSeconds: 2.5, sloPercentile: 90, input: StepInput(keys: ["a"]))
        #expect(try JSONDecoder().decode(ExecutionInput.self, from: try JSONEncoder().encode(full)) == full)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ExecutionInput.self, from: Data(#"{"input":{}}"#.utf8)) }
    }

    @Test func theConfiguratorEventRoundTripsAndReadsTheEnginesStartTime() throws {
        let event = ConfiguratorEvent(
            workflow: "w", step: "s", execution: "e", sloSeconds: 4, sloPercentile: 99.9, startTime: 1_764_669_600.25,
            input: StepInput(after: ["a": [.init(outputs: ["x"])]]), enteredTime: "t")
        #expect(try JSONDecoder().decode(ConfiguratorEvent.self, from: try JSONEncoder().encode(event)) == event)
        let text = #"{"workflow":"w","step":"s","execution":"e","slo_s":4,"start_time":"2026-12-02T10:00:00.250Z"}"#
        let decoded = try JSONDecoder().decode(ConfiguratorEvent.self, from: Data(text.utf8))
        #expect(abs(decoded.startTime - 1_796_205_600.25) < 1e-6)
        #expect(decoded.sloPercentile == nil && decoded.input == nil && decoded.enteredTime == nil)
        let bad = #"{"workflow":"w","step":"s","execution":"e","slo_s":4,"start_time":"yesterday"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ConfiguratorEvent.self, from: Data(bad.utf8)) }
    }
}
