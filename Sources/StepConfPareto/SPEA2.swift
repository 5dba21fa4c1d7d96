import Foundation
import StepConfCore

/// SPEA2 (Zitzler, Laumanns, Thiele 2001): fitness = raw fitness (the strengths of the dominators) +
/// density (1 / (σ_k + 2), σ_k the distance to the k-th nearest neighbour, k = √(population + archive));
/// the archive keeps the non-dominated, filled with the fittest dominated or truncated by removing, one at a
/// time, the member closest to its neighbours. Distances are taken on objectives normalized to the current
/// union's range (cost and duration differ by orders of magnitude).
enum SPEA2 {
    static func run<P>(_ state: inout SearchState<P>, populationSize n: Int) -> [Candidate] {
        var population = state.initial(n)
        var archive: [Candidate] = []
        while true {
            let union = population + archive
            let fitness = Self.fitness(union)
            archive = environmentalSelection(union, fitness: fitness, size: n)
            if state.exhausted { break }
            let archiveFitness = Self.fitness(archive)
            func tournament(_ rng: inout SeededRandom) -> Int {
                let a = Int(rng.next() % UInt64(archive.count)), b = Int(rng.next() % UInt64(archive.count))
                return archiveFitness[a] <= archiveFitness[b] ? a : b
            }
            var children: [Candidate] = []
            while children.count < n && !state.exhausted {
                let a = tournament(&state.rng), b = tournament(&state.rng)
                children += state.offspring(archive[a].x, archive[b].x)
            }
            population = children
        }
        return archive
    }

    static func normalizedDistances(_ pool: [Candidate]) -> [[Double]] {
        let f1 = pool.map(\.objectives.f1), f2 = pool.map(\.objectives.f2)
        let r1 = max((f1.max() ?? 0) - (f1.min() ?? 0), 1e-12), r2 = max((f2.max() ?? 0) - (f2.min() ?? 0), 1e-12)
        return pool.indices.map { i in
            pool.indices.map { j in hypot((f1[i] - f1[j]) / r1, (f2[i] - f2[j]) / r2) }
        }
    }

    static func fitness(_ pool: [Candidate]) -> [Double] {
        let n = pool.count
        let points = pool.map(\.objectives)
        var strength = [Double](repeating: 0, count: n)
        for i in 0..<n { for j in 0..<n where points[i].dominates(points[j]) { strength[i] += 1 } }
        var raw = [Double](repeating: 0, count: n)
        for i in 0..<n { for j in 0..<n where points[j].dominates(points[i]) { raw[i] += strength[j] } }
        let distances = normalizedDistances(pool)
        let k = max(1, min(n - 1, Int(Double(n).squareRoot())))
        return (0..<n).map { i in
            let sorted = distances[i].enumerated().filter { $0.offset != i }.map(\.element).sorted()
            let sigma = sorted.isEmpty ? 0 : sorted[min(k, sorted.count) - 1]
            return raw[i] + 1 / (sigma + 2)
        }
    }

    static func environmentalSelection(_ pool: [Candidate], fitness: [Double], size: Int) -> [Candidate] {
        var next = pool.indices.filter { fitness[$0] < 1 }
        if next.count < size {
            let dominated = pool.indices.filter { fitness[$0] >= 1 }.sorted { fitness[$0] < fitness[$1] }
            next += dominated.prefix(size - next.count)
            return next.map { pool[$0] }
        }
        let kept = next.map { pool[$0] }
        guard kept.count > size else { return kept }
        // Truncation: repeatedly remove the member whose sorted distances to the others are lexicographically
        // smallest. The distances are computed once; a removal takes the victim out of every other list.
        let distances = normalizedDistances(kept)
        var lists = kept.indices.map { i in distances[i].enumerated().filter { $0.offset != i }.map(\.element).sorted() }
        var alive = Array(kept.indices)
        while alive.count > size {
            let victim = alive.min { a, b in lists[a].lexicographicallyPrecedes(lists[b]) }!
            alive.removeAll { $0 == victim }
            for i in alive {
                let d = distances[i][victim]
                // Binary search for one occurrence of d in the sorted list.
                var lo = 0, hi = lists[i].count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if lists[i][mid] < d { lo = mid + 1 } else { hi = mid }
                }
                if lo < lists[i].count { lists[i].remove(at: lo) }
            }
        }
        return alive.map { kept[$0] }
    }
}
