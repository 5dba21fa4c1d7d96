import Foundation
import PropertyBased
import StepConfCore
import Testing

/// Decisions made ahead on random DAGs: exactly the steps down the one-predecessor chains from the decided step,
/// each with a deadline no earlier than its predecessor's predicted end along the chain.
@Suite struct AheadDecisionPropertyTests {
    /// The steps reachable from `step` through successors with one predecessor: the oracle.
    static func chains(from step: Int, in graph: WorkflowGraph) -> Set<Int> {
        var found = Set<Int>()
        var stack = [step]
        while let u = stack.popLast() {
            for v in graph.successors[u] where graph.predecessors[v].count == 1 && found.insert(v).inserted { stack.append(v) }
        }
        return found
    }

    @Test func stepconfDecidesAheadExactlyTheChainsAfterItsStep() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            let workflow = Fixtures.randomWorkflow(count: Int.random(in: 1...9, using: &rng), rng: &rng)
            let graph = try! WorkflowGraph(workflow)
            let model = Fixtures.randomModel(for: workflow, rng: &rng)
            guard let policy = try! Policies.make(.stepconf, graph: graph, model: model, platform: .aws) as? any DynamicPolicy else {
                Issue.record("stepconf is not dynamic")
                return
            }
            let slo = policy.space.fastestMakespanSeconds * 2
            let context = DecisionContext(
                now: 5, executionStart: 0, sloSeconds: slo, execution: "e", cache: InMemoryGlobalCache(),
                progress: Array(repeating: .pending, count: graph.count))
            let first = try! policy.decide(step: graph.start, context: context)
            let ahead = try! policy.decideAhead(after: graph.start, decision: first, context: context)
            #expect(Set(ahead.keys) == Self.chains(from: graph.start, in: graph), "seed \(seed)")
            for (v, early) in ahead {
                #expect(AheadDecision.isChained(v, in: graph) && early.decision.step == v, "seed \(seed)")
                #expect(early.deadline >= context.now + first.seconds - 1e-9, "seed \(seed): a deadline after the first step ends")
                let predecessor = graph.predecessors[v][0]
                if let before = ahead[predecessor] {
                    #expect(early.deadline > before.deadline, "down a chain the deadlines grow (seed \(seed))")
                }
                #expect(early.holds(ready: early.deadline) && !early.holds(ready: early.deadline + 1e-6))
            }
        }
    }

    @Test func stepconfExactPlansEveryLaterStepAheadAndWithoutRecourseNothing() throws {
        var rng = SplitMix64(seed: 8)
        let workflow = Fixtures.randomWorkflow(count: 5, rng: &rng)
        let graph = try WorkflowGraph(workflow)
        let model = Fixtures.randomModel(for: workflow, rng: &rng)
        var exact = try #require(try Policies.make(.stepconfExact, graph: graph, model: model, platform: .aws) as? ExactPolicy)
        let context = DecisionContext(
            now: 0, executionStart: 0, sloSeconds: 100, execution: "e", cache: InMemoryGlobalCache(),
            progress: Array(repeating: .pending, count: graph.count))
        let decision = try exact.decide(step: graph.start, context: context)
        let ahead = try exact.decideAhead(after: graph.start, decision: decision, context: context)
        #expect(ahead.count == graph.count - 1 && ahead[graph.start] == nil)
        // Every later step is planned to be ready no later than its latest start (a loose SLO leaves slack).
        for early in ahead.values { #expect(early.plannedReady <= early.deadline + 1e-9) }
        exact.recourse = false
        #expect(try exact.decideAhead(after: graph.start, decision: decision, context: context).isEmpty)
    }
}
