import Foundation
import StepConfCore
import StepConfFunctions
import StepConfHTTP
import StepConfLambda
import StepConfStorage
import StepConfWorker

/// Profiles a workflow's real step functions through the local emulator: every (kind, memory) is a
/// function of the emulator (instances get a CPU quota of m/1769 where the machine allows), a
/// configuration θ = (m, p, q) is run as p concurrent invocations of `{prefix}-{kind}-m{m}` with q
/// workers each, and the samples are the same as the simulator's profiler writes.
///
/// Inputs: a step reads what its predecessors wrote in their last profiled run; a first step of kind
/// `video.extract` gets a generated video, of kind `wordcount.map` the generated corpus; `synthetic` steps
/// need none. The synthetic ALU's `difficulty` is in the simulator's units (1.5 µs each); the functions run
/// it scaled by `workScale` (``FunctionEnvironment/workScale``), so a profile of a large
/// workflow fits in minutes on a laptop (`workScale` 1 runs it at full size).
public struct LocalProfiler: Sendable {
    public var bootstrap: String
    /// Where the functions' object store lives (``FunctionEnvironment/store`` of every instance).
    public var storeRoot: String
    public var workScale: Double
    public var timeoutSeconds: Double = 300
    public var functionPrefix = FunctionNames.defaultPrefix

    public init(bootstrap: String, storeRoot: String, workScale: Double = 0.02) {
        self.bootstrap = bootstrap
        self.storeRoot = storeRoot
        self.workScale = workScale
    }

    /// The emulator functions a profile of `graph` on `grid` needs.
    public func functions(for graph: WorkflowGraph, grid: ConfigurationGrid) -> [FunctionSpec] {
        FunctionSpec.stack(
            kinds: Set(graph.workflow.steps.map(\.kind)).sorted(), memorySizes: grid.memoryMB, bootstrap: bootstrap,
            prefix: functionPrefix, environment: FunctionEnvironment(store: storeRoot, workScale: workScale).variables,
            includesConfigurator: false, stepTimeoutSeconds: timeoutSeconds)
    }

    func functionName(kind: String, memoryMB: Int) -> String {
        FunctionNames.step(prefix: functionPrefix, kind: kind, memoryMB: memoryMB)
    }

    /// Checks that every step's kind is one `bootstrap` runs.
    /// - Throws: ``InputError`` naming the step and the kinds there are.
    public func validate(_ graph: WorkflowGraph) throws {
        for step in graph.workflow.steps where StepFunctions.all[step.kind] == nil {
            throw InputError(
                .malformed,
                "step \(step.id): kind `\(step.kind)` has no local function (known: \(StepFunctions.all.keys.sorted().joined(separator: ", ")))")
        }
    }

    /// Profiles every step of `graph` through the emulator listening on `port` (whose log lines `log` gives).
    /// Blocking: call it from a thread of its own. `progress` gets (runs done, runs planned).
    /// - Throws: ``InputError`` for an unknown kind, ``HTTPError`` when the emulator does not answer, and a
    ///   message with the function's error when an invocation fails.
    public func profile(
        _ graph: WorkflowGraph, grid: ConfigurationGrid, port: Int, log: @escaping @Sendable () -> [String], plan: ProfilePlan,
        repeats: Int, seed: UInt64, progress: ((Int, Int) -> Void)? = nil
    ) throws -> [ProfileSample] {
        try validate(graph)
        var backend = Backend(
            profiler: self, graph: graph, store: try LocalDirectoryStore(root: storeRoot), port: port, log: log)
        return try ProfileLoop(plan: plan, repeats: repeats, seed: seed).profile(
            graph, grid: grid, backend: &backend, progress: progress)
    }

    /// Runs one step at a time through the emulator; a step reads what its predecessors wrote last.
    struct Backend: ProfileBackend {
        let profiler: LocalProfiler
        let graph: WorkflowGraph
        let store: LocalDirectoryStore
        let port: Int
        let log: @Sendable () -> [String]
        var outputs: [Int: [String]] = [:]
        var inputs: [Int: [String]] = [:]

        mutating func run(step v: Int, jobs: Int, configuration: Configuration, rng: inout SeededRandom) throws -> ProfileSample {
            // Real functions run the inputs there are: the local profile is of the workflow's own size.
            guard jobs == graph[v].jobs else {
                throw InputError(.invalidParameter, "the local backend profiles the workflow's own input size only")
            }
            let keys = try inputs[v] ?? profiler.inputs(for: v, graph: graph, outputs: outputs, store: store)
            inputs[v] = keys
            let run = try profiler.run(graph[v], theta: configuration, keys: keys, port: port, log: log)
            outputs[v] = run.outputs
            return run.sample
        }
    }

    /// The input keys of step `v`: its predecessors' outputs, or generated data for a first step.
    func inputs(for v: Int, graph: WorkflowGraph, outputs: [Int: [String]], store: any ObjectStore) throws -> [String] {
        if !graph.predecessors[v].isEmpty {
            return graph.predecessors[v].flatMap { outputs[$0] ?? [] }.sorted()
        }
        return try StarterInputs.make(for: graph[v], store: store)
    }

    struct Run {
        var sample: ProfileSample
        var outputs: [String]
    }

    /// One run of `step` at θ: p concurrent invocations, each with its share of the jobs and keys.
    func run(_ step: Workflow.Step, theta: Configuration, keys: [String], port: Int, log: @Sendable () -> [String]) throws -> Run {
        let params = step.params
        let execution = "profile-\(UUID().uuidString.prefix(8))"
        let events = (0..<theta.inter).map { i in
            StepEvent(
                execution: execution, step: step.id, index: i, intra: theta.intra, jobStart: step.jobs * i / theta.inter,
                jobEnd: step.jobs * (i + 1) / theta.inter,
                keys: Array(keys[(keys.count * i / theta.inter)..<(keys.count * (i + 1) / theta.inter)]), params: params)
        }
        let url = "http://127.0.0.1:\(port)/2015-03-31/functions/\(functionName(kind: step.kind, memoryMB: theta.memoryMB))/invocations"
        let coldBefore = log().filter { $0.contains("Init Duration") }.count
        let clock = ContinuousClock()
        let start = clock.now
        let results = ResultSlots<(seconds: Double, output: StepOutput)>(count: events.count)
        let timeout = timeoutSeconds
        try ParallelWork.run(count: events.count, threads: events.count) { i in
            let body = try JSONEncoder().encode(events[i])
            let response = try HTTPClient().send(HTTPRequest(method: "POST", url: url, body: body, timeout: .seconds(timeout + 10)))
            let text = String(decoding: response.body, as: UTF8.self)
            guard response.status == 200, response.header(LambdaWire.functionErrorHeader) == nil,
                let output = try? JSONDecoder().decode(StepOutput.self, from: response.body)
            else {
                throw LocalError(.stepFailed, "step \(step.id) at m=\(theta.memoryMB), p=\(theta.inter), q=\(theta.intra), instance \(i) failed: \(text)")
            }
            results.set(i, ((clock.now - start).seconds, output))
        }
        let finished = results.values.map { $0! }
        let durations = finished.map { $0.output.downloadSeconds + $0.output.computeSeconds + $0.output.uploadSeconds }
        let cold = log().filter { $0.contains("Init Duration") }.count > coldBefore
        let sample = ProfileSample(
            step: step.id, configuration: theta, jobs: step.jobs,
            mappingDelaySeconds: zip(finished, durations).map { max(0, $0.0.seconds - $0.1) }.max() ?? 0,
            computeSeconds: durations.reduce(0, +) / Double(max(1, durations.count)),
            totalSeconds: finished.map(\.seconds).max() ?? 0, cold: cold, instanceSeconds: durations)
        return Run(sample: sample, outputs: finished.flatMap(\.output.outputs))
    }
}
