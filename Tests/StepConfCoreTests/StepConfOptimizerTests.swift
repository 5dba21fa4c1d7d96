import StepConfCore
import StepConfStorage
import Testing

@Suite struct StepConfOptimizerTests {
    /// Two options per step: fast (t = 1, c = 4·scale) and slow (t = 2·scale, c = 1): θ* is the slow one.
    private func space(_ workflow: Workflow, slow: [String: Double] = [:]) throws -> ConfigurationSpace {
        let graph = try WorkflowGraph(workflow)
        let steps = graph.ids.map { id in
            let s = slow[id] ?? 2
            return StepOptions(
                configurations: [
                    Configuration(memoryMB: 2048, inter: 1, intra: 1), Configuration(memoryMB: 512, inter: 1, intra: 1),
                ],
                seconds: [1, s], costUSD: [4, 1])
        }
        return ConfigurationSpace(graph: graph, platform: .aws, steps: steps, includesConfigurator: false)
    }

    private func step(_ id: String, _ deps: [String] = []) -> Workflow.Step {
        Workflow.Step(id: id, kind: "k", jobs: 1, dependsOn: deps)
    }

    @Test func chainSplitsTheSLOInProportionToThetaStarTimes() throws {
        let optimizer = StepConfOptimizer(space: try space(Workflow(name: "w", steps: [step("a"), step("b", ["a"]), step("c", ["b"])])))
        let cache = InMemoryGlobalCache()
        // S = 5, weights 2 + 2 + 2: s_a = 5/3 → only the fast option fits.
        let a = try optimizer.decide(step: 0, now: 0, executionStart: 0, sloSeconds: 5, execution: "e", cache: cache)
        #expect(abs(a.subSLOSeconds! - 5.0 / 3) < 1e-12)
        #expect(a.option == 0 && !a.fallback)
        // Lines 19–21: the rest of the critical path keeps the deadline T* = 5.
        #expect(cache.scope(execution: "e", step: "b") == CachedScope(deadline: 5, members: ["b", "c"]))
        // At b (now = 1) the scope is {b, c} with 4 s left: s_b = 2 → the slow, cheap option.
        let b = try optimizer.decide(step: 1, now: 1, executionStart: 0, sloSeconds: 5, execution: "e", cache: cache)
        #expect(abs(b.subSLOSeconds! - 2) < 1e-12)
        #expect(b.option == 1)
        let c = try optimizer.decide(step: 2, now: 3, executionStart: 0, sloSeconds: 5, execution: "e", cache: cache)
        #expect(abs(c.subSLOSeconds! - 2) < 1e-12)
        #expect(c.option == 1)
    }

    @Test func branchOffTheCriticalPathMustFinishBeforeItsJoinStarts() throws {
        // a → b → d and a → c → d; θ* times a 2, b 3, c 1.5, d 2: critical path a, b, d (7).
        let workflow = Workflow(name: "w", steps: [step("a"), step("b", ["a"]), step("c", ["a"]), step("d", ["b", "c"])])
        let optimizer = StepConfOptimizer(space: try space(workflow, slow: ["b": 3, "c": 1.5]))
        let cache = InMemoryGlobalCache()
        let a = try optimizer.decide(step: 0, now: 0, executionStart: 0, sloSeconds: 14, execution: "e", cache: cache)
        #expect(abs(a.subSLOSeconds! - 4) < 1e-12)  // 2/7 · 14
        // τ*_d = 14, s_d = 4 → the branch {c} must end by 10.
        #expect(cache.scope(execution: "e", step: "c") == CachedScope(deadline: 10, members: ["c"]))
        #expect(cache.scope(execution: "e", step: "b") == CachedScope(deadline: 14, members: ["b", "d"]))
        let c = try optimizer.decide(step: 2, now: 4, executionStart: 0, sloSeconds: 14, execution: "e", cache: cache)
        #expect(abs(c.subSLOSeconds! - 6) < 1e-12)
        #expect(c.option == 1)
    }

    @Test func infeasibleSLOTakesTheFastestConfigurationAndFlagsIt() throws {
        let optimizer = StepConfOptimizer(space: try space(Workflow(name: "w", steps: [step("a"), step("b", ["a"])])))
        let d = try optimizer.decide(
            step: 0, now: 0, executionStart: 0, sloSeconds: 0.5, execution: "e", cache: InMemoryGlobalCache())
        #expect(d.fallback)
        #expect(d.option == optimizer.space.steps[0].fastest)
    }

    @Test func lateStepIsFlaggedAndRunsFastest() throws {
        let optimizer = StepConfOptimizer(space: try space(Workflow(name: "w", steps: [step("a"), step("b", ["a"])])))
        let d = try optimizer.decide(
            step: 1, now: 9, executionStart: 0, sloSeconds: 5, execution: "e", cache: InMemoryGlobalCache())
        #expect(d.fallback && d.option == 0)
        #expect(d.subSLOSeconds! < 0)
    }

    @Test func concurrentWritesKeepTheEarlierDeadlineAndAllMembers() {
        let cache = InMemoryGlobalCache()
        cache.store(execution: "e", scopes: ["x": CachedScope(deadline: 9, members: ["x", "y"])])
        cache.store(execution: "e", scopes: ["x": CachedScope(deadline: 7, members: ["x", "z"])])
        cache.store(execution: "f", scopes: ["x": CachedScope(deadline: 1, members: ["x"])])
        #expect(cache.scope(execution: "e", step: "x") == CachedScope(deadline: 7, members: ["x", "y", "z"]))
        cache.removeAll(execution: "f")
        #expect(cache.scope(execution: "f", step: "x") == nil)
    }

    @Test func replayedStepConfMeetsAFeasibleSLOOnTheShippedExample() throws {
        let workflow = try Workflow.load(from: Fixtures.example("synthetic16.json"))
        let model = try PerformanceModel.load(from: Fixtures.example("synthetic16.model.json"), for: workflow)
        let graph = try WorkflowGraph(workflow)
        let policy = try Policies.make(.stepconf, graph: graph, model: model, platform: .aws)
        for factor in [1.5, 2.0, 3.0] {
            let slo = factor * policy.space.fastestMakespanSeconds
            let plan = try Plan.make(policy: policy, sloSeconds: slo)
            #expect(plan.feasible, "SLO \(slo)")
            // A tight SLO may leave a step a sub-SLO nothing meets (Eq. (13) splits by θ* times, not by
            // what is feasible); with room to spare, none falls back.
            if factor >= 3 { #expect(plan.steps.allSatisfy { !$0.fallback }) }
        }
    }
}
