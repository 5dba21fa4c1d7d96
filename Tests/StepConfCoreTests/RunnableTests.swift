import Foundation
import PropertyBased
import StepConfCore
import Testing

/// Which configurations can run a step, on random steps and grids: the grid's runnable set is exactly the
/// configurations the step's rule accepts, and the rule is the one the docs state.
@Suite struct RunnableTests {
    @Test func theRunnableSetIsTheGridFilteredByTheStepsRule() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let jobs = Int.random(in: 1...80, using: &rng)
            let worker = Double([16, 64, 200, 900, 4000].randomElement(using: &rng)!)
            let step = Workflow.Step(id: "s", kind: "synthetic", jobs: jobs, params: ["worker_memory_mb": worker])
            let grid = ConfigurationGrid.paper
            let runnable = grid.runnable(by: step)
            var all: [Configuration] = []
            for m in grid.memoryMB { for p in grid.inter { for q in grid.intra { all.append(Configuration(memoryMB: m, inter: p, intra: q)) } } }
            #expect(Set(runnable) == Set(all.filter(step.canRun)), "seed \(seed)")
            for theta in runnable {
                #expect(theta.inter <= jobs, "no more instances than jobs (seed \(seed))")
                #expect(theta.intra <= Int((Double(jobs) / Double(theta.inter)).rounded(.up)), "no more workers than jobs (seed \(seed))")
                #expect(WorkerMemory.fits(intra: theta.intra, workerMemoryMB: worker, memoryMB: theta.memoryMB), "seed \(seed)")
            }
            // More memory never makes a configuration unrunnable.
            for theta in runnable {
                let bigger = Configuration(memoryMB: theta.memoryMB * 2, inter: theta.inter, intra: theta.intra)
                #expect(step.canRun(bigger), "seed \(seed)")
            }
        }
    }

    @Test(arguments: [Configuration(memoryMB: 1024, inter: 0, intra: 1), Configuration(memoryMB: 1024, inter: 1, intra: 0),
                      Configuration(memoryMB: 1024, inter: 9, intra: 1), Configuration(memoryMB: 1024, inter: 4, intra: 3)])
    func whatTheRuleRefuses(theta: Configuration) {
        let step = Workflow.Step(id: "s", kind: "synthetic", jobs: 8, params: ["worker_memory_mb": 64])
        #expect(!step.canRun(theta))
    }
}
