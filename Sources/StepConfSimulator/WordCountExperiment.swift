import Foundation
import StepConfCore

/// The configuration problem of the multi-objective study (Christoforou & Andreou): count the words of 100
/// files of 638 words on Lambda, choosing the memory size (128–3,008 MB in steps of 64: 46 values), the
/// maximum concurrency (1–100) and the batch size (the share of the files each invocation processes: 1, 2, 5,
/// 10, 20, 25, 50 or 100 %) — 36,800 configurations — for the least duration and the least cost.
///
/// Each configuration is run in the simulator: ⌈files / batch⌉ single-worker invocations of the map function
/// at that memory with at most `concurrency` running at once (the simulator's Map waves), then one reduce
/// invocation that merges their partial counts. Duration is the end of the reduce; cost is every
/// invocation's billed duration (rounded up to the millisecond) at that memory plus one request each. The
/// random stream of a configuration is derived from `seed` and the configuration itself, so a table is
/// reproducible and independent of the order it is computed in.
public struct WordCountExperiment: Sendable {
    public static let memorySizes = Array(stride(from: 128, through: 3008, by: 64))
    public static let concurrencies = Array(1...100)
    public static let batchPercents = [1, 2, 5, 10, 20, 25, 50, 100]

    public var files = 100
    public var wordsPerFile = 638
    /// CPU time to count one file's words at one vCPU, seconds.
    public var workSecondsPerFile = 0.004
    /// CPU time to merge one partial count at one vCPU, seconds.
    public var mergeSecondsPerPartial = 0.0015
    public var config: SimulatorConfig
    public var platform: Platform
    public var seed: UInt64

    public init(config: SimulatorConfig = SimulatorConfig(), platform: Platform = .aws, seed: UInt64 = 1) {
        self.config = config
        self.platform = platform
        self.seed = seed
    }

    /// Duration (seconds) and cost (USD) of one configuration.
    public struct Outcome: Sendable, Hashable {
        public var durationSeconds: Double
        public var costUSD: Double
    }

    /// Bytes of one file: words of ~5 letters and a space.
    var bytesPerFile: Double { Double(wordsPerFile) * 6 }

    /// Runs one configuration in the simulator.
    public func evaluate(memoryMB: Int, concurrency: Int, batchPercent: Int) -> Outcome {
        let batch = max(1, files * batchPercent / 100)
        let invocations = (files + batch - 1) / batch
        var simulatorConfig = config
        simulatorConfig.mapConcurrency = max(1, concurrency)
        let simulator = LambdaSimulator(config: simulatorConfig, platform: platform)
        var rng = SeededRandom(seed: seed).derived(UInt64(memoryMB) << 32 | UInt64(concurrency) << 8 | UInt64(batchPercent))
        var pool = WarmPool(keepAliveSeconds: config.keepAliveSeconds)
        let map = Workflow.Step(id: "map", kind: "wordcount.map", jobs: files)
        let mapWork = StepWorkload(
            workSecondsPerJob: workSecondsPerFile, multicoreRatio: 0, workerMemoryMB: 32, baseMemoryMB: 48,
            bytesInPerJob: bytesPerFile, bytesOutPerJob: bytesPerFile / 3)
        let mapRun = simulator.run(
            map, workload: mapWork, configuration: Configuration(memoryMB: memoryMB, inter: invocations, intra: 1), start: 0,
            pool: &pool, rng: &rng)
        let reduce = Workflow.Step(id: "reduce", kind: "wordcount.reduce", jobs: invocations)
        let reduceWork = StepWorkload(
            workSecondsPerJob: mergeSecondsPerPartial * Double(batch), multicoreRatio: 0, workerMemoryMB: 32, baseMemoryMB: 48,
            bytesInPerJob: bytesPerFile / 3 * Double(batch), bytesOutPerJob: 0)
        let reduceRun = simulator.run(
            reduce, workload: reduceWork, configuration: Configuration(memoryMB: memoryMB, inter: 1, intra: 1),
            start: mapRun.end, pool: &pool, rng: &rng)
        // The study prices Lambda only (no Step Functions): the map's invocations and the reduce.
        let cost = platform.billing.invocationsUSD(mapRun.instanceSeconds + reduceRun.instanceSeconds, memoryMB: memoryMB)
        return Outcome(durationSeconds: reduceRun.end, costUSD: cost)
    }
}
