import Foundation
import StepConfASL
import StepConfCore
import Testing

@Suite struct ExecutionTimelineTests {
    static func event(_ type: String, _ at: Double, _ details: String? = nil) -> ExecutionTimeline.Event {
        .init(type: type, timestamp: 100 + at, details: details)
    }

    @Test func readsDecisionsAndTimesPerStep() throws {
        // The state after a's Configure task: its answer (the one message type) at $.config.
        let answer = ConfiguratorOutput(
            run: "r",
            decision: .init(
                policy: "stepconf", workflow: "w", step: "a", execution: "e", elapsedSeconds: 0.1, remainingSeconds: 4.9,
                subSLOSeconds: 2.0, predictedSeconds: 1.5, predictedCostUSD: 1e-5, fallback: false, decisionMicroseconds: 40,
                decidedAhead: ["b"]),
            steps: [
                "a": .init(memoryMB: 2048, inter: 4, intra: 2, function: "f-a", items: [], predictedSeconds: 1.5, fallback: false),
                "b": .init(
                    memoryMB: 1024, inter: 2, intra: 1, function: "f-b", items: [], predictedSeconds: 0.5, fallback: false,
                    deadlineSeconds: 9, deadline: "z"),
            ])
        let config = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(answer))
        let output = String(decoding: try JSONSerialization.data(withJSONObject: ["slo_s": 5, "config": config]), as: UTF8.self)
        let timeline = ExecutionTimeline(events: [
            Self.event("ExecutionStarted", 0, "{}"),
            Self.event("TaskStateEntered", 0.1, #"{"name":"Configure a"}"#),
            Self.event("TaskStateExited", 0.2, #"{"name":"Configure a","output":\#(String(reflecting: output))}"#),
            Self.event("MapStateEntered", 0.2, #"{"name":"Run a"}"#),
            Self.event("MapStateExited", 1.7, #"{"name":"Run a"}"#),
            Self.event("ChoiceStateEntered", 1.7, #"{"name":"Check b"}"#),
            Self.event("MapStateEntered", 1.71, #"{"name":"Run b","input":\#(String(reflecting: output))}"#),
            Self.event("MapStateExited", 1.75, #"{"name":"Run b"}"#),
            Self.event("ExecutionSucceeded", 1.8, "{}"),
        ])
        #expect(timeline.steps.count == 2)
        let a = timeline.steps[0]
        #expect(a.memoryMB == 2048 && a.inter == 4 && a.intra == 2 && a.fallback == false && a.decidedAhead == false)
        // b ran on the plan a's configurator made ahead: no Configure of its own.
        let b = timeline.steps[1]
        #expect(b.decidedAhead == true && b.memoryMB == 1024 && b.inter == 2 && b.predictedSeconds == 0.5 && b.configureStart == nil)
        #expect(a.predictedSeconds == 1.5 && a.subSLOSeconds == 2.0)
        #expect(abs((a.runEnd ?? 0) - 1.7) < 1e-9 && abs((a.configureStart ?? 0) - 0.1) < 1e-9)
        #expect(timeline.error == nil && timeline.failedStep == nil)
        #expect(abs((timeline.end ?? 0) - 101.8) < 1e-9)
    }

    @Test func aFailedConfiguratorNamesItsStep() {
        let timeline = ExecutionTimeline(events: [
            Self.event("ExecutionStarted", 0, "{}"),
            Self.event("TaskStateEntered", 0.1, #"{"name":"Configure b"}"#),
            Self.event("TaskFailed", 0.2, #"{"error":"InvalidSLO","cause":"slo_s must be positive"}"#),
            Self.event("TaskStateExited", 0.2, #"{"name":"Configure b","output":"{}"}"#),
            Self.event("ExecutionFailed", 0.3, #"{"error":"InvalidSLO","cause":"slo_s must be positive"}"#),
        ])
        #expect(timeline.failedStep == "b")
        #expect(timeline.error == "InvalidSLO" && timeline.cause == "slo_s must be positive")
        #expect(timeline.steps.first?.finished == false)
    }

    @Test func aStateThatIsNotOursLeavesTheDecisionUnknown() {
        let timeline = ExecutionTimeline(events: [
            Self.event("ExecutionStarted", 0, "{}"),
            Self.event("TaskStateEntered", 0.1, #"{"name":"Configure a"}"#),
            Self.event("TaskStateExited", 0.2, #"{"name":"Configure a","output":"{\"config\":{\"steps\":7}}"}"#),
            Self.event("MapStateEntered", 0.2, "not json"),
            Self.event("ExecutionSucceeded", 0.3, "{}"),
        ])
        #expect(timeline.steps.count == 1 && timeline.steps[0].memoryMB == nil && timeline.steps[0].decidedAhead == false)
        #expect(timeline.error == nil && abs((timeline.end ?? 0) - 100.3) < 1e-9)
    }
}
