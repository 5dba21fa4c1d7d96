/// A (time, cost) Pareto front of a sub-plan: sorted by time ascending with cost strictly descending;
/// `left`/`right` point back into the child fronts (or, for a step, hold the option index).
struct ParetoFront {
    var time: [Double] = []
    var cost: [Double] = []
    var left: [Int32] = []
    var right: [Int32] = []

    var count: Int { time.count }

    mutating func append(_ t: Double, _ c: Double, _ l: Int, _ r: Int) {
        time.append(t)
        cost.append(c)
        left.append(Int32(l))
        right.append(Int32(r))
    }

    /// Keeps the efficient points of candidates given in any order.
    static func pruned(time: [Double], cost: [Double], left: [Int], right: [Int]) -> ParetoFront {
        let order = (0..<time.count).sorted { time[$0] != time[$1] ? time[$0] < time[$1] : cost[$0] < cost[$1] }
        var front = ParetoFront()
        var best = Double.infinity
        for k in order where cost[k] < best {
            front.append(time[k], cost[k], left[k], right[k])
            best = cost[k]
        }
        return front
    }

    /// Side by side: time is the later of the two, cost the sum. Every efficient point has the time of a
    /// point of one side and the cheapest point of the other side no later than it.
    static func parallel(_ a: ParetoFront, _ b: ParetoFront) -> ParetoFront {
        var front = ParetoFront()
        guard a.count > 0, b.count > 0 else { return front }
        var i = 0
        var j = 0
        // Start where both sides have a point.
        let startTime = max(a.time[0], b.time[0])
        while i + 1 < a.count && a.time[i + 1] <= startTime { i += 1 }
        while j + 1 < b.count && b.time[j + 1] <= startTime { j += 1 }
        var best = Double.infinity
        while true {
            let t = max(a.time[i], b.time[j])
            let c = a.cost[i] + b.cost[j]
            if c < best {
                if let last = front.time.last, last == t {
                    front.cost[front.count - 1] = c
                    front.left[front.count - 1] = Int32(i)
                    front.right[front.count - 1] = Int32(j)
                } else {
                    front.append(t, c, i, j)
                }
                best = c
            }
            let nextA = i + 1 < a.count ? a.time[i + 1] : Double.infinity
            let nextB = j + 1 < b.count ? b.time[j + 1] : Double.infinity
            if nextA == .infinity && nextB == .infinity { break }
            if nextA <= nextB { i += 1 }
            if nextB <= nextA { j += 1 }
        }
        return front
    }
}
