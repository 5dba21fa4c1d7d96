import FoundationEssentials
import Glibc
import Synchronization

/// A plan's attainment P(makespan ≤ SLO), estimated by sampling the fitted noise model over the whole DAG (docs/policies.md,
/// after Jolteon's sampled chance constraints, NSDI'24), not by a normal approximation of one path.
///
/// Each sample is one run of the plan: every step takes its predicted warm time times one draw of its step's
/// empirical residual distribution (``NoiseModel/stepQuantiles``: what a warm run took over its prediction, the slowest
/// of its instances and rare slow-downs included), plus what it waits before its instances start (its configurator,
/// where one is paid), plus a cold start where its function has fewer idle instances than the step needs — counted by
/// a pool of instances that the plan's own earlier steps fill, over the instances warm when the run starts. Steps
/// start when their predecessors end, so the makespan is the maximum over parallel paths. Where the model has per-instance
/// slow-downs (``NoiseModel/instanceSlowdownProbability``), a step of p instances meets one with chance 1 − (1 − π)^p and
/// then waits for it: the wider the step, the longer its tail, whatever p the profile happened to run.
///
/// The draws are made once and shared by every plan an estimator is asked about (common random numbers): two plans
/// are compared on the same fluctuations, so the comparison is stable at a few thousand samples.
///
/// What it does not model: a cold start's own spread (its fitted median is charged), instances expiring during a run
/// (runs are much shorter than the keep-alive), and which share of a step's time a slowed instance stretches (its excess
/// is charged on the whole step time, the mapping delay included: conservative).
public struct AttainmentEstimator: Sendable {
    /// Samples when none is given: a P99 is then read off about 20 samples of the tail.
    public static let defaultSamples = 2_000
    /// The draws' seed when none is given: estimates are reproducible.
    public static let defaultSeed: UInt64 = 0x5A4D_9E5D

    /// One step as a plan runs it.
    public struct PlannedStep: Sendable, Hashable {
        /// The function the step's instances run (one per kind and memory size).
        public var function: String
        /// p: the instances the step fans out to.
        public var inter: Int
        /// The step's predicted warm time, seconds (its model's median, without a configurator or a cold start).
        public var seconds: Double
        /// What the step waits before its instances start (its configurator, where one is paid), seconds.
        public var delaySeconds: Double
        /// When the step ended or is expected to (a step already finished or running): its time is not sampled.
        public var finish: Double?
        /// Whether the runtime warms the step's instances ahead of it (``Prewarm``): it meets no cold start.
        public var prewarmed: Bool

        public init(
            function: String, inter: Int, seconds: Double, delaySeconds: Double = 0, finish: Double? = nil, prewarmed: Bool = false
        ) {
            self.function = function
            self.inter = inter
            self.seconds = seconds
            self.delaySeconds = delaySeconds
            self.finish = finish
            self.prewarmed = prewarmed
        }
    }

    /// The instances warm when a run starts.
    public struct Warmth: Sendable {
        /// Idle instances per function.
        public var instances: [String: Int]
        /// The chance that they are there at all (steady traffic: the previous request came within the keep-alive,
        /// ``Traffic/warmChance(keepAliveSeconds:)``); 1 when read from the global cache.
        public var chance: Double

        public init(instances: [String: Int], chance: Double) {
            self.instances = instances
            self.chance = chance
        }

        /// Nothing warm: a fresh deployment.
        public static let cold = Warmth(instances: [:], chance: 0)

        /// Steady traffic on one plan: every request runs `steps`, so a request that comes within the keep-alive of
        /// the one before finds, per function, as many idle instances as the plan's widest step on it left.
        public static func steady(_ steps: [PlannedStep], chance: Double) -> Warmth {
            var instances: [String: Int] = [:]
            for step in steps { instances[step.function] = max(instances[step.function] ?? 0, step.inter) }
            return Warmth(instances: instances, chance: chance)
        }
    }

    public let graph: WorkflowGraph
    /// Each step's noise model, by graph index.
    public let noise: [NoiseModel]
    /// Samples per estimate.
    public let samples: Int
    /// Per sample and step (row-major), the step's relative residual: its time over its prediction, minus 1.
    private let residuals: [Double]
    /// Per sample and step, a uniform draw for an instance that starts cold although its function is warm.
    private let instanceColdDraws: [Double]
    /// Per sample, a uniform draw for whether the run finds its functions warm.
    private let warmDraws: [Double]
    /// Per sample and step, a uniform draw for whether one of its instances is slowed down (``NoiseModel/instanceSlowdownChance(inter:)``,
    /// which depends on the plan's p), and that instance's excess over the median instance.
    private let slowDraws: [Double]
    private let slowExcess: [Double]

    /// Draws `samples` runs' fluctuations for `graph` under `noise` (one model per step, by graph index).
    /// - Precondition: `noise.count == graph.count`, `samples ≥ 1`.
    /// The draws depend on the noise models, the sample count and the seed alone, so they are made once per process
    /// for each: every configuration space of one model (a policy per SLO and name in `evaluate`) shares them.
    public init(
        graph: WorkflowGraph, noise: [NoiseModel], samples: Int = defaultSamples, seed: UInt64 = defaultSeed
    ) {
        precondition(noise.count == graph.count && samples >= 1)
        let key = DrawKey(noise: noise, samples: samples, seed: seed)
        let draws = Self.drawCache.withLock { $0[key] } ?? {
            let made = Self.draw(noise: noise, samples: samples, seed: seed)
            Self.drawCache.withLock { cache in
                if cache.count >= 32 { cache.removeAll() }
                cache[key] = made
            }
            return made
        }()
        self.init(
            graph: graph, noise: noise, samples: samples, residuals: draws.residuals, instanceCold: draws.instanceCold,
            warm: draws.warm, slow: draws.slow, slowExcess: draws.slowExcess)
    }

    private struct DrawKey: Hashable {
        var noise: [NoiseModel]
        var samples: Int
        var seed: UInt64
    }

    private struct Draws: Sendable {
        var residuals: [Double]
        var instanceCold: [Double]
        var warm: [Double]
        var slow: [Double]
        var slowExcess: [Double]
    }

    private static let drawCache = Mutex<[DrawKey: Draws]>([:])

    private static func draw(noise: [NoiseModel], samples: Int, seed: UInt64) -> Draws {
        let n = noise.count
        var residuals = [Double](repeating: 0, count: samples * n)
        var instanceCold = [Double](repeating: 0, count: samples * n)
        var warm = [Double](repeating: 0, count: samples)
        let inverses = noise.map(ResidualDistribution.init)
        var rng = SeededRandom(seed: seed)
        for s in 0..<samples {
            warm[s] = rng.unit()
            for v in 0..<n {
                residuals[s * n + v] = inverses[v].residual(u: rng.unit())
                instanceCold[s * n + v] = rng.unit()
            }
        }
        // Instance slow-downs from a stream of their own: a model without them draws exactly what it drew before.
        var slow = [Double](repeating: 1, count: samples * n)
        var slowExcess = [Double](repeating: 0, count: samples * n)
        if noise.contains(where: { $0.instanceSlowdownProbability > 0 }) {
            var slowRng = SeededRandom(seed: seed).derived(0x534C_4F57)
            for i in 0..<(samples * n) {
                slow[i] = slowRng.unit()
                slowExcess[i] = noise[i % n].instanceSlowdown(slowRng.unit())
            }
        }
        return Draws(residuals: residuals, instanceCold: instanceCold, warm: warm, slow: slow, slowExcess: slowExcess)
    }

    private init(
        graph: WorkflowGraph, noise: [NoiseModel], samples: Int, residuals: [Double], instanceCold: [Double], warm: [Double],
        slow: [Double], slowExcess: [Double]
    ) {
        self.slowDraws = slow
        self.slowExcess = slowExcess
        self.graph = graph
        self.noise = noise
        self.samples = samples
        self.residuals = residuals
        self.instanceColdDraws = instanceCold
        self.warmDraws = warm
    }

    /// The same draws, the first `count` samples of them (a faster, coarser estimate on the same fluctuations).
    public func prefix(_ count: Int) -> AttainmentEstimator {
        let k = min(max(count, 1), samples)
        let n = graph.count
        return AttainmentEstimator(
            graph: graph, noise: noise, samples: k, residuals: Array(residuals[0..<(k * n)]),
            instanceCold: Array(instanceColdDraws[0..<(k * n)]), warm: Array(warmDraws[0..<k]),
            slow: Array(slowDraws[0..<(k * n)]), slowExcess: Array(slowExcess[0..<(k * n)]))
    }

    /// One plan's sampled attainment of `deadline` and its makespan end at `level`, from one walk of the samples.
    public func summary(
        _ steps: [PlannedStep], deadline: Double, level: Double?, start: Double = 0, now: Double = 0, warmth: Warmth
    ) -> (attainment: Double, endAtLevel: Double?) {
        let ends = ends(steps, start: start, now: now, warmth: warmth)
        return (Self.share(of: ends, by: deadline, start: start), level.map { Self.quantile(of: ends, level: $0) })
    }

    /// The share of `ends` at or before `deadline`, the run having started at `start`.
    static func share(of ends: [Double], by deadline: Double, start: Double) -> Double {
        let slack = Self.slack(deadline: deadline, span: deadline - start)
        return Double(ends.count { $0 <= deadline + slack }) / Double(max(ends.count, 1))
    }

    /// How far past `deadline` a time still counts as on time: `relative` of the time it bounds (`span`, e.g. the SLO)
    /// and the rounding of the clock it is read on. Times are often Unix seconds (a deployed configurator's), where a
    /// slack relative to the clock's value would be seconds wide.
    public static func slack(deadline: Double, span: Double, relative: Double = 1e-12) -> Double {
        relative * max(1, abs(span)) + 4 * deadline.ulp
    }

    /// The `level` quantile of `values`, nearest rank.
    static func quantile(of values: [Double], level: Double) -> Double {
        let sorted = values.sorted()
        let rank = min(sorted.count, max(1, Int((level * Double(sorted.count)).rounded(.up))))
        return sorted[rank - 1]
    }

    /// Every sample's makespan end: when its last step ends, on the clock of `now` and the steps' `finish`.
    /// - Parameters:
    ///   - steps: every step, by graph index.
    ///   - start: when the execution started (a first step is ready then), seconds.
    ///   - now: no step still to run starts before it, seconds.
    ///   - warmth: the instances idle when the run starts.
    public func ends(_ steps: [PlannedStep], start: Double = 0, now: Double = 0, warmth: Warmth) -> [Double] {
        precondition(steps.count == graph.count)
        var walker = SampleWalker(graph: graph, steps: steps, noise: noise)
        var ends = [Double](repeating: 0, count: samples)
        for s in 0..<samples {
            ends[s] = walker.run(
                sample: s, residuals: residuals, instanceCold: instanceColdDraws, slow: slowDraws, slowExcess: slowExcess,
                warm: warmDraws[s] < warmth.chance,
                warmth: warmth, start: start, now: now)
        }
        return ends
    }

    /// The share of samples whose last step ends by `deadline` (a fraction in [0, 1]).
    public func attainment(
        _ steps: [PlannedStep], deadline: Double, start: Double = 0, now: Double = 0, warmth: Warmth
    ) -> Double {
        Self.share(of: ends(steps, start: start, now: now, warmth: warmth), by: deadline, start: start)
    }

    /// Per step still to run, the latest time it may become ready for the rest of the plan to still end by `deadline`
    /// at `level` (0 < level < 1): `deadline` minus the `level` quantile of its tail, the time from its start to the end
    /// of the longest path through its successors (each sample's own durations). Nil for a step that has ended or runs.
    public func latestStarts(
        _ steps: [PlannedStep], deadline: Double, level: Double, start: Double = 0, now: Double = 0, warmth: Warmth
    ) -> [Double?] {
        precondition(steps.count == graph.count)
        let n = graph.count
        var walker = SampleWalker(graph: graph, steps: steps, noise: noise)
        var tails = [[Double]](repeating: [], count: n)
        var tail = [Double](repeating: 0, count: n)
        for s in 0..<samples {
            _ = walker.run(
                sample: s, residuals: residuals, instanceCold: instanceColdDraws, slow: slowDraws, slowExcess: slowExcess,
                warm: warmDraws[s] < warmth.chance,
                warmth: warmth, start: start, now: now)
            for v in graph.topologicalOrder.reversed() {
                let after = graph.successors[v].reduce(0.0) { max($0, tail[$1]) }
                tail[v] = (steps[v].finish == nil ? walker.finish[v] - walker.began[v] : 0) + after
                if steps[v].finish == nil { tails[v].append(tail[v]) }
            }
        }
        return (0..<n).map { v in
            guard steps[v].finish == nil, !tails[v].isEmpty else { return nil }
            return deadline - Self.quantile(of: tails[v], level: level)
        }
    }

    /// When each step becomes ready on predicted times (no noise, no cold start), never before `now`: the schedule
    /// warm-ups are timed by. A step that ended or runs keeps its `finish`.
    public func predictedStarts(_ steps: [PlannedStep], start: Double = 0, now: Double = 0) -> [Double] {
        precondition(steps.count == graph.count)
        var finish = [Double](repeating: 0, count: graph.count)
        var ready = [Double](repeating: 0, count: graph.count)
        for v in graph.topologicalOrder {
            ready[v] = max(graph.readyTime(v, finish: finish, start: start), now)
            finish[v] = steps[v].finish ?? ready[v] + steps[v].delaySeconds + steps[v].seconds
        }
        return ready
    }

    /// The `level` quantile (0 < level < 1) of the makespan end, nearest rank.
    public func quantile(_ steps: [PlannedStep], level: Double, start: Double = 0, now: Double = 0, warmth: Warmth) -> Double {
        Self.quantile(of: ends(steps, start: start, now: now, warmth: warmth), level: level)
    }
}

/// One step's residual distribution as an inverse CDF: the stored quantiles joined linearly, mirrored below the
/// median (only the upper ones are stored), and past the highest extended linearly in normal score along the last two
/// (a P99 of the whole DAG reads each step further out than its own p99). A model without quantiles draws a normal of
/// its relative spread, or nothing.
struct ResidualDistribution {
    /// (level, residual), by level.
    let points: [(level: Double, value: Double)]
    let spread: Double

    init(_ noise: NoiseModel) {
        points = noise.stepQuantiles.compactMap { key, value in
            NoiseModel.percentile(key).map { (level: $0 / 100, value: value) }
        }.sorted { $0.level < $1.level }
        spread = noise.relativeStepSpread ?? 0
    }

    func residual(u: Double) -> Double {
        let u = min(max(u, 1e-9), 1 - 1e-9)
        guard let first = points.first, let last = points.last else {
            return spread > 0 ? max(-0.9, spread * NoiseModel.standardNormalQuantile(u)) : 0
        }
        if u >= last.level {
            guard points.count >= 2 else { return last.value }
            let previous = points[points.count - 2]
            let zLast = NoiseModel.standardNormalQuantile(last.level)
            let zPrevious = NoiseModel.standardNormalQuantile(previous.level)
            let slope = max(0, last.value - previous.value) / max(zLast - zPrevious, 1e-9)
            return last.value + slope * (NoiseModel.standardNormalQuantile(u) - zLast)
        }
        if u < first.level {
            // Mirrored about the lowest stored quantile when it is the median; held flat otherwise.
            guard first.level == 0.5 else { return first.value }
            return max(-0.9, 2 * first.value - residual(u: 1 - u))
        }
        for (a, b) in zip(points, points.dropFirst()) where u <= b.level {
            return a.value + (b.value - a.value) * (u - a.level) / max(b.level - a.level, 1e-12)
        }
        return last.value
    }
}

/// Walks one sampled run of a plan: steps in the order they become ready, each acquiring its instances from a pool of
/// idle ones per function (cold where there are too few) and returning them when it ends.
///
/// Plain arrays, no closures in the loop: an estimate walks every step of thousands of samples, and policies ask for
/// several estimates per decision.
private struct SampleWalker {
    let seconds: [Double]
    let delay: [Double]
    let inter: [Int]
    let known: [Double?]
    let prewarmed: [Bool]
    let predecessorCount: [Int]
    let successors: [[Int]]
    /// Function index of each step.
    let function: [Int]
    let functionNames: [String]
    /// Per step: the cold-start model where it can pay one (not prewarmed, fitted with a penalty).
    let coldStart: [NoiseModel.ColdStart?]
    /// Per step: the chance that one of its p instances is slowed down, and what the prediction already allows for the
    /// slowest of p (``NoiseModel/slowestFactor(inter:)``).
    let slowChance: [Double]
    let slowestFactor: [Double]
    /// Per function: idle instances since before the run, and how many its steps released during it.
    var base: [Int]
    var releasedTotal: [Int]
    /// The instances released during the run, in the order their steps ended: (function, free from, count left).
    var releasedFunction: [Int]
    var releasedAt: [Double]
    var releasedCount: [Int]
    var finish: [Double]
    /// When each step became ready to start (its predecessors done and `now` reached), before any delay.
    var began: [Double]
    var ready: [Double]
    var waiting: [Int]
    var available: [Int]

    init(graph: WorkflowGraph, steps: [AttainmentEstimator.PlannedStep], noise: [NoiseModel]) {
        seconds = steps.map(\.seconds)
        delay = steps.map(\.delaySeconds)
        inter = steps.map(\.inter)
        known = steps.map(\.finish)
        prewarmed = steps.map(\.prewarmed)
        predecessorCount = graph.predecessors.map(\.count)
        successors = graph.successors
        var index: [String: Int] = [:]
        var names: [String] = []
        function = steps.map { step in
            if let k = index[step.function] { return k }
            index[step.function] = names.count
            names.append(step.function)
            return names.count - 1
        }
        functionNames = names
        coldStart = steps.indices.map { steps[$0].prewarmed ? nil : noise[$0].coldStart }
        slowChance = steps.indices.map { noise[$0].instanceSlowdownChance(inter: steps[$0].inter) }
        slowestFactor = steps.indices.map { max(noise[$0].slowestFactor(inter: steps[$0].inter), 1) }
        base = Array(repeating: 0, count: names.count)
        releasedTotal = Array(repeating: 0, count: names.count)
        releasedFunction = []
        releasedAt = []
        releasedCount = []
        let n = graph.count
        finish = Array(repeating: 0, count: n)
        began = Array(repeating: 0, count: n)
        ready = Array(repeating: 0, count: n)
        waiting = Array(repeating: 0, count: n)
        available = []
        available.reserveCapacity(n)
    }

    mutating func run(
        sample s: Int, residuals: [Double], instanceCold: [Double], slow: [Double], slowExcess: [Double], warm: Bool,
        warmth: AttainmentEstimator.Warmth,
        start: Double, now: Double
    ) -> Double {
        let n = seconds.count
        for f in 0..<functionNames.count {
            base[f] = warm ? (warmth.instances[functionNames[f]] ?? 0) : 0
            releasedTotal[f] = 0
        }
        releasedFunction.removeAll(keepingCapacity: true)
        releasedAt.removeAll(keepingCapacity: true)
        releasedCount.removeAll(keepingCapacity: true)
        available.removeAll(keepingCapacity: true)
        for v in 0..<n {
            waiting[v] = predecessorCount[v]
            ready[v] = start
            if waiting[v] == 0 { available.append(v) }
        }
        var last = -Double.infinity
        for _ in 0..<n {
            // The step ready first among those whose predecessors are done (ties: the lowest index).
            var pick = 0
            for i in 1..<max(available.count, 1) {
                let (v, w) = (available[i], available[pick])
                if ready[v] < ready[w] || (ready[v] == ready[w] && v < w) { pick = i }
            }
            let v = available[pick]
            available.swapAt(pick, available.count - 1)
            available.removeLast()
            let f = function[v]
            if let known = known[v] {
                finish[v] = known
                began[v] = known
            } else {
                began[v] = max(ready[v], now)
                let begin = began[v] + delay[v]
                var penalty = 0.0
                if prewarmed[v] {
                    // Warm by construction: takes no idle instance from the pool.
                } else {
                    let cold = acquire(f, count: inter[v], at: begin)
                    if let coldStart = coldStart[v] {
                        if cold > 0 {
                            penalty = coldStart.penalty(inter: cold)
                        } else if coldStart.instanceProbability > 0,
                            instanceCold[s * n + v] < coldStart.probability(inter: inter[v])
                        {
                            penalty = coldStart.penalty(inter: 1)
                        }
                    }
                }
                var factor = 1 + residuals[s * n + v]
                if slow[s * n + v] < slowChance[v] {
                    // A slowed instance: the step waits for it. Its excess is over the median instance, the prediction's
                    // over the median slowest of p; charged on the whole step time (its mapping included: conservative).
                    factor = max(factor, (1 + slowExcess[s * n + v]) / slowestFactor[v])
                }
                finish[v] = begin + seconds[v] * max(0, factor) + penalty
            }
            releasedFunction.append(f)
            releasedAt.append(finish[v])
            releasedCount.append(inter[v])
            releasedTotal[f] += inter[v]
            last = max(last, finish[v])
            for w in successors[v] {
                ready[w] = max(ready[w], finish[v])
                waiting[w] -= 1
                if waiting[w] == 0 { available.append(w) }
            }
        }
        return last
    }

    /// Takes `count` idle instances of function `f` at time `t`; returns how many had to start cold.
    private mutating func acquire(_ f: Int, count: Int, at t: Double) -> Int {
        let fromBase = min(base[f], count)
        base[f] -= fromBase
        var needed = count - fromBase
        guard needed > 0, releasedTotal[f] > 0 else { return needed }
        for k in 0..<releasedAt.count where needed > 0 {
            guard releasedFunction[k] == f, releasedCount[k] > 0, releasedAt[k] <= t else { continue }
            let take = min(releasedCount[k], needed)
            releasedCount[k] -= take
            releasedTotal[f] -= take
            needed -= take
        }
        return needed
    }
}

extension ConfigurationSpace {
    /// Step `v` on option `k` as a run pays it: its warm time (without the configurator its options count) and, when
    /// `configured` (default: whenever the options count one), the configurator's latency before its instances start.
    public func plannedStep(_ v: Int, option k: Int, configured: Bool? = nil, finish: Double? = nil) -> AttainmentEstimator.PlannedStep {
        let latency = includesConfigurator ? platform.configurator.seconds : 0
        return AttainmentEstimator.PlannedStep(
            function: functionName(step: v, memoryMB: steps[v].configurations[k].memoryMB),
            inter: steps[v].configurations[k].inter, seconds: max(0, steps[v].seconds[k] - latency),
            delaySeconds: (configured ?? includesConfigurator) ? latency : 0, finish: finish)
    }

    /// Every step of `choice` as a run pays it, from the start of an execution; with `prewarm`, every step but the
    /// first is warmed ahead (``Prewarm``).
    public func plannedSteps(_ choice: [Int], prewarm: Bool = false) -> [AttainmentEstimator.PlannedStep] {
        choice.enumerated().map { v, k in
            var step = plannedStep(v, option: k)
            step.prewarmed = prewarm && Prewarm.canWarm(step: v, in: graph)
            return step
        }
    }
}

extension Replay.Result {
    /// The replayed run's steps as a run pays them: a step decided ahead waits for no configurator, a deployed static
    /// plan's first steps wait for the one that made it (``waitedSeconds``); with `prewarm`, every step whose
    /// configuration is known before it starts is warmed ahead (``Prewarm/replayed(_:space:)``).
    public func plannedSteps(in space: ConfigurationSpace, prewarm: Bool = false) -> [AttainmentEstimator.PlannedStep] {
        decisions.indices.map { v in
            var step = space.plannedStep(v, option: decisions[v].option, configured: space.includesConfigurator && !decidedAhead[v])
            if !waitedSeconds.isEmpty { step.delaySeconds += waitedSeconds[v] }
            step.prewarmed = prewarm && Prewarm.canWarm(step: v, in: space.graph) && (!space.includesConfigurator || decidedAhead[v])
            return step
        }
    }
}
