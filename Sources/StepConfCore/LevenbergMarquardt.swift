/// Nonlinear least squares by Levenberg–Marquardt: minimises Σ rᵢ(x)² over x, with optional lower and upper
/// bounds (a step that crosses a bound is clipped to it). The Jacobian is taken by forward differences, so any
/// residual function will do; it is meant for the handful of parameters of Eq. (1).
public struct LevenbergMarquardt: Sendable {
    /// What the minimisation reached.
    public struct Result: Sendable, Hashable {
        /// The parameters at the end.
        public var parameters: [Double]
        /// Σ r² there.
        public var cost: Double
        /// Iterations taken.
        public var iterations: Int
        /// True when the cost or the step stopped changing within the tolerances; false when the iteration
        /// limit was reached or the residuals became non-finite.
        public var converged: Bool
    }

    /// Iteration limit.
    public var maxIterations: Int
    /// Relative change of the cost below which the search stops.
    public var costTolerance: Double
    /// Relative step size below which the search stops.
    public var stepTolerance: Double

    public init(maxIterations: Int = 500, costTolerance: Double = 1e-10, stepTolerance: Double = 1e-9) {
        self.maxIterations = maxIterations
        self.costTolerance = costTolerance
        self.stepTolerance = stepTolerance
    }

    /// Minimises Σ residuals(x)² from `initial`.
    /// - Parameters:
    ///   - lower: a lower bound per parameter (nil: unbounded).
    ///   - upper: an upper bound per parameter (nil: unbounded).
    public func minimize(
        initial: [Double], lower: [Double]? = nil, upper: [Double]? = nil, residuals: ([Double]) -> [Double]
    ) -> Result {
        let n = initial.count
        func clip(_ x: [Double]) -> [Double] {
            var y = x
            if let lower { y = zip(y, lower).map { max($0, $1) } }
            if let upper { y = zip(y, upper).map { min($0, $1) } }
            return y
        }
        func cost(_ r: [Double]) -> Double { r.reduce(0) { $0 + $1 * $1 } }
        var x = clip(initial)
        var r = residuals(x)
        var c = cost(r)
        guard c.isFinite else { return Result(parameters: x, cost: c, iterations: 0, converged: false) }
        var lambda = 1e-3
        for iteration in 1...max(1, maxIterations) {
            // Forward-difference Jacobian, J[i][k] = ∂rᵢ/∂xₖ.
            var jacobian = [[Double]](repeating: [Double](repeating: 0, count: n), count: r.count)
            for k in 0..<n {
                var shifted = x
                let h = 1e-7 * max(abs(x[k]), 1e-4)
                shifted[k] += h
                let rk = residuals(shifted)
                for i in 0..<r.count { jacobian[i][k] = (rk[i] - r[i]) / h }
            }
            var a = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
            var g = [Double](repeating: 0, count: n)
            for i in 0..<r.count {
                for k in 0..<n {
                    g[k] += jacobian[i][k] * r[i]
                    for l in 0..<n { a[k][l] += jacobian[i][k] * jacobian[i][l] }
                }
            }
            // Parameters held at their lower bound by a gradient that points past it stay there this
            // iteration (a projected step), so the search does not creep along the bound.
            var free = Array(0..<n)
            if let lower {
                free = free.filter { k in !(x[k] <= lower[k] + 1e-15 && g[k] > 0) }
            }
            if let upper {
                free = free.filter { k in !(x[k] >= upper[k] - 1e-15 && g[k] < 0) }
            }
            var improved = false
            while lambda < 1e12 && !free.isEmpty {
                var damped = free.map { k in free.map { a[k][$0] } }
                for (i, k) in free.enumerated() { damped[i][i] += lambda * max(a[k][k], 1e-12) }
                guard let reduced = Self.solve(damped, free.map { -g[$0] }) else {
                    lambda *= 10
                    continue
                }
                var delta = [Double](repeating: 0, count: n)
                for (i, k) in free.enumerated() { delta[k] = reduced[i] }
                let candidate = clip(zip(x, delta).map(+))
                let rc = residuals(candidate)
                let cc = cost(rc)
                if cc.isFinite && cc < c {
                    let stepSize = zip(candidate, x).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                    let scale = x.reduce(0) { $0 + $1 * $1 }.squareRoot() + stepTolerance
                    let relativeDrop = (c - cc) / max(c, 1e-300)
                    x = candidate
                    r = rc
                    c = cc
                    lambda = max(lambda / 10, 1e-12)
                    improved = true
                    if relativeDrop < costTolerance || stepSize < stepTolerance * scale || c < 1e-30 {
                        return Result(parameters: x, cost: c, iterations: iteration, converged: true)
                    }
                    break
                }
                lambda *= 10
            }
            // No damping makes progress: a (local) minimum, or as close as the differences can tell.
            if !improved { return Result(parameters: x, cost: c, iterations: iteration, converged: true) }
        }
        return Result(parameters: x, cost: c, iterations: maxIterations, converged: false)
    }

    /// Solves a·x = b by Gaussian elimination with partial pivoting; nil when a is singular.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        let n = b.count
        var m = a
        var v = b
        for col in 0..<n {
            var pivot = col
            for row in (col + 1)..<max(col + 1, n) where abs(m[row][col]) > abs(m[pivot][col]) { pivot = row }
            guard abs(m[pivot][col]) > 1e-300, m[pivot][col].isFinite else { return nil }
            m.swapAt(col, pivot)
            v.swapAt(col, pivot)
            for row in (col + 1)..<max(col + 1, n) {
                let f = m[row][col] / m[col][col]
                if f == 0 { continue }
                for k in col..<n { m[row][k] -= f * m[col][k] }
                v[row] -= f * v[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var s = v[row]
            for k in (row + 1)..<max(row + 1, n) { s -= m[row][k] * x[k] }
            x[row] = s / m[row][row]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}
