import Foundation
import PropertyBased
import StepConfCore
import Testing

/// What `stepconf plan` reports, on random DAGs: the steps' times and starts are the replay's, the makespan and cost
/// add up, the percentile's makespan is the median's plus a margin, and the verdicts follow from the numbers.
@Suite struct PlanPropertyTests {
    @Test(arguments: [PolicyName.stepconf, .static, .optimal])
    func aPlansFiguresAreConsistent(policy name: PolicyName) async {
        await propertyCheck(count: 25, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            let workflow = Fixtures.randomWorkflow(count: Int.random(in: 1...6, using: &rng), rng: &rng)
            let graph = try! WorkflowGraph(workflow)
            let model = Fixtures.randomModel(for: workflow, rng: &rng)
            let policy = try! Policies.make(name, graph: graph, model: model, platform: .aws)
            let slo = policy.space.fastestMakespanSeconds * Double.random(in: 0.8...3, using: &rng)
            let plan = try! Plan.make(policy: policy, sloSeconds: slo)
            #expect(plan.steps.map(\.id) == graph.ids, "seed \(seed)")
            let finish = plan.steps.map { $0.startSeconds + $0.timeSeconds }
            #expect(abs((finish.max() ?? 0) - plan.makespanSeconds) <= 1e-9 * max(1, plan.makespanSeconds), "seed \(seed)")
            #expect(abs(plan.steps.reduce(0) { $0 + $1.costUSD } - plan.costUSD) <= 1e-12 * max(1, plan.costUSD * 1e6), "seed \(seed)")
            for v in 0..<graph.count {
                let ready = graph.predecessors[v].map { finish[$0] }.max() ?? 0
                #expect(abs(plan.steps[v].startSeconds - ready) <= 1e-9 * max(1, ready), "seed \(seed)")
            }
            #expect(plan.feasible == (plan.makespanSeconds <= slo * (1 + 1e-12)), "seed \(seed)")
            // A policy that plans for a percentile reports its makespan there; one on predicted times alone, none.
            #expect((plan.percentile == nil) == (plan.makespanAtPercentileSeconds == nil), "seed \(seed)")
            if let atP = plan.makespanAtPercentileSeconds {
                #expect(atP >= plan.makespanSeconds - 1e-12, "a percentile never below the median (seed \(seed))")
                #expect(plan.feasibleAtPercentile == (atP <= slo * (1 + 1e-12)), "seed \(seed)")
            }
        }
    }

    @Test(arguments: [0.0, -1, .nan, .infinity])
    func aPlanNeedsAPositiveSLO(slo: Double) throws {
        let workflow = Workflow(name: "one", steps: [.init(id: "a", kind: "synthetic", jobs: 2)])
        var rng = SplitMix64(seed: 1)
        let policy = try Policies.make(.static, graph: try WorkflowGraph(workflow), model: Fixtures.randomModel(for: workflow, rng: &rng), platform: .aws)
        #expect(throws: InputError.self) { try Plan.make(policy: policy, sloSeconds: slo) }
    }

    @Test func aPlanEncodesWithItsStableKeys() throws {
        let workflow = Workflow(name: "one", steps: [.init(id: "a", kind: "synthetic", jobs: 2)])
        var rng = SplitMix64(seed: 2)
        let policy = try Policies.make(.optimal, graph: try WorkflowGraph(workflow), model: Fixtures.randomModel(for: workflow, rng: &rng), platform: .aws)
        let plan = try Plan.make(policy: policy, sloSeconds: policy.space.fastestMakespanSeconds * 2)
        let object = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(plan)) as? [String: Any])
        for key in ["workflow", "policy", "slo_s", "feasible", "makespan_s", "cost_usd", "steps", "decision_us", "mismatches"] {
            #expect(object[key] != nil, "\(key)")
        }
        #expect((object["solver"] as? [String: Any])?["method"] != nil, "optimal reports its solver")
    }
}
