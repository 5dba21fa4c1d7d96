import Foundation
import StepConfASL
import StepConfCore
import PropertyBased
import StepConfExamples
import StepConfTestSupport
import Testing

/// Walks a generated state machine the way Step Functions would on a valid input, and records, for every step,
/// which steps have finished when its Configure task starts.
struct ASLWalker {
    var before: [String: Set<String>] = [:]
    var configured: [String] = []
    var checked: [String] = []
    var ran: [String] = []
    /// When set, every configurator fails: the walk follows each Configure task's Catch.
    var configuratorsFail = false
    /// The steps that recovered, and the plan their `Fastest plan` state wrote.
    var recovered: [String: JSONValue] = [:]

    mutating func walk(_ states: JSONValue, from start: String, done: Set<String>) throws -> Set<String> {
        var name: String? = start
        var done = done
        while let current = name {
            let state = try #require(states[current], "state \(current) is missing")
            guard case .string(let type) = try #require(state["Type"]) else { throw WalkError.malformed(current) }
            switch type {
            case "Task":
                if current.hasPrefix("Configure ") {
                    let id = String(current.dropFirst("Configure ".count))
                    before[id] = done
                    configured.append(id)
                    if configuratorsFail {
                        let handlers = try #require(state["Catch"]?.arrayValue)
                        #expect(handlers.count == 1 && handlers[0]["ErrorEquals"] == ["States.ALL"])
                        name = try #require(handlers[0]["Next"]?.stringValue)
                        continue
                    }
                }
            case "Map":
                let id = String(current.dropFirst("Run ".count))
                ran.append(id)
                done.insert(id)
            case "Parallel":
                guard case .array(let branches) = try #require(state["Branches"]) else { throw WalkError.malformed(current) }
                var union = done
                for branch in branches {
                    guard case .string(let startAt) = try #require(branch["StartAt"]) else { throw WalkError.malformed(current) }
                    union.formUnion(try walk(try #require(branch["States"]), from: startAt, done: done))
                }
                done = union
            case "Pass" where current.hasPrefix("Fastest plan "):
                let id = String(current.dropFirst("Fastest plan ".count))
                recovered[id] = state["Parameters"]?["steps"]?[id]
            case "Choice" where current.hasPrefix("Recover "):
                // No configurator answered before: no earlier plan is in `$.config`.
                let id = String(current.dropFirst("Recover ".count))
                #expect(state["Choices"]?.arrayValue?.first?["Variable"] == .string("$.config.steps.\(id)"))
                name = try #require(state["Default"]?.stringValue)
                continue
            case "Choice":
                if let id = current.hasPrefix("Check ") ? String(current.dropFirst("Check ".count)) : nil, id != "input", id != "percentile" {
                    // A step decided ahead runs at once; else (walked here) its configurator decides it.
                    checked.append(id)
                    guard case .array(let choices) = try #require(state["Choices"]) else { throw WalkError.malformed(current) }
                    #expect(choices.count == 1 && choices[0]["Next"] == .string("Run \(id)"))
                    guard case .string(let fallback) = try #require(state["Default"]) else { throw WalkError.malformed(current) }
                    #expect(fallback == "Configure \(id)")
                    name = fallback
                } else {
                    // A valid input with `input` given goes to Begin.
                    name = "Begin"
                }
                continue
            default: break
            }
            if case .string(let next) = state["Next"] { name = next } else { name = nil }
        }
        return done
    }

    enum WalkError: Error { case malformed(String) }
}

@Suite struct StateMachineGeneratorTests {
    static func model(for workflow: Workflow) throws -> PerformanceModel {
        let base = try EmbeddedExamples.model("synthetic16", for: try EmbeddedExamples.workflow("synthetic16"))
        return PerformanceModel(workflow: workflow.name, steps: Dictionary(uniqueKeysWithValues: workflow.steps.map { ($0.id, base.steps["s01"]!) }))
    }

    /// The generator for `graph` with an embedded example's model, else ``model(for:)``.
    static func generator(_ graph: WorkflowGraph) throws -> StateMachineGenerator {
        let name = graph.workflow.name
        let model = EmbeddedExamples.workflowNames.contains(name)
            ? try EmbeddedExamples.model(name, for: graph.workflow) : try model(for: graph.workflow)
        return try StateMachineGenerator(graph: graph, model: model, platform: .aws)
    }

    func check(_ workflow: Workflow, configuratorsFail: Bool = false) throws -> (StateMachineGenerator.Output, ASLWalker) {
        let graph = try WorkflowGraph(workflow)
        let output = try Self.generator(graph).generate()
        var walker = ASLWalker(configuratorsFail: configuratorsFail)
        _ = try walker.walk(try #require(output.definition["States"]), from: "Check input", done: [])
        #expect(walker.configured.sorted() == graph.ids.sorted(), "every step is configured once")
        #expect(walker.ran.sorted() == graph.ids.sorted(), "every step runs once")
        #expect(
            walker.checked.sorted() == graph.ids.indices.filter { AheadDecision.isChecked($0, in: graph) }.map { graph.ids[$0] }.sorted(),
            "every step but the first, joins included, first checks for a decision made ahead")
        for step in workflow.steps {
            for dependency in step.dependsOn {
                #expect(walker.before[step.id]?.contains(dependency) == true, "\(step.id) must wait for \(dependency)")
            }
        }
        return (output, walker)
    }

    @Test(arguments: ["synthetic16", "video", "wordcount"])
    func embeddedWorkflowsKeepEveryDependencyWithoutAddedWaits(name: String) throws {
        let (output, walker) = try check(try EmbeddedExamples.workflow(name))
        #expect(output.seriesParallel)
        #expect(output.addedWaits.isEmpty)
        // Series-parallel: a step waits for its ancestors only.
        let graph = try WorkflowGraph(try EmbeddedExamples.workflow(name))
        for v in 0..<graph.count {
            var ancestors = Set<String>()
            var stack = graph.predecessors[v]
            while let u = stack.popLast() {
                if ancestors.insert(graph.ids[u]).inserted { stack += graph.predecessors[u] }
            }
            #expect(walker.before[graph.ids[v]] == ancestors, "step \(graph.ids[v])")
        }
    }

    /// The smallest DAG that is not series-parallel (the "N"): a→c, a→d, b→d, with a source and a sink.
    static let notSeriesParallel = Workflow(name: "nshape", steps: [
        .init(id: "src", kind: "synthetic", jobs: 2, params: ["difficulty": 100, "worker_memory_mb": 64]),
        .init(id: "a", kind: "synthetic", jobs: 2, dependsOn: ["src"], params: ["difficulty": 100, "worker_memory_mb": 64]),
        .init(id: "b", kind: "synthetic", jobs: 2, dependsOn: ["src"], params: ["difficulty": 100, "worker_memory_mb": 64]),
        .init(id: "c", kind: "synthetic", jobs: 2, dependsOn: ["a"], params: ["difficulty": 100, "worker_memory_mb": 64]),
        .init(id: "d", kind: "synthetic", jobs: 2, dependsOn: ["a", "b"], params: ["difficulty": 100, "worker_memory_mb": 64]),
        .init(id: "sink", kind: "synthetic", jobs: 2, dependsOn: ["c", "d"], params: ["difficulty": 100, "worker_memory_mb": 64]),
    ])

    @Test func aDAGThatIsNotSeriesParallelKeepsAllDependenciesAndReportsTheAddedWaits() throws {
        let (output, walker) = try check(Self.notSeriesParallel)
        #expect(!output.seriesParallel)
        // Level by level: c now also waits for b (its level's predecessor set), and nothing else is added.
        #expect(output.addedWaits.map { "\($0.step)<\($0.waitsFor)" } == ["c<b"])
        #expect(walker.before["c"] == ["src", "a", "b"])
        #expect(walker.before["d"] == ["src", "a", "b"])
    }

    @Test func stepsConfigureWithTheSLOTheStartTimeAndTheirPredecessorsOutputs() throws {
        let graph = try WorkflowGraph(try EmbeddedExamples.workflow("video"))
        let states = try #require(try Self.generator(graph).generate().definition["States"])
        let configure = try #require(Self.find("Configure detect", in: states))
        let payload = try #require(configure["Parameters"]?["Payload"])
        #expect(payload["slo_s.$"] == "$.slo_s")
        #expect(payload["slo_percentile.$"] == "$.slo_percentile")
        #expect(payload["start_time.$"] == "$$.Execution.StartTime")
        #expect(payload["entered_time.$"] == "$$.State.EnteredTime")
        // slo_percentile is optional: absent, it defaults to 99; present, it must be a number in (0, 100).
        let check = try #require(states["Check percentile"])
        let text = check.rendered()
        for rule in ["\"IsPresent\": false", "\"IsNumeric\": false", "\"NumericLessThanEquals\": 0", "\"NumericGreaterThanEquals\": 100"] {
            #expect(text.contains(rule), "\(rule)")
        }
        #expect(states["Default percentile"]?["Result"] == .number(99))
        #expect(states["Default percentile"]?["ResultPath"] == "$.slo_percentile")
        #expect(payload["input"]?["after"]?["superres.$"] == "$.out.outputs.superres")
        #expect(configure["Parameters"]?["FunctionName"] == .string(StateMachineGenerator.configuratorPlaceholder))
        // The Map fans out over the decision's items with the decision's concurrency, and names the function
        // from the chosen memory size.
        let run = try #require(Self.find("Run detect", in: states))
        #expect(run["ItemsPath"] == "$.config.steps.detect.items")
        #expect(run["MaxConcurrencyPath"] == "$.config.steps.detect.inter")
        #expect(run["ItemSelector"]?["memory_mb.$"] == "$.config.steps.detect.memory_mb")
        // Each instance takes its share of the step's input itself: a plan decided ahead had no keys to split.
        #expect(run["ItemSelector"]?["input"]?["after"]?["superres.$"] == "$.out.outputs.superres")
        let invoke = try #require(run["ItemProcessor"]?["States"]?["Invoke detect"])
        #expect(invoke["Parameters"]?["FunctionName.$"] == "States.Format('{}-video-detect-m{}', $.prefix, $.memory_mb)")
        #expect(invoke["Retry"] != nil)
        // Failures end in the Fail state with the error and its cause (inside a branch, through the Parallel's Catch)…
        #expect(states["Parallel detect, colorfilter"]?["Catch"]?.rendered().contains("\"Next\": \"Failed\"") == true)
        #expect(states["Failed"]?["CausePath"] == "$.error.Cause")
        // …but the configurator's: its step recovers, within the configurator's time limit.
        #expect(configure["Catch"]?.rendered().contains("\"Next\": \"Recover detect\"") == true)
        #expect(configure["TimeoutSeconds"] == .int(SAMTemplateGenerator.configuratorTimeoutSeconds))
        // The Parallel state keeps the outputs still needed and every branch's recoveries.
        let selector = try #require(states["Parallel detect, colorfilter"]?["ResultSelector"])
        #expect(selector["outputs"]?["detect.$"] == "$[0].out.outputs.detect")
        #expect(selector["recovered.$"] == "States.JsonMerge($[0].out.recovered, $[1].out.recovered, false)")
    }

    @Test func recoveriesMergeInABalancedTreeNoDeeperThanStepFunctionsAllows() {
        let paths = (0..<1024).map { "$[\($0)].r" }
        let expression = StateMachineGenerator.merged(paths)
        var depth = 0
        var deepest = 0
        for c in expression {
            if c == "(" { depth += 1; deepest = max(deepest, depth) }
            if c == ")" { depth -= 1 }
        }
        #expect(deepest == 10)
        for path in paths { #expect(expression.contains(path + ",") || expression.contains(path + ")")) }
        #expect(StateMachineGenerator.merged(["$[0].r"]) == "$[0].r")
    }

    @Test(arguments: ["synthetic16", "video", "wordcount"])
    func whenEveryConfiguratorFailsEveryStepStillRunsOnItsFastestPlanAfterItsDependencies(name: String) throws {
        let workflow = try EmbeddedExamples.workflow(name)
        let graph = try WorkflowGraph(workflow)
        let (_, walker) = try check(workflow, configuratorsFail: true)
        let fastest = try ConfiguratorOutput.Planned.fastest(
            graph: graph, model: try EmbeddedExamples.model(name, for: workflow), platform: .aws,
            functionPrefix: StateMachineGenerator.prefixPlaceholder)
        #expect(walker.recovered.keys.sorted() == graph.ids.sorted())
        for v in 0..<graph.count {
            let plan = try #require(walker.recovered[graph.ids[v]])
            #expect(plan["memory_mb"] == .int(fastest[v].memoryMB) && plan["inter"] == .int(fastest[v].inter))
            #expect(plan["items"]?.arrayValue?.count == fastest[v].inter)
            #expect(plan["function"] == .string(fastest[v].function))
        }
    }

    /// A state by name, at the top or inside Parallel branches.
    static func find(_ name: String, in states: JSONValue) -> JSONValue? {
        if let state = states[name] { return state }
        guard case .object(let members) = states else { return nil }
        for (_, state) in members {
            guard case .array(let branches)? = state["Branches"] else { continue }
            for branch in branches {
                if let found = branch["States"].flatMap({ find(name, in: $0) }) { return found }
            }
        }
        return nil
    }

    @Test func renderingIsValidJSONAndStable() throws {
        let graph = try WorkflowGraph(try EmbeddedExamples.workflow("synthetic16"))
        let first = try Self.generator(graph).generate().text
        let second = try Self.generator(graph).generate().text
        #expect(first == second)
        let parsed = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]
        #expect(parsed?["StartAt"] as? String == "Check input")
    }
}

/// The generator on DAGs it was not written for: random ones, series-parallel or not.
@Suite struct StateMachineGeneratorPropertyTests {
    /// Every state name a state can go to, in the states it belongs to (Parallel branches are scopes of their own).
    static func checkTransitions(_ states: JSONValue, scope: String) -> [String] {
        guard let members = states.members else { return ["\(scope): States is not an object"] }
        let names = Set(members.map(\.0))
        var broken: [String] = []
        func target(_ value: JSONValue?, from state: String) {
            if let name = value?.stringValue, !names.contains(name) { broken.append("\(scope)/\(state) → \(name)") }
        }
        for (name, state) in members {
            target(state["Next"], from: name)
            target(state["Default"], from: name)
            for choice in state["Choices"]?.arrayValue ?? [] { target(choice["Next"], from: name) }
            for handler in state["Catch"]?.arrayValue ?? [] { target(handler["Next"], from: name) }
            let ends = state["End"] == .bool(true) || ["Fail", "Succeed"].contains(state["Type"]?.stringValue ?? "")
            if state["Next"] == nil, state["Type"]?.stringValue != "Choice", !ends { broken.append("\(scope)/\(name) goes nowhere") }
            for (k, branch) in (state["Branches"]?.arrayValue ?? []).enumerated() {
                if let start = branch["StartAt"]?.stringValue, branch["States"]?[start] == nil { broken.append("\(name)[\(k)] starts at \(start)") }
                broken += checkTransitions(branch["States"] ?? .null, scope: "\(name)[\(k)]")
            }
            if let processor = state["ItemProcessor"] { broken += checkTransitions(processor["States"] ?? .null, scope: name) }
        }
        return broken
    }

    @Test func everyRandomDAGGivesAStateMachineThatRunsEveryStepAfterItsDependencies() async throws {
        await propertyCheck(count: 120, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let workflow = RandomWorkflows.make(
                count: Int.random(in: 1...9, using: &rng), rng: &rng, params: ["difficulty": 100, "worker_memory_mb": 64])
            let (output, walker) = try! StateMachineGeneratorTests().check(workflow)
            let (_, failing) = try! StateMachineGeneratorTests().check(workflow, configuratorsFail: true)
            #expect(failing.recovered.count == workflow.steps.count, "seed \(seed)")
            let states = output.definition["States"] ?? .null
            let broken = Self.checkTransitions(states, scope: "top")
            #expect(broken.isEmpty, "seed \(seed): \(broken)")
            #expect(output.definition["StartAt"] == "Check input")
            // The generated text is valid JSON that decodes back to the same value.
            let decoded = try? JSONDecoder().decode(JSONValue.self, from: Data(output.text.utf8))
            #expect(decoded != nil, "seed \(seed)")
            #expect(walker.ran.count == workflow.steps.count, "seed \(seed)")
        }
    }
}
