import StepConfCore

/// What happened when one step ran once in the simulator. Times in seconds on the simulator clock.
public struct StepRun: Sendable, Hashable {
    /// When the step started (its predecessors done).
    public var start: Double
    /// When its last instance finished and the Map state ended.
    public var end: Double
    /// From the start until the last instance's sandbox was ready (cold starts included).
    public var mappingDelaySeconds: Double
    /// Mean billed duration of the instances (t̂).
    public var meanComputeSeconds: Double
    /// Billed duration of every instance.
    public var instanceSeconds: [Double]
    /// Instances that started cold.
    public var coldStarts: Int

    /// `end − start`.
    public var totalSeconds: Double { end - start }

    /// The run as a profile sample of `step` under `configuration`.
    public func sample(step: Workflow.Step, configuration: Configuration) -> ProfileSample {
        ProfileSample(
            step: step.id, configuration: configuration, jobs: step.jobs, mappingDelaySeconds: mappingDelaySeconds,
            computeSeconds: meanComputeSeconds, totalSeconds: totalSeconds, cold: coldStarts > 0)
    }

    /// Lambda cost of the run: GB-seconds of every instance plus one request each, USD (state transitions
    /// are counted by the caller, who knows the state machine).
    public func lambdaCostUSD(memoryMB: Int, platform: Platform) -> Double {
        let gbSeconds = instanceSeconds.reduce(0, +) * Double(memoryMB) / 1024
        return gbSeconds * platform.pricePerGBSecond + Double(instanceSeconds.count) * platform.pricePerRequest
    }
}
