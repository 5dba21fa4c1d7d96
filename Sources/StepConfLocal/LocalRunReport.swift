import Foundation
import StepConfCore

/// What a local workflow run did: a timeline of its steps and the verdict.
public struct LocalRunReport: Sendable, Codable {
    public var workflow: String
    public var policy: String
    public var execution: String
    public var sloSeconds: Double
    /// From the run's start to the end of its last step, seconds.
    public var makespanSeconds: Double
    /// Whether every step succeeded.
    public var completed: Bool
    /// Completed within the SLO.
    public var met: Bool
    /// Cost as Lambda and Step Functions would bill the run, USD (configurator included).
    public var costUSD: Double
    public var steps: [StepRecord]
    /// The failed step and its error, when a step failed.
    public var failure: Failure?
    /// The steps that set the makespan: from the end step back through the predecessor that finished last.
    public var criticalPath: [String]
    /// Time the critical path's steps spent inside their functions, seconds; the rest of the makespan went
    /// to orchestration (configurator calls, fan-out, instance starts, collection).
    public var criticalPathFunctionSeconds: Double
    /// The request's input size relative to the workflow's nominal one, as its first configurator measured it
    /// (``InputMeasure``); nil when no configurator answered.
    public var inputSize: Double?

    /// Share of the makespan spent outside the functions on the critical path.
    public var outsideFunctionsShare: Double {
        makespanSeconds > 0 ? max(0, 1 - criticalPathFunctionSeconds / makespanSeconds) : 0
    }

    /// Makespan minus the SLO, seconds (> 0: missed by that much).
    public var missSeconds: Double { makespanSeconds - sloSeconds }

    /// One step as it ran. Times are seconds since the run started.
    public struct StepRecord: Sendable, Codable {
        public var id: String
        public var kind: String
        public var memoryMB: Int
        public var inter: Int
        public var intra: Int
        /// The configurator's call: sent and answered.
        public var configureStart: Double
        public var configureEnd: Double
        /// The step's instances: first invoke sent, last answer received.
        public var end: Double
        /// The configurator's own decision time, seconds.
        public var decisionSeconds: Double
        public var predictedSeconds: Double
        public var subSLOSeconds: Double?
        public var fallback: Bool
        /// Instances started for this step (cold) and reused (warm).
        public var cold: Int
        public var warm: Int
        /// The longest time an instance spent in the function itself (download, compute, upload), seconds.
        public var functionSeconds: Double
        /// Time of the step spent outside the configurator's decision and the functions themselves:
        /// invoking, fanning out, starting instances, collecting, seconds.
        public var overheadSeconds: Double
        /// Every instance's invocation as the caller saw it (what Lambda bills), seconds.
        public var instanceSeconds: [Double]
        /// The step's cost as Lambda and Step Functions bill it, the configurator's invocation included, USD.
        public var costUSD: Double
        /// Whether the step ran on a decision made ahead by its predecessor's configurator (no call of its own:
        /// `configure_start_s` = `configure_end_s`).
        public var decidedAhead: Bool = false
        /// The warm-up invocations its configurator sent for the steps it planned ahead (``Prewarm``).
        public var warmUps: Int = 0
        /// Where the plan it ran on came from.
        public var configSource: ConfigSource = .configurator
        /// When its configurator could not answer: the error, and the plan it ran on instead.
        public var recovery: ConfigRecovery?
        /// Instances lost mid-run (their runtime exited) and run again (``Retries/instanceLost``).
        public var reruns: Int = 0

        enum CodingKeys: String, CodingKey {
            case id, kind, inter, intra, end, fallback, cold, warm, recovery, reruns
            case configSource = "config_source"
            case decidedAhead = "decided_ahead"
            case warmUps = "warm_ups"
            case memoryMB = "memory_mb"
            case configureStart = "configure_start_s"
            case configureEnd = "configure_end_s"
            case decisionSeconds = "decision_s"
            case predictedSeconds = "predicted_s"
            case subSLOSeconds = "sub_slo_s"
            case functionSeconds = "function_s"
            case overheadSeconds = "overhead_s"
            case instanceSeconds = "instance_s"
            case costUSD = "cost_usd"
        }
    }

    public struct Failure: Sendable, Codable {
        public var step: String
        public var error: String
    }

    /// Other policies run on the same SLO for comparison (`stepconf run --compare`), nil when none ran.
    public var comparison: [Comparison]?

    /// One policy's run beside the main one.
    public struct Comparison: Sendable, Codable {
        public var policy: String
        public var makespanSeconds: Double
        public var costUSD: Double
        public var met: Bool
        /// False when the run failed (its figures then are those up to the failure).
        public var completed: Bool

        public init(policy: String, makespanSeconds: Double, costUSD: Double, met: Bool, completed: Bool) {
            self.policy = policy
            self.makespanSeconds = makespanSeconds
            self.costUSD = costUSD
            self.met = met
            self.completed = completed
        }

        enum CodingKeys: String, CodingKey {
            case policy, met, completed
            case makespanSeconds = "makespan_s"
            case costUSD = "cost_usd"
        }
    }

    enum CodingKeys: String, CodingKey {
        case workflow, policy, execution, completed, met, steps, failure, comparison
        case criticalPath = "critical_path"
        case inputSize = "input_size"
        case criticalPathFunctionSeconds = "critical_path_function_s"
        case sloSeconds = "slo_s"
        case makespanSeconds = "makespan_s"
        case costUSD = "cost_usd"
    }
}
