import Foundation
import PropertyBased
import StepConfCore
import StepConfExamples
import Testing

/// Workflows and models as files: what is written is what is read, for the shipped examples and random DAGs.
@Suite struct WorkflowCodingTests {
    static func roundTrip(_ workflow: Workflow) throws -> Workflow {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try Workflow.decode(try encoder.encode(workflow), source: "again.json")
    }

    static func same(_ a: Workflow, _ b: Workflow) -> Bool {
        a.name == b.name && a.steps.count == b.steps.count && zip(a.steps, b.steps).allSatisfy { x, y in
            x.id == y.id && x.kind == y.kind && x.jobs == y.jobs && x.dependsOn == y.dependsOn && x.params == y.params
                && x.inputMB == y.inputMB
        }
    }

    @Test(arguments: ["synthetic16", "video", "wordcount"])
    func theShippedWorkflowsAndModelsRoundTrip(name: String) throws {
        let workflow = try EmbeddedExamples.workflow(name)
        let again = try Self.roundTrip(workflow)
        #expect(Self.same(workflow, again))
        let model = try EmbeddedExamples.model(name, for: workflow)
        let text = try JSONEncoder().encode(model)
        let read = try PerformanceModel.decode(text, source: "m.json", for: again)
        #expect(Set(read.steps.keys) == Set(model.steps.keys))
        for (id, step) in model.steps {
            #expect(read.steps[id]?.noise == step.noise, "\(name)/\(id)")
            #expect(read.steps[id]?.instance == step.instance, "\(name)/\(id)")
        }
    }

    @Test func randomWorkflowsRoundTripAndKeepTheirGraph() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            let workflow = Fixtures.randomWorkflow(count: Int.random(in: 1...10, using: &rng), rng: &rng)
            let again = try! Self.roundTrip(workflow)
            #expect(Self.same(workflow, again), "seed \(seed)")
            let a = try! WorkflowGraph(workflow), b = try! WorkflowGraph(again)
            #expect(a.predecessors == b.predecessors && a.topologicalOrder == b.topologicalOrder, "seed \(seed)")
        }
    }

    @Test func aModelForAnotherWorkflowIsRefusedNamingTheStep() throws {
        let video = try EmbeddedExamples.workflow("video")
        let model = try EmbeddedExamples.model("video", for: video)
        let other = try EmbeddedExamples.workflow("wordcount")
        do {
            _ = try PerformanceModel.decode(try JSONEncoder().encode(model), source: "m.json", for: other)
            Issue.record("a video model was taken for word count")
        } catch let error as InputError {
            #expect(error.message.contains("m.json"), "\(error.message)")
        }
    }
}
