import Foundation
import StepConfCore

/// Simulated binary crossover and polynomial mutation (Deb & Agrawal) on integer variables.
///
/// Adapted to integers this way: a variable is treated as a real number in its range, the operator is applied
/// as for reals, and the result is rounded to the nearest integer and clamped. A small perturbation would often
/// round back to the parent's value and leave a small range (the 8 batch sizes) without exploration, so a
/// mutated variable that rounds back to its old value moves one step in the direction it was perturbed.
public struct Variation: Sendable {
    /// Distribution index of SBX (η_c) and of polynomial mutation (η_m).
    public var crossoverIndex = 15.0
    public var mutationIndex = 20.0
    /// Probability that a pair is crossed; per variable, SBX applies with probability 0.5.
    public var crossoverProbability = 1.0
    /// Per-variable mutation probability; nil means 1/n.
    public var mutationProbability: Double?

    public init() {}

    /// Two children of `a` and `b`.
    public func crossover(_ a: [Int], _ b: [Int], bounds: [ClosedRange<Int>], rng: inout SeededRandom) -> ([Int], [Int]) {
        var c1 = a
        var c2 = b
        guard rng.unit() < crossoverProbability else { return (c1, c2) }
        for i in bounds.indices where rng.unit() < 0.5 && a[i] != b[i] {
            let lo = Double(bounds[i].lowerBound), hi = Double(bounds[i].upperBound)
            let x1 = Double(min(a[i], b[i])), x2 = Double(max(a[i], b[i]))
            let u = rng.unit()
            // Bounded SBX: the spread factor's distribution is cut at the variable's bounds.
            func child(_ beta: Double) -> Double {
                let alpha = 2 - pow(beta, -(crossoverIndex + 1))
                let betaQ = u <= 1 / alpha ? pow(u * alpha, 1 / (crossoverIndex + 1)) : pow(1 / (2 - u * alpha), 1 / (crossoverIndex + 1))
                return betaQ
            }
            let span = x2 - x1
            let y1 = 0.5 * ((x1 + x2) - child(1 + 2 * (x1 - lo) / span) * span)
            let y2 = 0.5 * ((x1 + x2) + child(1 + 2 * (hi - x2) / span) * span)
            var v1 = Int(min(hi, max(lo, y1)).rounded()), v2 = Int(min(hi, max(lo, y2)).rounded())
            if rng.unit() < 0.5 { swap(&v1, &v2) }
            c1[i] = v1
            c2[i] = v2
        }
        return (c1, c2)
    }

    /// `x` mutated in place.
    public func mutate(_ x: inout [Int], bounds: [ClosedRange<Int>], rng: inout SeededRandom) {
        let probability = mutationProbability ?? 1 / Double(max(1, bounds.count))
        for i in bounds.indices where rng.unit() < probability && bounds[i].count > 1 {
            let lo = Double(bounds[i].lowerBound), hi = Double(bounds[i].upperBound)
            let y = Double(x[i])
            let d1 = (y - lo) / (hi - lo), d2 = (hi - y) / (hi - lo)
            let u = rng.unit()
            let power = 1 / (mutationIndex + 1)
            let deltaQ: Double
            if u < 0.5 {
                let v = 2 * u + (1 - 2 * u) * pow(1 - d1, mutationIndex + 1)
                deltaQ = pow(v, power) - 1
            } else {
                let v = 2 * (1 - u) + 2 * (u - 0.5) * pow(1 - d2, mutationIndex + 1)
                deltaQ = 1 - pow(v, power)
            }
            var value = Int(min(hi, max(lo, y + deltaQ * (hi - lo))).rounded())
            if value == x[i] {
                // Rounded back: take one step the way the perturbation pointed (or the only way there is).
                let up = deltaQ > 0 || (deltaQ == 0 && u >= 0.5)
                value = up ? (x[i] < bounds[i].upperBound ? x[i] + 1 : x[i] - 1) : (x[i] > bounds[i].lowerBound ? x[i] - 1 : x[i] + 1)
            }
            x[i] = value
        }
    }

    /// A uniformly random decision vector.
    public static func random(_ bounds: [ClosedRange<Int>], rng: inout SeededRandom) -> [Int] {
        bounds.map { $0.lowerBound + Int(rng.next() % UInt64($0.count)) }
    }
}

/// What every algorithm shares: the problem, the budget of evaluations and the random stream.
struct SearchState<Problem: DiscreteProblem> {
    let problem: Problem
    /// The problem's bounds, read once (a problem may compute them on each call).
    let bounds: [ClosedRange<Int>]
    let budget: Int
    var evaluations = 0
    var rng: SeededRandom
    let variation: Variation

    init(problem: Problem, budget: Int, rng: SeededRandom, variation: Variation) {
        self.problem = problem
        self.bounds = problem.bounds
        self.budget = budget
        self.rng = rng
        self.variation = variation
    }

    var exhausted: Bool { evaluations >= budget }

    mutating func evaluate(_ x: [Int]) -> Candidate {
        evaluations += 1
        return Candidate(x: x, objectives: problem.evaluate(x))
    }

    /// `count` random candidates (counted as evaluations, at most what the budget allows).
    mutating func initial(_ count: Int) -> [Candidate] {
        (0..<min(count, budget)).map { _ in
            let x = Variation.random(bounds, rng: &rng)
            return evaluate(x)
        }
    }

    /// Offspring of two parents: crossover then mutation of both, each evaluated while the budget lasts.
    mutating func offspring(_ a: [Int], _ b: [Int]) -> [Candidate] {
        var (c1, c2) = variation.crossover(a, b, bounds: bounds, rng: &rng)
        variation.mutate(&c1, bounds: bounds, rng: &rng)
        variation.mutate(&c2, bounds: bounds, rng: &rng)
        var children: [Candidate] = []
        children.reserveCapacity(2)
        if !exhausted { children.append(evaluate(c1)) }
        if !exhausted { children.append(evaluate(c2)) }
        return children
    }
}
