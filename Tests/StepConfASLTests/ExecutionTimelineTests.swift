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

    @Test func aConfiguratorThatFailedAndRecoveredIsNoFailureAndItsStepShowsThePlanItRanOn() throws {
        // The Fastest plan state's `$.config`: a plan and no configurator's full record.
        let config = #"{\"config\":{\"run\":\"r\",\"decision\":{\"step\":\"b\",\"input_size\":1},\"steps\":{\"b\":{\"memory_mb\":3008,\"inter\":8,\"intra\":2,\"function\":\"f\",\"items\":[],\"predicted_s\":0.4,\"fallback\":false}}}}"#
        let timeline = ExecutionTimeline(events: [
            Self.event("ExecutionStarted", 0, "{}"),
            Self.event("TaskStateEntered", 0.1, #"{"name":"Configure b"}"#),
            Self.event("TaskFailed", 0.2, #"{"error":"Lambda.Unknown","cause":"timed out"}"#),
            Self.event("TaskStateExited", 0.2, #"{"name":"Configure b","output":"{}"}"#),
            Self.event("ChoiceStateEntered", 0.2, #"{"name":"Recover b"}"#),
            Self.event("PassStateEntered", 0.2, #"{"name":"Fastest b"}"#),
            Self.event("PassStateEntered", 0.2, #"{"name":"Fastest plan b"}"#),
            Self.event("MapStateEntered", 0.21, #"{"name":"Run b","input":"\#(config)"}"#),
            Self.event("MapStateExited", 0.5, #"{"name":"Run b"}"#),
            Self.event("ExecutionSucceeded", 0.6, "{}"),
        ])
        #expect(timeline.failedStep == nil && timeline.error == nil)
        let b = try #require(timeline.steps.first)
        #expect(b.configSource == .fastest && b.decidedAhead == false && b.finished)
        #expect(b.memoryMB == 3008 && b.inter == 8 && b.intra == 2)
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

/// Histories as the engine writes them for the generated state machines: parallel branches, failures inside a Map,
/// steps that never started.
@Suite struct ExecutionTimelineScenarioTests {
    static func event(_ type: String, _ at: Double, _ details: String? = nil) -> ExecutionTimeline.Event {
        .init(type: type, timestamp: 1000 + at, details: details)
    }

    static func config(_ id: String, memoryMB: Int, inter: Int, fallback: Bool = false) throws -> String {
        let answer = ConfiguratorOutput(
            run: "r",
            decision: .init(
                policy: "stepconf", workflow: "w", step: id, execution: "e", elapsedSeconds: 0, remainingSeconds: 9,
                subSLOSeconds: 1, predictedSeconds: 0.5, predictedCostUSD: 1e-6, fallback: fallback, decisionMicroseconds: 20,
                decidedAhead: []),
            steps: [id: .init(memoryMB: memoryMB, inter: inter, intra: 1, function: "f", items: [], predictedSeconds: 0.5, fallback: fallback)])
        let state = ["config": try JSONSerialization.jsonObject(with: try JSONEncoder().encode(answer))]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: state), as: UTF8.self)
        return String(decoding: try JSONSerialization.data(withJSONObject: ["name": "Configure \(id)", "output": text]), as: UTF8.self)
    }

    @Test func parallelBranchesInterleaveAndEachStepKeepsItsOwnDecision() throws {
        let timeline = ExecutionTimeline(events: [
            Self.event("ExecutionStarted", 0, "{}"),
            Self.event("TaskStateEntered", 0.1, #"{"name":"Configure b"}"#),
            Self.event("TaskStateEntered", 0.12, #"{"name":"Configure c"}"#),
            Self.event("TaskStateExited", 0.2, try Self.config("c", memoryMB: 512, inter: 1)),
            Self.event("TaskStateExited", 0.25, try Self.config("b", memoryMB: 4096, inter: 8, fallback: true)),
            Self.event("MapStateEntered", 0.21, #"{"name":"Run c"}"#),
            Self.event("MapStateEntered", 0.26, #"{"name":"Run b"}"#),
            Self.event("MapStateExited", 0.9, #"{"name":"Run c"}"#),
            Self.event("MapStateExited", 1.4, #"{"name":"Run b"}"#),
            Self.event("ExecutionSucceeded", 1.5, "{}"),
        ])
        #expect(timeline.steps.map(\.id) == ["b", "c"], "in the order they began configuring")
        let b = timeline.steps[0], c = timeline.steps[1]
        #expect(b.memoryMB == 4096 && b.inter == 8 && b.fallback == true && b.finished)
        #expect(c.memoryMB == 512 && c.inter == 1 && c.fallback == false)
        #expect(abs((b.runEnd ?? 0) - 1.4) < 1e-9 && abs((c.configureEnd ?? 0) - 0.2) < 1e-9)
        #expect(timeline.error == nil && timeline.failedStep == nil && abs((timeline.end ?? 0) - 1001.5) < 1e-9)
    }

    @Test func aFailureInsideAMapNamesItsStepAndLeavesTheRestUnfinished() throws {
        let timeline = ExecutionTimeline(events: [
            Self.event("ExecutionStarted", 0, "{}"),
            Self.event("TaskStateEntered", 0.1, #"{"name":"Configure a"}"#),
            Self.event("TaskStateExited", 0.2, try Self.config("a", memoryMB: 1024, inter: 2)),
            Self.event("MapStateEntered", 0.2, #"{"name":"Run a"}"#),
            Self.event("TaskStateEntered", 0.3, #"{"name":"Invoke a"}"#),
            Self.event("LambdaFunctionFailed", 0.8, #"{"error":"Runtime.ExitError","cause":"exit 70"}"#),
            Self.event("ExecutionFailed", 0.9, #"{"error":"Runtime.ExitError","cause":"exit 70"}"#),
        ])
        #expect(timeline.failedStep == "a" && timeline.error == "Runtime.ExitError" && timeline.cause == "exit 70")
        #expect(timeline.steps.count == 1 && !timeline.steps[0].finished && timeline.steps[0].memoryMB == 1024)
    }

    @Test func anExecutionThatTimedOutSaysSoWithoutAnError() {
        let timeline = ExecutionTimeline(events: [
            Self.event("ExecutionStarted", 0, "{}"),
            Self.event("TaskStateEntered", 0.1, #"{"name":"Configure a"}"#),
            Self.event("ExecutionTimedOut", 300, "{}"),
        ])
        #expect(timeline.error == "ExecutionTimedOut" && timeline.end == 1300)
        #expect(timeline.steps.first?.configureEnd == nil)
    }

    @Test func noEventsIsAnEmptyTimeline() {
        let timeline = ExecutionTimeline(events: [])
        #expect(timeline.steps.isEmpty && timeline.end == nil && timeline.start == 0 && timeline.error == nil)
    }
}
