import Foundation

/// One configuration's measurements, summarised by medians (robust to cold starts and rare slow-downs).
struct MeasuredConfiguration {
    var configuration: Configuration
    var jobs: Int
    var computeSeconds: Double
    var totalSeconds: Double
    var rows: Int
}

extension Estimator {
    func fitStep(_ id: String, _ rows: [ProfileSample], seed: UInt64) throws -> StepReport {
        let measured = Self.summarise(rows)
        let best = Self.bestIntra(measured)
        // The fit's domain: the configurations run at q = Q(m). Where the busiest instance has fewer jobs than
        // Q(m) workers, a smaller q had to run; Eq. (1) cannot see the one-job latency floor that binds there,
        // so those configurations are kept out of the fit and their error is reported apart.
        let domain = measured.filter { $0.configuration.intra == best[$0.configuration.memoryMB] }
        let capped = measured.filter { c in
            guard let q = best[c.configuration.memoryMB], c.configuration.intra < q else { return false }
            let theta = c.configuration
            let sameCell = measured.contains {
                $0.configuration.memoryMB == theta.memoryMB && $0.configuration.inter == theta.inter && $0.configuration.intra == q
            }
            return !sameCell && StepModel.jobsPerInstance(jobs: c.jobs, inter: theta.inter) < q
                && !measured.contains { $0.configuration.memoryMB == theta.memoryMB && $0.configuration.inter == theta.inter
                    && $0.configuration.intra > theta.intra && $0.configuration.intra <= q }
        }
        guard domain.count >= Self.minimumConfigurations else {
            throw InputError(
                .malformed,
                "step `\(id)`: \(domain.count) configuration(s) at the best intra parallelism; the fit needs at least "
                    + "\(Self.minimumConfigurations) (profile more memory sizes or fan-outs)")
        }

        var holdoutStats: ErrorStats?
        var holdoutCompute: ErrorStats?
        if options.holdoutFraction > 0 {
            var rng = SeededRandom(seed: seed)
            let shuffled = domain.shuffled(using: &rng)
            let testCount = min(Int((Double(domain.count) * options.holdoutFraction).rounded()), domain.count - Self.minimumConfigurations)
            guard testCount >= 1 else {
                throw InputError(
                    .malformed,
                    "step `\(id)`: \(domain.count) configurations cannot be split for a hold-out of "
                        + "\(options.holdoutFraction); the fit needs \(Self.minimumConfigurations) left to train on")
            }
            let test = Array(shuffled.prefix(testCount))
            let train = Array(shuffled.dropFirst(testCount))
            let trained = fitModel(train)
            holdoutStats = errors(trained.model, test) { $0.totalSeconds } predict: { m, c in
                m.stepSeconds(c.configuration, jobs: c.jobs, singleCoreMemoryMB: options.singleCoreMemoryMB)
            }
            holdoutCompute = errors(trained.model, test) { $0.computeSeconds } predict: { m, c in
                m.computeSeconds(c.configuration, jobs: c.jobs, singleCoreMemoryMB: options.singleCoreMemoryMB)
            }
        }
        var final = fitModel(domain)
        let cappedStats = capped.isEmpty ? nil : errors(final.model, capped) { $0.totalSeconds } predict: { m, c in
            m.stepSeconds(c.configuration, jobs: c.jobs, singleCoreMemoryMB: options.singleCoreMemoryMB)
        }
        let fitted = errors(final.model, domain) { $0.totalSeconds } predict: { m, c in
            m.stepSeconds(c.configuration, jobs: c.jobs, singleCoreMemoryMB: options.singleCoreMemoryMB)
        }
        let memorySizes = Set(domain.map(\.configuration.memoryMB)).count
        // Rows that chose Q(m) count too: they are part of what the fit needed.
        let allRows = rows.count
        final.model.bestIntra = Dictionary(uniqueKeysWithValues: best.map { (String($0.key), $0.value) })
        final.model.coldStartSeconds = Self.coldStartPenalty(rows)
        final.model.timeSpread95 = Self.timeSpread(rows, quantile: 0.95)
        final.model.fit = StepModel.FitSummary(
            chosenCase: final.model.case1 == nil ? "case2" : "case1", samples: allRows, configurations: domain.count,
            meanRelativeError: fitted.mean, maxRelativeError: fitted.max)
        return StepReport(
            step: id, model: final.model, samples: allRows,
            samplesPerMemorySize: Double(allRows) / Double(max(memorySizes, 1)), fitted: fitted, holdout: holdoutStats,
            holdoutCompute: holdoutCompute, capped: cappedStats, converged: final.converged)
    }

    /// Medians per configuration. Cold runs count for t̂ (billed time excludes the sandbox start) but not
    /// for the step time, unless a configuration has no warm run.
    static func summarise(_ rows: [ProfileSample]) -> [MeasuredConfiguration] {
        var groups: [Configuration: [ProfileSample]] = [:]
        var order: [Configuration] = []
        for r in rows {
            if groups[r.configuration] == nil { order.append(r.configuration) }
            groups[r.configuration, default: []].append(r)
        }
        return order.map { theta in
            let list = groups[theta]!
            let warm = list.filter { !$0.cold }
            return MeasuredConfiguration(
                configuration: theta, jobs: list[0].jobs, computeSeconds: median(list.map(\.computeSeconds)),
                totalSeconds: median((warm.isEmpty ? list : warm).map(\.totalSeconds)), rows: list.count)
        }
    }

    /// How much slower than the fastest a q may measure and still count as best: about twice the noise of
    /// one measurement, so that noise does not pick q.
    public static let intraTolerance = 0.10

    /// Q(m): per memory size, at the fan-out where most q were measured (ties: the wider fan-out, whose mean
    /// over more instances is less noisy), the largest q whose compute time is within `tolerance` of the best. Ties go to more workers because Eq. (1) credits q only up to
    /// m/m_s: a multi-core step that runs as fast with 2 workers as with 8 is modelled right only at 8.
    static func bestIntra(_ measured: [MeasuredConfiguration], tolerance: Double = intraTolerance) -> [Int: Int] {
        var result: [Int: Int] = [:]
        let byMemory = Dictionary(grouping: measured, by: \.configuration.memoryMB)
        for (memory, list) in byMemory {
            let byInter = Dictionary(grouping: list, by: \.configuration.inter)
            guard let (_, atP) = byInter.max(by: { a, b in
                a.value.count != b.value.count ? a.value.count < b.value.count : a.key < b.key
            }) else { continue }
            result[memory] = chooseIntra(atP.map { ($0.configuration.intra, $0.computeSeconds) }, tolerance: tolerance)
        }
        return result
    }

    /// The rule behind Q(m), shared with the profiler: among (q, compute seconds) measured at one memory
    /// size and fan-out, the largest q within `tolerance` of the fastest.
    public static func chooseIntra(_ measured: [(intra: Int, seconds: Double)], tolerance: Double = intraTolerance) -> Int {
        guard let fastest = measured.map(\.seconds).min() else { return 1 }
        return measured.filter { $0.seconds <= fastest * (1 + tolerance) }.map(\.intra).max() ?? 1
    }

    /// Median over cold runs of (cold mapping delay − median warm mapping delay at the same fan-out and
    /// memory): what a cold start adds; nil when no cold run has a warm counterpart.
    static func coldStartPenalty(_ rows: [ProfileSample]) -> Double? {
        var warm: [[Int]: [Double]] = [:]
        for r in rows where !r.cold {
            warm[[r.configuration.memoryMB, r.configuration.inter], default: []].append(r.mappingDelaySeconds)
        }
        let extra = rows.filter(\.cold).compactMap { r -> Double? in
            guard let list = warm[[r.configuration.memoryMB, r.configuration.inter]] else { return nil }
            return max(0, r.mappingDelaySeconds - median(list))
        }
        return extra.isEmpty ? nil : median(extra)
    }

    /// The `quantile` of (a warm run's step time / its configuration's median − 1) over configurations run
    /// at least twice: how far above the typical time one run lands. Nil without repeats.
    static func timeSpread(_ rows: [ProfileSample], quantile: Double) -> Double? {
        let groups = Dictionary(grouping: rows.filter { !$0.cold }, by: \.configuration).values.filter { $0.count >= 2 }
        var ratios: [Double] = []
        for list in groups {
            let m = median(list.map(\.totalSeconds))
            guard m > 0 else { continue }
            ratios += list.map { $0.totalSeconds / m - 1 }
        }
        guard ratios.count >= 4 else { return nil }
        let sorted = ratios.sorted()
        return max(0, sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * quantile).rounded(.up)))])
    }

    func errors(
        _ model: StepModel, _ list: [MeasuredConfiguration], measured: (MeasuredConfiguration) -> Double,
        predict: (StepModel, MeasuredConfiguration) -> Double
    ) -> ErrorStats {
        let relative = list.map { c in abs(predict(model, c) - measured(c)) / max(measured(c), 1e-9) }
        return ErrorStats(
            configurations: list.count, mean: relative.reduce(0, +) / Double(max(relative.count, 1)), max: relative.max() ?? 0)
    }
}
