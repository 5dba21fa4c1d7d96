import Foundation
import StepConfCore

/// The genetic algorithms of the multi-objective study (Christoforou & Andreou), as the paper ran them through
/// Platypus: a population of 100, binary tournaments, SBX and polynomial mutation.
public enum MOGA: String, Sendable, CaseIterable, Codable {
    case nsga2, nsga3, spea2

    /// What a run found: the non-dominated candidates of its last population (NSGA-II, NSGA-III) or archive
    /// (SPEA2), and the evaluations it used.
    public struct Result: Sendable {
        public var front: [Candidate]
        public var evaluations: Int
    }

    /// Runs the algorithm on `problem` for `evaluations` objective evaluations from `seed`.
    public func run(
        _ problem: some DiscreteProblem, evaluations: Int, seed: UInt64, populationSize: Int = 100,
        variation: Variation = Variation()
    ) -> Result {
        var state = SearchState(problem: problem, budget: max(1, evaluations), rng: SeededRandom(seed: seed), variation: variation)
        let final: [Candidate]
        switch self {
        case .nsga2: final = NSGA2.run(&state, populationSize: populationSize)
        case .nsga3: final = NSGA3.run(&state, populationSize: populationSize)
        case .spea2: final = SPEA2.run(&state, populationSize: populationSize)
        }
        return Result(front: Self.nonDominated(final), evaluations: state.evaluations)
    }

    /// The non-dominated candidates, one per objective point, sorted by f1.
    static func nonDominated(_ candidates: [Candidate]) -> [Candidate] {
        let keep = Set(ParetoFront.nonDominated(candidates.map(\.objectives)))
        var seen = Set<ObjectivePoint>()
        return candidates.filter { keep.contains($0.objectives) && seen.insert($0.objectives).inserted }
            .sorted { $0.objectives.f1 < $1.objectives.f1 }
    }
}

/// NSGA-II (Deb et al. 2002): (μ+λ) elitism by non-dominated rank, then crowding distance.
enum NSGA2 {
    static func run<P>(_ state: inout SearchState<P>, populationSize n: Int) -> [Candidate] {
        var population = state.initial(n)
        while !state.exhausted {
            let (rank, crowd) = rankAndCrowding(population)
            func tournament(_ rng: inout SeededRandom) -> Int {
                let a = Int(rng.next() % UInt64(population.count)), b = Int(rng.next() % UInt64(population.count))
                if rank[a] != rank[b] { return rank[a] < rank[b] ? a : b }
                if crowd[a] != crowd[b] { return crowd[a] > crowd[b] ? a : b }
                return rng.unit() < 0.5 ? a : b
            }
            var children: [Candidate] = []
            while children.count < n && !state.exhausted {
                let a = tournament(&state.rng), b = tournament(&state.rng)
                children += state.offspring(population[a].x, population[b].x)
            }
            population = select(population + children, count: n)
        }
        return population
    }

    /// Rank (front number) and crowding distance of each member.
    static func rankAndCrowding(_ population: [Candidate]) -> ([Int], [Double]) {
        let points = population.map(\.objectives)
        var rank = [Int](repeating: 0, count: points.count)
        var crowd = [Double](repeating: 0, count: points.count)
        for (r, front) in NonDominatedSorting.fronts(points).enumerated() {
            let distances = NonDominatedSorting.crowding(front, points)
            for (i, member) in front.enumerated() {
                rank[member] = r
                crowd[member] = distances[i]
            }
        }
        return (rank, crowd)
    }

    /// The best `count`: whole fronts while they fit, then the most crowding-distant of the next.
    static func select(_ pool: [Candidate], count: Int) -> [Candidate] {
        let points = pool.map(\.objectives)
        var chosen: [Candidate] = []
        for front in NonDominatedSorting.fronts(points) {
            if chosen.count + front.count <= count {
                chosen += front.map { pool[$0] }
                if chosen.count == count { break }
                continue
            }
            let distances = NonDominatedSorting.crowding(front, points)
            let order = front.indices.sorted { distances[$0] > distances[$1] }
            chosen += order.prefix(count - chosen.count).map { pool[front[$0]] }
            break
        }
        return chosen
    }
}
