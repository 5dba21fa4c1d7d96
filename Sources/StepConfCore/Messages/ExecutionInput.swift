/// What an execution of a generated state machine starts with (`aws stepfunctions start-execution --input`,
/// `stepconf invoke`): the SLO, its percentile and the first step's input. The state machine's first states check
/// these fields by the names ``CodingKeys`` gives.
public struct ExecutionInput: Codable, Sendable, Equatable {
    /// The end-to-end SLO, seconds (> 0).
    public var sloSeconds: Double
    /// The SLO's percentile (0 < P < 100); absent, the state machine writes ``ChanceConstraint/defaultPercentile``.
    public var sloPercentile: Double?
    /// The first step's input: the object keys it reads (absent: none).
    public var input: StepInput?

    public init(sloSeconds: Double, sloPercentile: Double? = nil, input: StepInput? = nil) {
        self.sloSeconds = sloSeconds
        self.sloPercentile = sloPercentile
        self.input = input
    }

    /// The wire names: the Configure task's event passes these fields on, so they are the event's
    /// (``ConfiguratorEvent/CodingKeys``).
    package typealias CodingKeys = ConfiguratorEvent.CodingKeys

    /// The input's shape with its wire names, for help texts and messages.
    public static var example: String {
        "{\"\(CodingKeys.sloSeconds.stringValue)\": S, \"\(CodingKeys.sloPercentile.stringValue)\": P, "
            + "\"\(CodingKeys.input.stringValue)\": {\"\(StepInput.CodingKeys.keys.stringValue)\": […]}}"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sloSeconds = try c.decode(Double.self, forKey: .sloSeconds)
        sloPercentile = try c.decodeIfPresent(Double.self, forKey: .sloPercentile)
        input = try c.decodeIfPresent(StepInput.self, forKey: .input)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sloSeconds, forKey: .sloSeconds)
        try c.encodeIfPresent(sloPercentile, forKey: .sloPercentile)
        try c.encodeIfPresent(input, forKey: .input)
    }
}
