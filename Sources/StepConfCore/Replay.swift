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
    /// asked at each step's start, in order of start time.
    /// - Throws: what the policy throws.
    public static func run(
        policy: any StepPolicy, sloSeconds: Double, cache: (any GlobalCache)? = nil, execution: String = "plan"
    ) throws -> Result {
        let graph = policy.space.graph
        let n = graph.count
        let clock = ContinuousClock()
        var decisions = [StepDecision?](repeating: nil, count: n)
        var decisionSeconds = [Double](repeating: 0, count: n)
        let planStart = clock.now
        let planned = try policy.planAhead(sloSeconds: sloSeconds)
        if let planned {
            let elapsed = (clock.now - planStart).seconds
            for d in planned { decisions[d.step] = d }
            decisionSeconds[0] = elapsed
        }
        let cache = cache ?? InMemoryGlobalCache()
        var start = [Double](repeating: 0, count: n)
        var finish = [Double](repeating: 0, count: n)
        var progress = [StepProgress](repeating: .pending, count: n)
        var decided = [Bool](repeating: false, count: n)
        var position = [Int](repeating: 0, count: n)
        for (k, v) in graph.topologicalOrder.enumerated() { position[v] = k }

        for _ in 0..<n {
            // The next step to start: all predecessors placed, earliest start, then topological position.
            var next = -1
            var nextStart = Double.infinity
            for v in 0..<n where !decided[v] && graph.predecessors[v].allSatisfy({ decided[$0] }) {
                let s = graph.predecessors[v].reduce(0.0) { max($0, finish[$1]) }
                if s < nextStart || (s == nextStart && position[v] < position[next]) {
                    next = v
                    nextStart = s
                }
            }
            let v = next
            for u in 0..<n {
                if case .running(let ready, let f) = progress[u], f <= nextStart { progress[u] = .finished(ready: ready, finish: f) }
            }
            let decision: StepDecision
            if let fixed = decisions[v] {
                decision = fixed
            } else {
                let context = DecisionContext(
                    now: nextStart, executionStart: 0, sloSeconds: sloSeconds, execution: execution, cache: cache,
                    progress: progress)
                let before = clock.now
                decision = try policy.decide(step: v, context: context)
                decisionSeconds[v] = (clock.now - before).seconds
                decisions[v] = decision
            }
            decided[v] = true
            start[v] = nextStart
            finish[v] = nextStart + decision.seconds
            progress[v] = .running(ready: nextStart, expectedFinish: finish[v])
        }
        return Result(decisions: decisions.map { $0! }, start: start, finish: finish, decisionSeconds: decisionSeconds)
    }
}

extension Duration {
    /// The duration in seconds.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
