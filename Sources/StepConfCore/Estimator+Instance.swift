import FoundationEssentials
import Glibc

/// One configuration's measurements, summarised by medians (robust to cold starts and rare slow-downs).
struct MeasuredConfiguration {
    var configuration: Configuration
    var jobs: Int
    /// Median over every run of the mean instance's billed time (cold starts do not bill the sandbox start).
    var computeSeconds: Double
    /// Median over warm runs of the step time; nil when every run started cold.
    var totalSeconds: Double?
    var rows: Int

    /// Jobs of the busiest instance, ⌈γ/p⌉.
    var busiestJobs: Int { StepModel.jobsPerInstance(jobs: jobs, inter: configuration.inter) }
}

extension Estimator {
    /// The fitted instance time and how the fit went.
    struct InstanceFit {
        var instance: StepModel.InstanceTime
        var converged: Bool
        /// Configurations set aside as slow-downs before the final fit.
        var setAside: Int
    }

    /// Parameter vector order of the nonlinear fit: α, ρ, ι, b, ν, κ, φ.
    private static func instance(_ w: [Double]) -> StepModel.InstanceTime {
        .init(
            workSecondsPerJob: w[0], multicoreRatio: w[1], ioSecondsPerJob: w[2], ioShareCap: w[3], perJobSeconds: w[4],
            perWorkerSeconds: w[5], baseSeconds: w[6])
    }

    /// The mean instance's inputs [W, io, n, q_e, 1] of a configuration (``StepModel/instanceShares(jobs:inter:)``).
    private func meanInputs(_ c: MeasuredConfiguration, rho: Double, cap: Double) -> [Double] {
        let theta = c.configuration
        var row = [Double](repeating: 0, count: 5)
        for share in StepModel.instanceShares(jobs: c.jobs, inter: theta.inter) {
            let x = StepModel.InstanceTime.inputs(
                jobs: share.jobs, memoryMB: theta.memoryMB, intra: theta.intra, instances: theta.inter,
                platform: options.platform, multicoreRatio: rho, ioShareCap: cap)
            for (k, value) in [x.work, x.io, x.jobs, x.workers, 1].enumerated() { row[k] += share.fraction * value }
        }
        return row
    }

    /// Indices of `list` measured far above their prediction (more than 4 robust deviations and 10 %): slow-downs,
    /// to set aside once — only when they are few (a fifth at most) and `minimumLeft` would remain.
    static func slowDowns(_ list: [Double], predicted: [Double], minimumLeft: Int) -> Set<Int>? {
        let residuals = zip(predicted, list).map { ($0 - $1) / $1 }
        let spread = 1.4826 * median(residuals.map(abs))
        let slow = Set(residuals.indices.filter { -residuals[$0] > max(4 * spread, 0.10) })
        guard !slow.isEmpty, slow.count * 5 <= list.count, list.count - slow.count >= minimumLeft else { return nil }
        return slow
    }

    /// Fits the instance time to the measured mean compute times (see ``Estimator``).
    func fitInstance(_ list: [MeasuredConfiguration]) -> InstanceFit {
        var first = fitInstanceOnce(list)
        guard let slow = Self.slowDowns(
            list.map(\.computeSeconds), predicted: list.map { predictedCompute(first.instance, $0) },
            minimumLeft: Self.minimumConfigurations(list))
        else { return first }
        first = fitInstanceOnce(list.indices.filter { !slow.contains($0) }.map { list[$0] })
        first.setAside = slow.count
        return first
    }

    /// The mean instance's predicted time for configuration `c`.
    func predictedCompute(_ instance: StepModel.InstanceTime, _ c: MeasuredConfiguration) -> Double {
        StepModel(instance: instance, mapping: .init(baseSeconds: 0, perInstanceSeconds: 0, pastKneeSeconds: 0))
            .computeSeconds(c.configuration, jobs: c.jobs, platform: options.platform)
    }

    private func fitInstanceOnce(_ list: [MeasuredConfiguration]) -> InstanceFit {
        let shares = Set(list.map { options.platform.vcpuCredit(memoryMB: $0.configuration.memoryMB) }).sorted()
        let largest = max(1, shares.last ?? 1)
        // Caps past the largest profiled share all predict alike on the profile; the largest stands for them
        // (storage beyond what was profiled is taken as no faster: the cautious extrapolation).
        let caps = Array(Set(shares.filter { $0 >= 1 } + [largest])).sorted()
        let y = list.map(\.computeSeconds)
        var best: (cost: Double, w: [Double])?
        for step in 0...20 {
            let rho = Double(step) / 20
            for cap in caps {
                let rows = list.map { meanInputs($0, rho: rho, cap: cap) }
                guard let (coefficients, cost) = Self.nonNegativeRelativeLeastSquares(rows, y) else { continue }
                if best == nil || cost < best!.cost {
                    let c = coefficients
                    best = (cost, [c[0], rho, c[1], cap, c[2], c[3], c[4]])
                }
            }
        }
        let start = best?.w ?? [median(y), 0, 0, largest, 0, 0, 0]
        let lm = LevenbergMarquardt(maxIterations: options.maxIterations).minimize(
            initial: start, lower: [0, 0, 0, 1, 0, 0, 0], upper: [.infinity, 1, .infinity, largest, .infinity, .infinity, .infinity]
        ) { w in
            let candidate = Self.instance(w)
            return list.map { (predictedCompute(candidate, $0) - $0.computeSeconds) / $0.computeSeconds }
        }
        // LM only refines: keep the linear start if it ended worse (it cannot, unless the differences misled it).
        let useLM = lm.cost.isFinite && lm.cost <= (best?.cost ?? .infinity) * (1 + 1e-12)
        return InstanceFit(instance: Self.instance(useLM ? lm.parameters : start), converged: lm.converged, setAside: 0)
    }

    /// What the step-time fit found: t_map(p) and the per-instance spread σ.
    struct StepTimeFit {
        var mapping: StepModel.MappingDelay
        var instanceSpread: Double
        /// The knee came from the prior (no fan-out past it was profiled).
        var kneePrior: Bool
    }

    /// Fits t = t_map(p) + t_busiest·(1 + σ·z_p) to the warm step times: linear in (base, per instance,
    /// past knee, σ), non-negative, on relative residuals; slow-downs set aside once.
    func fitStepTime(_ list: [MeasuredConfiguration], instance: StepModel.InstanceTime) -> StepTimeFit {
        let warm = list.filter { $0.totalSeconds != nil }
        let fit = fitStepTimeOnce(warm, instance: instance)
        guard let slow = Self.slowDowns(
            warm.map { $0.totalSeconds! }, predicted: warm.map { stepSeconds(instance, fit, $0) }, minimumLeft: 4)
        else { return fit }
        return fitStepTimeOnce(warm.indices.filter { !slow.contains($0) }.map { warm[$0] }, instance: instance)
    }

    private func stepSeconds(_ instance: StepModel.InstanceTime, _ fit: StepTimeFit, _ c: MeasuredConfiguration) -> Double {
        StepModel(instance: instance, mapping: fit.mapping, noise: NoiseModel(instanceSpread: fit.instanceSpread))
            .stepSeconds(c.configuration, jobs: c.jobs, platform: options.platform)
    }

    private func fitStepTimeOnce(_ warm: [MeasuredConfiguration], instance: StepModel.InstanceTime) -> StepTimeFit {
        // Per configuration, the instances that can end the step: (ready after, that instance's time).
        let terms = warm.map { c in
            StepModel.stepTerms(c.configuration, jobs: c.jobs).map { term in
                (Double(term.readyAfter), instance.seconds(
                    jobs: term.jobs, memoryMB: c.configuration.memoryMB, intra: c.configuration.intra,
                    instances: c.configuration.inter, platform: options.platform))
            }
        }
        let totals = warm.map { $0.totalSeconds! }
        let fanOuts = warm.map { $0.configuration.inter }
        let widest = Double(fanOuts.max() ?? 1)
        // The step ends with one of its terms; which one depends on the parameters. Fit with the current choice,
        // choose again with the fit, until the choice settles (a few rounds; it starts from the last instance).
        func solve(knee: Double, pastKneeFree: Bool) -> (StepTimeFit, Double)? {
            var choice = terms.map { $0.count - 1 }
            var result: (StepTimeFit, Double)?
            for _ in 0..<6 {
                var rows: [[Double]] = []
                var targets: [Double] = []
                for i in warm.indices {
                    let (ready, t) = terms[i][choice[i]]
                    let past = max(0, ready - knee) * max(0, ready - knee)
                    var row = [1, ready - 1]
                    if pastKneeFree { row.append(past) }
                    row.append(t * NoiseModel.medianMaximumOfNormals(fanOuts[i]))
                    rows.append(row)
                    targets.append(totals[i] - t - (pastKneeFree ? 0 : options.pastKneePriorSeconds * past))
                }
                let weights = totals.map { 1 / max($0, 1e-9) }
                guard let (w, cost) = Self.nonNegativeLeastSquares(rows, targets, weights: weights) else { return result }
                let past = pastKneeFree ? w[2] : options.pastKneePriorSeconds
                let fit = StepTimeFit(
                    mapping: .init(baseSeconds: w[0], perInstanceSeconds: w[1], knee: knee, pastKneeSeconds: past),
                    instanceSpread: w[w.count - 1], kneePrior: !pastKneeFree)
                result = (fit, cost)
                let next = terms.enumerated().map { i, list in
                    list.indices.max { a, b in
                        let f = 1 + fit.instanceSpread * NoiseModel.medianMaximumOfNormals(fanOuts[i])
                        return fit.mapping.seconds(inter: Int(list[a].0)) + list[a].1 * f
                            < fit.mapping.seconds(inter: Int(list[b].0)) + list[b].1 * f
                    }!
                }
                if next == choice { break }
                choice = next
            }
            return result
        }
        let fallback = StepTimeFit(
            mapping: .init(baseSeconds: 0, perInstanceSeconds: 0, knee: options.knee, pastKneeSeconds: options.pastKneePriorSeconds),
            instanceSpread: 0, kneePrior: true)
        guard widest > options.knee else { return solve(knee: options.knee, pastKneeFree: false)?.0 ?? fallback }
        // The knee: the default unless a profiled fan-out below the widest explains the growth clearly better.
        guard var chosen = solve(knee: options.knee, pastKneeFree: true) else { return fallback }
        for knee in Set(fanOuts).sorted() where Double(knee) < widest && Double(knee) != options.knee {
            if let candidate = solve(knee: Double(knee), pastKneeFree: true), candidate.1 < 0.95 * chosen.1 { chosen = candidate }
        }
        return chosen.0
    }

    /// min Σ wᵢ²(rowᵢ·x − yᵢ)² over x ≥ 0 (an active set: the most negative coefficient is fixed at 0 and the
    /// rest refitted), with the cost at the solution. Nil when no column is left or the system is singular.
    static func nonNegativeLeastSquares(_ rows: [[Double]], _ y: [Double], weights: [Double]) -> ([Double], Double)? {
        guard let n = rows.first?.count, n > 0 else { return nil }
        var active = Array(0..<n)
        while !active.isEmpty {
            let weighted = rows.enumerated().map { i, row in active.map { row[$0] * weights[i] } }
            let target = y.enumerated().map { $0.element * weights[$0.offset] }
            guard let w = leastSquares(weighted, target) else {
                active.removeLast()
                continue
            }
            if let worst = w.indices.filter({ w[$0] < 0 }).min(by: { w[$0] < w[$1] }) {
                active.remove(at: worst)
                continue
            }
            var full = [Double](repeating: 0, count: n)
            for (k, column) in active.enumerated() { full[column] = w[k] }
            let cost = rows.enumerated().reduce(0.0) { sum, item in
                let (i, row) = item
                let r = (zip(row, full).reduce(0) { $0 + $1.0 * $1.1 } - y[i]) * weights[i]
                return sum + r * r
            }
            return (full, cost)
        }
        return nil
    }

    /// Non-negative least squares on relative residuals, min Σ ((rowᵢ·x − yᵢ)/yᵢ)².
    static func nonNegativeRelativeLeastSquares(_ rows: [[Double]], _ y: [Double]) -> ([Double], Double)? {
        nonNegativeLeastSquares(rows, y, weights: y.map { 1 / max($0, 1e-12) })
    }

    /// Ordinary least squares through the normal equations (a handful of columns), with a ridge of 1e-12 of
    /// each diagonal so that columns the data cannot tell apart share the weight instead of failing.
    static func leastSquares(_ rows: [[Double]], _ y: [Double]) -> [Double]? {
        guard let n = rows.first?.count, n > 0, rows.count >= n else { return nil }
        var a = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        var b = [Double](repeating: 0, count: n)
        for (row, t) in zip(rows, y) {
            for k in 0..<n {
                b[k] += row[k] * t
                for l in 0..<n { a[k][l] += row[k] * row[l] }
            }
        }
        for k in 0..<n { a[k][k] += 1e-12 * max(a[k][k], 1e-300) }
        return LevenbergMarquardt.solve(a, b)
    }
}
