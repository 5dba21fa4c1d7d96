import FoundationEssentials
import Glibc
import Logging
import StepConfAWS
import StepConfCore
import StepConfLambda
import StepConfStorage
import Synchronization

/// Sends one asynchronous invocation of a function: the configurator's warm-ups go through it (``LambdaClient`` on AWS
/// and against the emulator; tests record them).
public protocol WarmUpSending: Sendable {
    /// - Throws: when the invocation could not be queued.
    func invokeEvent(function: String, payload: Data) throws
}

extension LambdaClient: WarmUpSending {}

/// The configurator function: before each step, decides θ with the configured policy (paper §V-B) and
/// tells the state machine which function to call and how to split the step's input.
public final class ConfiguratorHandler: CodableHandler {
    /// Settings, read once from the environment.
    public struct Settings: Sendable {
        /// Where `{workflow}.json` and `{workflow}.model.json` live.
        public var workflowDirectory: String
        public var policy: PolicyName
        /// Function names are `{prefix}-{kind}-m{memory}`.
        public var functionPrefix: String
        public var safety: Double
        /// Prices, memory→vCPU and the grid the policy decides on: the grid must be the one the stack deploys.
        public var platform: Platform
        /// Whether the steps planned ahead have their functions warmed (``Prewarm``): the policy then plans them warm,
        /// and the configurator sends their warm-ups once its answer is out. On from the environment unless
        /// `STEPCONF_PREWARM=false`; off by default when made in code (tests, benchmarks).
        public var prewarm: Bool

        public init(workflowDirectory: String, policy: PolicyName = .stepconf, functionPrefix: String = FunctionNames.defaultPrefix,
                    safety: Double = Policies.defaultSafety, platform: Platform = .aws, prewarm: Bool = false) {
            self.workflowDirectory = workflowDirectory
            self.policy = policy
            self.functionPrefix = functionPrefix
            self.safety = safety
            self.platform = platform
            self.prewarm = prewarm
        }

        /// From the ``FunctionEnvironment``: the workflow directory (default `$LAMBDA_TASK_ROOT/workflows`),
        /// the policy (default stepconf), the function prefix (default stepconf), the safety margin
        /// (default 2), the platform file (relative to the workflow directory unless absolute; default AWS
        /// us-east-1 and the paper's grid), prewarming (default on).
        /// - Throws: ``InputError`` for an unknown policy, a bad number or an unreadable platform file.
        public init(environment: LambdaEnvironment) throws {
            try self.init(environment: environment, contract: FunctionEnvironment(decoding: environment.variables))
        }

        /// The same from a contract already decoded (`environment` gives `LAMBDA_TASK_ROOT`).
        /// - Throws: ``InputError`` for an unreadable platform file.
        public init(environment: LambdaEnvironment, contract: FunctionEnvironment) throws {
            workflowDirectory = contract.workflowDirectory ?? environment.taskRoot + "/workflows"
            policy = contract.policy ?? .stepconf
            functionPrefix = contract.functionPrefix ?? FunctionNames.defaultPrefix
            safety = contract.safety ?? Policies.defaultSafety
            prewarm = contract.prewarm ?? true
            if let file = contract.platform {
                platform = try Platform.load(from: file.hasPrefix("/") ? file : workflowDirectory + "/" + file)
            } else {
                platform = .aws
            }
        }
    }

    public let settings: Settings
    public let cache: any GlobalCache
    /// Where warm-ups go (nil: none are sent, whatever the settings say).
    let warmUps: (any WarmUpSending)?
    /// The clock, Unix seconds (tests inject a fixed one).
    let now: () -> Double
    /// The object store a request's input is measured in (``InputMeasure/bytes``), opened on first use; nil: none.
    let store: (() throws -> any ObjectStore)?
    private var openedStore: (any ObjectStore)?
    /// Each workflow of the bundle and its model, loaded on first use.
    private var workflows: [String: (definition: Workflow, model: PerformanceModel)] = [:]
    /// One policy per workflow, SLO percentile and input size, made on first use.
    private var policies: [String: any StepPolicy] = [:]
    /// Policies kept at most (sizes are on a grid, but a stream of odd sizes must not grow the process).
    static let maxPolicies = 64

    public init(
        settings: Settings, cache: any GlobalCache, warmUps: (any WarmUpSending)? = nil,
        store: (() throws -> any ObjectStore)? = nil, now: @escaping () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.settings = settings
        self.cache = cache
        self.warmUps = warmUps
        self.store = store
        self.now = now
    }

    /// A workflow of the bundle and its model, loaded once.
    private func workflow(_ name: String) throws -> (definition: Workflow, model: PerformanceModel) {
        if let known = workflows[name] { return known }
        guard !name.contains("/"), !name.isEmpty else {
            throw InputError(.malformed, "workflow name `\(name)` is not a plain name")
        }
        let definition = try Workflow.load(from: settings.workflowDirectory + "/\(name).json")
        let model = try PerformanceModel.load(from: settings.workflowDirectory + "/\(name).model.json", for: definition)
        workflows[name] = (definition, model)
        return (definition, model)
    }

    /// A step's policy for requests of `size` × the nominal input, made once per workflow, percentile and size.
    private func policy(for name: String, percentile: Double, size: Double) throws -> any StepPolicy {
        let key = "\(name)@\(percentile)@\(size)"
        if let known = policies[key] { return known }
        let (definition, model) = try workflow(name)
        let made = try Policies.make(
            settings.policy, graph: try WorkflowGraph(definition.scaled(by: size)), model: model, platform: settings.platform,
            safety: settings.safety, percentile: percentile, prewarm: settings.prewarm)
        if policies.count >= Self.maxPolicies { policies.removeAll() }
        policies[key] = made
        return made
    }

    /// The request's input size: the one the event carries (measured by the execution's first configurator), else,
    /// at the first step, measured from its input objects by the workflow's ``InputMeasure``; 1 when the workflow
    /// measures none.
    /// - Throws: ``InputError`` for a later step's event without a size where the workflow measures sizes, or an input
    ///   that cannot be measured; the store's error.
    func inputSize(_ event: ConfiguratorEvent, workflow: Workflow) throws -> Double {
        // Its range was checked where the event was decoded.
        if let size = event.inputSize { return InputSizes.snapped(size) }
        guard let measure = workflow.inputMeasure else { return 1 }
        guard let first = workflow.steps.first(where: { $0.dependsOn.isEmpty }), first.id == event.step else {
            throw InputError(
                .invalidParameter,
                "step \(event.step): input_size is missing; workflow `\(workflow.name)` measures its requests' sizes, and the "
                    + "execution's first configurator answers the size every later event carries")
        }
        let keys = event.input?.allKeys ?? []
        if measure == .objects { return try measure.size(of: keys, first: first) { _ in nil } }
        let store = try openStore()
        return try measure.size(of: keys, first: first) { key in try store.size(key) }
    }

    private func openStore() throws -> any ObjectStore {
        if let openedStore { return openedStore }
        guard let store else {
            throw HandlerError(.configuration, "the configurator has no object store to measure the input's bytes in")
        }
        let opened = try store()
        openedStore = opened
        return opened
    }

    public func handle(_ event: ConfiguratorEvent, context: LambdaContext) throws -> ConfiguratorOutput {
        guard event.sloSeconds.isFinite, event.sloSeconds > 0 else {
            throw InputError(.invalidSLO, "slo_s must be a positive number of seconds, got \(event.sloSeconds)")
        }
        let percentile = event.sloPercentile ?? ChanceConstraint.defaultPercentile
        _ = try ChanceConstraint(percentile: percentile)
        let size = try inputSize(event, workflow: try workflow(event.workflow).definition)
        let policy = try policy(for: event.workflow, percentile: percentile, size: size)
        let graph = policy.space.graph
        guard let index = graph.index[event.step] else {
            throw InputError(.unknownStep, "workflow `\(event.workflow)` has no step `\(event.step)`")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let current = now()
        let decision: StepDecision
        var ahead: [Int: AheadDecision] = [:]
        var planned: [Prewarm.WarmUp] = []
        switch policy {
        case let dynamic as any DynamicPolicy:
            // How far the execution has got is read from the global cache (what earlier decisions recorded).
            let progress = try dynamic.observedProgress(
                step: index, now: current, executionStart: event.startTime, execution: event.execution, cache: cache)
            let context = DecisionContext(
                now: current, executionStart: event.startTime, sloSeconds: event.sloSeconds, execution: event.execution,
                cache: cache, progress: progress)
            decision = try dynamic.decide(step: index, context: context)
            ahead = try dynamic.decideAhead(after: index, decision: decision, context: context)
            planned = Prewarm.ahead(ahead, now: current, space: policy.space)
        case let fixed as any StaticPolicy:
            let (decisions, made) = try plan(fixed, execution: event.execution, sloSeconds: event.sloSeconds)
            decision = decisions[index]
            // The configurator that made the plan knows every step's θ: it warms them all.
            if made { planned = Prewarm.plan(decisions, space: policy.space, start: event.startTime) }
            ahead = Self.staticAhead(decisions, answering: index, graph: graph, start: event.startTime)
        default:
            throw HandlerError(.unsupportedPolicy, "policy \(settings.policy.rawValue) is neither static nor dynamic")
        }
        ahead = Self.withinStateData(ahead, own: decision.configuration.inter)
        let micros = (clock.now - started).seconds * 1e6
        let theta = decision.configuration
        let step = graph[index]
        // The decision is in the answer (and so in the execution's history); the log repeats it at debug, and
        // warns when no configuration meets the step's budget. The metadata is built only when the record is kept.
        context.logger.log(
            level: decision.fallback ? .warning : .debug,
            decision.fallback ? "no configuration meets the step's budget; the fastest was taken" : "decided",
            metadata: [
                "workflow": "\(event.workflow)", "step": "\(event.step)", "execution": "\(event.execution)",
                "memory-mb": "\(theta.memoryMB)", "inter": "\(theta.inter)", "intra": "\(theta.intra)",
                "sub-slo-s": "\(decision.subSLOSeconds)", "predicted-s": "\(decision.seconds)",
                "fallback": "\(decision.fallback)", "decision-us": "\(Int(micros))",
                "decided-ahead": "\(ahead.keys.map { graph.ids[$0] }.sorted())",
            ])
        let own = self.planned(decision, graph: graph, deadline: nil, format: nil)
        var steps = [event.step: own]
        let format = event.enteredTime.flatMap(EngineTimestamp.init(sample:))
        for (v, early) in ahead {
            steps[graph.ids[v]] = self.planned(early.decision, graph: graph, deadline: early.deadline, format: format)
        }
        let sent = settings.prewarm ? send(planned, graph: graph, execution: event.execution, context: context) : 0
        return ConfiguratorOutput(
            run: ConfiguratorOutput.runName(execution: event.execution),
            decision: .init(
                policy: settings.policy.rawValue, workflow: event.workflow, step: event.step, execution: event.execution,
                elapsedSeconds: current - event.startTime, remainingSeconds: event.startTime + event.sloSeconds - current,
                subSLOSeconds: decision.subSLOSeconds, predictedSeconds: decision.seconds,
                predictedCostUSD: decision.costUSD, fallback: decision.fallback, decisionMicroseconds: micros,
                decidedAhead: ahead.keys.map { graph.ids[$0] }.sorted(), warmUps: sent > 0 ? sent : nil, inputSize: size),
            steps: steps)
    }

    /// How long a static plan holds, seconds from the execution's start: as long as an execution can run (Step
    /// Functions' Standard workflows: a year).
    public static let staticPlanHorizonSeconds = 366 * 86_400.0
    /// The most plan items (instances) one answer carries, its own step's included. Step Functions keeps a state's data
    /// within 256 KiB, and an item is at most about 90 bytes of JSON: 1,500 items leave the answer under 140 KiB, the
    /// rest of the data (the steps' outputs) its room.
    package static let maxAnswerItems = 1_500

    /// `ahead` without the steps that would take the answer past ``maxAnswerItems`` (the largest fan-outs go first);
    /// those steps' configurators decide them when they come. The step answered keeps its plan whatever its size.
    package static func withinStateData(_ ahead: [Int: AheadDecision], own: Int) -> [Int: AheadDecision] {
        var room = maxAnswerItems - own
        guard ahead.values.reduce(0, { $0 + $1.decision.configuration.inter }) > room else { return ahead }
        var kept: [Int: AheadDecision] = [:]
        for (v, early) in ahead.sorted(by: { ($0.value.decision.configuration.inter, $0.key) < ($1.value.decision.configuration.inter, $1.key) })
        where early.decision.configuration.inter <= room {
            kept[v] = early
            room -= early.decision.configuration.inter
        }
        return kept
    }

    /// A static plan's θ for every later step (every step with a predecessor but `index`), as decisions made ahead that
    /// hold for the whole execution: the steps that follow run without their configurators, as the static plans of the
    /// model and the simulator do (one configurator per execution, at its first step). ``withinStateData(_:own:)``
    /// leaves the largest to their configurators when the plan is too large for one answer.
    static func staticAhead(_ decisions: [StepDecision], answering index: Int, graph: WorkflowGraph, start: Double) -> [Int: AheadDecision] {
        guard decisions.count == graph.count else { return [:] }
        var ahead: [Int: AheadDecision] = [:]
        for v in 0..<graph.count where v != index && AheadDecision.isChecked(v, in: graph) {
            ahead[v] = AheadDecision(decision: decisions[v], deadline: start + staticPlanHorizonSeconds)
        }
        return ahead
    }

    /// A decision as a Map runs it; `deadline` (Unix seconds) for one made ahead, also written in the engine's
    /// `format` when the event gave a sample of it.
    private func planned(
        _ decision: StepDecision, graph: WorkflowGraph, deadline: Double?, format: EngineTimestamp?
    ) -> ConfiguratorOutput.Planned {
        ConfiguratorOutput.Planned(
            decision, step: graph[decision.step], functionPrefix: settings.functionPrefix, deadline: deadline,
            deadlineText: deadline.flatMap { d in format.flatMap { $0.format(unixSeconds: d) } })
    }

    /// A static policy's plan for `execution`: the one the global cache holds (decided at the execution's
    /// first step, by this configurator or another), else decided now and stored there (`made`).
    private func plan(_ policy: any StaticPolicy, execution: String, sloSeconds: Double) throws -> (decisions: [StepDecision], made: Bool) {
        if let stored = try cache.plan(execution: execution), let decisions = stored.decisions(in: policy.space) {
            return (decisions, false)
        }
        let decisions = try policy.deployedPlan(sloSeconds: sloSeconds)
        try cache.storePlan(execution: execution, CachedPlan(decisions))
        return (decisions, true)
    }

    /// Leaves `warmUps` for after the response: one `Event` invocation of the step's function per planned instance, all
    /// at once (the instances they start stay warm for the keep-alive, minutes, so they go out now rather than at the
    /// simulator's lead before each planned start). A warm-up that fails is logged, never the decision's failure.
    /// - Returns: how many invocations go out.
    private func send(_ warmUps: [Prewarm.WarmUp], graph: WorkflowGraph, execution: String, context: LambdaContext) -> Int {
        guard let sender = self.warmUps else { return 0 }
        var list: [(function: String, payload: Data)] = []
        for warmUp in warmUps {
            let function = FunctionNames.step(prefix: settings.functionPrefix, kind: graph[warmUp.step].kind, memoryMB: warmUp.memoryMB)
            guard let payload = try? WarmUpEvent(execution: execution, step: graph.ids[warmUp.step]).encoded() else { continue }
            list += Array(repeating: (function, payload), count: warmUp.instances)
        }
        guard !list.isEmpty else { return 0 }
        let logger = context.logger
        let calls = list
        context.afterResponse {
            let failures = Mutex<[String]>([])
            try? ParallelWork.run(count: calls.count, threads: Self.warmUpThreads) { i in
                do {
                    try sender.invokeEvent(function: calls[i].function, payload: calls[i].payload)
                } catch {
                    failures.withLock { $0.append("\(calls[i].function): \(error)") }
                }
            }
            let failed = failures.withLock { $0 }
            if !failed.isEmpty {
                logger.warning(
                    "warm-ups failed", metadata: ["failed": "\(failed.count) of \(calls.count)", "first": "\(failed[0].prefix(300))"])
            }
        }
        return calls.count
    }

    /// Warm-up invocations in flight at once.
    static let warmUpThreads = 8
}
