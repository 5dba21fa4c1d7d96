import Foundation
import StepConfCore
import StepConfFunctions
import StepConfWorker

/// The native local executor (DESIGN §7): walks a workflow's DAG exactly as its generated state machine
/// does — the configurator before each step, then the chosen `p` instances of
/// `{prefix}-{kind}-m{memory}` with `q` workers each — through an in-process emulator, with a
/// local-directory object store and the configurator's SQLite global cache. No servers to start.
public struct LocalWorkflowRunner: Sendable {
    /// Where and how to run.
    public struct Settings: Sendable {
        /// The `bootstrap` every function runs.
        public var bootstrap: String
        /// Holds `store/` (the object store), `cache.sqlite` (the global cache) and `workflows/` (what the
        /// configurator reads).
        public var workDirectory: String
        public var policy: PolicyName
        public var safety: Double
        /// `STEPCONF_WORK_SCALE` of the step functions (the synthetic ALU's work; 1 = full size).
        public var workScale: Double
        public var functionPrefix: String
        public var platform: Platform
        /// Each step function's time limit, seconds.
        public var timeoutSeconds: Double

        public init(
            bootstrap: String, workDirectory: String, policy: PolicyName = .stepconf, safety: Double = Policies.defaultSafety,
            workScale: Double = 0.02, functionPrefix: String = "stepconf", platform: Platform = .aws, timeoutSeconds: Double = 900
        ) {
            self.bootstrap = bootstrap
            self.workDirectory = workDirectory
            self.policy = policy
            self.safety = safety
            self.workScale = workScale
            self.functionPrefix = functionPrefix
            self.platform = platform
            self.timeoutSeconds = timeoutSeconds
        }
    }

    public let settings: Settings

    public init(settings: Settings) { self.settings = settings }

    var storeRoot: String { settings.workDirectory + "/store" }

    /// The emulator's functions: the configurator and one per (kind, memory size of the grid).
    public func functions(for graph: WorkflowGraph) -> [FunctionSpec] {
        let environment = [
            "STEPCONF_STORE": storeRoot, "STEPCONF_WORK_SCALE": "\(settings.workScale)",
            "STEPCONF_CACHE_PATH": settings.workDirectory + "/cache.sqlite",
            "STEPCONF_WORKFLOW_DIR": settings.workDirectory + "/workflows", "STEPCONF_POLICY": settings.policy.rawValue,
            "STEPCONF_SAFETY": "\(settings.safety)", "STEPCONF_FUNCTION_PREFIX": settings.functionPrefix,
            "STEPCONF_PLATFORM": ConfiguratorFiles.platformFile,
        ]
        return FunctionSpec.stack(
            kinds: Set(graph.workflow.steps.map(\.kind)).sorted(), memorySizes: settings.platform.grid.memoryMB,
            bootstrap: settings.bootstrap, prefix: settings.functionPrefix, environment: environment,
            configuratorMemoryMB: settings.platform.configurator.memoryMB, stepTimeoutSeconds: settings.timeoutSeconds)
    }

    /// Runs `graph` once against `sloSeconds`. `inputKeys` (already in the store) feed the first step; when
    /// empty, the first step gets generated inputs if its kind needs some. `progress` gets a line per step.
    /// - Throws: ``InputError`` for an unknown step kind or an unusable work directory; a failing step is
    ///   not thrown but reported in ``LocalRunReport/failure``.
    public func run(
        _ graph: WorkflowGraph, model: PerformanceModel, sloSeconds: Double, inputKeys: [String] = [],
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> LocalRunReport {
        guard sloSeconds.isFinite, sloSeconds > 0 else {
            throw InputError(.invalidSLO, "the SLO must be a positive number of seconds, got \(sloSeconds)")
        }
        for step in graph.workflow.steps where StepFunctions.all[step.kind] == nil {
            throw InputError(
                .malformed,
                "step \(step.id): kind `\(step.kind)` has no function (known: \(StepFunctions.all.keys.sorted().joined(separator: ", ")))")
        }
        let store = try LocalDirectoryStore(root: storeRoot)
        try ConfiguratorFiles.write([(graph.workflow, model)], platform: settings.platform, to: settings.workDirectory + "/workflows")
        let firstKeys = inputKeys.isEmpty ? try StarterInputs.make(for: graph[graph.start], store: store) : inputKeys

        let emulator = await LocalEmulator.start(functions(for: graph))
        let execution = "run-\(UUID().uuidString.prefix(8).lowercased())"
        let startUnix = Date().timeIntervalSince1970
        let clock = ContinuousClock()
        let started = clock.now
        let context = StepContext(
            graph: graph, emulator: emulator, execution: execution, sloSeconds: sloSeconds, startUnix: startUnix,
            clock: clock, started: started, settings: settings)

        var records: [Int: LocalRunReport.StepRecord] = [:]
        var outputs: [Int: [[String]]] = [:]
        var failure: LocalRunReport.Failure?
        await withTaskGroup(of: (Int, Result<StepContext.Outcome, StepContext.StepFailure>).self) { group in
            var waiting = graph.predecessors.map(\.count)
            func launch(_ v: Int, _ after: [String: [[String]]]) {
                group.addTask { (v, await context.runStep(v, firstKeys: firstKeys, after: after)) }
            }
            launch(graph.start, [:])
            for await (v, result) in group {
                switch result {
                case .failure(let error):
                    failure = .init(step: graph.ids[v], error: error.message)
                    progress("step \(graph.ids[v]) failed: \(error.message)")
                    group.cancelAll()
                case .success(let outcome):
                    records[v] = outcome.record
                    outputs[v] = outcome.outputs
                    progress(Self.describe(outcome.record))
                    guard failure == nil else { continue }
                    for w in graph.successors[v] {
                        waiting[w] -= 1
                        if waiting[w] == 0 {
                            launch(w, Dictionary(uniqueKeysWithValues: graph.predecessors[w].map { (graph.ids[$0], outputs[$0] ?? []) }))
                        }
                    }
                }
            }
        }
        let makespan = (clock.now - started).seconds
        await emulator.stop()
        let steps = graph.topologicalOrder.compactMap { records[$0] }
        let completed = failure == nil && steps.count == graph.count
        let cost = steps.map(\.costUSD).reduce(0, +)
        var path: [Int] = []
        var at: Int? = completed ? graph.end : nil
        while let v = at {
            path.append(v)
            at = graph.predecessors[v].max { (records[$0]?.end ?? 0) < (records[$1]?.end ?? 0) }
        }
        return LocalRunReport(
            workflow: graph.workflow.name, policy: settings.policy.rawValue, execution: execution, sloSeconds: sloSeconds,
            makespanSeconds: makespan, completed: completed, met: completed && makespan <= sloSeconds, costUSD: cost,
            steps: steps, failure: failure, criticalPath: path.reversed().map { graph.ids[$0] },
            criticalPathFunctionSeconds: path.compactMap { records[$0]?.functionSeconds }.reduce(0, +))
    }

    static func describe(_ r: LocalRunReport.StepRecord) -> String {
        String(
            format: "%@ done at %.3f s: m=%d p=%d q=%d, %d cold, %d warm", r.id, r.end, r.memoryMB, r.inter, r.intra,
            r.cold, r.warm)
    }
}
