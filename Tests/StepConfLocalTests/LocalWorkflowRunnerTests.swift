import Foundation
import StepConfCore
import StepConfExamples
import StepConfFunctions
@testable import StepConfLocal
import StepConfSimulator
import StepConfTestSupport
import StepConfStorage
import Testing

/// Test workflows and their models.
enum TestWorkflows {
    static let workScale = 0.002

    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-run-\(UUID().uuidString.prefix(8))").path
    }

    /// A model for `workflow` that gives every step the shape of synthetic16's s01.
    static func model(for workflow: Workflow) throws -> PerformanceModel {
        let base = try EmbeddedExamples.model("synthetic16", for: try EmbeddedExamples.workflow("synthetic16"))
        return PerformanceModel(
            workflow: workflow.name, steps: Dictionary(uniqueKeysWithValues: workflow.steps.map { ($0.id, base.steps["s01"]!) }))
    }

    static func step(_ id: String, _ after: [String] = [], params: [String: Double] = [:]) -> Workflow.Step {
        .init(
            id: id, kind: "synthetic", jobs: 8, dependsOn: after,
            params: ["difficulty": 2_000, "multicore_ratio": 0.5, "worker_memory_mb": 64].merging(params) { $1 })
    }

    /// Not series-parallel: src → a, b; a → c; a, b → d; c, d → sink.
    static let nShape = Workflow(name: "nshape", steps: [
        step("src"), step("a", ["src"]), step("b", ["src"]), step("c", ["a"]), step("d", ["a", "b"]), step("sink", ["c", "d"]),
    ])

    /// Its middle step's function refuses its parameters.
    static let failing = Workflow(name: "failing", steps: [
        step("first"), step("broken", ["first"], params: ["difficulty": 1e12]), step("last", ["broken"]),
    ])
}

@Suite(.serialized) struct LocalWorkflowRunnerTests {
    func runner(_ directory: String) -> LocalWorkflowRunner {
        LocalWorkflowRunner(settings: .init(bootstrap: RunningEmulator.bootstrap, workDirectory: directory, workScale: TestWorkflows.workScale))
    }

    /// Every step ran after its dependencies, with the configuration the configurator chose, and wrote its
    /// manifests.
    func expectFaithful(_ report: LocalRunReport, _ graph: WorkflowGraph, directory: String) throws {
        #expect(report.completed)
        #expect(report.steps.count == graph.count)
        let byID = Dictionary(uniqueKeysWithValues: report.steps.map { ($0.id, $0) })
        for step in graph.workflow.steps {
            let record = try #require(byID[step.id])
            for dependency in step.dependsOn {
                #expect(byID[dependency]!.end <= record.configureStart, "\(step.id) started before \(dependency) ended")
            }
            #expect(record.cold + record.warm == record.inter)
            #expect(Platform.aws.grid.memoryMB.contains(record.memoryMB))
            let store = try LocalDirectoryStore(root: directory + "/store")
            let manifests = try store.list(prefix: "runs/\(report.execution)/\(step.id)/").filter { $0.key.hasSuffix("manifest.json") }
            #expect(manifests.count == record.inter, "step \(step.id): one manifest per instance")
            let manifest = try JSONSerialization.jsonObject(with: try store.get(manifests[0].key)) as? [String: Any]
            #expect(manifest?["intra"] as? Int == record.intra)
        }
        #expect(report.costUSD > 0)
        // One billing model: the simulator prices the same invocation durations to the same cost.
        for record in report.steps {
            #expect(record.instanceSeconds.count == record.inter)
            let run = StepRun(
                start: 0, end: record.end, mappingDelaySeconds: 0, meanComputeSeconds: 0, instanceSeconds: record.instanceSeconds, coldStarts: 0)
            // Every step but the first passed a Check Choice; one decided ahead called no configurator.
            let simulated = run.costUSD(
                memoryMB: record.memoryMB, platform: .aws,
                configuratorSeconds: record.decidedAhead ? nil : record.configureEnd - record.configureStart,
                checked: AheadDecision.isChecked(graph.index[record.id]!, in: graph))
            #expect(abs(simulated - record.costUSD) <= 1e-12 * record.costUSD, "\(record.id): \(simulated) ≠ \(record.costUSD)")
        }
        #expect(abs(report.steps.reduce(0) { $0 + $1.costUSD } - report.costUSD) <= 1e-9 * report.costUSD)
        #expect(report.criticalPath.first == graph.ids[graph.start] && report.criticalPath.last == graph.ids[graph.end])
    }

    @Test(arguments: ["synthetic16", "video", "wordcount"])
    func embeddedWorkflowRunsEndToEndWithTheConfiguratorDecidingEachStep(name: String) async throws {
        let directory = TestWorkflows.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let workflow = try EmbeddedExamples.workflow(name)
        let graph = try WorkflowGraph(workflow)
        // An SLO no loaded machine comes near: a fallback here would be the configurator's fault, not the load's (the
        // whole suite beside it has slowed this run past two minutes).
        let report = try await runner(directory).run(graph, model: try EmbeddedExamples.model(name, for: workflow), sloSeconds: 1_800)
        try expectFaithful(report, graph, directory: directory)
        #expect(report.steps.allSatisfy { !$0.fallback })
        if name == "video" {
            // The encode step wrote a real video.
            let store = try LocalDirectoryStore(root: directory + "/store")
            let outputs = try store.list(prefix: "runs/\(report.execution)/encode/").filter { $0.key.hasSuffix(".y4m") }
            #expect(!outputs.isEmpty)
            #expect(String(decoding: try store.get(outputs[0].key).prefix(10), as: UTF8.self).hasPrefix("YUV4MPEG2"))
        }
        if name == "wordcount" {
            // The reduce wrote the counts of the whole corpus, whatever fan-out the map ran at.
            let store = try LocalDirectoryStore(root: directory + "/store")
            let outputs = try store.list(prefix: "runs/\(report.execution)/reduce/").filter { $0.key.hasSuffix("counts.json") }
            #expect(outputs.count == 1)
            let counts = try WordCount.decode(try store.get(outputs[0].key))
            #expect(counts == WordCount.merge(WordCount.corpus().map { WordCount.count(Data($0.text.utf8)) }))
            #expect(counts.values.reduce(0, +) == 100 * 638)
        }
        #expect(report.inputSize == 1, "the starter inputs are the nominal size")
    }

    /// A request of twice word count's nominal corpus: the first configurator counts its files, the run is planned for
    /// that size, and the reduce still counts every word.
    @Test func aLargerInputIsMeasuredAndPlannedFor() async throws {
        let directory = TestWorkflows.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let workflow = try EmbeddedExamples.workflow("wordcount")
        let graph = try WorkflowGraph(workflow)
        let store = try LocalDirectoryStore(root: directory + "/store")
        let corpus = WordCount.corpus(files: 200, wordsPerFile: 50, seed: 7)
        var keys: [String] = []
        for file in corpus {
            try store.put("in/\(file.name)", data: Data(file.text.utf8))
            keys.append("in/\(file.name)")
        }
        let report = try await runner(directory).run(
            graph, model: try EmbeddedExamples.model("wordcount", for: workflow), sloSeconds: 120, inputKeys: keys)
        try expectFaithful(report, graph, directory: directory)
        #expect(report.inputSize == 2)
        let outputs = try store.list(prefix: "runs/\(report.execution)/reduce/").filter { $0.key.hasSuffix("counts.json") }
        #expect(outputs.count == 1)
        #expect(try WordCount.decode(try store.get(outputs[0].key)).values.reduce(0, +) == 200 * 50)
    }

    /// stepconf-exact through the real configurator: one plan with recourse, joins included; with and without
    /// prewarming.
    @Test func stepconfExactRunsLaterStepsOnThePlanItsFirstConfiguratorMade() async throws {
        // Three branches and a join after a first step long enough for the warm-ups to start their instances first
        // (they go out when the first configurator has answered; an instance starts in tens of milliseconds here).
        let workflow = Workflow(name: "fan3", steps: [
            TestWorkflows.step("first", params: ["difficulty": 5_000_000]), TestWorkflows.step("b1", ["first"]),
            TestWorkflows.step("b2", ["first"]), TestWorkflows.step("b3", ["first"]), TestWorkflows.step("join", ["b1", "b2", "b3"]),
        ])
        let graph = try WorkflowGraph(workflow)
        let model = try TestWorkflows.model(for: workflow)
        var coldLater: [Bool: Int] = [:]
        for prewarm in [true, false] {
            let directory = TestWorkflows.directory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let runner = LocalWorkflowRunner(settings: .init(
                bootstrap: RunningEmulator.bootstrap, workDirectory: directory, policy: .stepconfExact,
                workScale: TestWorkflows.workScale, prewarm: prewarm))
            let report = try await runner.run(graph, model: model, sloSeconds: 120)
            try expectFaithful(report, graph, directory: directory)
            #expect(report.policy == PolicyName.stepconfExact.rawValue)
            // Far ahead of a loose SLO, every step after the first runs on the first answer's plan, the join too.
            let byID = Dictionary(uniqueKeysWithValues: report.steps.map { ($0.id, $0) })
            #expect(byID[graph.ids[graph.start]]?.decidedAhead == false)
            for v in 0..<graph.count where v != graph.start {
                #expect(byID[graph.ids[v]]?.decidedAhead == true, "\(graph.ids[v]) ran on the plan")
            }
            // Prewarming, for real: the first configurator sent one warm-up per planned instance of every later step
            // (through the emulator's Invoke API, as `Event` invocations).
            let later = (0..<graph.count).filter { $0 != graph.start }.compactMap { byID[graph.ids[$0]] }
            #expect(byID[graph.ids[graph.start]]?.warmUps == (prewarm ? later.map(\.inter).reduce(0, +) : 0))
            coldLater[prewarm] = later.map(\.cold).reduce(0, +)
            print("stepconf-exact, prewarm \(prewarm): first step \(byID["first"]!.end - byID["first"]!.configureEnd) s, "
                + "\(coldLater[prewarm]!) cold of \(later.map(\.inter).reduce(0, +)) later instances")
        }
        // The branches run side by side: without warm-ups, the one instance the first step left warm serves at most one
        // of them; with them, the later steps find their instances started (0 cold on an idle machine; a warm-up still
        // starting when its step arrives leaves that step one cold start).
        #expect(coldLater[true]! < coldLater[false]!)
    }

    @Test func anUnreachableSLOStillCompletesWithTheFastestConfigurationsAndReportsTheMiss() async throws {
        let directory = TestWorkflows.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let workflow = Workflow(name: "chain", steps: [TestWorkflows.step("one"), TestWorkflows.step("two", ["one"])])
        let graph = try WorkflowGraph(workflow)
        let report = try await runner(directory).run(graph, model: try TestWorkflows.model(for: workflow), sloSeconds: 0.001)
        try expectFaithful(report, graph, directory: directory)
        #expect(!report.met)
        #expect(report.missSeconds > 0)
        #expect(report.steps.allSatisfy { $0.fallback })
    }

    @Test func aFailingStepStopsTheRunAndNamesTheStepAndTheCause() async throws {
        let directory = TestWorkflows.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let graph = try WorkflowGraph(TestWorkflows.failing)
        let report = try await runner(directory).run(graph, model: try TestWorkflows.model(for: TestWorkflows.failing), sloSeconds: 60)
        #expect(!report.completed)
        #expect(!report.met)
        #expect(report.failure?.step == "broken")
        #expect(report.failure?.error.contains("difficulty must lie in") == true)
        #expect(report.steps.map(\.id) == ["first"])
    }

    @Test func aDAGThatIsNotSeriesParallelRunsEveryStepAfterItsDependencies() async throws {
        let directory = TestWorkflows.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let graph = try WorkflowGraph(TestWorkflows.nShape)
        let report = try await runner(directory).run(graph, model: try TestWorkflows.model(for: TestWorkflows.nShape), sloSeconds: 60)
        try expectFaithful(report, graph, directory: directory)
    }

    @Test func theConfiguratorDecidesOnTheRunsPlatformGrid() async throws {
        let directory = TestWorkflows.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var platform = Platform.aws
        platform.grid = ConfigurationGrid(memoryMB: [512, 1024], inter: [1, 2], intra: [1, 2])
        let runner = LocalWorkflowRunner(settings: .init(
            bootstrap: RunningEmulator.bootstrap, workDirectory: directory, workScale: TestWorkflows.workScale, platform: platform))
        let workflow = Workflow(name: "chain", steps: [TestWorkflows.step("one"), TestWorkflows.step("two", ["one"])])
        // An SLO nothing meets: every step at its fastest θ — of this grid, not the paper's.
        let report = try await runner.run(try WorkflowGraph(workflow), model: try TestWorkflows.model(for: workflow), sloSeconds: 0.001)
        #expect(report.completed)
        #expect(report.steps.allSatisfy { $0.memoryMB == 1024 && $0.inter <= 2 && $0.intra <= 2 })
    }

    /// A bootstrap whose configurator cannot start (its runtime exits at once): the emulator answers each configurator
    /// call with `Runtime.ExitError`, as Lambda does.
    static func configuratorDown(in directory: PrivateDirectory) throws -> String {
        let script = try directory.write(
            "bootstrap", Data("""
                #!/bin/sh
                if [ "$_HANDLER" = configurator ]; then echo "configurator down" >&2; exit 3; fi
                exec '\(RunningEmulator.bootstrap)' "$@"
                """.utf8))
        chmod(script, 0o755)
        return script
    }

    @Test func aConfiguratorThatCannotAnswerLeavesEveryStepOnItsFastestPlanAndTheRunCompletes() async throws {
        let scripts = PrivateDirectory("configurator-down")
        let directory = TestWorkflows.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let graph = try WorkflowGraph(TestWorkflows.nShape)
        let model = try TestWorkflows.model(for: TestWorkflows.nShape)
        let runner = LocalWorkflowRunner(settings: .init(
            bootstrap: try Self.configuratorDown(in: scripts), workDirectory: directory, workScale: TestWorkflows.workScale))
        let report = try await runner.run(graph, model: model, sloSeconds: 60)
        try expectFaithful(report, graph, directory: directory)
        let fastest = try ConfiguratorOutput.Planned.fastest(graph: graph, model: model, platform: .aws, functionPrefix: "x")
        for record in report.steps {
            let v = try #require(graph.index[record.id])
            #expect(record.configSource == .fastest, "\(record.id)")
            #expect(record.recovery?.error.error == "Runtime.ExitError", "\(record.id)")
            #expect(record.memoryMB == fastest[v].memoryMB && record.inter == fastest[v].inter && record.intra == fastest[v].intra)
        }
        // Without a configurator's answer the execution is planned for the nominal size.
        #expect(report.inputSize == 1)
    }

    @Test func aRecoveredStepRunsOnTheEarlierPlanForItElseOnItsFastest() throws {
        let graph = try WorkflowGraph(TestWorkflows.nShape)
        let fastest = try ConfiguratorOutput.Planned.fastest(
            graph: graph, model: try TestWorkflows.model(for: TestWorkflows.nShape), platform: .aws, functionPrefix: "x")
        let earlier = ConfiguratorOutput.Planned(
            memoryMB: 512, inter: 1, intra: 1, function: "x-synthetic-m512", items: ConfiguratorOutput.Planned.items(jobs: 8, inter: 1, intra: 1),
            predictedSeconds: 1, fallback: false, deadlineSeconds: 0, deadline: "past")
        let error = ConfigRecovery.CaughtError(error: "Lambda.Unknown", cause: "timed out")
        let a = try #require(graph.index["a"])
        let onEarlier = LocalWorkflowRunner.StepContext.recover(a, graph: graph, known: ["a": earlier, "c": earlier], fastest: fastest, error: error)
        #expect(onEarlier.source == .earlierPlan && onEarlier.plan.memoryMB == 512 && onEarlier.plans.count == 2)
        #expect(onEarlier.recovery == ConfigRecovery(configSource: .earlierPlan, error: error))
        let onFastest = LocalWorkflowRunner.StepContext.recover(a, graph: graph, known: ["c": earlier], fastest: fastest, error: error)
        #expect(onFastest.source == .fastest && onFastest.plan.memoryMB == fastest[a].memoryMB)
        // As the state machine's `Fastest plan` state replaces `$.config`: later steps see this plan only.
        #expect(onFastest.plans.keys.sorted() == ["a"])
    }

    /// Kills, once, the first instance of `kind` that `parent` (an emulator: this process for the local runner) started
    /// with `marker` in its environment (its run's directory: other tests run beside this one) while it runs workers
    /// (mid-run).
    static func killOneInstanceMidRun(kind: String, parent: Int32 = getpid(), marker: String, within seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            for pid in processes(parent: parent) where !processes(parent: pid).isEmpty {
                let environment = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))) ?? Data()
                let variables = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                if variables.contains("_HANDLER=\(kind)"), variables.contains(where: { $0.contains(marker) }) {
                    kill(pid, SIGKILL)
                    return true
                }
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// The processes whose parent is `parent`, from /proc: its threads' `children` lists where the kernel keeps them
    /// (one small read each, so a poll stays fast on a loaded machine), else a scan of every process.
    static func processes(parent: Int32) -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(parent)/task")) ?? []
        if let first = tasks.first, FileManager.default.fileExists(atPath: "/proc/\(parent)/task/\(first)/children") {
            return tasks.flatMap { task in
                ((try? String(contentsOfFile: "/proc/\(parent)/task/\(task)/children", encoding: .utf8)) ?? "")
                    .split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == parent
        }
    }

    @Test func anInstanceKilledMidRunIsRunAgainAndTheStepsOutputIsComplete() async throws {
        let directory = TestWorkflows.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // One step long enough (seconds) to be caught with its workers running.
        let workflow = Workflow(name: "long", steps: [TestWorkflows.step("long", params: ["difficulty": 40_000_000])])
        let graph = try WorkflowGraph(workflow)
        async let killed = Self.killOneInstanceMidRun(kind: "synthetic", marker: directory, within: 60)
        let report = try await runner(directory).run(graph, model: try TestWorkflows.model(for: workflow), sloSeconds: 120)
        #expect(await killed, "no instance was caught mid-run")
        try expectFaithful(report, graph, directory: directory)
        #expect(report.steps.first?.reruns == 1)
    }

    @Test func aBadSLOIsRefusedBeforeAnythingRuns() async throws {
        let graph = try WorkflowGraph(TestWorkflows.nShape)
        await #expect(throws: InputError.self) {
            _ = try await runner(TestWorkflows.directory()).run(graph, model: try TestWorkflows.model(for: TestWorkflows.nShape), sloSeconds: 0)
        }
    }
}
