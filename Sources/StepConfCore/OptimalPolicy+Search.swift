/// `optimal`'s search, phase by phase: the warm patterns (two seeds refined by their own replays, and Algorithm 2's
/// plan as an incumbent), the polish one step at a time, and the plan with its summary. Every candidate is judged by
/// its replay: the cheapest that meets the SLO, else the one that comes closest.
struct OptimalSearch {
    let space: ConfigurationSpace
    let sloSeconds: Double
    /// The solve with every function warm: a lower bound of every plan's cost.
    let bound: ExactSolver.Result
    /// The best plan so far, its replay's makespan and cost, and the solve that gave it (nil: not a solve's).
    private(set) var best: (decisions: [StepDecision], makespan: Double, cost: Double, result: ExactSolver.Result?)?

    init(space: ConfigurationSpace, sloSeconds: Double, bound: ExactSolver.Result) {
        self.space = space
        self.sloSeconds = sloSeconds
        self.bound = bound
    }

    func meets(_ makespan: Double) -> Bool { makespan <= sloSeconds * (1 + 1e-12) }

    /// Replays `choice`, keeps it when it is better than the best so far, and returns the cold starts its replay met
    /// (the warm pattern of the next solve).
    mutating func consider(_ choice: [Int], result: ExactSolver.Result?) throws -> [[Double]?] {
        let fixed = space.steps.indices.map { v in
            StepDecision(step: v, option: choice[v], in: space.steps[v], subSLOSeconds: nil, fallback: false)
        }
        // The plan's own times, as a reference: the SLO searched is already the deployed plan's (less its configurator).
        let replay = try Replay.run(
            policy: FixedPlan(name: .optimal, space: space, decisions: fixed), sloSeconds: sloSeconds, prepared: .planned(fixed))
        let makespan = replay.makespanSeconds
        let cost = replay.costUSD
        let better: Bool
        if let b = best {
            better = meets(makespan) ? (!meets(b.makespan) || cost < b.cost) : (!meets(b.makespan) && makespan < b.makespan)
        } else {
            better = true
        }
        if better {
            var decisions = fixed
            for v in decisions.indices { decisions[v].seconds = replay.chargedSeconds[v] }
            best = (decisions, makespan, cost, result)
        }
        return replay.coldPenalties
    }

    /// Two seeds (every function warm, every function cold), each refined by its own replay's warm pattern, at most
    /// ``OptimalPolicy/warmPatternSolves`` solves; then Algorithm 2's static plan as an incumbent.
    mutating func searchWarmPatterns(solve: ([[Double]?]?) -> ExactSolver.Result) throws {
        var tried = Set<[Int]>()
        var solves = 0
        var queue: [[[Double]?]?] = [nil, space.steps.indices.map { space.coldPenaltiesEverywhere(step: $0) }]
        while solves < OptimalPolicy.warmPatternSolves, !queue.isEmpty {
            let penalties = queue.removeFirst()
            let result = penalties == nil ? bound : solve(penalties)
            solves += 1
            guard tried.insert(result.choice).inserted else { continue }
            queue.append(try consider(result.choice, result: result))
        }
        let incumbent = try StaticHeuristicPolicy(name: .static, optimizer: StepConfOptimizer(space: space))
            .plan(sloSeconds: sloSeconds)
        if tried.insert(incumbent.map(\.option)).inserted { _ = try consider(incumbent.map(\.option), result: nil) }
    }

    /// Moves one step at a time to a cheaper option of its Pareto front while the replay still meets the SLO, the
    /// most saving per second added first, so that slack is spent where it saves the most (at most
    /// ``OptimalPolicy/polishReplays`` replays).
    mutating func polish() throws {
        guard let start = best else { throw InputError(.malformed, "internal: optimal found no plan") }
        let fronts = space.steps.map { $0.paretoIndices() }
        var replays = 0
        var improved = meets(start.makespan)
        while improved, replays < OptimalPolicy.polishReplays, let current = best {
            improved = false
            var choice = current.decisions.map(\.option)
            var moves: [(rate: Double, step: Int, option: Int)] = []
            for v in space.steps.indices {
                let options = space.steps[v]
                let (t, c) = (options.seconds[choice[v]], options.costUSD[choice[v]])
                for k in fronts[v] where options.costUSD[k] < c {
                    moves.append(((c - options.costUSD[k]) / max(options.seconds[k] - t, 1e-9), v, k))
                }
            }
            moves.sort { $0.rate > $1.rate }
            for move in moves where replays < OptimalPolicy.polishReplays {
                let old = choice[move.step]
                choice[move.step] = move.option
                replays += 1
                _ = try consider(choice, result: current.result)
                if let now = best, now.cost < current.cost {
                    improved = true
                    break
                }
                choice[move.step] = old
            }
        }
    }

    /// The best plan, flagged when it misses the SLO, the first decision carrying the solve's summary (its cost and
    /// makespan as replayed, the warm bound, and whether it reached it).
    func decisions() throws -> [StepDecision] {
        guard let best else { throw InputError(.malformed, "internal: optimal found no plan") }
        let feasible = meets(best.makespan)
        var summary = best.result ?? bound
        summary.costUSD = best.cost
        summary.makespanSeconds = best.makespan
        summary.feasible = feasible
        summary.lowerBoundUSD = bound.feasible ? bound.lowerBoundUSD : .infinity
        summary.provenOptimal = feasible && bound.feasible && best.cost <= bound.lowerBoundUSD * (1 + 1e-12)
        if best.result == nil { summary.method += ", Algorithm 2 incumbent" }
        return best.decisions.enumerated().map { v, d in
            var d = d
            d.fallback = !feasible
            d.solve = v == 0 ? summary : nil
            return d
        }
    }
}
