import Foundation

/// Runs a workflow on predicted times: every step starts when its predecessors finish and is decided by
/// the policy at that moment, as a dynamic policy would decide it at run time if predictions held.
public enum Replay {
    /// A replayed execution; times in seconds from the execution start.
    public struct Result: Sendable {
        /// Decisions by step index.
        public var decisions: [StepDecision]
        /// When each step started (its predecessors done).
        public var start: [Double]
        /// When each step finished.
        public var finish: [Double]
        /// Wall time the policy spent on each decision, seconds.
        public var decisionSeconds: [Double]
        /// When the last step finished.
        public var makespanSeconds: Double { finish.max() ?? 0 }
        /// Sum of the steps' predicted costs, USD.
        public var costUSD: Double { decisions.reduce(0) { $0 + $1.costUSD } }
    }

    /// Replays `policy` for one execution with SLO `sloSeconds`.
    ///
    /// A static policy decides every step up front (that one call is its decision time); a dynamic one is
    /// asked at each step's start, in order of start time (``WorkflowDriver``).
    /// - Throws: what the policy throws.
    public static func run(
        policy: any StepPolicy, sloSeconds: Double, cache: (any GlobalCache)? = nil, execution: String = "plan"
    ) throws -> Result {
        let clock = ContinuousClock()
        let planStart = clock.now
        let run = try PolicyRun.prepare(policy, sloSeconds: sloSeconds)
        let planSeconds = (clock.now - planStart).seconds
        var executor = PredictedExecutor(
            run: run, sloSeconds: sloSeconds, cache: cache ?? InMemoryGlobalCache(), execution: execution)
        let walk = try WorkflowDriver(graph: policy.space.graph).run(&executor)
        var decisions: [StepDecision] = []
        var decisionSeconds: [Double] = []
        for outcome in walk.outcomes {
            guard let outcome else { throw InputError(.malformed, "internal: the replay left a step undecided") }
            decisions.append(outcome.decision)
            decisionSeconds.append(outcome.seconds)
        }
        if !run.isDynamic, !decisionSeconds.isEmpty { decisionSeconds[0] = planSeconds }
        return Result(decisions: decisions, start: walk.ready, finish: walk.finish, decisionSeconds: decisionSeconds)
    }

    /// Runs each step for exactly its predicted time, decided by the policy when it starts (or by its plan).
    struct PredictedExecutor: StepExecutor {
        let run: PolicyRun
        let sloSeconds: Double
        let cache: any GlobalCache
        let execution: String
        let clock = ContinuousClock()

        func execute(_ launch: StepLaunch) throws -> ExecutedStep<(decision: StepDecision, seconds: Double)> {
            let before = clock.now
            let decision = try run.decide(
                step: launch.step,
                context: DecisionContext(
                    now: launch.ready, executionStart: 0, sloSeconds: sloSeconds, execution: execution, cache: cache,
                    progress: launch.progress))
            let seconds = run.isDynamic ? (clock.now - before).seconds : 0
            let finish = launch.ready + decision.seconds
            return ExecutedStep(finish: finish, expectedFinish: finish, outcome: (decision, seconds))
        }
    }
}

extension Duration {
    /// The duration in seconds.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
