/// A point in the two-objective space; both objectives are minimized.
public struct ObjectivePoint: Sendable, Hashable, Codable {
    public var f1: Double
    public var f2: Double

    public init(_ f1: Double, _ f2: Double) {
        self.f1 = f1
        self.f2 = f2
    }

    /// Pareto dominance for minimization: no worse in both, better in one.
    public func dominates(_ other: ObjectivePoint) -> Bool {
        f1 <= other.f1 && f2 <= other.f2 && (f1 < other.f1 || f2 < other.f2)
    }

    subscript(_ k: Int) -> Double { k == 0 ? f1 : f2 }
}

/// A search problem over a discrete decision space: each variable an integer in its range, two objectives
/// to minimize.
public protocol DiscreteProblem: Sendable {
    /// The range of each decision variable.
    var bounds: [ClosedRange<Int>] { get }
    /// The objectives of `x` (one value per variable, each within its bounds).
    func evaluate(_ x: [Int]) -> ObjectivePoint
}

extension DiscreteProblem {
    /// Number of points in the decision space.
    public var size: Int { bounds.reduce(1) { $0 * $1.count } }

    /// Every decision vector, in lexicographic order.
    public func allDecisions() -> [[Int]] {
        var result: [[Int]] = [[]]
        for range in bounds { result = result.flatMap { prefix in range.map { prefix + [$0] } } }
        return result
    }
}

/// A candidate: its decision variables and objectives.
public struct Candidate: Sendable, Hashable {
    public var x: [Int]
    public var objectives: ObjectivePoint

    public init(x: [Int], objectives: ObjectivePoint) {
        self.x = x
        self.objectives = objectives
    }
}

/// Evaluates every point of the space and keeps the non-dominated ones: the reference front.
public enum Exhaustive {
    /// All candidates of `problem`.
    public static func evaluateAll(_ problem: some DiscreteProblem) -> [Candidate] {
        problem.allDecisions().map { Candidate(x: $0, objectives: problem.evaluate($0)) }
    }

    /// The non-dominated objective points of `candidates`, sorted by f1, without duplicates.
    public static func front(_ candidates: [Candidate]) -> [ObjectivePoint] {
        ParetoFront.nonDominated(candidates.map(\.objectives))
    }
}

/// Non-dominated filtering of point sets.
public enum ParetoFront {
    /// The non-dominated points of `points`, sorted by f1 ascending (f2 descending), duplicates removed.
    public static func nonDominated(_ points: [ObjectivePoint]) -> [ObjectivePoint] {
        let sorted = points.sorted { $0.f1 != $1.f1 ? $0.f1 < $1.f1 : $0.f2 < $1.f2 }
        var front: [ObjectivePoint] = []
        var best = Double.infinity
        for p in sorted where p.f2 < best {
            front.append(p)
            best = p.f2
        }
        return front
    }
}
