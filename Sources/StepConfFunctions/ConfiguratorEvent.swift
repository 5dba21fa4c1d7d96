import Foundation
import StepConfCore

/// What the state machine sends the configurator before a step.
public struct ConfiguratorEvent: Decodable, Sendable {
    /// Workflow name: `{name}.json` and `{name}.model.json` in the bundle's workflow directory.
    public var workflow: String
    /// The step about to run.
    public var step: String
    /// The execution id (scopes the global cache), e.g. `$$.Execution.Id`.
    public var execution: String
    /// The end-to-end SLO, seconds.
    public var sloSeconds: Double
    /// The SLO's percentile P (0 < P < 100; absent: ``ChanceConstraint/defaultPercentile``).
    public var sloPercentile: Double?
    /// When the execution started: Unix seconds, or ISO 8601 text as `$$.Execution.StartTime` gives it.
    public var startTime: Double
    /// The step's input descriptor: object keys to split over the instances (optional).
    public var input: Input?
    /// When the Configure state was entered, as the engine writes it (`$$.State.EnteredTime`): the format the
    /// deadlines of decisions made ahead are written in, so that a Choice compares them as strings (optional).
    public var enteredTime: String?

    /// The step's input (``StepInput``).
    public typealias Input = StepInput

    enum CodingKeys: String, CodingKey {
        case workflow, step, execution, input
        case sloSeconds = "slo_s"
        case sloPercentile = "slo_percentile"
        case startTime = "start_time"
        case enteredTime = "entered_time"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        workflow = try c.decode(String.self, forKey: .workflow)
        step = try c.decode(String.self, forKey: .step)
        execution = try c.decode(String.self, forKey: .execution)
        sloSeconds = try c.decode(Double.self, forKey: .sloSeconds)
        sloPercentile = try c.decodeIfPresent(Double.self, forKey: .sloPercentile)
        input = try c.decodeIfPresent(Input.self, forKey: .input)
        enteredTime = try c.decodeIfPresent(String.self, forKey: .enteredTime)
        if let seconds = try? c.decode(Double.self, forKey: .startTime) {
            startTime = seconds
        } else {
            let text = try c.decode(String.self, forKey: .startTime)
            guard let date = Self.parseISO8601(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .startTime, in: c, debugDescription: "`\(text)` is neither Unix seconds nor ISO 8601")
            }
            startTime = date.timeIntervalSince1970
        }
    }

    static func parseISO8601(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return withFraction.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}

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

        enum CodingKeys: String, CodingKey {
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

        enum CodingKeys: String, CodingKey {
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

        enum CodingKeys: String, CodingKey {
            case policy, workflow, step, execution, fallback
            case elapsedSeconds = "elapsed_s"
            case remainingSeconds = "remaining_s"
            case subSLOSeconds = "sub_slo_s"
            case predictedSeconds = "predicted_s"
            case predictedCostUSD = "predicted_cost_usd"
            case decisionMicroseconds = "decision_us"
            case decidedAhead = "decided_ahead"
        }
    }

    /// The plan of the step the configurator was asked for.
    public var plan: Planned? { steps[decision.step] }
}
