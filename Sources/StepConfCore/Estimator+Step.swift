import FoundationEssentials
import Glibc

extension Estimator {
    func fitStep(_ id: String, _ rows: [ProfileSample], seed: UInt64) throws -> StepReport {
        let measured = Self.summarise(rows)
        try checkCoverage(id, measured)

        var holdoutStats: ErrorStats?
        var holdoutCompute: ErrorStats?
        var holdoutCapped: ErrorStats?
        if options.holdoutFraction > 0 {
            // Only configurations with a warm run can be compared on step time; cold-only ones always train.
            var rng = SeededRandom(seed: seed)
            let candidates = measured.indices.filter { measured[$0].totalSeconds != nil }.shuffled(using: &rng)
            let testCount = min(
                Int((Double(candidates.count) * options.holdoutFraction).rounded()), measured.count - Self.minimumConfigurations(measured))
            guard testCount >= 1 else {
                throw InputError(
                    .malformed,
                    "step `\(id)`: \(measured.count) configurations cannot be split for a hold-out of "
                        + "\(options.holdoutFraction); the fit needs \(Self.minimumConfigurations(measured)) left to train on")
            }
            let testIndices = Set(candidates.prefix(testCount))
            let test = testIndices.sorted().map { measured[$0] }
            let train = measured.indices.filter { !testIndices.contains($0) }.map { measured[$0] }
            let trained = fitModel(train)
            func stepErrors(_ list: [MeasuredConfiguration]) -> ErrorStats {
                ErrorStats(list.map { c in
                    (trained.model.stepSeconds(c.configuration, jobs: c.jobs, platform: options.platform) - c.totalSeconds!)
                        / c.totalSeconds!
                })
            }
            holdoutStats = stepErrors(test)
            holdoutCompute = ErrorStats(test.map { c in
                (trained.model.computeSeconds(c.configuration, jobs: c.jobs, platform: options.platform) - c.computeSeconds)
                    / c.computeSeconds
            })
            let capped = test.filter { $0.busiestJobs <= $0.configuration.intra }
            holdoutCapped = capped.isEmpty ? nil : stepErrors(capped)
        }
        var final = fitModel(measured)
        final.model.noise = noise(rows, model: final.model)
        let warm = measured.filter { $0.totalSeconds != nil }
        let fitted = ErrorStats(warm.map { c in
            (final.model.stepSeconds(c.configuration, jobs: c.jobs, platform: options.platform) - c.totalSeconds!) / c.totalSeconds!
        })
        let memorySizes = Set(measured.map(\.configuration.memoryMB)).count
        final.model.fit = StepModel.FitSummary(
            samples: rows.count, configurations: measured.count, meanRelativeError: fitted.mean, maxRelativeError: fitted.max)
        return StepReport(
            step: id, model: final.model, samples: rows.count,
            samplesPerMemorySize: Double(rows.count) / Double(max(memorySizes, 1)), fitted: fitted, holdout: holdoutStats,
            holdoutCompute: holdoutCompute, holdoutCapped: holdoutCapped, converged: final.converged)
    }

    /// The error of `model` on the (configuration, jobs) pairs of a second profile that the training profile does not
    /// hold, per step, against the medians of their warm runs (``StepReport``-style statistics: step time, t̂, and
    /// the one-job-per-worker subset). Steps of `samples` without a model are skipped.
    public func validation(
        of model: PerformanceModel, against samples: [ProfileSample], trainedOn training: [ProfileSample]
    ) -> [String: (time: ErrorStats, compute: ErrorStats, capped: ErrorStats?)] {
        let seen = Set(training.map { "\($0.step)|\($0.configuration)|\($0.jobs)" })
        var byStep: [String: [ProfileSample]] = [:]
        for s in samples where !seen.contains("\(s.step)|\(s.configuration)|\(s.jobs)") { byStep[s.step, default: []].append(s) }
        var result: [String: (time: ErrorStats, compute: ErrorStats, capped: ErrorStats?)] = [:]
        for (id, rows) in byStep {
            guard let stepModel = model.steps[id] else { continue }
            let measured = Self.summarise(rows).filter { $0.totalSeconds != nil }
            guard !measured.isEmpty else { continue }
            func timeError(_ c: MeasuredConfiguration) -> Double {
                (stepModel.stepSeconds(c.configuration, jobs: c.jobs, platform: options.platform) - c.totalSeconds!) / c.totalSeconds!
            }
            let capped = measured.filter { $0.busiestJobs <= $0.configuration.intra }
            result[id] = (
                ErrorStats(measured.map(timeError)),
                ErrorStats(measured.map { c in
                    (stepModel.computeSeconds(c.configuration, jobs: c.jobs, platform: options.platform) - c.computeSeconds)
                        / c.computeSeconds
                }),
                capped.isEmpty ? nil : ErrorStats(capped.map(timeError))
            )
        }
        return result
    }

    /// Refuses a step the model cannot be fitted to, saying what to profile.
    private func checkCoverage(_ id: String, _ measured: [MeasuredConfiguration]) throws {
        let memorySizes = Set(measured.map(\.configuration.memoryMB))
        let needed = Self.minimumConfigurations(measured)
        guard measured.count >= needed, memorySizes.count >= Self.minimumMemorySizes else {
            throw InputError(
                .malformed,
                needed == Self.minimumOneJobMemorySizes
                    ? "step `\(id)` has one job, so it runs only at p = q = 1: \(memorySizes.count) memory size(s) were "
                        + "profiled; the fit needs at least \(needed) (profile more memory sizes)"
                    : "step `\(id)`: \(measured.count) configuration(s) over \(memorySizes.count) memory size(s); the fit needs at "
                        + "least \(needed) configurations over \(Self.minimumMemorySizes) memory sizes "
                        + "(profile more memory sizes, fan-outs or worker counts)")
        }
        guard measured.filter({ $0.totalSeconds != nil }).count >= 4 else {
            throw InputError(
                .malformed,
                "step `\(id)`: every run but \(measured.filter { $0.totalSeconds != nil }.count) started cold; the step "
                    + "time needs at least 4 configurations with a warm run (profile with --repeats 2 or more)")
        }
    }

    /// A fitted model and whether its nonlinear fit converged.
    struct FittedModel {
        var model: StepModel
        var converged: Bool
    }

    /// The instance time, then the step time (see ``Estimator``), with notes on what the profile could not
    /// determine.
    func fitModel(_ list: [MeasuredConfiguration]) -> FittedModel {
        let instanceFit = fitInstance(list)
        let stepFit = fitStepTime(list, instance: instanceFit.instance)
        var flags: [String] = []
        if !instanceFit.converged {
            flags.append("not-converged: Levenberg–Marquardt reached its iteration limit; the best point found is kept")
        }
        if instanceFit.setAside > 0 {
            flags.append("slow-downs: \(instanceFit.setAside) configuration(s) far above the rest were left out of the instance fit")
        }
        if Set(list.map(\.configuration.intra)).count < 2 {
            flags.append("one-worker-count: only q = \(list[0].configuration.intra) was profiled, so the multi-core ratio and the "
                + "per-worker cost rest on it; profile two worker counts or more")
        }
        if !list.contains(where: { Double($0.configuration.memoryMB) > options.platform.singleCoreMemoryMB }) {
            flags.append("no-memory-above-m_s: below m_s the work and the storage time both fall as 1/m and cannot be told "
                + "apart; profile a memory size above \(Int(options.platform.singleCoreMemoryMB)) MB")
        }
        if stepFit.kneePrior { flags.append("mapping-knee-prior: no fan-out past the knee was profiled") }
        let model = StepModel(
            instance: instanceFit.instance, mapping: stepFit.mapping, noise: NoiseModel(instanceSpread: stepFit.instanceSpread),
            flags: flags)
        return FittedModel(model: model, converged: instanceFit.converged)
    }

    /// Medians per configuration. Cold runs count for t̂ (billed time excludes the sandbox start) but not
    /// for the step time.
    static func summarise(_ rows: [ProfileSample]) -> [MeasuredConfiguration] {
        // Runs of one θ at different job counts (inputs of different sizes) are different measurements.
        struct Key: Hashable {
            var configuration: Configuration
            var jobs: Int
        }
        var groups: [Key: [ProfileSample]] = [:]
        var order: [Key] = []
        for r in rows {
            let key = Key(configuration: r.configuration, jobs: r.jobs)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(r)
        }
        return order.map { key in
            let list = groups[key]!
            let warm = list.filter { !$0.cold }
            return MeasuredConfiguration(
                configuration: key.configuration, jobs: key.jobs, computeSeconds: median(list.map(\.computeSeconds)),
                totalSeconds: warm.isEmpty ? nil : median(warm.map(\.totalSeconds)), rows: list.count)
        }
    }

    /// The noise model of a fitted step (``NoiseModel``), from every run of the profile in the order run.
    func noise(_ rows: [ProfileSample], model: StepModel) -> NoiseModel {
        var noise = model.noise
        let platform = options.platform
        func predicted(_ r: ProfileSample) -> Double { model.stepSeconds(r.configuration, jobs: r.jobs, platform: platform) }
        // One warm run over its prediction.
        let ratios = rows.filter { !$0.cold }.map { $0.totalSeconds / max(predicted($0), 1e-12) - 1 }
        if !ratios.isEmpty {
            let sorted = ratios.sorted()
            noise.stepQuantiles = Dictionary(uniqueKeysWithValues: NoiseModel.percentiles.map {
                (NoiseModel.key(percentile: $0), Self.quantile(sorted, $0 / 100))
            })
            let slow = Self.slowedDown(ratios, center: sorted[sorted.count / 2])
            noise.slowdownProbability = Double(slow.count) / Double(ratios.count)
            noise.slowdownFactor = slow.isEmpty ? 1 : 1 + median(slow)
        }
        // Per-instance slow-downs, where the profile has every instance's duration (``instanceSlowdowns(_:)``).
        if let slow = Self.instanceSlowdowns(rows) {
            noise.instanceSlowdownProbability = slow.probability
            noise.instanceSlowdownQuantiles = slow.quantiles
        }
        // Cold starts: what a cold run adds over the warm prediction, as a + b·z_p.
        let cold = rows.filter(\.cold)
        if !cold.isEmpty {
            let extra = cold.map { max(0, $0.totalSeconds - predicted($0)) }
            let fanOuts = Set(cold.map(\.configuration.inter))
            var penalty = NoiseModel.ColdStart(penaltySeconds: median(extra))
            if fanOuts.count >= 2, let (w, _) = Self.nonNegativeLeastSquares(
                cold.map { [1, NoiseModel.medianMaximumOfNormals($0.configuration.inter)] }, extra,
                weights: extra.map { _ in 1 })
            {
                penalty = .init(penaltySeconds: w[0], perZSeconds: w[1])
            }
            // π: cold runs among those whose sandboxes had all run before (a fan-out no wider than one already run at
            // that memory size), per instance — the first-order estimate cold runs / instances, for small π.
            var widest: [Int: Int] = [:]
            var instances = 0
            var coldRuns = 0
            for r in rows {
                let theta = r.configuration
                if let w = widest[theta.memoryMB], theta.inter <= w {
                    instances += theta.inter
                    if r.cold { coldRuns += 1 }
                }
                widest[theta.memoryMB] = max(widest[theta.memoryMB] ?? 0, theta.inter)
            }
            penalty.instanceProbability = instances == 0 ? 0 : min(1, Double(coldRuns) / Double(instances))
            noise.coldStart = penalty
        }
        return noise
    }

    /// The slow-downs among `ratios` (time over its prediction or median, minus 1): those above both 4 robust spreads
    /// (1.4826 × the median absolute deviation from `center`) and 15 % — for runs and instances alike.
    /// `center`: the median the deviations are taken from (the run-level fit has always used the upper median).
    static func slowedDown(_ ratios: [Double], center: Double) -> [Double] {
        let spread = 1.4826 * median(ratios.map { abs($0 - center) })
        return ratios.filter { $0 > max(4 * spread, 0.15) }
    }

    /// Fewest instance durations behind a fitted per-instance slow-down.
    public static let minimumInstanceDurations = 50

    /// Rare per-instance slow-downs: every instance's time over the median of its run, minus 1, pooled over the runs
    /// whose instances hold equal work (at least 4 instances, jobs a multiple of them); an instance is slowed where
    /// that exceeds both 4 robust spreads of the pool and 15 % (``slowedDown(_:center:)``, the run-level rule). Returns π, the share of slowed
    /// instances, and the quantiles of their excess; nil with fewer than ``minimumInstanceDurations`` durations.
    public static func instanceSlowdowns(_ rows: [ProfileSample]) -> (probability: Double, quantiles: [String: Double])? {
        var ratios: [Double] = []
        for r in rows {
            guard let times = r.instanceSeconds, times.count == r.configuration.inter, times.count >= 4,
                r.jobs % times.count == 0
            else { continue }
            let middle = median(times)
            guard middle > 0 else { continue }
            ratios += times.map { $0 / middle - 1 }
        }
        guard ratios.count >= minimumInstanceDurations else { return nil }
        let slow = slowedDown(ratios, center: median(ratios)).sorted()
        guard !slow.isEmpty else { return (0, [:]) }
        return (
            Double(slow.count) / Double(ratios.count),
            Dictionary(uniqueKeysWithValues: [10.0, 50, 90].map { (NoiseModel.key(percentile: $0), quantile(slow, $0 / 100)) })
        )
    }

    /// The `level` quantile of sorted values, linear between order statistics.
    static func quantile(_ sorted: [Double], _ level: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let position = level * Double(sorted.count - 1)
        let low = Int(position.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}
