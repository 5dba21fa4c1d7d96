/// The largest values StepConf reads (docs/files.md, "Limits"). Past them the model's, the simulator's and the reports'
/// arithmetic would overflow or lose meaning, so they are refused where they are read — with the file, the field
/// and the allowed range — and nothing downstream needs to check again: with jobs ≤ 10⁶, fan-outs ≤ 10⁴,
/// workers ≤ 1,024 and every time ≤ 10⁷ s, every product the code forms stays far inside Int and Double.
public enum InputBounds {
    /// γ: jobs in one step.
    public static let maxJobs = 1_000_000
    /// p: instances a step fans out to (a grid's inter values, a profile's).
    public static let maxInter = 10_000
    /// q: worker processes in one instance.
    public static let maxIntra = 1_024
    /// Memory sizes, MB (Lambda's maximum is 10,240; machines' tiers may say more).
    public static let maxMemoryMB = 1_048_576
    /// Requests an evaluation simulates per SLO and policy.
    public static let maxRequests = 1_000_000
    /// Requests per hour a traffic may state (one a millisecond).
    public static let maxRequestsPerHour = 3.6e6
    /// Any duration: SLOs, model times, measured times, keep-alive, seconds (about 116 days).
    public static let maxSeconds = 1e7
    /// A step parameter's magnitude (bytes per job, difficulty, …).
    public static let maxParameter = 1e12
    /// A step's input size, MB.
    public static let maxInputMB = 1e9
    /// A unit price, USD (per GB-second, per request, per transition).
    public static let maxPriceUSD = 1e3
    /// A factor or cap in the model (I/O share cap, slow-down factor).
    public static let maxFactor = 1e4

    /// `value` if it is a finite number in `range`; else nil.
    @inlinable
    public static func check(_ value: Double, in range: ClosedRange<Double>) -> Double? {
        value.isFinite && range.contains(value) ? value : nil
    }

    /// "a number in LO…HI" for messages.
    public static func describe(_ range: ClosedRange<Double>) -> String {
        "a number in \(format(range.lowerBound))…\(format(range.upperBound))"
    }

    static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }
}
