import FoundationEssentials
import Glibc

/// What the state machine's Configure task sends the configurator before a step, and what the local runner sends
/// in its place: one type, encoded by the local runner, decoded by the handler, and the source of every key the
/// generated state machine writes into the task's `Payload` (``CodingKeys``).
public struct ConfiguratorEvent: Codable, Sendable, Equatable {
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
    /// When the execution started: Unix seconds (decoded also from ISO 8601 text, as `$$.Execution.StartTime`
    /// gives it; encoded as seconds).
    public var startTime: Double
    /// The step's input descriptor: object keys to split over the instances (optional).
    public var input: StepInput?
    /// When the Configure state was entered, as the engine writes it (`$$.State.EnteredTime`): the format the
    /// deadlines of decisions made ahead are written in, so that a Choice compares them as strings (optional).
    public var enteredTime: String?
    /// The request's input size relative to the workflow's nominal one, as the execution's first configurator measured
    /// it (``InputMeasure``) and answered (``ConfiguratorOutput/Record/inputSize``); absent at the first step, where
    /// the configurator measures it.
    public var inputSize: Double?

    /// The step's input (``StepInput``).
    public typealias Input = StepInput

    public init(
        workflow: String, step: String, execution: String, sloSeconds: Double, sloPercentile: Double? = nil,
        startTime: Double, input: StepInput? = nil, enteredTime: String? = nil, inputSize: Double? = nil
    ) {
        self.inputSize = inputSize
        self.workflow = workflow
        self.step = step
        self.execution = execution
        self.sloSeconds = sloSeconds
        self.sloPercentile = sloPercentile
        self.startTime = startTime
        self.input = input
        self.enteredTime = enteredTime
    }

    /// The wire names; the state-machine generator writes its Payload from these.
    package enum CodingKeys: String, CodingKey {
        case workflow, step, execution, input
        case sloSeconds = "slo_s"
        case sloPercentile = "slo_percentile"
        case startTime = "start_time"
        case enteredTime = "entered_time"
        case inputSize = "input_size"
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
        inputSize = try c.decodeIfPresent(Double.self, forKey: .inputSize)
        if let seconds = try? c.decode(Double.self, forKey: .startTime) {
            startTime = seconds
        } else {
            let text = try c.decode(String.self, forKey: .startTime)
            guard let seconds = Self.parseStartTime(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .startTime, in: c, debugDescription: "`\(text)` is neither Unix seconds nor ISO 8601")
            }
            startTime = seconds
        }
        try checkBounds(c)
    }

    /// The latest start time taken, Unix seconds (the year 5138): past it a time is not a clock's.
    public static let maxStartTime = 1e11
    /// The longest name (workflow, step, execution) taken, characters.
    public static let maxNameLength = 2_048

    /// The fields a configurator computes with, within the bounds their arithmetic stays exact in, before any of it.
    /// - Throws: `DecodingError.dataCorrupted` naming the field and its range.
    private func checkBounds(_ c: KeyedDecodingContainer<CodingKeys>) throws {
        guard startTime.isFinite, (0...Self.maxStartTime).contains(startTime) else {
            throw DecodingError.dataCorruptedError(
                forKey: .startTime, in: c, debugDescription: "start_time must be Unix seconds in 0…\(Int(Self.maxStartTime)), got \(startTime)")
        }
        for (key, value) in [(CodingKeys.workflow, workflow), (.step, step), (.execution, execution), (.enteredTime, enteredTime ?? "")]
        where value.count > Self.maxNameLength {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c, debugDescription: "\(key.stringValue) must be at most \(Self.maxNameLength) characters, got \(value.count)")
        }
        if let inputSize, !(inputSize.isFinite && inputSize > 0 && inputSize <= InputSizes.maxSize) {
            throw DecodingError.dataCorruptedError(
                forKey: .inputSize, in: c,
                debugDescription: "input_size must be a positive multiple of the nominal size of at most \(Int(InputSizes.maxSize)), got \(inputSize)")
        }
        if let keys = input?.allKeys.count, keys > StepEvent.maxKeys * 10 {
            throw DecodingError.dataCorruptedError(
                forKey: .input, in: c, debugDescription: "input: at most \(StepEvent.maxKeys * 10) keys, got \(keys)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(workflow, forKey: .workflow)
        try c.encode(step, forKey: .step)
        try c.encode(execution, forKey: .execution)
        try c.encode(sloSeconds, forKey: .sloSeconds)
        try c.encodeIfPresent(sloPercentile, forKey: .sloPercentile)
        try c.encode(startTime, forKey: .startTime)
        try c.encodeIfPresent(input, forKey: .input)
        try c.encodeIfPresent(enteredTime, forKey: .enteredTime)
        try c.encodeIfPresent(inputSize, forKey: .inputSize)
    }

    /// An ISO 8601 time as `$$.Execution.StartTime` gives it (with or without a fraction), in Unix seconds.
    package static func parseStartTime(_ text: String) -> Double? {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return ((try? withFraction.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text)))?.timeIntervalSince1970
    }
}
