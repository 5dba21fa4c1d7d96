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

    public init(
        start: Double, end: Double, mappingDelaySeconds: Double, meanComputeSeconds: Double, instanceSeconds: [Double], coldStarts: Int
    ) {
        self.start = start
        self.end = end
        self.mappingDelaySeconds = mappingDelaySeconds
        self.meanComputeSeconds = meanComputeSeconds
        self.instanceSeconds = instanceSeconds
        self.coldStarts = coldStarts
    }

    /// `end − start`.
    public var totalSeconds: Double { end - start }

    /// The run as a profile sample of `step` under `configuration`.
    public func sample(step: Workflow.Step, configuration: Configuration) -> ProfileSample {
        ProfileSample(
            step: step.id, configuration: configuration, jobs: step.jobs, mappingDelaySeconds: mappingDelaySeconds,
            computeSeconds: meanComputeSeconds, totalSeconds: totalSeconds, cold: coldStarts > 0, instanceSeconds: instanceSeconds)
    }

    /// What the run costs as Lambda and Step Functions bill it (``Billing/stepUSD(instanceSeconds:memoryMB:configuratorSeconds:)``),
    /// with the configurator's invocation when the step was decided at run time, USD.
    public func costUSD(memoryMB: Int, platform: Platform, configuratorSeconds: Double? = nil, checked: Bool = false) -> Double {
        platform.billing.stepUSD(
            instanceSeconds: instanceSeconds, memoryMB: memoryMB, configuratorSeconds: configuratorSeconds, checked: checked)
    }
}
