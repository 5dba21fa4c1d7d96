import Foundation
import StepConfCore
import StepConfExamples
import StepConfStorage
import Testing

@Suite struct WorkflowValidationTests {
    private func decode(_ json: String) throws -> Workflow {
        try Workflow.decode(Data(json.utf8), source: "wf.json")
    }

    private func expectError(_ json: String, _ code: WorkflowError.Code, mentions fragments: [String]) {
        do {
            _ = try decode(json)
            Issue.record("expected \(code)")
        } catch let error as WorkflowError {
            #expect(error.code == code)
            for fragment in fragments { #expect(error.message.contains(fragment), "\(error.message)") }
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func functionNamesKeepLettersDigitsDashAndUnderscoreOnly() {
        #expect(Workflow.Step.functionKindName("synthetic") == "synthetic")
        #expect(Workflow.Step.functionKindName("video.detect") == "video-detect")
        #expect(Workflow.Step.functionKindName("a_B-9") == "a_B-9")
        #expect(Workflow.Step.functionKindName("caf\u{E9}") == "caf-")
        #expect(Workflow.Step.functionKindName("e\u{301}x") == "-x")
        #expect(Workflow.Step.functionName(kind: "wordcount.map", memoryMB: 1024) == "wordcount-map-m1024")
    }

    @Test func shippedExamplesAreValid() throws {
        for name in ["synthetic16", "video", "wordcount"] {
            let workflow = try Workflow.load(from: Fixtures.example("\(name).json"))
            let graph = try WorkflowGraph(workflow)
            #expect(graph.count == ["synthetic16": 16, "video": 5, "wordcount": 2][name])
            #expect(SeriesParallelTree(graph: graph) != nil)
        }
    }

    @Test func embeddedExamplesMatchTheFiles() throws {
        for (name, text) in EmbeddedExamples.files {
            let onDisk = try String(contentsOfFile: Fixtures.example(name), encoding: .utf8)
            #expect(
                onDisk.trimmingCharacters(in: .whitespacesAndNewlines) == text.trimmingCharacters(in: .whitespacesAndNewlines),
                "examples/\(name) changed: run scripts/embed-examples.sh")
        }
        #expect(EmbeddedExamples.workflowNames.contains("synthetic16"))
    }

    @Test func cycleIsNamedStepByStep() {
        expectError(
            """
            {"name":"w","steps":[{"id":"a","kind":"k","jobs":1},
              {"id":"b","kind":"k","jobs":1,"depends_on":["a","d"]},
              {"id":"c","kind":"k","jobs":1,"depends_on":["b"]},
              {"id":"d","kind":"k","jobs":1,"depends_on":["c"]}]}
            """, .cycle, mentions: ["wf.json", "`b`", "`c`", "`d`"])
    }

    @Test func selfDependencyIsACycle() {
        expectError(#"{"name":"w","steps":[{"id":"a","kind":"k","jobs":1,"depends_on":["a"]}]}"#, .cycle, mentions: ["`a`"])
    }

    @Test func unknownDependencyNamesItAndWhoAsked() {
        expectError(
            #"{"name":"w","steps":[{"id":"a","kind":"k","jobs":1},{"id":"encode","kind":"k","jobs":1,"depends_on":["detct"]}]}"#,
            .unknownDependency, mentions: ["`encode`", "`detct`"])
    }

    @Test func duplicateIdsAreRejected() {
        expectError(
            #"{"name":"w","steps":[{"id":"a","kind":"k","jobs":1},{"id":"a","kind":"k","jobs":2}]}"#, .duplicateStep,
            mentions: ["`a`"])
    }

    @Test func severalStartsAreRejected() {
        expectError(
            #"{"name":"w","steps":[{"id":"a","kind":"k","jobs":1},{"id":"b","kind":"k","jobs":1},{"id":"c","kind":"k","jobs":1,"depends_on":["a","b"]}]}"#,
            .severalStarts, mentions: ["`a`", "`b`"])
    }

    @Test func severalEndsAreRejected() {
        expectError(
            #"{"name":"w","steps":[{"id":"a","kind":"k","jobs":1},{"id":"b","kind":"k","jobs":1,"depends_on":["a"]},{"id":"c","kind":"k","jobs":1,"depends_on":["a"]}]}"#,
            .severalEnds, mentions: ["`b`", "`c`"])
    }

    @Test(arguments: [0, -3])
    func nonPositiveJobsAreRejected(jobs: Int) {
        expectError(
            #"{"name":"w","steps":[{"id":"a","kind":"k","jobs":\#(jobs)}]}"#, .invalidJobs, mentions: ["`a`", "jobs"])
    }

    @Test func emptyWorkflowIsRejected() {
        expectError(#"{"name":"w","steps":[]}"#, .empty, mentions: ["no steps"])
    }

    @Test func malformedFieldIsNamed() {
        expectError(#"{"name":"w","steps":[{"id":"a","kind":"k","jobs":"many"}]}"#, .malformed, mentions: ["steps[0].jobs", "integer"])
        expectError(#"{"name":"w","steps":[{"id":"a","jobs":1}]}"#, .malformed, mentions: ["kind"])
        expectError("{not json", .malformed, mentions: ["wf.json"])
    }

    @Test func topologicalOrderPutsEveryStepAfterItsDependencies() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<50 {
            let graph = try WorkflowGraph(Fixtures.randomWorkflow(count: Int.random(in: 2...9, using: &rng), rng: &rng))
            var position = [Int](repeating: 0, count: graph.count)
            for (k, v) in graph.topologicalOrder.enumerated() { position[v] = k }
            for v in 0..<graph.count { for p in graph.predecessors[v] { #expect(position[p] < position[v]) } }
        }
    }
}
