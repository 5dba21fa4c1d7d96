/// Deb's fast non-dominated sort and the crowding distance of NSGA-II (Deb et al. 2002).
public enum NonDominatedSorting {
    /// The fronts of `points` as index lists (each in ascending index order): front 0 is non-dominated, front 1 is
    /// non-dominated once front 0 is removed, and so on.
    ///
    /// Two objectives allow O(N log N) instead of Deb's O(M·N²) (Zhang et al.'s ENS, sequential search): in the order
    /// of (f1, f2), a point's dominators all come before it, so it goes to the first front none of whose members
    /// dominates it — one past its dominators' highest front, as the rank is defined. Within a front, members come in
    /// rising f1 with falling f2, so the last member is the one that dominates the point if any member does.
    public static func fronts(_ points: [ObjectivePoint]) -> [[Int]] {
        let order = points.indices.sorted { a, b in
            let p = points[a], q = points[b]
            if p.f1 != q.f1 { return p.f1 < q.f1 }
            if p.f2 != q.f2 { return p.f2 < q.f2 }
            return a < b
        }
        var fronts: [[Int]] = []
        var last: [ObjectivePoint] = []
        for i in order {
            let p = points[i]
            var k = 0
            while k < last.count && last[k].dominates(p) { k += 1 }
            if k == fronts.count {
                fronts.append([i])
                last.append(p)
            } else {
                fronts[k].append(i)
                last[k] = p
            }
        }
        for k in fronts.indices { fronts[k].sort() }
        return fronts
    }

    /// Crowding distance of each member of one front (indices into `points`), in the order of `front`:
    /// boundary points get infinity; the others the sum over objectives of the normalized gap between their
    /// neighbours.
    public static func crowding(_ front: [Int], _ points: [ObjectivePoint]) -> [Double] {
        var distance = [Double](repeating: 0, count: front.count)
        guard front.count > 2 else { return distance.map { _ in .infinity } }
        for k in 0..<2 {
            let order = front.indices.sorted { points[front[$0]][k] < points[front[$1]][k] }
            let low = points[front[order.first!]][k]
            let high = points[front[order.last!]][k]
            distance[order.first!] = .infinity
            distance[order.last!] = .infinity
            guard high > low else { continue }
            for i in 1..<(order.count - 1) {
                distance[order[i]] += (points[front[order[i + 1]]][k] - points[front[order[i - 1]]][k]) / (high - low)
            }
        }
        return distance
    }
}
