/// One measured run of one step under one configuration: a row of a profile CSV.
public struct ProfileSample: Sendable, Hashable {
    /// Step id.
    public var step: String
    /// The configuration θ the step ran with.
    public var configuration: Configuration
    /// γ: the step's jobs.
    public var jobs: Int
    /// From the step's start until the last instance's sandbox was ready, seconds (cold starts included).
    public var mappingDelaySeconds: Double
    /// Mean compute duration of the step's instances (t̂), seconds.
    public var computeSeconds: Double
    /// From the step's start until its last instance finished, seconds.
    public var totalSeconds: Double
    /// Whether any instance started cold.
    public var cold: Bool
    /// Every instance's billed duration, seconds, where the backend reports them (nil: unknown). What one instance
    /// takes against the others of its run is how the fit learns rare per-instance slow-downs (``NoiseModel``).
    public var instanceSeconds: [Double]?

    public init(
        step: String, configuration: Configuration, jobs: Int, mappingDelaySeconds: Double, computeSeconds: Double,
        totalSeconds: Double, cold: Bool, instanceSeconds: [Double]? = nil
    ) {
        self.instanceSeconds = instanceSeconds
        self.step = step
        self.configuration = configuration
        self.jobs = jobs
        self.mappingDelaySeconds = mappingDelaySeconds
        self.computeSeconds = computeSeconds
        self.totalSeconds = totalSeconds
        self.cold = cold
    }
}
