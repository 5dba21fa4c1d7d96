import Foundation
import StepConfCore
import StepConfFunctions
import StepConfStorage
import StepConfWorker

/// The native local executor (docs/lambda.md): walks a workflow's DAG exactly as its generated state machine
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
        /// The SLO's percentile, sent with every configurator event (``ConfiguratorEvent/sloPercentile``).
        public var percentile: Double
        /// ``FunctionEnvironment/workScale`` of the step functions (the synthetic ALU's work; 1 = full size).
        public var workScale: Double
        public var functionPrefix: String
        public var platform: Platform
        /// Each step function's time limit, seconds.
        public var timeoutSeconds: Double
        /// Whether the configurator warms the steps it plans ahead (``FunctionEnvironment/prewarm``).
        public var prewarm: Bool

        public init(
            bootstrap: String, workDirectory: String, policy: PolicyName = .stepconf, safety: Double = Policies.defaultSafety,
            percentile: Double = ChanceConstraint.defaultPercentile, workScale: Double = 0.02, functionPrefix: String = FunctionNames.defaultPrefix, platform: Platform = .aws, timeoutSeconds: Double = 900,
            prewarm: Bool = true
        ) {
            self.prewarm = prewarm
            self.bootstrap = bootstrap
            self.workDirectory = workDirectory
            self.policy = policy
            self.safety = safety
            self.percentile = percentile
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
        let environment = FunctionEnvironment(
            store: storeRoot, workScale: settings.workScale, workflowDirectory: settings.workDirectory + "/workflows",
            policy: settings.policy, safety: settings.safety, functionPrefix: settings.functionPrefix,
            platform: ConfiguratorFiles.platformFile, cachePath: settings.workDirectory + "/cache.sqlite", prewarm: settings.prewarm
        ).variables
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
            clock: clock, started: started, settings: settings,
            fastest: try ConfiguratorOutput.Planned.fastest(
                graph: graph, model: model, platform: settings.platform, functionPrefix: settings.functionPrefix))

        let driver = WorkflowDriver(graph: graph)
        let walk = await driver.run(
            EmulatorExecutor(context: context, firstKeys: firstKeys, progress: progress))
        let makespan = (clock.now - started).seconds
        await emulator.stop()
        var failure: LocalRunReport.Failure?
        if let (v, error) = walk.failure {
            let message = (error as? LocalError)?.message ?? "\(error)"
            failure = .init(step: graph.ids[v], error: message)
            progress("step \(graph.ids[v]) failed: \(message)")
        }
        let records = walk.outcomes.map { $0?.record }
        let steps = graph.topologicalOrder.compactMap { records[$0] }
        let completed = walk.completed
        let cost = steps.map(\.costUSD).reduce(0, +)
        let path = completed ? driver.criticalPath(finish: walk.finish) { records[$0] != nil } : []
        var report = LocalRunReport(
            workflow: graph.workflow.name, policy: settings.policy.rawValue, execution: execution, sloSeconds: sloSeconds,
            makespanSeconds: makespan, completed: completed, met: completed && makespan <= sloSeconds, costUSD: cost,
            steps: steps, failure: failure, criticalPath: path.map { graph.ids[$0] },
            criticalPathFunctionSeconds: path.compactMap { records[$0]?.functionSeconds }.reduce(0, +))
        report.inputSize = walk.outcomes[graph.start]?.inputSize
        return report
    }

    /// Runs each step through the emulator: the configurator, then its instances (``StepContext/runStep``).
    struct EmulatorExecutor: ConcurrentStepExecutor {
        let context: StepContext
        let firstKeys: [String]
        let progress: @Sendable (String) -> Void

        var now: Double { context.now }

        func execute(_ launch: StepLaunch, inputs: [Int: StepContext.Outcome]) async throws -> ExecutedStep<StepContext.Outcome> {
            let graph = context.graph
            let after = Dictionary(uniqueKeysWithValues: inputs.map { (graph.ids[$0.key], $0.value.outputs) })
            // A step sees the plans its predecessors' configurators made ahead (the state's `$.config`); a join, the
            // one of its predecessors' plans for it with the earliest deadline (the state machine keeps the plan that
            // entered the Parallel state, which a branch's re-solve may have replaced: the earliest is the safe one).
            let known = LocalWorkflowRunner.knownPlans(for: launch.step, in: graph, after: inputs.mapValues(\.plans))
            // Every step after the first carries the input size the first configurator measured (`$.config`).
            let size = inputs.values.compactMap(\.inputSize).first
            let outcome = try await context.runStep(launch.step, firstKeys: firstKeys, after: after, known: known, inputSize: size).get()
            progress(LocalWorkflowRunner.describe(outcome.record))
            return ExecutedStep(finish: outcome.record.end, expectedFinish: outcome.record.end, outcome: outcome)
        }
    }

    /// The plans step `v` sees, from what its predecessors saw (`after`, by predecessor): one predecessor's as they
    /// are; for a join, that of the predecessor whose plan for `v` has the earliest deadline.
    static func knownPlans(
        for v: Int, in graph: WorkflowGraph, after: [Int: [String: ConfiguratorOutput.Planned]]
    ) -> [String: ConfiguratorOutput.Planned] {
        let id = graph.ids[v]
        let seen = graph.predecessors[v].compactMap { after[$0] }
        return seen.min { ($0[id]?.deadlineSeconds ?? .infinity) < ($1[id]?.deadlineSeconds ?? .infinity) } ?? [:]
    }

    static func describe(_ r: LocalRunReport.StepRecord) -> String {
        String(
            format: "%@ done at %.3f s: m=%d p=%d q=%d, %d cold, %d warm", r.id, r.end, r.memoryMB, r.inter, r.intra,
            r.cold, r.warm)
    }
}
