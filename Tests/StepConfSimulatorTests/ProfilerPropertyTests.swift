import PropertyBased
import StepConfCore
import StepConfExamples
import Testing

@testable import StepConfSimulator

/// A profile of the simulated Lambda: every sample is a runnable configuration of its step, measured with the
/// step's jobs, with times that add up, and the design's budget per memory size is kept.
@Suite struct ProfilerPropertyTests {
    @Test(arguments: ["synthetic16", "video", "wordcount"])
    func everySampleIsARunnableConfigurationWithTimesThatAddUp(name: String) throws {
        let graph = try WorkflowGraph(try EmbeddedExamples.workflow(name))
        let samples = try Profiler(simulator: LambdaSimulator()).profile(graph, plan: .standard, repeats: 1, seed: 4)
        #expect(!samples.isEmpty)
        for sample in samples {
            let step = try #require(graph.index[sample.step].map { graph[$0] })
            #expect(step.canRun(sample.configuration), "\(sample.step) \(sample.configuration)")
            #expect(sample.jobs == step.jobs)
            #expect(sample.computeSeconds > 0 && sample.mappingDelaySeconds >= 0, "\(sample.step)")
            #expect(sample.totalSeconds >= sample.computeSeconds - 1e-9, "\(sample.step): the step outlasts its mean instance")
        }
        for id in graph.ids {
            let mine = samples.filter { $0.step == id }
            for m in Set(mine.map(\.configuration.memoryMB)) {
                let designed = Set(mine.filter { $0.configuration.memoryMB == m }.map(\.configuration))
                #expect(designed.count <= 10, "\(id) at \(m) MB: at most ten configurations")
            }
        }
    }
}
