import StepConfCore

/// A discrete-event model of Lambda behind a Step Functions Map: the "truth" models are fitted to.
///
/// It is deliberately not Eq. (1): an instance gets CPU credit m/1769 capped by its visible cores; work is
/// split over q worker processes, whose serial parts use at most one core each (Amdahl on the step's
/// multi-core ratio) while the instance as a whole cannot exceed its credit; starting workers and passing
/// jobs costs time; workers that do not fit in memory swap; inputs and outputs cross storage with latency
/// and a bandwidth that rises with memory; instances start staggered, in waves past the Map's concurrency,
/// cold when no warm instance is idle; noise is multiplicative, with rare storage slow-downs.
public struct LambdaSimulator: Sendable {
    public var config: SimulatorConfig
    public var platform: Platform

    public init(config: SimulatorConfig = SimulatorConfig(), platform: Platform = .aws) {
        self.config = config
        self.platform = platform
    }

    /// The name of the function that runs `kind` at `memoryMB` (one per kind and memory, as deployed).
    public static func functionName(kind: String, memoryMB: Int) -> String {
        Workflow.Step.functionName(kind: kind, memoryMB: memoryMB)
    }

    /// Runs one step once, starting at `start`, and updates `pool`.
    public func run(
        _ step: Workflow.Step, workload: StepWorkload, configuration theta: Configuration, start: Double,
        pool: inout WarmPool, rng: inout SeededRandom
    ) -> StepRun {
        let p = theta.inter
        let function = Self.functionName(kind: step.kind, memoryMB: theta.memoryMB)
        var invoke = [Double](repeating: 0, count: p)
        var ready = [Double](repeating: 0, count: p)
        var ends = [Double](repeating: 0, count: p)
        var billed = [Double](repeating: 0, count: p)
        var cold = 0
        // Cold starts draw from their own stream, so an instance's work draws the same numbers warm or cold
        // (the hindsight optimum relies on it: a configuration meets the same noise whatever ran before).
        var coldRng = rng.derived(0xC01D)
        var gap = start + config.stepFunctionsTaskSeconds
        for j in 0..<p {
            // Staggered invocations; past the Map's concurrency an iteration waits for a slot (waves).
            if j > 0 {
                let extra = Double(max(0, j - config.staggerKnee)) * config.staggerGrowthSeconds
                gap += config.staggerSeconds + extra
            }
            invoke[j] = j >= config.mapConcurrency ? max(gap, ends[j - config.mapConcurrency]) : gap
            let warm = pool.acquire(function, at: invoke[j])
            let startup: Double
            if warm {
                startup = config.warmStartSeconds
            } else {
                cold += 1
                let initSeconds =
                    config.coldInitSeconds.lowerBound
                    + coldRng.unit() * (config.coldInitSeconds.upperBound - config.coldInitSeconds.lowerBound)
                let sigma = config.placementSigma
                startup = initSeconds + config.placementMedianSeconds * exp(sigma * coldRng.normal())
            }
            ready[j] = invoke[j] + startup
            let jobs = InstanceSplit.range(instance: j, of: p, count: step.jobs).count
            billed[j] = instanceSeconds(jobs: jobs, workload: workload, theta: theta, rng: &rng)
            ends[j] = ready[j] + billed[j]
            pool.release(function, at: ends[j])
        }
        let end = (ends.max() ?? start) + config.stepFunctionsTaskSeconds
        return StepRun(
            start: start, end: end, mappingDelaySeconds: (ready.max() ?? start) - start,
            meanComputeSeconds: billed.reduce(0, +) / Double(max(p, 1)), instanceSeconds: billed, coldStarts: cold)
    }

    /// What one step's warm-ups did (``Prewarm``).
    public struct WarmUpRun: Sendable, Hashable {
        /// Instances that had to start (the rest were idle and warm already).
        public var coldStarts: Int
        /// What Lambda billed, USD.
        public var costUSD: Double
    }

    /// Sends `warmUp`'s invocations at its time, all at once (so each lands on an instance of its own): an idle warm
    /// instance answers at once; otherwise one starts cold, as a step's instance would (its init billed), answers at
    /// once and stays idle in `pool`. Cold starts draw from `rng`, a stream of the warm-ups' own.
    public func warmUp(_ warmUp: Prewarm.WarmUp, pool: inout WarmPool, rng: inout SeededRandom) -> WarmUpRun {
        var cold = 0
        var cost = 0.0
        for _ in 0..<warmUp.instances {
            let startup: Double
            var initSeconds = 0.0
            if pool.acquire(warmUp.function, at: warmUp.time) {
                startup = config.warmStartSeconds
            } else {
                cold += 1
                initSeconds = config.coldInitSeconds.lowerBound
                    + rng.unit() * (config.coldInitSeconds.upperBound - config.coldInitSeconds.lowerBound)
                startup = initSeconds + config.placementMedianSeconds * exp(config.placementSigma * rng.normal())
            }
            pool.release(warmUp.function, at: warmUp.time + startup + Prewarm.invocationSeconds)
            cost += platform.billing.warmUpUSD(initSeconds: initSeconds, memoryMB: warmUp.memoryMB)
        }
        return WarmUpRun(coldStarts: cold, costUSD: cost)
    }

    /// Billed duration of one instance with `jobs` jobs: download, start q workers, compute, upload.
    func instanceSeconds(jobs: Int, workload w: StepWorkload, theta: Configuration, rng: inout SeededRandom) -> Double {
        let m = Double(theta.memoryMB)
        let q = theta.intra
        let credit = platform.vcpuCredit(memoryMB: theta.memoryMB)
        let usable = platform.usableCores(memoryMB: theta.memoryMB)

        // Storage: latency + bytes over a bandwidth that rises with memory; rarely much slower.
        let bandwidth = min(max(config.bandwidthPerVCPU * credit, config.bandwidthRange.lowerBound), config.bandwidthRange.upperBound)
        var slowdown = 1.0
        if rng.unit() < config.storageSlowdownProbability {
            slowdown = config.storageSlowdownFactor.lowerBound
                + rng.unit() * (config.storageSlowdownFactor.upperBound - config.storageSlowdownFactor.lowerBound)
        }
        let megabytes = Double(jobs) * (w.bytesInPerJob + w.bytesOutPerJob) / 1_048_576
        let storage = (2 * config.storageLatencySeconds + megabytes / bandwidth) * slowdown

        // CPU: jobs spread evenly over q workers. The instance cannot beat its credit; one worker's serial
        // part cannot beat one core (nor the credit below one core); its parallel part spreads over the cores.
        let perWorkerMax = Double((jobs + q - 1) / q)
        let total = Double(jobs) * w.workSecondsPerJob
        let serialSpeed = min(1, usable)
        let busiest = perWorkerMax * w.workSecondsPerJob * ((1 - w.multicoreRatio) / serialSpeed + w.multicoreRatio / usable)
        var cpu = max(total / usable, busiest)

        // Workers that do not fit in memory swap (canRun refuses such configurations; a caller that runs one
        // anyway sees what Lambda would do).
        let needed = w.baseMemoryMB + Double(q) * w.workerMemoryMB
        if needed > m { cpu *= 1 + config.memoryPressurePenalty * (needed - m) / m }

        let overhead = config.workerStartSeconds + Double(q) * config.spawnSecondsPerWorker
            + Double(jobs) * config.ipcSecondsPerJob
        return storage + (cpu + overhead) * rng.meanOneLogNormal(cv: config.noiseCV)
    }
}

import Foundation
