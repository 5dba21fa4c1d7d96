/// Deb's fast non-dominated sort and the crowding distance of NSGA-II (Deb et al. 2002).
public enum NonDominatedSorting {
    /// The fronts of `points` as index lists: front 0 is non-dominated, front 1 is non-dominated once front 0
    /// is removed, and so on. O(M·N²).
    public static func fronts(_ points: [ObjectivePoint]) -> [[Int]] {
        let n = points.count
        var dominatedBy = [[Int]](repeating: [], count: n)
        var counts = [Int](repeating: 0, count: n)
        var current: [Int] = []
        for p in 0..<n {
            for q in 0..<n where p != q {
                if points[p].dominates(points[q]) {
                    dominatedBy[p].append(q)
                } else if points[q].dominates(points[p]) {
                    counts[p] += 1
                }
            }
            if counts[p] == 0 { current.append(p) }
        }
        var fronts: [[Int]] = []
        while !current.isEmpty {
            fronts.append(current)
            var next: [Int] = []
            for p in current {
                for q in dominatedBy[p] {
                    counts[q] -= 1
                    if counts[q] == 0 { next.append(q) }
                }
            }
            current = next
        }
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
