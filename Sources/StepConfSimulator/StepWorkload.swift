import StepConfCore

/// What one step asks of the machine, read from its `params`: the simulator's ground truth of a step.
public struct StepWorkload: Sendable, Hashable {
    /// CPU work of one job on one full core, seconds.
    public var workSecondsPerJob: Double
    /// Fraction of a job's work that can use several cores (threads inside one process), 0…1.
    public var multicoreRatio: Double
    /// Memory one worker process needs, MB.
    public var workerMemoryMB: Double
    /// Memory of the runtime and the wrapper, MB.
    public var baseMemoryMB: Double
    /// Bytes each job reads from storage.
    public var bytesInPerJob: Double
    /// Bytes each job writes to storage.
    public var bytesOutPerJob: Double

    public init(
        workSecondsPerJob: Double, multicoreRatio: Double, workerMemoryMB: Double = WorkerMemory.defaultWorkerMB,
        baseMemoryMB: Double = WorkerMemory.runtimeMB,
        bytesInPerJob: Double = 0, bytesOutPerJob: Double = 0
    ) {
        self.workSecondsPerJob = workSecondsPerJob
        self.multicoreRatio = multicoreRatio
        self.workerMemoryMB = workerMemoryMB
        self.baseMemoryMB = baseMemoryMB
        self.bytesInPerJob = bytesInPerJob
        self.bytesOutPerJob = bytesOutPerJob
    }

    /// Reads a step's parameters: `work_s_per_job` (or `difficulty` × the simulator's seconds per unit),
    /// `multicore_ratio`, `worker_memory_mb`, `bytes_in_per_job`, `bytes_out_per_job`.
    /// - Throws: ``InputError`` naming the step and parameter when a value is out of range.
    public init(step: Workflow.Step, secondsPerDifficultyUnit: Double) throws {
        // The parameters' ranges are Core's rule (``Workflow/Step/checkFields()``); only "some work" is the simulator's.
        do {
            try step.checkFields()
        } catch let error as WorkflowError {
            throw InputError(.invalidParameter, error.message)
        }
        let p = step.params
        let work = p["work_s_per_job"] ?? (p["difficulty"] ?? 50_000) * secondsPerDifficultyUnit
        let ratio = p["multicore_ratio"] ?? 0
        guard work > 0 else {
            throw InputError(.invalidParameter, "step `\(step.id)`: work per job must be > 0 (params.difficulty or params.work_s_per_job)")
        }
        self.init(
            workSecondsPerJob: work, multicoreRatio: ratio, workerMemoryMB: step.workerMemoryMB,
            bytesInPerJob: p["bytes_in_per_job"] ?? 0, bytesOutPerJob: p["bytes_out_per_job"] ?? 0)
    }
}
