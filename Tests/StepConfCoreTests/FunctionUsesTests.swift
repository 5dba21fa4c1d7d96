import Foundation
import StepConfCore
import Testing

@Suite struct FunctionUsesTests {
    @Test func theStaircaseKeepsEachUseThatEndsLaterOrIsWiderThanEveryOther() {
        var uses = FunctionUses()
        uses = uses.recording(until: 10, instances: 8)
        uses = uses.recording(until: 20, instances: 3)
        uses = uses.recording(until: 15, instances: 5)
        uses = uses.recording(until: 12, instances: 4)
        #expect(uses.uses.map(\.until) == [10, 15, 20], "(12, 4) is stood for by (15, 5)")
        #expect(uses.uses.map(\.instances) == [8, 5, 3])
        #expect(uses.recording(until: 25, instances: 8).uses == [.init(until: 25, instances: 8)], "a later, wider use stands for all")
        #expect(uses.recording(until: .nan, instances: 9) == uses)
        #expect(uses.recording(until: 30, instances: 0).uses.last == .init(until: 30, instances: 1), "a use holds an instance")
        #expect(uses.lastUntil == 20)
        #expect(FunctionUses().lastUntil == nil)
    }

    @Test func idleInstancesAreTheWidestEndedUseWithinTheKeepAliveLessTheWidestRunning() {
        let uses = FunctionUses([.init(until: 10, instances: 8), .init(until: 15, instances: 5), .init(until: 20, instances: 3)])
        #expect(uses.idleInstances(at: 25, keepAliveSeconds: 100) == 8)
        #expect(uses.idleInstances(at: 12, keepAliveSeconds: 100) == 3, "8 ended, 5 still running")
        #expect(uses.idleInstances(at: 112, keepAliveSeconds: 100) == 5, "the 8 expired")
        #expect(uses.idleInstances(at: 121, keepAliveSeconds: 100) == 0)
        #expect(uses.idleInstances(at: 5, keepAliveSeconds: 100) == 0, "all still running")
        #expect(uses.idleInstances(at: 20 - 5e-4, keepAliveSeconds: 100) == 8, "a use ending within a millisecond has ended")
    }

    @Test func itIsBoundedAndItsJSONIsPairsThatAreChecked() throws {
        var uses = FunctionUses()
        for k in 0..<(FunctionUses.maxUses + 10) { uses = uses.recording(until: Double(k), instances: 1_000 - k) }
        #expect(uses.uses.count == FunctionUses.maxUses)
        #expect(uses.uses.first?.until == 10, "the oldest uses drop first")
        let json = try JSONEncoder().encode(FunctionUses([.init(until: 1.5, instances: 2)]))
        #expect(String(decoding: json, as: UTF8.self) == "[[1.5,2]]")
        #expect(try JSONDecoder().decode(FunctionUses.self, from: json) == FunctionUses([.init(until: 1.5, instances: 2)]))
        for bad in ["[[1,0]]", "[[1,1e300]]", "[[1]]", "{}", "[[\"a\",1]]", "[[1,2.5e9]]", "[[1,2.5]]"] {
            #expect(throws: DecodingError.self, "\(bad)") { try JSONDecoder().decode(FunctionUses.self, from: Data(bad.utf8)) }
        }
    }
}

@Suite struct InputMeasureTests {
    let step = Workflow.Step(id: "first", kind: "k", jobs: 100, dependsOn: [], inputMB: 0.5)

    @Test func objectsCountOverJobsAndBytesOverInputMBOnTheGridOfSizes() throws {
        #expect(try InputMeasure.objects.size(of: (0..<100).map { "\($0)" }, first: step) { _ in nil } == 1)
        #expect(try InputMeasure.objects.size(of: (0..<250).map { "\($0)" }, first: step) { _ in nil } == InputSizes.snapped(2.5))
        #expect(try InputMeasure.bytes.size(of: ["a", "b"], first: step) { _ in 500_000 } == 2)
        #expect(try InputMeasure.bytes.size(of: ["a"], first: step) { _ in 510_000 } == 1, "2 % over snaps to the nominal size")
    }

    @Test func anInputThatCannotBeMeasuredIsRefused() {
        #expect(throws: InputError.self) { try InputMeasure.objects.size(of: [], first: step) { _ in nil } }
        #expect(throws: InputError.self) { try InputMeasure.bytes.size(of: ["a"], first: step) { _ in nil } }
        #expect(throws: InputError.self) { try InputMeasure.bytes.size(of: ["a"], first: step) { _ in 0 } }
        #expect(throws: InputError.self) { try InputMeasure.bytes.size(of: ["a"], first: step) { _ in Int.max } }
        var noInput = step
        noInput.inputMB = 0
        #expect(throws: InputError.self) { try InputMeasure.bytes.size(of: ["a"], first: noInput) { _ in 10 } }
    }

    @Test func aWorkflowNamesItsMeasureAndAnUnknownOneIsRefused() throws {
        let good = #"{"name": "w", "input_measure": "bytes", "steps": [{"id": "a", "kind": "synthetic", "jobs": 1}]}"#
        #expect(try Workflow.decode(Data(good.utf8), source: "w.json").inputMeasure == .bytes)
        let bad = #"{"name": "w", "input_measure": "frames", "steps": [{"id": "a", "kind": "synthetic", "jobs": 1}]}"#
        #expect(throws: (any Error).self) { try Workflow.decode(Data(bad.utf8), source: "w.json") }
    }
}
