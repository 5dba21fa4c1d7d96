/// Algorithm 2's phases, in the order a decision runs them: the scope the global cache gives the step, the critical
/// path by θ* weights, the sub-SLOs along it, and the deadlines of the sub-graphs off it.
extension StepConfOptimizer {
    /// What the global cache says of the step: the sub-graph it starts (`inScope`: the members reachable from it)
    /// and that sub-graph's latest finish timestamp.
    struct Scope {
        var inScope: [Bool]
        var deadline: Double
    }

    /// The critical path from the step by θ* weights, with each member's weight-to-end.
    struct CriticalPath {
        /// The path's steps, the decided one first.
        var steps: [Int]
        var onPath: [Bool]
        /// Σ t(θ*) along the path.
        var weight: Double
    }

    /// The time left shared along the critical path.
    struct SubSLOs {
        var weight: Double
        var budget: Double
        var count: Int
        let weights: [Double]

        /// Eq. (13): step `k`'s share of the budget, in proportion to its θ* time.
        func share(_ k: Int) -> Double { weight > 0 ? weights[k] / weight * budget : budget / Double(count) }
    }

    /// Lines 2–4: the sub-graph entered at v_i (every step when the cache holds nothing for it), restricted to the
    /// members reachable from v_i (G_i), and its latest finish timestamp (the SLO's deadline when none is cached).
    func scope(of i: Int, execution: String, cache: any GlobalCache, sloDeadline: Double) throws -> Scope {
        let graph = space.graph
        let cached = try cache.scope(execution: execution, step: graph.ids[i])
        var member = [Bool](repeating: cached == nil, count: graph.count)
        if let cached {
            for id in cached.members { if let k = graph.index[id] { member[k] = true } }
            member[i] = true
        }
        var inScope = [Bool](repeating: false, count: graph.count)
        inScope[i] = true
        var stack = [i]
        while let v = stack.popLast() {
            for s in graph.successors[v] where member[s] && !inScope[s] {
                inScope[s] = true
                stack.append(s)
            }
        }
        return Scope(inScope: inScope, deadline: cached?.deadline ?? sloDeadline)
    }

    /// Line 8: the critical path by weights, the longest path from v_i (reverse topological order; ties keep the
    /// first successor listed).
    func criticalPath(from i: Int, in inScope: [Bool]) -> CriticalPath {
        let graph = space.graph
        var pathWeight = [Double](repeating: 0, count: graph.count)
        var next = [Int](repeating: -1, count: graph.count)
        for v in graph.topologicalOrder.reversed() where inScope[v] {
            var best = 0.0
            for s in graph.successors[v] where inScope[s] && pathWeight[s] > best {
                best = pathWeight[s]
                next[v] = s
            }
            pathWeight[v] = weights[v] + best
        }
        var steps: [Int] = []
        var onPath = [Bool](repeating: false, count: graph.count)
        var v = i
        while v >= 0 {
            steps.append(v)
            onPath[v] = true
            v = next[v]
        }
        return CriticalPath(steps: steps, onPath: onPath, weight: pathWeight[i])
    }

    /// Line 9, Eq. (13): the sub-SLOs in proportion to the θ* time on the critical path — of the time left after the
    /// margin a percentile SLO needs for that path's spread (ours; docs/policies.md).
    func subSLOs(_ critical: CriticalPath, remaining: Double, chance: ChanceConstraint?) -> SubSLOs {
        let budget = Self.budget(
            remaining: remaining, weight: critical.weight, error: weightError(critical.steps),
            variance: critical.steps.reduce(0) { $0 + weightVariances[$1] }, chance: chance)
        return SubSLOs(weight: critical.weight, budget: budget, count: critical.steps.count, weights: weights)
    }

    /// Lines 11–21: each sub-graph off the critical path must finish before the critical step it joins may start
    /// (τ*_k − s_k); the rest of the critical path keeps T*_i. The scopes to store, by the step that enters each.
    func offPathDeadlines(
        _ critical: CriticalPath, split: SubSLOs, inScope: [Bool], deadline: Double, now: Double
    ) -> [String: CachedScope] {
        let graph = space.graph
        var startDeadline = [Double](repeating: deadline, count: graph.count)
        var elapsed = now
        for k in critical.steps {
            startDeadline[k] = elapsed
            elapsed += split.share(k)
        }
        var scopes: [String: CachedScope] = [:]
        var component = [Int](repeating: -1, count: graph.count)
        for seed in graph.topologicalOrder where inScope[seed] && !critical.onPath[seed] && component[seed] < 0 {
            var members: [Int] = []
            var branchDeadline = deadline
            component[seed] = seed
            var queue = [seed]
            while let b = queue.popLast() {
                members.append(b)
                for s in graph.successors[b] where inScope[s] {
                    if critical.onPath[s] {
                        branchDeadline = min(branchDeadline, startDeadline[s])
                    } else if component[s] < 0 {
                        component[s] = seed
                        queue.append(s)
                    }
                }
                for p in graph.predecessors[b] where inScope[p] && !critical.onPath[p] && component[p] < 0 {
                    component[p] = seed
                    queue.append(p)
                }
            }
            let ids = members.map { graph.ids[$0] }
            for b in members where !graph.predecessors[b].contains(where: { component[$0] == seed }) {
                scopes[graph.ids[b]] = CachedScope(deadline: branchDeadline, members: ids)
            }
        }
        if critical.steps.count > 1 {
            scopes[graph.ids[critical.steps[1]]] = CachedScope(
                deadline: deadline, members: critical.steps.dropFirst().map { graph.ids[$0] })
        }
        return scopes
    }
}
