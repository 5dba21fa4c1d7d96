import Foundation
import StepConfCore
import StepConfExamples
import StepConfLocal
import StepConfStorage
import StepConfTestSupport
import Testing

@Suite struct StarterInputsTests {
    @Test func theFirstStepsThatReadDataGetItAndTheOthersNothing() throws {
        let directory = PrivateDirectory("starter")
        let store = try LocalDirectoryStore(root: directory.path)
        for name in ["synthetic16", "video", "wordcount"] {
            let workflow = try EmbeddedExamples.workflow(name)
            let graph = try WorkflowGraph(workflow)
            let first = graph[graph.start]
            let keys = try StarterInputs.make(for: first, store: store)
            #expect(StarterInputs.needsInputs(first) == !keys.isEmpty, "\(name)")
            #expect(keys.allSatisfy { $0.hasPrefix("inputs/\(first.id)/") }, "\(name)")
            for key in keys { #expect((try store.size(key) ?? 0) > 0, "\(name): \(key)") }
            if name == "video" {
                #expect(String(decoding: try store.get(keys[0]).prefix(9), as: UTF8.self) == "YUV4MPEG2")
            }
            if name == "wordcount" {
                #expect(keys.count == 100, "the second paper's corpus: 100 files")
            }
        }
    }

    @Test func makingTheInputsTwiceGivesTheSameObjects() throws {
        let directory = PrivateDirectory("starter")
        let store = try LocalDirectoryStore(root: directory.path)
        let step = Workflow.Step(id: "map", kind: "wordcount.map", jobs: 100)
        let first = try StarterInputs.make(for: step, store: store)
        let bytes = try first.map { try store.get($0) }
        let again = try StarterInputs.make(for: step, store: store)
        let bytesAgain = try again.map { try store.get($0) }
        #expect(again == first && bytesAgain == bytes)
    }
}
