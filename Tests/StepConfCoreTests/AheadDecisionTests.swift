@testable import StepConfCore
import Testing

@Suite struct AheadDecisionTests {
    private func policy(_ name: PolicyName) throws -> any DynamicPolicy {
        let workflow = try Workflow.load(from: Fixtures.example("synthetic16.json"))
        let model = try PerformanceModel.load(from: Fixtures.example("synthetic16.model.json"), for: workflow)
        let made = try Policies.make(name, graph: try WorkflowGraph(workflow), model: model, platform: .aws)
        return try #require(made as? any DynamicPolicy)
    }

    private func context(_ now: Double, slo: Double, cache: any GlobalCache, count: Int) -> DecisionContext {
        DecisionContext(
            now: now, executionStart: 0, sloSeconds: slo, execution: "e", cache: cache,
            progress: Array(repeating: .pending, count: count))
    }

    @Test func aDecisionAheadIsThePolicysDecisionAtItsPredecessorsPredictedEndLessTheConfigurator() throws {
        let stepconf = try policy(.stepconf)
        let graph = stepconf.space.graph
        let latency = stepconf.space.platform.configurator.seconds
        for slo in [4.0, 6.0, 12.0] {
            let cache = InMemoryGlobalCache()
            let first = try stepconf.decide(step: graph.start, context: context(0, slo: slo, cache: cache, count: graph.count))
            let ahead = try stepconf.decideAhead(after: graph.start, decision: first, context: context(0, slo: slo, cache: cache, count: graph.count))
            // Every step with one predecessor down the chains from s01, and no join.
            let chained = (0..<graph.count).filter { v in
                AheadDecision.isChained(v, in: graph) && graph.predecessors[v] != [graph.index["s13"]!]
            }
            #expect(Set(ahead.keys) == Set(chained), "SLO \(slo)")
            // The first successor, replayed on a cache that saw the same decisions before it.
            let s02 = graph.index["s02"]!
            let replay = InMemoryGlobalCache()
            _ = try stepconf.decide(step: graph.start, context: context(0, slo: slo, cache: replay, count: graph.count))
            let early = try #require(ahead[s02])
            #expect(early.deadline == first.seconds)
            var then = context(early.deadline - latency, slo: slo, cache: replay, count: graph.count)
            then.ready = early.deadline
            let fresh = try stepconf.decide(step: s02, context: then)
            #expect(fresh.configuration == early.decision.configuration, "SLO \(slo)")
            #expect(early.holds(ready: early.deadline) && !early.holds(ready: early.deadline + 1e-6))
            // Down a chain, each deadline is the predecessor's predicted end.
            let s05 = try #require(ahead[graph.index["s05"]!])
            #expect(abs(s05.deadline - (early.deadline - latency + early.decision.seconds)) < 1e-9)
        }
    }

    @Test func theHeuristicsDecideChainsAheadAndStepConfExactItsWholePlan() throws {
        for name in [PolicyName.stepconf, .intraOnly, .interOnly] { #expect(try policy(name).decidesAhead, "\(name)") }
        let exact = try #require(try policy(.stepconfExact) as? ExactPolicy)
        #expect(exact.decidesAhead)
        let graph = exact.space.graph
        let cache = InMemoryGlobalCache()
        let first = try exact.decide(step: graph.start, context: context(0, slo: 8, cache: cache, count: graph.count))
        let ahead = try exact.decideAhead(after: graph.start, decision: first, context: context(0, slo: 8, cache: cache, count: graph.count))
        // Recourse: every later step, joins included, runs on the plan when ready by its latest start.
        #expect(Set(ahead.keys) == Set((0..<graph.count).filter { $0 != graph.start }))
        let plan = try #require(try cache.plan(execution: ExactPolicy.planKey("e")))
        for (v, early) in ahead {
            #expect(early.decision.option == plan.steps[v].option, "step \(v)")
            #expect(exact.checks(step: v))
            #expect(early.deadline.isFinite)
        }
        #expect(!exact.checks(step: graph.start))
        // Without recourse every step asks its configurator.
        var withoutRecourse = exact
        withoutRecourse.recourse = false
        #expect(!withoutRecourse.decidesAhead)
        #expect(try withoutRecourse.decideAhead(after: graph.start, decision: first, context: context(0, slo: 8, cache: cache, count: graph.count)).isEmpty)
    }

    @Test func aPlanWhereNothingHoldsThePercentileRunsOnItsFastestStepsWithNoReSolve() throws {
        let exact = try #require(try policy(.stepconfExact) as? ExactPolicy)
        let graph = exact.space.graph
        let cache = InMemoryGlobalCache()
        // An SLO no plan meets at P99: the decision falls back to every step at its fastest, flagged.
        let first = try exact.decide(step: graph.start, context: context(0, slo: 0.5, cache: cache, count: graph.count))
        #expect(first.fallback)
        let ahead = try exact.decideAhead(after: graph.start, decision: first, context: context(0, slo: 0.5, cache: cache, count: graph.count))
        #expect(ahead.count == graph.count - 1)
        for (v, early) in ahead {
            // Nothing is faster to re-solve to: however late, the step runs on the plan, no configurator.
            #expect(early.deadline == CachedPlan.Step.never && early.holds(ready: 1e12), "step \(v)")
            #expect(early.plannedReady.isFinite && early.plannedReady < 1e6)
        }
    }
}

