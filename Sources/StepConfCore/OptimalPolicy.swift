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
        var search = OptimalSearch(space: space, sloSeconds: sloSeconds, bound: solve(sloSeconds: sloSeconds))
        try search.searchWarmPatterns(solve: { solve(sloSeconds: sloSeconds, penalties: $0) })
        try search.polish()
        return try search.decisions()
    }
}

/// A plan fixed in advance: replays exactly the decisions it was given.
struct FixedPlan: StaticPolicy {
    let name: PolicyName
    let space: ConfigurationSpace
    let decisions: [StepDecision]

    func plan(sloSeconds: Double) -> [StepDecision] { decisions }
}
