import Foundation

extension Estimator {
    /// One fitted model and whether every nonlinear fit in it converged.
    struct FittedModel {
        var model: StepModel
        var converged: Bool
    }

    private struct Part {
        var parameters: [Double]
        /// Σ of squared relative residuals.
        var cost: Double
        var converged: Bool
    }

    /// γ̄ = γ/p (the measured t̂ is the mean over instances) and x = min(m/m_s, q) of a configuration (Eq. (1)).
    private func features(_ c: MeasuredConfiguration) -> (perInstance: Double, x: Double) {
        let theta = c.configuration
        let perInstance = Double(c.jobs) / Double(theta.inter)
        return (perInstance, min(Double(theta.memoryMB) / options.singleCoreMemoryMB, Double(theta.intra)))
    }

    func fitModel(_ list: [MeasuredConfiguration]) -> FittedModel {
        let whole = fitCase2(list)
        var case1: StepModel.MulticoreFit?
        var case2 = whole
        var converged = whole.converged
        let below = list.filter { Double($0.configuration.memoryMB) < options.singleCoreMemoryMB }
        let above = list.filter { Double($0.configuration.memoryMB) >= options.singleCoreMemoryMB }
        if above.count >= 5 {
            let upper = fitCase1(above)
            let lower = below.count >= 4 ? fitCase2(below) : whole
            let lowerCost = below.reduce(0.0) { sum, c in
                let r = (case2Seconds(lower.parameters, c) - c.computeSeconds) / c.computeSeconds
                return sum + r * r
            }
            if upper.converged, upper.cost + lowerCost < 0.9 * whole.cost {
                case1 = .init(alpha1: upper.parameters[0], beta1: upper.parameters[1], alpha2: upper.parameters[2], phi1: upper.parameters[3])
                case2 = lower
                converged = lower.converged
            }
        }
        var flags: [String] = []
        if !converged {
            // Documented fallback: case 2 with β2 = 0, which is linear in (α2, φ2) and solved in closed form.
            case1 = nil
            case2 = linearCase2(list)
            flags.append("fallback-fit: Levenberg–Marquardt did not converge; case 2 with beta2 = 0 fitted linearly")
        }
        var model = StepModel(
            case1: case1,
            case2: .init(alpha2: case2.parameters[0], beta2: case2.parameters[1], phi2: case2.parameters[2], deltaS: 1),
            mapping: .init(baseSeconds: 0, perInstanceSeconds: 0, knee: options.knee, pastKneeSeconds: 0), flags: flags)
        let (mapping, usedPrior) = fitMapping(list, model)
        model.mapping = mapping
        if usedPrior { model.flags.append("mapping-knee-prior: no fan-out past the knee was profiled") }
        return FittedModel(model: model, converged: converged)
    }

    private func case2Seconds(_ w: [Double], _ c: MeasuredConfiguration) -> Double {
        let f = features(c)
        return w[0] * f.perInstance / (f.x + w[1]) + w[2]
    }

    private func case1Seconds(_ w: [Double], _ c: MeasuredConfiguration) -> Double {
        let f = features(c)
        return (w[0] * f.perInstance + w[1]) * exp(-w[2] * f.x) + w[3]
    }

    /// Case 2 with δ_s = 1 (only α2/δ_s is identifiable): α2·γ̄/(x + β2) + φ2.
    private func fitCase2(_ list: [MeasuredConfiguration]) -> Part {
        let start = linearCase2(list)
        var best: Part?
        for beta in [0.0, 0.1, 0.5] {
            var initial = start.parameters
            initial[1] = beta
            initial[0] *= (1 + beta)
            let result = LevenbergMarquardt(maxIterations: options.maxIterations).minimize(initial: initial, lower: [0, 0, 0]) { w in
                list.map { (case2Seconds(w, $0) - $0.computeSeconds) / $0.computeSeconds }
            }
            let part = Part(parameters: result.parameters, cost: result.cost, converged: result.converged)
            if best == nil || (part.converged && (!best!.converged || part.cost < best!.cost)) { best = part }
        }
        return best!
    }

    /// (α1·γ̄ + β1)·e^(−α2·x) + φ1: for a few α2 the rest is linear; the best start goes to LM.
    private func fitCase1(_ list: [MeasuredConfiguration]) -> Part {
        var starts: [(Double, [Double])] = []
        for alpha2 in [0.05, 0.15, 0.3, 0.5, 0.8, 1.2] {
            let rows = list.map { c -> [Double] in
                let f = features(c)
                let e = exp(-alpha2 * f.x)
                return [f.perInstance * e, e, 1]
            }
            guard let w = Self.relativeLeastSquares(rows, list.map(\.computeSeconds)) else { continue }
            let params = [max(w[0], 0), max(w[1], 0), alpha2, max(w[2], 0)]
            let cost = list.reduce(0.0) { s, c in
                let r = (case1Seconds(params, c) - c.computeSeconds) / c.computeSeconds
                return s + r * r
            }
            starts.append((cost, params))
        }
        guard let start = starts.min(by: { $0.0 < $1.0 }) else {
            return Part(parameters: [0, 0, 0, 0], cost: .infinity, converged: false)
        }
        let result = LevenbergMarquardt(maxIterations: options.maxIterations).minimize(initial: start.1, lower: [0, 0, 0, 0]) { w in
            list.map { (case1Seconds(w, $0) - $0.computeSeconds) / $0.computeSeconds }
        }
        return Part(parameters: result.parameters, cost: result.cost, converged: result.converged)
    }

    /// α2·γ̄/x + φ2 by weighted linear least squares (the fallback, and LM's starting point).
    private func linearCase2(_ list: [MeasuredConfiguration]) -> Part {
        let rows = list.map { c -> [Double] in
            let f = features(c)
            return [f.perInstance / f.x, 1]
        }
        let w = Self.relativeLeastSquares(rows, list.map(\.computeSeconds)) ?? [list[0].computeSeconds, 0]
        var params = [max(w[0], 0), 0, max(w[1], 0)]
        if w[1] < 0 {
            // φ2 would be negative: refit α2 alone through the origin.
            let only = Self.relativeLeastSquares(rows.map { [$0[0]] }, list.map(\.computeSeconds)) ?? [0]
            params = [max(only[0], 0), 0, 0]
        }
        let cost = list.reduce(0.0) { s, c in
            let r = (case2Seconds(params, c) - c.computeSeconds) / c.computeSeconds
            return s + r * r
        }
        return Part(parameters: params, cost: cost, converged: true)
    }

    /// t_map(p) = base + per_instance·(p − 1) + past_knee·max(0, p − knee)², fitted to the step time minus
    /// the fitted t̂, coefficients ≥ 0 (a negative one is fixed at 0 and the rest refitted).
    private func fitMapping(_ list: [MeasuredConfiguration], _ model: StepModel) -> (StepModel.MappingDelay, Bool) {
        let knee = options.knee
        let target = list.map { c in
            c.totalSeconds
                - model.busiestComputeSeconds(c.configuration, jobs: c.jobs, singleCoreMemoryMB: options.singleCoreMemoryMB)
        }
        let columns: [[Double]] = list.map { c in
            let p = Double(c.configuration.inter)
            return [1, p - 1, pow(max(0, p - knee), 2)]
        }
        let pastKneeSeen = columns.contains { $0[2] > 0 }
        var active = pastKneeSeen ? [0, 1, 2] : [0, 1]
        var coefficients = [0.0, 0.0, pastKneeSeen ? 0 : options.pastKneePriorSeconds]
        // Weighted by 1/total, so the fit minimises the relative error of the step time.
        let weights = list.map { 1 / max($0.totalSeconds, 1e-9) }
        while !active.isEmpty {
            let rows = columns.enumerated().map { i, row in active.map { row[$0] * weights[i] } }
            let fixed = columns.enumerated().map { i, row in
                (0..<3).filter { !active.contains($0) }.reduce(0.0) { $0 + row[$1] * coefficients[$1] } * weights[i]
            }
            let y = target.enumerated().map { i, t in t * weights[i] - fixed[i] }
            guard let w = Self.leastSquares(rows, y) else { break }
            if let negative = w.firstIndex(where: { $0 < 0 }) {
                coefficients[active[negative]] = 0
                active.remove(at: negative)
                continue
            }
            for (k, column) in active.enumerated() { coefficients[column] = w[k] }
            break
        }
        return (
            .init(baseSeconds: coefficients[0], perInstanceSeconds: coefficients[1], knee: knee, pastKneeSeconds: coefficients[2]),
            !pastKneeSeen
        )
    }

    /// min Σ ((rowᵢ·w − yᵢ)/yᵢ)².
    static func relativeLeastSquares(_ rows: [[Double]], _ y: [Double]) -> [Double]? {
        leastSquares(zip(rows, y).map { row, t in row.map { $0 / t } }, y.map { _ in 1 })
    }

    /// Ordinary least squares through the normal equations (a handful of columns).
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
        return LevenbergMarquardt.solve(a, b)
    }
}
