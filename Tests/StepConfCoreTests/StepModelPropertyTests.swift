import Foundation
import PropertyBased
import Testing

@testable import StepConfCore

/// The step model on random parameters and configurations: the split it weights matches the instances' split, and
/// its predictions are finite, positive and behave as the model says they do.
@Suite struct StepModelPropertyTests {
    @Test func theInstanceSharesAreTheInstancesSplit() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let jobs = Int.random(in: 0...300, using: &rng), inter = Int.random(in: 1...40, using: &rng)
            let shares = StepModel.instanceShares(jobs: jobs, inter: inter)
            let sizes = (0..<inter).map { InstanceSplit.range(instance: $0, of: inter, count: jobs).count }
            for share in shares {
                let count = sizes.filter { $0 == share.jobs }.count
                #expect(abs(share.fraction - Double(count) / Double(inter)) < 1e-12, "seed \(seed)")
            }
            #expect(abs(shares.reduce(0.0) { $0 + Double($1.jobs) * $1.fraction } * Double(inter) - Double(jobs)) < 1e-9, "seed \(seed)")
            #expect(shares.reduce(0.0) { $0 + $1.fraction } <= 1 + 1e-12, "seed \(seed)")
        }
    }

    @Test func predictionsAreFinitePositiveAndTheStepIsNoShorterThanItsMeanInstance() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            let workflow = Fixtures.randomWorkflow(count: 1, rng: &rng, jobs: 1...128)
            let model = Fixtures.randomModel(for: workflow, rng: &rng)
            let step = workflow.steps[0]
            let stepModel = model.steps[step.id]!
            let runnable = ConfigurationGrid.paper.runnable(by: step)
            guard let theta = runnable.randomElement(using: &rng) else { return }
            let compute = stepModel.computeSeconds(theta, jobs: step.jobs, platform: .aws)
            let total = stepModel.stepSeconds(theta, jobs: step.jobs, platform: .aws)
            #expect(compute.isFinite && compute > 0 && total.isFinite && total > 0, "seed \(seed)")
            #expect(total >= compute - 1e-12, "seed \(seed): the busiest instance and the mapping delay only add")
            // Sharing the cores with more steps never makes a step faster.
            #expect(stepModel.stepSeconds(theta, jobs: step.jobs, platform: .aws, sharedWith: 3) >= total - 1e-12, "seed \(seed)")
        }
    }
}
