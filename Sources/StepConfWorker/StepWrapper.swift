import FoundationEssentials
import Glibc
import StepConfCore
import StepConfStorage

/// The intra-function wrapper (paper §V-C): downloads the instance's inputs on parallel threads, splits
/// them into jobs, runs the jobs on `q` worker processes, and uploads the outputs on parallel threads; the
/// manifest is written last, only when every part succeeded.
public struct StepWrapper: Sendable {
    public let function: any StepFunction
    public let store: any ObjectStore
    /// The binary started in worker mode (the running `bootstrap` on Lambda).
    public let workerExecutable: String
    /// The function's memory, MB (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`), for the memory guard.
    public let functionMemoryMB: Int
    /// Threads for downloads and uploads.
    public let ioThreads: Int
    /// The worker processes' environment.
    public let workerEnvironment: [String: String]

    public init(
        function: any StepFunction, store: any ObjectStore, workerExecutable: String = ProcessPool.currentExecutable,
        functionMemoryMB: Int, ioThreads: Int = 8, workerEnvironment: [String: String] = ProcessInfo.processInfo.environment,
        deadlineMarginSeconds: Double = StepWrapper.defaultDeadlineMarginSeconds
    ) {
        self.deadlineMarginSeconds = deadlineMarginSeconds
        self.function = function
        self.store = store
        self.workerExecutable = workerExecutable
        self.functionMemoryMB = functionMemoryMB
        self.ioThreads = ioThreads
        self.workerEnvironment = workerEnvironment
    }

    /// How long before the invocation's deadline the workers are stopped, seconds: time to answer the error, with room
    /// for a watchdog thread that waits out its function's CPU throttling (a small function's quota, or a loaded host).
    public static let defaultDeadlineMarginSeconds = 0.5

    /// This instance's margin (``FunctionEnvironment/deadlineMargin``, default ``defaultDeadlineMarginSeconds``).
    public let deadlineMarginSeconds: Double

    /// Runs one instance's share of a step.
    /// - Parameter deadline: the invocation's deadline (Lambda's); jobs still running ``deadlineMarginSeconds``
    ///   before it are stopped and the instance fails with ``WorkerError/Code/timeLimit``, so the runtime answers
    ///   instead of being stopped by the timeout.
    /// - Throws: ``StepInputError`` for a malformed event, ``WorkerError`` for the memory guard, a failed job or the
    ///   time limit, the store's error for I/O; in every case no manifest is written.
    public func run(_ event: StepEvent, deadline: ContinuousClock.Instant? = nil) throws -> StepOutput {
        guard event.intra >= 1 else { throw StepInputError(.invalidParameter, "intra must be at least 1, got \(event.intra)") }
        guard event.jobEnd >= event.jobStart, event.jobStart >= 0 else {
            throw StepInputError(.invalidParameter, "job range \(event.jobStart)..<\(event.jobEnd) is empty or negative")
        }
        try MemoryGuard.check(q: event.intra, workerMemoryMB: function.workerMemoryMB(event), functionMemoryMB: functionMemoryMB)
        let clock = ContinuousClock()

        var started = clock.now
        let keys = event.keys
        let downloaded = ResultSlots<Data>(count: keys.count)
        let store = self.store
        try ParallelWork.run(count: keys.count, threads: ioThreads) { i in downloaded.set(i, try store.get(keys[i])) }
        var inputs: [String: Data] = [:]
        for (key, data) in zip(keys, downloaded.values) { inputs[key] = data! }
        let downloadSeconds = (clock.now - started).seconds

        started = clock.now
        let jobs = try function.jobs(for: event, inputs: inputs)
        var results: [Data] = []
        if !jobs.isEmpty {
            let pool = try ProcessPool(
                executable: workerExecutable, size: min(event.intra, jobs.count), environment: workerEnvironment)
            defer { pool.shutdown() }
            results = try pool.run(jobs, deadline: deadline.map { $0 - .seconds(deadlineMarginSeconds) })
        }
        let outputs = try function.outputs(for: event, inputs: inputs, results: results)
        let computeSeconds = (clock.now - started).seconds

        started = clock.now
        let folder = "\(event.outputFolder)/\(event.index)"
        let named = outputs.map { (key: "\(folder)/\($0.name)", data: $0.data) }
        try ParallelWork.run(count: named.count, threads: ioThreads) { i in try store.put(named[i].key, data: named[i].data) }
        let manifestKey = "\(folder)/manifest.json"
        let manifest = Manifest(
            execution: event.execution, step: event.step, index: event.index, kind: function.kind, jobs: jobs.count,
            intra: event.intra, memoryMB: functionMemoryMB, outputs: named.map(\.key))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try store.put(manifestKey, data: try encoder.encode(manifest))
        let uploadSeconds = (clock.now - started).seconds

        return StepOutput(
            outputs: named.map(\.key), manifest: manifestKey, jobs: jobs.count, intra: event.intra,
            downloadSeconds: downloadSeconds, computeSeconds: computeSeconds, uploadSeconds: uploadSeconds)
    }
}

extension StepWrapper {
    /// What an instance wrote, written last (`{folder}/manifest.json`): it exists only when every output does.
    public struct Manifest: Codable, Sendable, Equatable {
        public var execution: String
        public var step: String
        public var index: Int
        public var kind: String
        public var jobs: Int
        public var intra: Int
        /// The function's memory size, MB.
        public var memoryMB: Int
        public var outputs: [String]

        public init(
            execution: String, step: String, index: Int, kind: String, jobs: Int, intra: Int, memoryMB: Int, outputs: [String]
        ) {
            self.execution = execution
            self.step = step
            self.index = index
            self.kind = kind
            self.jobs = jobs
            self.intra = intra
            self.memoryMB = memoryMB
            self.outputs = outputs
        }

        enum CodingKeys: String, CodingKey {
            case execution, step, index, kind, jobs, intra, outputs
            case memoryMB = "memory_mb"
        }
    }
}
