import Foundation
import StepConfCore

/// NSGA-III (Deb & Jain 2014) for two objectives: Das–Dennis reference points on the unit simplex, the
/// population normalized by its ideal point and the intercepts of its extreme points, each member associated
/// with the nearest reference line, and the last front filled by niching (least-crowded reference first).
enum NSGA3 {
    /// Das–Dennis points with `divisions` divisions: (i/p, 1 − i/p), i = 0…p.
    static func referencePoints(divisions p: Int) -> [(Double, Double)] {
        (0...max(1, p)).map { (Double($0) / Double(max(1, p)), 1 - Double($0) / Double(max(1, p))) }
    }

    static func run<P>(_ state: inout SearchState<P>, populationSize n: Int) -> [Candidate] {
        let references = referencePoints(divisions: max(1, n - 1))
        var population = state.initial(n)
        while !state.exhausted {
            // Mating: random pairs (NSGA-III relies on niching, not on a crowded tournament).
            var children: [Candidate] = []
            while children.count < n && !state.exhausted {
                let a = Int(state.rng.next() % UInt64(population.count)), b = Int(state.rng.next() % UInt64(population.count))
                children += state.offspring(population[a].x, population[b].x)
            }
            population = select(population + children, count: n, references: references, rng: &state.rng)
        }
        return population
    }

    static func select(_ pool: [Candidate], count: Int, references: [(Double, Double)], rng: inout SeededRandom) -> [Candidate] {
        let points = pool.map(\.objectives)
        var chosen: [Int] = []
        var last: [Int] = []
        for front in NonDominatedSorting.fronts(points) {
            if chosen.count + front.count <= count {
                chosen += front
                if chosen.count == count { return chosen.map { pool[$0] } }
            } else {
                last = front
                break
            }
        }
        if last.isEmpty { return chosen.map { pool[$0] } }
        let members = chosen + last
        let normalized = normalize(members.map { points[$0] })
        // Association: the reference line nearest to each member (perpendicular distance).
        var line = [Int](repeating: 0, count: members.count)
        var distance = [Double](repeating: 0, count: members.count)
        for (i, f) in normalized.enumerated() {
            var best = (0, Double.infinity)
            for (j, w) in references.enumerated() {
                let norm2 = w.0 * w.0 + w.1 * w.1
                let t = (f.0 * w.0 + f.1 * w.1) / norm2
                let d = hypot(f.0 - t * w.0, f.1 - t * w.1)
                if d < best.1 { best = (j, d) }
            }
            line[i] = best.0
            distance[i] = best.1
        }
        var niche = [Int](repeating: 0, count: references.count)
        for i in chosen.indices { niche[line[i]] += 1 }
        var open = Array(chosen.count..<members.count)  // positions of the last front's members
        var excluded = Set<Int>()
        while chosen.count < count, !open.isEmpty {
            let candidates = niche.indices.filter { !excluded.contains($0) }
            guard let least = candidates.map({ niche[$0] }).min() else { break }
            let ties = candidates.filter { niche[$0] == least }
            let j = ties[Int(rng.next() % UInt64(ties.count))]
            let associated = open.filter { line[$0] == j }
            if associated.isEmpty {
                excluded.insert(j)
                continue
            }
            let pick = niche[j] == 0
                ? associated.min { distance[$0] < distance[$1] }!
                : associated[Int(rng.next() % UInt64(associated.count))]
            chosen.append(members[pick])
            open.removeAll { $0 == pick }
            niche[j] += 1
        }
        return chosen.map { pool[$0] }
    }

    /// Translates by the ideal point and divides by the intercepts of the line through the two extreme points
    /// (found by the achievement scalarizing function); falls back to the range where that line is degenerate.
    static func normalize(_ points: [ObjectivePoint]) -> [(Double, Double)] {
        let ideal = (points.map(\.f1).min() ?? 0, points.map(\.f2).min() ?? 0)
        let translated = points.map { ($0.f1 - ideal.0, $0.f2 - ideal.1) }
        func asf(_ p: (Double, Double), _ w: (Double, Double)) -> Double { max(p.0 / w.0, p.1 / w.1) }
        let e1 = translated.min { asf($0, (1, 1e-6)) < asf($1, (1, 1e-6)) } ?? (1, 0)
        let e2 = translated.min { asf($0, (1e-6, 1)) < asf($1, (1e-6, 1)) } ?? (0, 1)
        let maxima = (max(translated.map(\.0).max() ?? 1, 1e-12), max(translated.map(\.1).max() ?? 1, 1e-12))
        // The line a·x + b·y = 1 through e1 and e2; its intercepts are 1/a and 1/b.
        let det = e1.0 * e2.1 - e2.0 * e1.1
        var intercepts = maxima
        if abs(det) > 1e-12 {
            let a = (e2.1 - e1.1) / det, b = (e1.0 - e2.0) / det
            if a > 0, b > 0, 1 / a > 1e-12, 1 / b > 1e-12 { intercepts = (1 / a, 1 / b) }
        }
        return translated.map { ($0.0 / intercepts.0, $0.1 / intercepts.1) }
    }
}
