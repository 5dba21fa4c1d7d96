import StepConfASL
import Testing

@Suite struct ExecutionTimelineTests {
    static func event(_ type: String, _ at: Double, _ details: String? = nil) -> ExecutionTimeline.Event {
        .init(type: type, timestamp: 100 + at, details: details)
    }

    @Test func readsDecisionsAndTimesPerStep() {
        let output = #"{"slo_s":5,"config":{"steps":{"a":{"memory_mb":2048,"inter":4,"intra":2,"predicted_s":1.5},"b":{"memory_mb":1024,"inter":2,"intra":1,"predicted_s":0.5,"deadline":"z"}},"decision":{"predicted_s":1.5,"sub_slo_s":2.0,"remaining_s":4.9,"fallback":false,"decision_us":40}}}"#
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
}
