extension ExactSolver {
    private enum Rounding {
        case exact
        case up(cell: Double)
        case down(cell: Double)

        func apply(_ t: Double) -> Double {
            switch self {
            case .exact: return t
            // A hair of tolerance so that a time that is a whole number of cells is not pushed up one.
            case .up(let cell): return (t / cell - 1e-9).rounded(.up)
            case .down(let cell): return (t / cell + 1e-9).rounded(.down)
            }
        }
    }

    private struct TooLarge: Error {}

    func solveSeriesParallel(
        _ tree: SeriesParallelTree, _ options: [Options], _ pareto: [[Int]], _ slo: Double, fastest: [Int]
    ) -> Result {
        if let fronts = try? fronts(tree, options, pareto, rounding: .exact, budget: slo) {
            let root = fronts[tree.root]
            let k = root.count - 1  // the cheapest point within the budget
            let choice = reconstruct(tree, fronts, k)
            let plan = evaluate(choice, options)
            return Result(
                choice: choice, costUSD: plan.cost, makespanSeconds: plan.makespan, feasible: true,
                provenOptimal: true, lowerBoundUSD: plan.cost, gridSeconds: nil, method: "series-parallel")
        }
        var units = max(limits.gridUnits, 1)
        while true {
            let cell = slo / Double(units)
            let budget = Double(units)
            let lower = try? fronts(tree, options, pareto, rounding: .down(cell: cell), budget: budget)
            let lowerBound = lower.flatMap { $0[tree.root].cost.last } ?? 0
            if let upper = try? fronts(tree, options, pareto, rounding: .up(cell: cell), budget: budget),
                upper[tree.root].count > 0
            {
                let choice = reconstruct(tree, upper, upper[tree.root].count - 1)
                let plan = evaluate(choice, options)
                return Result(
                    choice: choice, costUSD: plan.cost, makespanSeconds: plan.makespan, feasible: true,
                    provenOptimal: plan.cost <= lowerBound, lowerBoundUSD: min(lowerBound, plan.cost),
                    gridSeconds: cell, method: "series-parallel")
            }
            // Rounding up lost every plan although the fastest one fits: refine, or settle for it.
            if units >= 8 * max(limits.gridUnits, 1) {
                let plan = evaluate(fastest, options)
                return Result(
                    choice: fastest, costUSD: plan.cost, makespanSeconds: plan.makespan, feasible: true,
                    provenOptimal: false, lowerBoundUSD: min(lowerBound, plan.cost), gridSeconds: cell,
                    method: "series-parallel")
            }
            units *= 2
        }
    }

    private func fronts(
        _ tree: SeriesParallelTree, _ options: [Options], _ pareto: [[Int]], rounding: Rounding, budget: Double
    ) throws -> [ParetoFront] {
        var fronts = [ParetoFront](repeating: ParetoFront(), count: tree.nodes.count)
        let exact: Bool
        if case .exact = rounding { exact = true } else { exact = false }
        for (index, node) in tree.nodes.enumerated() {
            switch node {
            case .empty:
                fronts[index].append(0, 0, -1, -1)
            case .step(let v):
                var t: [Double] = []
                var c: [Double] = []
                var l: [Int] = []
                for k in pareto[v] {
                    let rounded = rounding.apply(options[v].seconds[k])
                    guard rounded <= budget else { continue }
                    t.append(rounded)
                    c.append(options[v].costUSD[k])
                    l.append(k)
                }
                fronts[index] = ParetoFront.pruned(time: t, cost: c, left: l, right: l)
            case .parallel(let a, let b):
                fronts[index] = ParetoFront.parallel(fronts[a], fronts[b])
            case .series(let a, let b):
                fronts[index] =
                    exact
                    ? try seriesExact(fronts[a], fronts[b], budget: budget)
                    : seriesGrid(fronts[a], fronts[b], budget: Int(budget))
            }
            if exact && fronts[index].count > limits.exactFrontCap { throw TooLarge() }
        }
        return fronts
    }

    private func seriesExact(_ a: ParetoFront, _ b: ParetoFront, budget: Double) throws -> ParetoFront {
        guard a.count * b.count <= limits.exactPairBudget else { throw TooLarge() }
        var t: [Double] = []
        var c: [Double] = []
        var l: [Int] = []
        var r: [Int] = []
        for i in 0..<a.count {
            for j in 0..<b.count {
                let time = a.time[i] + b.time[j]
                if time > budget { break }  // b is sorted by time
                t.append(time)
                c.append(a.cost[i] + b.cost[j])
                l.append(i)
                r.append(j)
            }
        }
        return ParetoFront.pruned(time: t, cost: c, left: l, right: r)
    }

    /// Min-plus combination on whole grid cells: one bucket per cell, then a sweep keeps the efficient ones.
    private func seriesGrid(_ a: ParetoFront, _ b: ParetoFront, budget: Int) -> ParetoFront {
        var best = [Double](repeating: .infinity, count: budget + 1)
        var argA = [Int32](repeating: -1, count: budget + 1)
        var argB = [Int32](repeating: -1, count: budget + 1)
        for i in 0..<a.count {
            let ta = Int(a.time[i])
            let ca = a.cost[i]
            for j in 0..<b.count {
                let t = ta + Int(b.time[j])
                if t > budget { break }
                let c = ca + b.cost[j]
                if c < best[t] {
                    best[t] = c
                    argA[t] = Int32(i)
                    argB[t] = Int32(j)
                }
            }
        }
        var front = ParetoFront()
        var running = Double.infinity
        for t in 0...budget where best[t] < running {
            front.append(Double(t), best[t], Int(argA[t]), Int(argB[t]))
            running = best[t]
        }
        return front
    }

    private func reconstruct(_ tree: SeriesParallelTree, _ fronts: [ParetoFront], _ rootPoint: Int) -> [Int] {
        var choice = [Int](repeating: -1, count: graph.count)
        var stack = [(tree.root, rootPoint)]
        while let (node, point) = stack.popLast() {
            let front = fronts[node]
            switch tree.nodes[node] {
            case .empty: break
            case .step(let v): choice[v] = Int(front.left[point])
            case .series(let a, let b), .parallel(let a, let b):
                stack.append((a, Int(front.left[point])))
                stack.append((b, Int(front.right[point])))
            }
        }
        return choice
    }
}
