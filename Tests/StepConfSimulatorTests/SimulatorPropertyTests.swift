import PropertyBased
import StepConfCore
import Testing

@testable import StepConfSimulator

/// The simulated Lambda on random steps and configurations: what any run must satisfy whatever its noise.
@Suite struct SimulatorPropertyTests {
    static func step(_ rng: inout SeededRandom) -> Workflow.Step {
        Workflow.Step(
            id: "s", kind: "synthetic", jobs: Int.random(in: 1...64, using: &rng),
            params: [
                "difficulty": Double(Int.random(in: 1_000...200_000, using: &rng)), "multicore_ratio": rng.unit(),
                "worker_memory_mb": 64, "bytes_in_per_job": Double(Int.random(in: 0...1_000_000, using: &rng)),
            ])
    }

    @Test func everyRunEndsAfterItStartsWithOneTimePerInstanceAndItsColdStartsWithinItsFanOut() async {
        await propertyCheck(count: 150, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let simulator = LambdaSimulator()
            let step = Self.step(&rng)
            let runnable = ConfigurationGrid.paper.runnable(by: step)
            guard let theta = runnable.randomElement(using: &rng) else { return }
            let workload = try! StepWorkload(step: step, secondsPerDifficultyUnit: simulator.config.secondsPerDifficultyUnit)
            var pool = WarmPool(keepAliveSeconds: simulator.config.keepAliveSeconds)
            let start = Double(Int.random(in: 0...1000, using: &rng))
            let run = simulator.run(step, workload: workload, configuration: theta, start: start, pool: &pool, rng: &rng)
            #expect(run.start == start && run.end > run.start, "seed \(seed)")
            #expect(run.instanceSeconds.count == theta.inter, "seed \(seed)")
            #expect(run.instanceSeconds.allSatisfy { $0 > 0 && $0.isFinite }, "seed \(seed)")
            // A fresh pool starts instances cold, but one that ends before a late-staggered one starts serves it warm.
            #expect(run.coldStarts >= 1 && run.coldStarts <= theta.inter, "seed \(seed)")
            #expect(run.meanComputeSeconds > 0 && run.mappingDelaySeconds >= 0, "seed \(seed)")
            // At once again: the sandboxes the first run made are warm, so at most the ones it did without are cold.
            let again = simulator.run(step, workload: workload, configuration: theta, start: run.end + 1, pool: &pool, rng: &rng)
            #expect(again.coldStarts <= theta.inter - run.coldStarts, "seed \(seed)")
            // One billing model: the run's cost is Core's price of its invocations.
            let billed = Platform.aws.billing.stepUSD(instanceSeconds: run.instanceSeconds, memoryMB: theta.memoryMB)
            #expect(run.costUSD(memoryMB: theta.memoryMB, platform: .aws) == billed, "seed \(seed)")
            #expect(run.costUSD(memoryMB: theta.memoryMB, platform: .aws, configuratorSeconds: 0.05, checked: true) > billed)
        }
    }

    @Test func theSameSeedGivesTheSameRun() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let simulator = LambdaSimulator()
            let step = Self.step(&rng)
            guard let theta = ConfigurationGrid.paper.runnable(by: step).randomElement(using: &rng) else { return }
            let workload = try! StepWorkload(step: step, secondsPerDifficultyUnit: simulator.config.secondsPerDifficultyUnit)
            func once() -> StepRun {
                var pool = WarmPool(keepAliveSeconds: 600)
                var noise = SeededRandom(seed: UInt64(seed) &+ 1)
                return simulator.run(step, workload: workload, configuration: theta, start: 0, pool: &pool, rng: &noise)
            }
            #expect(once() == once(), "seed \(seed)")
        }
    }

    @Test func aProfileSampleIsTheRunAsAProfilerRecordsIt() {
        let run = StepRun(start: 2, end: 5.5, mappingDelaySeconds: 0.25, meanComputeSeconds: 3, instanceSeconds: [3.1, 3.2], coldStarts: 1)
        let theta = Configuration(memoryMB: 2048, inter: 2, intra: 4)
        let sample = run.sample(step: Workflow.Step(id: "x", kind: "synthetic", jobs: 12), configuration: theta)
        #expect(sample.step == "x" && sample.configuration == theta && sample.jobs == 12 && sample.cold)
        #expect(sample.totalSeconds == 3.5 && sample.computeSeconds == 3 && sample.mappingDelaySeconds == 0.25)
        #expect(run.totalSeconds == 3.5)
    }
}
