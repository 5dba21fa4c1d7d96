/// The configurator's answer: for the step, and for the steps it decided ahead (``AheadDecision``), the
/// configuration, the function to call and the Map's items; and why it decided so.
public struct ConfiguratorOutput: Codable, Sendable {
    /// The execution's name (the last `:` part of its id): the step functions write to `runs/{run}/{step}`.
    public var run: String
    public var decision: Record
    /// ``run`` for an execution id.
    public static func runName(execution: String) -> String {
        String(execution.split(separator: ":").last ?? Substring(execution))
    }
    /// By step id: this step's plan, and those of the steps decided ahead, each with the deadline by which it
    /// must be ready to run on it. The state machine's Map reads `steps.{id}`.
    public var steps: [String: Planned]

    /// One instance of a step's Map.
    public struct Item: Codable, Sendable, Equatable {
        public var index: Int
        /// p: the instances of the step (the instance takes its share of the input keys by it).
        public var instances: Int
        public var intra: Int
        public var jobStart: Int
        public var jobEnd: Int

        public init(index: Int, instances: Int, intra: Int, jobStart: Int, jobEnd: Int) {
            self.index = index
            self.instances = instances
            self.intra = intra
            self.jobStart = jobStart
            self.jobEnd = jobEnd
        }

        package enum CodingKeys: String, CodingKey {
            case index, instances, intra
            case jobStart = "job_start"
            case jobEnd = "job_end"
        }
    }

    /// One step's configuration as its Map runs it.
    public struct Planned: Codable, Sendable {
        public var memoryMB: Int
        public var inter: Int
        public var intra: Int
        public var function: String
        public var items: [Item]
        /// Predicted step time, seconds.
        public var predictedSeconds: Double
        /// True when no θ met the step's budget and the fastest one was taken.
        public var fallback: Bool
        /// For a step decided ahead: the latest time it may be ready and run on this plan, Unix seconds.
        public var deadlineSeconds: Double?
        /// The same in the engine's timestamp format (``ConfiguratorEvent/enteredTime``), for a Choice state.
        public var deadline: String?

        public init(
            memoryMB: Int, inter: Int, intra: Int, function: String, items: [Item], predictedSeconds: Double,
            fallback: Bool, deadlineSeconds: Double? = nil, deadline: String? = nil
        ) {
            self.memoryMB = memoryMB
            self.inter = inter
            self.intra = intra
            self.function = function
            self.items = items
            self.predictedSeconds = predictedSeconds
            self.fallback = fallback
            self.deadlineSeconds = deadlineSeconds
            self.deadline = deadline
        }

        package enum CodingKeys: String, CodingKey {
            case inter, intra, function, items, deadline, fallback
            case memoryMB = "memory_mb"
            case predictedSeconds = "predicted_s"
            case deadlineSeconds = "deadline_s"
        }
    }

    /// Why: what the configurator knew and predicted.
    public struct Record: Codable, Sendable {
        public var policy: String
        public var workflow: String
        public var step: String
        public var execution: String
        /// Seconds since the execution started, when deciding.
        public var elapsedSeconds: Double
        /// Seconds left until the end-to-end deadline.
        public var remainingSeconds: Double
        public var subSLOSeconds: Double?
        public var predictedSeconds: Double
        public var predictedCostUSD: Double
        public var fallback: Bool
        /// Time the decision took, excluding cache I/O is not separable here: the whole policy call, µs.
        public var decisionMicroseconds: Double
        /// The steps decided ahead with this one.
        public var decidedAhead: [String]
        /// The warm-up invocations (``WarmUpEvent``) the configurator sends once this answer is out: one per instance
        /// of each step it planned ahead (``Prewarm``). Nil when it sends none.
        public var warmUps: Int?
        /// The request's input size relative to the workflow's nominal one, that this decision planned for
        /// (``InputMeasure``; 1 when the workflow measures none). Always written: the state machine passes it on to
        /// every later configurator (``ConfiguratorEvent/inputSize``).
        public var inputSize: Double

        public init(
            policy: String, workflow: String, step: String, execution: String, elapsedSeconds: Double,
            remainingSeconds: Double, subSLOSeconds: Double?, predictedSeconds: Double, predictedCostUSD: Double,
            fallback: Bool, decisionMicroseconds: Double, decidedAhead: [String], warmUps: Int? = nil, inputSize: Double = 1
        ) {
            self.inputSize = inputSize
            self.policy = policy
            self.workflow = workflow
            self.step = step
            self.execution = execution
            self.elapsedSeconds = elapsedSeconds
            self.remainingSeconds = remainingSeconds
            self.subSLOSeconds = subSLOSeconds
            self.predictedSeconds = predictedSeconds
            self.predictedCostUSD = predictedCostUSD
            self.fallback = fallback
            self.decisionMicroseconds = decisionMicroseconds
            self.decidedAhead = decidedAhead
            self.warmUps = warmUps
        }

        package enum CodingKeys: String, CodingKey {
            case policy, workflow, step, execution, fallback
            case elapsedSeconds = "elapsed_s"
            case remainingSeconds = "remaining_s"
            case subSLOSeconds = "sub_slo_s"
            case predictedSeconds = "predicted_s"
            case predictedCostUSD = "predicted_cost_usd"
            case decisionMicroseconds = "decision_us"
            case decidedAhead = "decided_ahead"
            case warmUps = "warm_ups"
            case inputSize = "input_size"
        }
    }

    /// The wire names: the state machine's `ResultSelector` and Map read these.
    package enum CodingKeys: String, CodingKey {
        case run, decision, steps
    }

    public init(run: String, decision: Record, steps: [String: Planned]) {
        self.run = run
        self.decision = decision
        self.steps = steps
    }

    /// The plan of the step the configurator was asked for.
    public var plan: Planned? { steps[decision.step] }
}

extension ConfiguratorOutput.Planned {
    /// `decision` as a Map runs it: the function of its memory size and one item per instance; `deadline` (Unix seconds)
    /// for a decision made ahead, with `deadlineText`, the same in the engine's timestamp format, when known.
    public init(
        _ decision: StepDecision, step: Workflow.Step, functionPrefix: String, deadline: Double? = nil, deadlineText: String? = nil
    ) {
        let theta = decision.configuration
        self.init(
            memoryMB: theta.memoryMB, inter: theta.inter, intra: theta.intra,
            function: FunctionNames.step(prefix: functionPrefix, kind: step.kind, memoryMB: theta.memoryMB),
            items: Self.items(jobs: step.jobs, inter: theta.inter, intra: theta.intra), predictedSeconds: decision.seconds,
            fallback: decision.fallback, deadlineSeconds: deadline, deadline: deadlineText)
    }

    /// Splits `jobs` over `inter` items (``InstanceSplit``: the first ones get the extra); each instance takes its
    /// share of the input keys by the same rule (``StepInput/share(instance:of:)``).
    public static func items(jobs: Int, inter: Int, intra: Int) -> [ConfiguratorOutput.Item] {
        (0..<inter).map { j in
            let jobRange = InstanceSplit.range(instance: j, of: inter, count: jobs)
            return .init(index: j, instances: inter, intra: intra, jobStart: jobRange.lowerBound, jobEnd: jobRange.upperBound)
        }
    }

    /// Every step's plan at its fastest predicted θ with no configurator (the nominal input size), by step index: what
    /// a step runs on when its configurator cannot answer and no earlier answer planned it (``ConfigSource/fastest``).
    /// - Throws: ``InputError`` when the model lacks a step or no θ of the grid fits one.
    public static func fastest(
        graph: WorkflowGraph, model: PerformanceModel, platform: Platform, functionPrefix: String
    ) throws -> [ConfiguratorOutput.Planned] {
        let space = try ConfigurationSpace(graph: graph, model: model, platform: platform, includesConfigurator: false)
        return space.fastestDecisions.map { .init($0, step: graph[$0.step], functionPrefix: functionPrefix) }
    }
}

/// Where the θ a step ran on came from.
public enum ConfigSource: String, Codable, Sendable, CaseIterable {
    /// Its own configurator's answer.
    case configurator
    /// A plan an earlier configurator made ahead for it, run by its deadline (``AheadDecision``).
    case decidedAhead = "decided_ahead"
    /// Its configurator could not answer (an error after the retries, a timeout, throttling): the plan an earlier
    /// configurator made for it, past its deadline.
    case earlierPlan = "earlier_plan"
    /// Its configurator could not answer and no earlier answer planned it: its fastest θ (``ConfiguratorOutput/Planned/fastest(graph:model:platform:functionPrefix:)``).
    case fastest

    /// Whether the configurator failed and the step ran on a plan at hand.
    public var recovered: Bool { self == .earlierPlan || self == .fastest }
}

/// A step whose configurator could not answer, as the state machine records it at `$.out.recovered.{step}` (and the
/// local runner in its report): the plan it ran on instead and the error caught.
public struct ConfigRecovery: Codable, Sendable, Equatable {
    public var configSource: ConfigSource
    /// The caught error: Step Functions' `{"Error": …, "Cause": …}`.
    public var error: CaughtError

    public struct CaughtError: Codable, Sendable, Equatable {
        public var error: String
        public var cause: String?

        public init(error: String, cause: String?) {
            self.error = error
            self.cause = cause
        }

        package enum CodingKeys: String, CodingKey {
            case error = "Error"
            case cause = "Cause"
        }
    }

    public init(configSource: ConfigSource, error: CaughtError) {
        self.configSource = configSource
        self.error = error
    }

    package enum CodingKeys: String, CodingKey {
        case error
        case configSource = "config_source"
    }
}
