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

    /// The squared distances between the members of `pool` (row-major, n × n), on objectives normalized to the
    /// pool's range. Squared: they are only compared, and the root is taken of the one a density needs.
    static func squaredDistances(_ pool: [Candidate]) -> [Double] {
        let n = pool.count
        var f1 = [Double](repeating: 0, count: n), f2 = [Double](repeating: 0, count: n)
        for (i, c) in pool.enumerated() {
            f1[i] = c.objectives.f1
            f2[i] = c.objectives.f2
        }
        let r1 = max((f1.max() ?? 0) - (f1.min() ?? 0), 1e-12), r2 = max((f2.max() ?? 0) - (f2.min() ?? 0), 1e-12)
        var d = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                let a = (f1[i] - f1[j]) / r1, b = (f2[i] - f2[j]) / r2
                d[i * n + j] = a * a + b * b
                d[j * n + i] = a * a + b * b
            }
        }
        return d
    }

    static func fitness(_ pool: [Candidate]) -> [Double] {
        let n = pool.count
        let points = pool.map(\.objectives)
        // Each pair once: who dominates whom.
        var strength = [Double](repeating: 0, count: n)
        var dominates = [Bool](repeating: false, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                if points[i].dominates(points[j]) {
                    dominates[i * n + j] = true
                    strength[i] += 1
                } else if points[j].dominates(points[i]) {
                    dominates[j * n + i] = true
                    strength[j] += 1
                }
            }
        }
        var raw = [Double](repeating: 0, count: n)
        for j in 0..<n where strength[j] > 0 {
            for i in 0..<n where dominates[j * n + i] { raw[i] += strength[j] }
        }
        // σ_k: the k-th smallest distance to another member, kept in a sorted buffer of the k smallest.
        let distances = squaredDistances(pool)
        let k = max(1, min(n - 1, Int(Double(n).squareRoot())))
        var nearest = [Double](repeating: .infinity, count: k)
        return (0..<n).map { i in
            guard n > 1 else { return raw[i] + 0.5 }
            for m in 0..<k { nearest[m] = .infinity }
            for j in 0..<n where j != i {
                let d = distances[i * n + j]
                guard d < nearest[k - 1] else { continue }
                var m = k - 1
                while m > 0 && nearest[m - 1] > d {
                    nearest[m] = nearest[m - 1]
                    m -= 1
                }
                nearest[m] = d
            }
            let sigma = nearest[min(k, n - 1) - 1].squareRoot()
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
        let n = kept.count
        let distances = squaredDistances(kept)
        var lists: [[Double]] = (0..<n).map { i in
            var list: [Double] = []
            list.reserveCapacity(n - 1)
            for j in 0..<n where j != i { list.append(distances[i * n + j]) }
            list.sort()
            return list
        }
        var alive = Array(0..<n)
        while alive.count > size {
            var victim = alive[0]
            for i in alive.dropFirst() where lists[i].lexicographicallyPrecedes(lists[victim]) { victim = i }
            alive.removeAll { $0 == victim }
            for i in alive {
                let d = distances[i * n + victim]
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
