import Foundation
import StepConfASL
import StepConfAWS
import StepConfCore
import StepConfExamples
import StepConfFunctions
import StepConfLocal
import Testing

/// The moto path: the generated state machines executed by moto's Step Functions engine, Lambda calls routed
/// to the emulator, S3 and DynamoDB on moto — what `stepconf local up` sets up.
@Suite(.serialized) struct LocalStackTests {
    struct Run {
        var execution: StepFunctionsClient.Execution
        var timeline: ExecutionTimeline
        var events: [StepFunctionsClient.HistoryEvent]
    }

    /// A stack up for one test in a directory of its own: taken down and removed when released.
    final class Stack {
        let directory = TestWorkflows.directory()
        let state: LocalStack.State
        let aws: AWSConfiguration

        init(_ workflows: [(Workflow, PerformanceModel)], policy: PolicyName = .stepconf) throws {
            let stepconf = URL(fileURLWithPath: RunningEmulator.bootstrap).deletingLastPathComponent().appendingPathComponent("stepconf").path
            let stack = LocalStack(settings: .init(
                directory: directory, port: 0, emulatorPort: 0, stepconf: stepconf, bootstrap: RunningEmulator.bootstrap,
                policy: policy, workScale: TestWorkflows.workScale))
            do {
                state = try stack.up(workflows)
                aws = try LocalStackTests.configuration(state)
            } catch {
                LocalStack.down(directory: directory)
                try? FileManager.default.removeItem(atPath: directory)
                throw error
            }
        }

        deinit {
            LocalStack.down(directory: directory)
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Every service of the stack at moto's endpoint, with moto's test credentials.
    static func configuration(_ state: LocalStack.State) throws -> AWSConfiguration {
        try AWSConfiguration(
            region: state.region, credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "t", secretAccessKey: "t")),
            endpoints: Dictionary(uniqueKeysWithValues: try AWSService.allCases.map { ($0, try AWSEndpoint(state.endpoint)) }))
    }

    @Test func workflowsRunOnMotosStepFunctionsAsInTheCloud() async throws {
        let directory = TestWorkflows.directory()
        let stepconf = URL(fileURLWithPath: RunningEmulator.bootstrap).deletingLastPathComponent().appendingPathComponent("stepconf").path
        let chain = Workflow(name: "chain", steps: [TestWorkflows.step("one"), TestWorkflows.step("two", ["one"])])
        var workflows: [(Workflow, PerformanceModel)] = []
        for name in ["synthetic16", "video", "wordcount"] {
            let workflow = try EmbeddedExamples.workflow(name)
            workflows.append((workflow, try EmbeddedExamples.model(name, for: workflow)))
        }
        for workflow in [TestWorkflows.nShape, TestWorkflows.failing, chain] {
            workflows.append((workflow, try TestWorkflows.model(for: workflow)))
        }
        let stack = LocalStack(settings: .init(
            directory: directory, port: 0, emulatorPort: 0, stepconf: stepconf, bootstrap: RunningEmulator.bootstrap,
            workScale: TestWorkflows.workScale))
        var stages: [LocalStack.Stage] = []
        let state = try stack.up(workflows, stage: { stages.append($0) })
        defer {
            LocalStack.down(directory: directory)
            try? FileManager.default.removeItem(atPath: directory)
        }
        #expect(stages == LocalStack.Stage.allCases, "every stage is told, in order (local up's time left reads them)")
        let aws = try Self.configuration(state)
        let sfn = StepFunctionsClient(configuration: aws)
        let s3 = S3Client(configuration: aws)
        let bucket = try #require(state.bucket)

        // The stack came from the template: CloudFormation named the bucket and the table, the functions' environment
        // is the stack's, and what moto ignores was applied otherwise.
        #expect(bucket.hasPrefix("stepconf-databucket-"), "\(bucket)")
        let table = try #require(state.table)
        #expect(table.hasPrefix("stepconf-CacheTable-"), "\(table)")
        let functions = try FunctionSpec.load(from: directory + "/functions.json")
        #expect(functions.count == 8 * Platform.aws.grid.memoryMB.count + 1)
        let configurator = try #require(functions.first { $0.name == "stepconf-configurator" })
        #expect(configurator.handler == "configurator" && configurator.memoryMB == 512 && configurator.timeoutSeconds == 30)
        #expect(configurator.environment["STEPCONF_CACHE_TABLE"] == table)
        #expect(configurator.environment["STEPCONF_STORE"] == "s3://\(bucket)")
        #expect(configurator.environment["STEPCONF_WORK_SCALE"] == "\(TestWorkflows.workScale)")
        #expect(Set(state.covered.map { $0.components(separatedBy: ":")[0] }) == [
            "Synthetic16StateMachine", "VideoStateMachine", "WordcountStateMachine", "NshapeStateMachine", "FailingStateMachine", "ChainStateMachine",
            "CacheTable", "DataBucket",
        ])
        let ttl = try DynamoDBClient(configuration: aws).call("DescribeTimeToLive", ["TableName": .string(table)])
        #expect(ttl["TimeToLiveDescription"]?["TimeToLiveStatus"]?.stringValue == "ENABLED")

        // All six at once (moto runs executions side by side); the chain gets an SLO nothing can meet. Word count
        // runs on the corpus `invoke --local` puts in the bucket when given no input.
        let slos = ["synthetic16": 120.0, "video": 120, "wordcount": 60, "nshape": 60, "failing": 60, "chain": 0.001]
        let corpus = try LocalStack.starterInputs(workflow: "wordcount", directory: directory, state: state)
        #expect(corpus.count == 100)
        var arns: [String: String] = [:]
        for (name, slo) in slos {
            let keys = name == "wordcount" ? corpus : []
            let input = String(decoding: try JSONSerialization.data(withJSONObject: ["slo_s": slo, "input": ["keys": keys]]), as: UTF8.self)
            arns[name] = try sfn.startExecution(
                stateMachineARN: try #require(state.stateMachines[name]), name: "test-\(name)", input: input)
        }
        var runs: [String: Run] = [:]
        for (name, arn) in arns {
            let execution = try sfn.waitForExecution(arn: arn, timeoutSeconds: 600, pollSeconds: 1)
            let events = try sfn.executionHistory(arn: arn)
            runs[name] = Run(
                execution: execution, timeline: ExecutionTimeline(events: events.map { .init(type: $0.type, timestamp: $0.timestamp, details: $0.details) }),
                events: events)
        }

        var decidedAhead = 0
        for (workflow, _) in workflows where workflow.name != "failing" {
            let run = try #require(runs[workflow.name])
            #expect(run.execution.status == "SUCCEEDED", "\(workflow.name): \(run.execution.error ?? "") \(run.execution.cause ?? "")")
            let steps = Dictionary(uniqueKeysWithValues: run.timeline.steps.map { ($0.id, $0) })
            #expect(Set(steps.keys) == Set(workflow.steps.map(\.id)))
            // The configurators' own answers, as the Lambda tasks returned them: each step's plan, from its own
            // configurator or from its predecessor's, which decided it ahead (the later answer holds).
            var plans: [String: [String: Any]] = [:]
            var configured: Set<String> = []
            for event in run.events where event.type == "TaskSucceeded" {
                let details = try JSONSerialization.jsonObject(with: Data((event.details ?? "{}").utf8)) as? [String: Any]
                let output = (details?["output"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any]
                if let payload = output?["Payload"] as? [String: Any], let decision = payload["decision"] as? [String: Any],
                    let step = decision["step"] as? String, let steps = payload["steps"] as? [String: [String: Any]]
                {
                    configured.insert(step)
                    for (id, plan) in steps where id == step || !configured.contains(id) { plans[id] = plan }
                }
            }
            for step in workflow.steps {
                let record = try #require(steps[step.id])
                let plan = try #require(plans[step.id], "no configurator answer for \(step.id)")
                #expect(record.memoryMB == plan["memory_mb"] as? Int && record.inter == plan["inter"] as? Int
                    && record.intra == plan["intra"] as? Int, "\(workflow.name)/\(step.id): history decision ≠ the configurator's")
                // A step ran on a decision made ahead exactly when it had no configurator of its own.
                #expect(record.decidedAhead == !configured.contains(step.id), "\(workflow.name)/\(step.id)")
                if record.decidedAhead == true {
                    decidedAhead += 1
                    #expect(step.dependsOn.count == 1 && plan["deadline"] is String, "\(workflow.name)/\(step.id)")
                }
                #expect(record.fallback == (workflow.name == "chain"))
                for dependency in step.dependsOn {
                    let start = record.configureStart ?? record.runStart ?? 0
                    #expect((steps[dependency]?.runEnd ?? .infinity) <= start, "\(step.id) before \(dependency)")
                }
                // The Map ran the decision: p instances of the function at memory m, q workers each.
                let manifests = try s3.listObjects(bucket: bucket, prefix: "runs/test-\(workflow.name)/\(step.id)/")
                    .filter { $0.key.hasSuffix("manifest.json") }
                #expect(manifests.count == record.inter, "\(workflow.name)/\(step.id): one manifest per instance")
                let manifest = try JSONSerialization.jsonObject(with: try s3.getObject(bucket: bucket, key: manifests[0].key)) as? [String: Any]
                #expect(manifest?["memory_mb"] as? Int == record.memoryMB && manifest?["intra"] as? Int == record.intra)
            }
        }
        // On moto, as on AWS, a Check state entered by the deadline ran its step at once (the string comparison of
        // `$$.State.EnteredTime` with a deadline in the engine's own format).
        print("LocalStackTests: \(decidedAhead) step(s) ran on a decision made ahead")
        #expect(decidedAhead > 0)
        // Word count counted the whole corpus: the reduce's one output holds every word.
        let reduced = try s3.listObjects(bucket: bucket, prefix: "runs/test-wordcount/reduce/").filter { $0.key.hasSuffix("counts.json") }
        #expect(reduced.count == 1)
        if let key = reduced.first?.key {
            #expect(try WordCount.decode(try s3.getObject(bucket: bucket, key: key)).values.reduce(0, +) == 100 * 638)
        }
        let failed = try #require(runs["failing"])
        #expect(failed.execution.status == "FAILED")
        #expect(failed.timeline.failedStep == "broken", "\(failed.events.suffix(8).map { "\($0.type) \($0.details ?? "")" })")
        #expect(failed.execution.cause?.contains("difficulty must lie in") == true)
        #expect(try #require(runs["chain"]).timeline.steps.allSatisfy { $0.fallback == true })

        // down stops both servers.
        LocalStack.down(directory: directory)
        #expect(kill(state.motoPID, 0) != 0 || (try? String(contentsOfFile: "/proc/\(state.motoPID)/stat", encoding: .utf8))?.contains(") Z ") == true)
        #expect(LocalStack.state(in: directory) == nil)
    }

    /// stepconf-exact deployed: the configurator reads the execution's progress from DynamoDB (on moto), the first
    /// answer carries the whole plan, and every later step's Check — the join's after a Parallel state too — runs it
    /// on that plan when it is ready by its latest start.
    @Test func stepconfExactRunsOnMotosStepFunctionsWithOnePlanAndChecksAtTheJoins() async throws {
        let workflow = try EmbeddedExamples.workflow("fanout4")
        let graph = try WorkflowGraph(workflow)
        let stack = try Stack([(workflow, try EmbeddedExamples.model("fanout4", for: workflow))], policy: .stepconfExact)
        let (state, aws) = (stack.state, stack.aws)
        defer { withExtendedLifetime(stack) {} }
        let sfn = StepFunctionsClient(configuration: aws)
        let arn = try sfn.startExecution(
            stateMachineARN: try #require(state.stateMachines["fanout4"]), name: "exact", input: #"{"slo_s": 300}"#)
        let execution = try sfn.waitForExecution(arn: arn, timeoutSeconds: 600, pollSeconds: 1)
        let events = try sfn.executionHistory(arn: arn)
        #expect(execution.status == "SUCCEEDED", "\(execution.error ?? "") \(execution.cause ?? "")")
        let timeline = ExecutionTimeline(events: events.map { .init(type: $0.type, timestamp: $0.timestamp, details: $0.details) })
        let steps = Dictionary(uniqueKeysWithValues: timeline.steps.map { ($0.id, $0) })
        #expect(Set(steps.keys) == Set(graph.ids))
        #expect(steps[graph.ids[graph.start]]?.decidedAhead == false)
        for v in 0..<graph.count where v != graph.start {
            #expect(steps[graph.ids[v]]?.decidedAhead == true, "\(graph.ids[v]) ran on the first answer's plan")
        }
        // The first configurator warmed every later step: one warm-up per planned instance, sent to the emulator (the
        // stack's Lambda) once its answer was out.
        let answers = events.filter { $0.type == "TaskSucceeded" }.compactMap { event -> [String: Any]? in
            let details = try? JSONSerialization.jsonObject(with: Data((event.details ?? "{}").utf8)) as? [String: Any]
            let output = (details?["output"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any]
            return (output?["Payload"] as? [String: Any])?["decision"] as? [String: Any]
        }
        #expect(answers.count == 1)
        let planned = (0..<graph.count).filter { $0 != graph.start }.compactMap { steps[graph.ids[$0]]?.inter }.reduce(0, +)
        #expect(answers.first?["warm_ups"] as? Int == planned)
        // The configurator left the plan, with the first step's record, in the stack's table.
        let plan = try DynamoDBGlobalCache(dynamo: DynamoDBClient(configuration: aws), table: try #require(state.table))
            .plan(execution: ExactPolicy.planKey(execution.arn))
        #expect(plan?.steps.count == graph.count)
        #expect(plan?.steps[graph.start].end != nil)
    }

    /// No single point of failure, on moto's engine: word count's configurator cannot answer (its model is gone from the
    /// bundle) and every step runs on its fastest plan, recorded in the execution's output; an instance of a long step is
    /// killed mid-run and its Map's Retry runs it again. Both executions succeed with complete, correct output.
    @Test func aConfiguratorThatFailsAndAnInstanceKilledMidRunDoNotFailTheWorkflow() async throws {
        let wordcount = try EmbeddedExamples.workflow("wordcount")
        let long = Workflow(name: "long", steps: [
            // Seconds of work: a wide window for the test to catch an instance while its workers run.
            TestWorkflows.step("long", params: ["difficulty": 200_000_000]), TestWorkflows.step("after", ["long"]),
        ])
        let models = [
            (wordcount, try EmbeddedExamples.model("wordcount", for: wordcount)), (long, try TestWorkflows.model(for: long)),
        ]
        let stack = try Stack(models)
        let (directory, state, aws) = (stack.directory, stack.state, stack.aws)
        defer { withExtendedLifetime(stack) {} }
        let sfn = StepFunctionsClient(configuration: aws)
        let s3 = S3Client(configuration: aws)
        let bucket = try #require(state.bucket)

        // The configurator reads word count's model from the bundle on first use: without it, every call fails.
        let bundle = directory + "/bundle/workflows"
        try FileManager.default.removeItem(atPath: bundle + "/wordcount.model.json")
        let corpus = try LocalStack.starterInputs(workflow: "wordcount", directory: directory, state: state)
        let input = String(decoding: try JSONSerialization.data(withJSONObject: ["slo_s": 60, "input": ["keys": corpus]]), as: UTF8.self)
        let counted = try sfn.startExecution(stateMachineARN: try #require(state.stateMachines["wordcount"]), name: "down", input: input)
        let execution = try sfn.waitForExecution(arn: counted, timeoutSeconds: 600, pollSeconds: 1)
        #expect(execution.status == "SUCCEEDED", "\(execution.error ?? "") \(execution.cause ?? "")")
        let output = try JSONSerialization.jsonObject(with: Data((execution.output ?? "{}").utf8)) as? [String: Any]
        let recovered = try #require((output?["out"] as? [String: Any])?["recovered"] as? [String: Any])
        #expect(recovered.keys.sorted() == wordcount.steps.map(\.id).sorted())
        for (id, value) in recovered {
            let record = try JSONDecoder().decode(ConfigRecovery.self, from: try JSONSerialization.data(withJSONObject: value))
            #expect(record.configSource == .fastest, "\(id)")
            #expect(record.error.cause?.contains("wordcount.model.json") == true, "\(id): \(record.error)")
        }
        let events = try sfn.executionHistory(arn: counted)
        let timeline = ExecutionTimeline(events: events.map { .init(type: $0.type, timestamp: $0.timestamp, details: $0.details) })
        let fastest = try ConfiguratorOutput.Planned.fastest(
            graph: try WorkflowGraph(wordcount), model: models[0].1, platform: .aws, functionPrefix: "x")
        for (v, step) in wordcount.steps.enumerated() {
            let record = try #require(timeline.steps.first { $0.id == step.id })
            #expect(record.configSource == .fastest && record.finished, "\(step.id)")
            #expect(record.memoryMB == fastest[v].memoryMB && record.inter == fastest[v].inter, "\(step.id)")
        }
        #expect(timeline.failedStep == nil)
        let reduced = try s3.listObjects(bucket: bucket, prefix: "runs/down/reduce/").filter { $0.key.hasSuffix("counts.json") }
        #expect(reduced.count == 1)
        if let key = reduced.first?.key {
            #expect(try WordCount.decode(try s3.getObject(bucket: bucket, key: key)).values.reduce(0, +) == 100 * 638)
        }

        // An instance of the long step, killed while its workers run: the emulator answers Runtime.ExitError and the
        // Map's Retry invokes it again.
        let arn = try sfn.startExecution(
            stateMachineARN: try #require(state.stateMachines["long"]), name: "killed", input: #"{"slo_s": 300}"#)
        let killed = await LocalWorkflowRunnerTests.killOneInstanceMidRun(
            kind: "synthetic", parent: state.emulatorPID, marker: directory, within: 120)
        #expect(killed, "no instance was caught mid-run")
        let finished = try sfn.waitForExecution(arn: arn, timeoutSeconds: 600, pollSeconds: 1)
        #expect(finished.status == "SUCCEEDED", "\(finished.error ?? "") \(finished.cause ?? "")")
        let history = try sfn.executionHistory(arn: arn)
        let lost = history.filter { $0.type == "TaskFailed" && ($0.details ?? "").contains("Runtime.ExitError") }
        #expect(lost.count == 1, "\(history.map(\.type))")
        let steps = ExecutionTimeline(events: history.map { .init(type: $0.type, timestamp: $0.timestamp, details: $0.details) }).steps
        for step in steps {
            let manifests = try s3.listObjects(bucket: bucket, prefix: "runs/killed/\(step.id)/").filter { $0.key.hasSuffix("manifest.json") }
            #expect(manifests.count == step.inter, "\(step.id): one manifest per instance")
        }
        #expect(steps.count == 2)
    }

    @Test func aStackThatFailsOnMotoIsReportedAndNothingIsLeftRunning() throws {
        let directory = TestWorkflows.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        // The committed template with a state machine whose definition Step Functions refuses.
        let project = directory + "/project"
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        for item in ["template.yaml", "statemachine"] {
            try FileManager.default.copyItem(atPath: root.appendingPathComponent(item).path, toPath: project + "/" + item)
        }
        let asl = project + "/statemachine/video.asl.json"
        let broken = try String(contentsOfFile: asl, encoding: .utf8).replacingOccurrences(of: #""Type": "Map""#, with: #""Type": "Mapp""#)
        try broken.write(toFile: asl, atomically: true, encoding: .utf8)
        var workflows: [(Workflow, PerformanceModel)] = []
        for name in ["synthetic16", "video"] {
            let workflow = try EmbeddedExamples.workflow(name)
            workflows.append((workflow, try EmbeddedExamples.model(name, for: workflow)))
        }
        let stepconf = URL(fileURLWithPath: RunningEmulator.bootstrap).deletingLastPathComponent().appendingPathComponent("stepconf").path
        var settings = LocalStack.Settings(directory: directory, port: 0, emulatorPort: 0, stepconf: stepconf, bootstrap: RunningEmulator.bootstrap)
        settings.template = project + "/template.yaml"
        do {
            _ = try LocalStack(settings: settings).up(workflows)
            Issue.record("a stack with a broken state machine was created")
        } catch let error as LocalError {
            #expect(error.code == .stack)
            #expect(error.message.contains("stack stepconf failed") && error.message.contains("Mapp"), "\(error.message)")
            #expect(error.message.contains("the stack was deleted again"))
            #expect(error.message.contains("nothing is left running"))
        }
        #expect(LocalStack.state(in: directory) == nil)
        // moto was started and stopped again: no process of this directory or on moto's port is left.
        let log = try String(contentsOfFile: directory + "/moto.log", encoding: .utf8)
        let port = try #require(log.components(separatedBy: "Running on http://127.0.0.1:").dropFirst().first?.prefix { $0.isNumber })
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        let servers = pids.filter { pid in
            let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
            let zombie = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.contains(") Z ") == true
            return !zombie && (command.contains(directory) || command.contains("\0-p\0\(port)\0"))
        }
        #expect(servers.isEmpty, "still running: \(servers)")
    }
}
