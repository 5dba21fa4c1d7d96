import Foundation

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

    public struct Input: Decodable, Sendable {
        /// Keys given directly (the execution's input, for a first step).
        public var keys: [String]?
        /// The results of the steps this one depends on, by step id: each a Map's result, one entry per
        /// instance with the keys it wrote (what the state machine carries in `$.out`).
        public var after: [String: [InstanceResult]]?

        public struct InstanceResult: Decodable, Sendable {
            public var outputs: [String]
        }

        public init(keys: [String]? = nil, after: [String: [InstanceResult]]? = nil) {
            self.keys = keys
            self.after = after
        }

        /// The step's input keys: `keys`, then every predecessor's outputs in step-id order.
        public var allKeys: [String] {
            (keys ?? []) + (after ?? [:]).sorted { $0.key < $1.key }.flatMap { $0.value.flatMap(\.outputs) }
        }
    }

    enum CodingKeys: String, CodingKey {
        case workflow, step, execution, input
        case sloSeconds = "slo_s"
        case sloPercentile = "slo_percentile"
        case startTime = "start_time"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        workflow = try c.decode(String.self, forKey: .workflow)
        step = try c.decode(String.self, forKey: .step)
        execution = try c.decode(String.self, forKey: .execution)
        sloSeconds = try c.decode(Double.self, forKey: .sloSeconds)
        sloPercentile = try c.decodeIfPresent(Double.self, forKey: .sloPercentile)
        input = try c.decodeIfPresent(Input.self, forKey: .input)
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

/// The configurator's answer: the configuration, the function to call and the Map's items.
public struct ConfiguratorOutput: Codable, Sendable {
    public var memoryMB: Int
    public var inter: Int
    public var intra: Int
    /// `{prefix}-{kind}-m{memory}`.
    public var function: String
    /// One item per instance: its share of the jobs and of the input keys, and q.
    public var items: [Item]
    /// The execution's name (the last `:` part of its id): the step functions write to `runs/{run}/{step}`.
    public var run: String
    public var decision: Record

    public struct Item: Codable, Sendable {
        public var index: Int
        public var intra: Int
        public var jobStart: Int
        public var jobEnd: Int
        public var keys: [String]

        enum CodingKeys: String, CodingKey {
            case index, intra, keys
            case jobStart = "job_start"
            case jobEnd = "job_end"
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

        enum CodingKeys: String, CodingKey {
            case policy, workflow, step, execution, fallback
            case elapsedSeconds = "elapsed_s"
            case remainingSeconds = "remaining_s"
            case subSLOSeconds = "sub_slo_s"
            case predictedSeconds = "predicted_s"
            case predictedCostUSD = "predicted_cost_usd"
            case decisionMicroseconds = "decision_us"
        }
    }

    enum CodingKeys: String, CodingKey {
        case inter, intra, function, items, decision, run
        case memoryMB = "memory_mb"
    }
}
