import Foundation
import StepConfCore
import StepConfFunctions
import StepConfLambda
import StepConfStorage
import StepConfTestSupport
import Testing

/// The configurator plans each execution for the size of its own input: measured at the first step from the input's
/// objects (``InputMeasure``), answered, and carried by every later event.
@Suite struct InputSizeConfiguratorTests {
    let context = LambdaContext(
        invocation: Invocation(requestID: "r", deadlineMs: 0, invokedFunctionARN: "arn", payload: Data()),
        environment: LambdaEnvironment([:]))
    let examples = TestPaths.root.appendingPathComponent("examples").path
    let start = 1_700_000_000.0

    private func event(
        _ workflow: String, _ step: String, execution: String, keys: [String]? = nil, after: [String: [[String]]]? = nil,
        inputSize: Double? = nil
    ) -> ConfiguratorEvent {
        let input = StepInput(keys: keys, after: after?.mapValues { $0.map { StepInput.InstanceResult(outputs: $0) } })
        return ConfiguratorEvent(
            workflow: workflow, step: step, execution: execution, sloSeconds: 2, startTime: start, input: input, inputSize: inputSize)
    }

    @Test func wordCountsFirstConfiguratorCountsTheFilesAndPlansForThem() throws {
        let handler = ConfiguratorHandler(settings: .init(workflowDirectory: examples), cache: InMemoryGlobalCache(), now: { self.start })
        for (files, size) in [(100, 1.0), (150, InputSizes.snapped(1.5)), (400, 4.0), (37, InputSizes.snapped(0.37))] {
            let keys = (0..<files).map { "in/text-\($0).txt" }
            let out = try handler.handle(event("wordcount", "map", execution: "e\(files)", keys: keys), context: context)
            #expect(out.decision.inputSize == size, "\(files) files")
            let plan = try #require(out.plan)
            // The map's jobs follow the size (one per file at the nominal 100), and its instances take every key.
            #expect(plan.items.map { $0.jobEnd - $0.jobStart }.reduce(0, +) == Int((100 * size).rounded()), "\(files) files")
            #expect(plan.items.flatMap { StepInput(keys: keys).share(instance: $0.index, of: $0.instances) } == keys)
            // The reduce keeps one job (`input_scaling: fixed`) and is planned for the size the event carries.
            let reduce = try handler.handle(
                event("wordcount", "reduce", execution: "e\(files)", after: ["map": [["out/0"]]], inputSize: out.decision.inputSize),
                context: context)
            #expect(reduce.decision.inputSize == size)
            #expect(reduce.plan?.items.map { $0.jobEnd - $0.jobStart }.reduce(0, +) == 1)
        }
    }

    @Test func aWiderInputTakesMoreOrLargerInstances() throws {
        let handler = ConfiguratorHandler(settings: .init(workflowDirectory: examples), cache: InMemoryGlobalCache(), now: { self.start })
        let small = try handler.handle(event("wordcount", "map", execution: "s", keys: (0..<50).map { "k\($0)" }), context: context)
        let large = try handler.handle(event("wordcount", "map", execution: "l", keys: (0..<400).map { "k\($0)" }), context: context)
        #expect(large.decision.predictedCostUSD > small.decision.predictedCostUSD, "eight times the files cost more")
    }

    @Test func badOrMissingSizesAreRefusedWithTheFieldNamed() throws {
        let handler = ConfiguratorHandler(settings: .init(workflowDirectory: examples), cache: InMemoryGlobalCache(), now: { self.start })
        // A size out of range is refused where the event is decoded (EventBoundsTests).
        let missing = #expect(throws: InputError.self) {
            try handler.handle(event("wordcount", "reduce", execution: "b", after: ["map": [["o"]]]), context: context)
        }
        #expect(missing?.message.contains("input_size") == true)
        let empty = #expect(throws: InputError.self) { try handler.handle(event("wordcount", "map", execution: "b", keys: []), context: context) }
        #expect(empty?.message.contains("no objects") == true)
        let many = #expect(throws: InputError.self) {
            try handler.handle(event("wordcount", "map", execution: "b", keys: (0..<20_000).map { "k\($0)" }), context: context)
        }
        #expect(many?.message.contains("20000 objects") == true)
        // A workflow that measures no size plans every request at the nominal one.
        let plain = try handler.handle(event("synthetic16", "s01", execution: "p"), context: context)
        #expect(plain.decision.inputSize == 1)
    }

    @Test func aBytesMeasureReadsTheObjectsSizesFromTheStore() throws {
        let directory = TestPaths.scratch("bytes-measure")
        try FileManager.default.createDirectory(atPath: directory + "/workflows", withIntermediateDirectories: true)
        var workflow = try Workflow.load(from: examples + "/synthetic16.json")
        workflow.inputMeasure = .bytes
        let first = try #require(workflow.steps.firstIndex { $0.dependsOn.isEmpty })
        workflow.steps[first].inputMB = 0.001
        try JSONEncoder().encode(workflow).write(to: URL(fileURLWithPath: directory + "/workflows/synthetic16.json"))
        try FileManager.default.copyItem(atPath: examples + "/synthetic16.model.json", toPath: directory + "/workflows/synthetic16.model.json")
        let store = try LocalDirectoryStore(root: directory + "/store")
        try store.put("in/a", data: Data(count: 1_200))
        try store.put("in/b", data: Data(count: 800))
        let handler = ConfiguratorHandler(
            settings: .init(workflowDirectory: directory + "/workflows"), cache: InMemoryGlobalCache(), store: { store }, now: { self.start })
        let id = workflow.steps[first].id
        let out = try handler.handle(event("synthetic16", id, execution: "b", keys: ["in/a", "in/b"]), context: context)
        #expect(out.decision.inputSize == 2, "2,000 bytes over a nominal 1,000")
        let absent = #expect(throws: InputError.self) {
            try handler.handle(event("synthetic16", id, execution: "c", keys: ["in/a", "in/none"]), context: context)
        }
        #expect(absent?.message.contains("in/none") == true)
        let storeless = ConfiguratorHandler(settings: .init(workflowDirectory: directory + "/workflows"), cache: InMemoryGlobalCache())
        #expect(throws: HandlerError.self) { try storeless.handle(event("synthetic16", id, execution: "d", keys: ["in/a"]), context: context) }
    }
}
