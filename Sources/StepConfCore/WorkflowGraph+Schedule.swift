/// The time pass over the DAG, once: every solver, the problem encodings, the checks and the generator call these
/// instead of walking the graph themselves.
extension WorkflowGraph {
    /// When step `v` can start: the latest finish of its predecessors, and never before `start`.
    @inline(__always)
    public func readyTime(_ v: Int, finish: [Double], start: Double = 0) -> Double {
        predecessors[v].reduce(start) { Swift.max($0, finish[$1]) }
    }

    /// The forward pass: each step's finish time when each starts as its predecessors finish (the first at `start`)
    /// and runs for `duration(v)` seconds.
    public func finishTimes(start: Double = 0, _ duration: (Int) -> Double) -> [Double] {
        var finish = [Double](repeating: 0, count: count)
        for v in topologicalOrder { finish[v] = readyTime(v, finish: finish, start: start) + duration(v) }
        return finish
    }

    /// The makespan of one duration per step: the last finish of the forward pass, seconds.
    public func makespan(start: Double = 0, _ duration: (Int) -> Double) -> Double {
        finishTimes(start: start, duration).max() ?? start
    }

    /// The chain of steps that set the makespan: from `end` (default: the step that ends last; ties go to the
    /// first in topological order) back through, at each step, the predecessor that finished last (ties: the first
    /// listed), counting only the steps that `ran`. Empty when that end step did not run.
    public func criticalPath(finish: [Double], endingAt end: Int? = nil, ran: (Int) -> Bool = { _ in true }) -> [Int] {
        var last = end ?? -1
        if end == nil { for v in topologicalOrder where ran(v) && (last < 0 || finish[v] > finish[last]) { last = v } }
        guard last >= 0, ran(last) else { return [] }
        var path: [Int] = []
        var at = last
        while at >= 0 {
            path.append(at)
            var from = -1
            for p in predecessors[at] where ran(p) && (from < 0 || finish[p] > finish[from]) { from = p }
            at = from
        }
        return path.reversed()
    }

    /// The steps `v` depends on, directly or through others.
    public func ancestors(of v: Int) -> Set<Int> { reachable(from: v, along: predecessors) }

    /// The steps that depend on `v`, directly or through others.
    public func descendants(of v: Int) -> Set<Int> { reachable(from: v, along: successors) }

    private func reachable(from v: Int, along edges: [[Int]]) -> Set<Int> {
        var seen = Set<Int>()
        var stack = edges[v]
        while let u = stack.popLast() {
            if seen.insert(u).inserted { stack.append(contentsOf: edges[u]) }
        }
        return seen
    }

    /// Each step's depth: the longest path from a first step, in steps (0 for the first).
    public var depths: [Int] {
        var depth = [Int](repeating: 0, count: count)
        for v in topologicalOrder { depth[v] = predecessors[v].map { depth[$0] + 1 }.max() ?? 0 }
        return depth
    }
}
