/// Every constant of the simulated Lambda + Step Functions platform (docs/model.md). The defaults are
/// plausible figures for a native (`provided.al2`) runtime in one region.
public struct SimulatorConfig: Sendable, Hashable {
    /// Seconds of one-core CPU per unit of a step's `difficulty`.
    public var secondsPerDifficultyUnit: Double = 1.5e-6
    /// Step Functions overhead per task state, seconds (once before a Map fans out, once when it ends).
    public var stepFunctionsTaskSeconds: Double = 0.020
    /// Gap between consecutive instance invocations of a Map, seconds.
    public var staggerSeconds: Double = 0.004
    /// Beyond this many instances the gap grows by `staggerGrowthSeconds` per instance.
    public var staggerKnee: Int = 30
    /// Growth of the gap past the knee, seconds per instance.
    public var staggerGrowthSeconds: Double = 0.002
    /// Iterations an inline Map runs at once; the rest wait for a free slot (waves).
    public var mapConcurrency: Int = 40
    /// Invoke latency of a warm instance, seconds.
    public var warmStartSeconds: Double = 0.002
    /// Native runtime init on a cold start, uniform in this range, seconds.
    public var coldInitSeconds: ClosedRange<Double> = 0.015...0.050
    /// Median sandbox placement on a cold start, seconds (log-normal).
    public var placementMedianSeconds: Double = 0.080
    /// Log-normal σ of sandbox placement (the long tail).
    public var placementSigma: Double = 0.6
    /// How long an idle instance stays warm, seconds.
    public var keepAliveSeconds: Double = 600
    /// Storage request latency, seconds (once for inputs, once for outputs).
    public var storageLatencySeconds: Double = 0.015
    /// Storage bandwidth at 1,769 MB, MB/s; it scales with memory between the bounds below.
    public var bandwidthPerVCPU: Double = 80
    /// Storage bandwidth bounds, MB/s.
    public var bandwidthRange: ClosedRange<Double> = 12...400
    /// The wrapper's side of starting one worker process (`posix_spawn`), seconds; it starts them one
    /// after another.
    public var spawnSecondsPerWorker: Double = 0.0015
    /// A worker process's own start-up, seconds; the workers start side by side.
    public var workerStartSeconds: Double = 0.003
    /// Passing one job to a worker and its result back, seconds.
    public var ipcSecondsPerJob: Double = 0.0004
    /// Slow-down per unit of memory overcommit (q workers that do not fit in m swap).
    public var memoryPressurePenalty: Double = 3
    /// Coefficient of variation of the multiplicative noise on an instance's compute time.
    public var noiseCV: Double = 0.05
    /// Chance an instance's storage transfers are slowed down.
    public var storageSlowdownProbability: Double = 0.015
    /// How much slower, uniform in this range.
    public var storageSlowdownFactor: ClosedRange<Double> = 2...5

    public init() {}
}
