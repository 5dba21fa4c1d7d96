/// `optimal`: the exact optimum of (6) on predicted times, decided before the run, charged what a run charges
/// it — a cold start wherever its own earlier steps leave a function cold.
///
/// Which steps start cold depends on the whole plan (a step is warm when an earlier one ran the same function
/// within the keep-alive), so (6) is no longer separable. The solver is exact for a fixed pattern of warm
/// functions; the pattern is searched: from every function warm and from every function cold, each plan's own
/// replay gives the pattern of the next solve (at most ``warmPatternSolves`` solves), and Algorithm 2's static
/// plan on the same options, which reads warmth as it goes, is kept as an incumbent. The plan chosen is the
/// cheapest whose replay meets the SLO. The solve with every function warm bounds every plan from below
/// (a cold start only adds time), which is the lower bound reported; `proven_optimal` means the plan reached it.
public struct OptimalPolicy: StaticPolicy {
    /// Exact solves spent searching the pattern of warm functions.
    public static let warmPatternSolves = 6
    /// Replays spent polishing the best plan one step at a time.
    public static let polishReplays = 4000

    public let space: ConfigurationSpace
    public let solver: ExactSolver
    public var name: PolicyName { .optimal }

    /// The exact solve of the whole workflow for `sloSeconds` with each option of step v taking its predicted
    /// time plus `penalties[v]` (nil: no cold start).
    public func solve(sloSeconds: Double, penalties: [[Double]?]? = nil) -> ExactSolver.Result {
        solver.solve(
            space.steps.indices.map { v in
                let options = space.steps[v]
                let seconds = penalties?[v].map { zip(options.seconds, $0).map(+) } ?? options.seconds
                return ExactSolver.Options(seconds: seconds, costUSD: options.costUSD)
            }, sloSeconds: sloSeconds)
    }

    public func plan(sloSeconds: Double) throws -> [StepDecision] {
        let bound = solve(sloSeconds: sloSeconds)
        var best: (decisions: [StepDecision], makespan: Double, cost: Double, result: ExactSolver.Result?)?
        func consider(_ choice: [Int], result: ExactSolver.Result?) throws -> [[Double]?] {
            let fixed = space.steps.indices.map { v in
                StepDecision(step: v, option: choice[v], in: space.steps[v], subSLOSeconds: nil, fallback: false)
            }
            let replay = try Replay.run(policy: FixedPlan(name: .optimal, space: space, decisions: fixed), sloSeconds: sloSeconds)
            let makespan = replay.makespanSeconds
            let cost = replay.costUSD
            let meets = makespan <= sloSeconds * (1 + 1e-12)
            let better: Bool
            if let b = best {
                let bestMeets = b.makespan <= sloSeconds * (1 + 1e-12)
                better = meets ? (!bestMeets || cost < b.cost) : (!bestMeets && makespan < b.makespan)
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
        // Two seeds (every function warm, every function cold), each refined by its own replay's warm pattern.
        var tried = Set<[Int]>()
        var solves = 0
        var queue: [[[Double]?]?] = [nil, space.steps.indices.map { space.coldPenaltiesEverywhere(step: $0) }]
        while solves < Self.warmPatternSolves, !queue.isEmpty {
            let penalties = queue.removeFirst()
            let result = penalties == nil ? bound : solve(sloSeconds: sloSeconds, penalties: penalties)
            solves += 1
            guard tried.insert(result.choice).inserted else { continue }
            let pattern = try consider(result.choice, result: result)
            queue.append(pattern)
        }
        let incumbent = try StaticHeuristicPolicy(name: .static, optimizer: StepConfOptimizer(space: space))
            .plan(sloSeconds: sloSeconds)
        if tried.insert(incumbent.map(\.option)).inserted { _ = try consider(incumbent.map(\.option), result: nil) }

        guard let start = best else { throw InputError(.malformed, "internal: optimal found no plan") }
        // Polish: move one step at a time to a cheaper option of its Pareto front while the replay still meets
        // the SLO, the most saving per second added first, so that slack is spent where it saves the most.
        let fronts = space.steps.map { $0.paretoIndices() }
        var replays = 0
        var improved = start.makespan <= sloSeconds * (1 + 1e-12)
        while improved, replays < Self.polishReplays, let current = best {
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
            for move in moves where replays < Self.polishReplays {
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
        guard let best else { throw InputError(.malformed, "internal: optimal found no plan") }
        let feasible = best.makespan <= sloSeconds * (1 + 1e-12)
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

/// A plan fixed in advance: replays exactly the decisions it was given.
struct FixedPlan: StaticPolicy {
    let name: PolicyName
    let space: ConfigurationSpace
    let decisions: [StepDecision]

    func plan(sloSeconds: Double) -> [StepDecision] { decisions }
}
