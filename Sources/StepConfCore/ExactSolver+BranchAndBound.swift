extension ExactSolver {
    /// Depth-first search over steps in topological order, cheapest options first. A branch is cut when
    /// its cost plus the cheapest cost of the steps left reaches the best plan, or when the step just
    /// placed, followed by the fastest options after it, cannot finish within the SLO.
    func branchAndBound(_ options: [Options], _ pareto: [[Int]], _ slo: Double) -> Result {
        let order = graph.topologicalOrder
        let n = graph.count
        // Options of each step by cost ascending (so by time descending on a Pareto front).
        let byCost = pareto.map { Array($0.reversed()) }
        let cheapestCost = byCost.enumerated().map { v, list in options[v].costUSD[list[0]] }
        var restCost = [Double](repeating: 0, count: n + 1)
        for d in stride(from: n - 1, through: 0, by: -1) { restCost[d] = restCost[d + 1] + cheapestCost[order[d]] }
        // tail[v]: longest fastest-time path strictly after v.
        var tail = [Double](repeating: 0, count: n)
        for v in order.reversed() {
            tail[v] = graph.successors[v].reduce(0.0) { max($0, tail[$1] + options[$1].seconds[pareto[$1][0]]) }
        }

        var bestCost = Double.infinity
        var best: [Int] = pareto.map { $0[0] }
        var choice = [Int](repeating: -1, count: n)
        var finish = [Double](repeating: 0, count: n)
        var nodes = 0
        var exhausted = false

        func visit(_ depth: Int, _ cost: Double) {
            if depth == n {
                if cost < bestCost {
                    bestCost = cost
                    best = choice
                }
                return
            }
            let v = order[depth]
            let ready = graph.readyTime(v, finish: finish)
            for k in byCost[v] {
                nodes += 1
                if nodes > limits.nodeLimit {
                    exhausted = true
                    return
                }
                let total = cost + options[v].costUSD[k]
                if total + restCost[depth + 1] >= bestCost { break }  // later options cost more
                let done = ready + options[v].seconds[k]
                if done + tail[v] > slo { continue }  // a faster option may still fit
                choice[v] = k
                finish[v] = done
                visit(depth + 1, total)
                if exhausted { return }
            }
        }
        visit(0, 0)
        let plan = evaluate(best, options)
        return Result(
            choice: best, costUSD: plan.cost, makespanSeconds: plan.makespan, feasible: plan.makespan <= slo,
            provenOptimal: !exhausted, lowerBoundUSD: exhausted ? min(restCost[0], plan.cost) : plan.cost,
            gridSeconds: nil, method: "branch-and-bound")
    }
}
