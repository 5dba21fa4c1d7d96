import Foundation
import PropertyBased
import StepConfCore
import Testing

/// A plan's replay on predicted times, for every policy on random DAGs: its times are the forward pass of what it
/// charged, its steps start when their predecessors end, and its cost is its steps' costs.
@Suite struct ReplayPropertyTests {
    @Test(arguments: [PolicyName.stepconf, .static, .nono, .optimal, .stepconfExact])
    func aReplaysTimesAreTheForwardPassOfWhatItCharged(policy name: PolicyName) async {
        await propertyCheck(count: 25, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            let workflow = Fixtures.randomWorkflow(count: Int.random(in: 1...6, using: &rng), rng: &rng)
            let graph = try! WorkflowGraph(workflow)
            let model = Fixtures.randomModel(for: workflow, rng: &rng)
            let policy = try! Policies.make(name, graph: graph, model: model, platform: .aws)
            let slo = policy.space.fastestMakespanSeconds * Double.random(in: 1.1...3, using: &rng)
            let replay = try! Replay.run(policy: policy, sloSeconds: slo)
            let pass = graph.finishTimes { replay.chargedSeconds[$0] }
            for v in 0..<graph.count {
                #expect(abs(replay.finish[v] - pass[v]) <= 1e-9 * max(1, pass[v]), "\(name) seed \(seed) step \(v)")
                #expect(abs(replay.start[v] - graph.readyTime(v, finish: replay.finish)) <= 1e-9 * max(1, replay.start[v]), "\(name) seed \(seed)")
                #expect(replay.chargedSeconds[v] >= 0 && replay.decisions[v].step == v, "\(name) seed \(seed)")
            }
            #expect(abs(replay.makespanSeconds - (pass.max() ?? 0)) <= 1e-9 * max(1, replay.makespanSeconds), "\(name) seed \(seed)")
            #expect(replay.ids == graph.ids)
            if !name.isDynamic {
                // Deployed, the first configurator answers every later step's θ, which that step's Check reads.
                #expect(replay.decidedAhead == (0..<graph.count).map { AheadDecision.isChecked($0, in: graph) }, "\(name) seed \(seed)")
                #expect(replay.mismatches.isEmpty, "\(name) seed \(seed)")
            }
        }
    }
}
