import Foundation
import StepConfCore
import Testing

/// The messages between the parts: their wire names, what they omit, and how they refuse bad input.
@Suite struct MessageTests {
    static func object(_ value: some Encodable) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value)) as? [String: Any])
    }

    @Test func theConfiguratorsAnswerRoundTripsWithItsWireNames() throws {
        let answer = ConfiguratorOutput(
            run: "r1",
            decision: .init(
                policy: "stepconf", workflow: "w", step: "a", execution: "arn:x:r1", elapsedSeconds: 0.5, remainingSeconds: 9.5,
                subSLOSeconds: nil, predictedSeconds: 1.25, predictedCostUSD: 2e-5, fallback: true, decisionMicroseconds: 80,
                decidedAhead: ["b"]),
            steps: [
                "a": .init(
                    memoryMB: 2048, inter: 2, intra: 4, function: "p-synthetic-m2048",
                    items: [.init(index: 0, instances: 2, intra: 4, jobStart: 0, jobEnd: 5), .init(index: 1, instances: 2, intra: 4, jobStart: 5, jobEnd: 9)],
                    predictedSeconds: 1.25, fallback: true),
                "b": .init(
                    memoryMB: 512, inter: 1, intra: 1, function: "p-synthetic-m512", items: [], predictedSeconds: 0.5,
                    fallback: false, deadlineSeconds: 12.5, deadline: "2026-12-02T10:00:12.500Z"),
            ])
        let decoded = try JSONDecoder().decode(ConfiguratorOutput.self, from: try JSONEncoder().encode(answer))
        #expect(decoded.plan?.items == answer.plan?.items && decoded.steps["b"]?.deadline == answer.steps["b"]?.deadline)
        #expect(decoded.decision.decidedAhead == ["b"] && decoded.decision.subSLOSeconds == nil)
        let wire = try Self.object(answer)
        #expect(Set(wire.keys) == ["run", "decision", "steps"])
        let a = try #require((wire["steps"] as? [String: Any])?["a"] as? [String: Any])
        #expect(a["memory_mb"] as? Int == 2048 && a["predicted_s"] as? Double == 1.25 && a["deadline"] == nil)
        let item = try #require((a["items"] as? [[String: Any]])?.last)
        #expect(Set(item.keys) == ["index", "instances", "intra", "job_start", "job_end"])
        let decision = try #require(wire["decision"] as? [String: Any])
        #expect(decision["decision_us"] as? Double == 80 && decision["decided_ahead"] as? [String] == ["b"])
    }

    @Test func theRunIsTheLastPartOfTheExecutionID() {
        #expect(ConfiguratorOutput.runName(execution: "arn:aws:states:us-east-1:1:execution:machine:run-42") == "run-42")
        #expect(ConfiguratorOutput.runName(execution: "plain") == "plain")
        #expect(ConfiguratorOutput.runName(execution: "") == "")
    }

    @Test func aStepEventTakesItsShareOfTheStepsInput() throws {
        let text = #"{"execution":"e","step":"s","index":1,"instances":3,"intra":2,"job_end":9,"input":{"keys":["k0","k1","k2","k3","k4"]}}"#
        let event = try JSONDecoder().decode(StepEvent.self, from: Data(text.utf8))
        #expect(event.keys == StepInput(keys: ["k0", "k1", "k2", "k3", "k4"]).share(instance: 1, of: 3))
        #expect(event.jobStart == 0 && event.jobEnd == 9 && event.intra == 2 && event.outputFolder == "runs/e/s")
        // Encoded, the event carries its own keys and decodes to itself.
        #expect(try JSONDecoder().decode(StepEvent.self, from: try JSONEncoder().encode(event)) == event)
    }

    @Test(arguments: [
        #"{"execution":"e","step":"s","index":3,"instances":3,"job_end":1,"input":{"keys":[]}}"#,
        #"{"execution":"e","step":"s","index":-1,"instances":2,"job_end":1,"input":{"keys":[]}}"#,
        #"{"execution":"e","step":"s","index":0,"instances":0,"job_end":1,"input":{"keys":[]}}"#,
        #"{"execution":"e","step":"s"}"#,
        #"{"step":"s","job_end":1}"#,
    ])
    func aStepEventForAnInstanceThatDoesNotExistIsRefused(text: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(StepEvent.self, from: Data(text.utf8)) }
    }

    @Test func aStepsInputListsItsKeysThenItsPredecessorsOutputsInStepOrder() {
        let input = StepInput(keys: ["x"], after: ["b": [.init(outputs: ["b/0", "b/1"])], "a": [.init(outputs: ["a/0"]), .init(outputs: [])]])
        #expect(input.allKeys == ["x", "a/0", "b/0", "b/1"])
        let shares = (0..<3).map { input.share(instance: $0, of: 3) }
        #expect(shares.flatMap { $0 } == input.allKeys, "the shares cover the keys once, in order")
    }

    @Test func theStepOutputKeepsItsWireNames() throws {
        let output = StepOutput(
            outputs: ["o"], manifest: "m", jobs: 3, intra: 2, downloadSeconds: 0.1, computeSeconds: 0.2, uploadSeconds: 0.3)
        let wire = try Self.object(output)
        #expect(Set(wire.keys) == ["outputs", "manifest", "jobs", "intra", "download_s", "compute_s", "upload_s"])
        #expect(try JSONDecoder().decode(StepOutput.self, from: try JSONEncoder().encode(output)) == output)
    }
}

@Suite struct NamingTests {
    @Test func functionNamesFollowOneRuleEverywhere() {
        #expect(FunctionNames.configurator(prefix: "p") == "p-configurator")
        #expect(FunctionNames.step(prefix: "p", kind: "video.detect", memoryMB: 2048) == "p-video-detect-m2048")
        #expect(FunctionNames.stateMachine(prefix: "p", workflow: "video") == "p-video")
        // The state machine's States.Format template gives the same name for the same arguments.
        let format = FunctionNames.stepFormat(kind: "video.detect")
        let filled = format.replacingOccurrences(of: "{}", with: "p", options: [], range: format.range(of: "{}"))
            .replacingOccurrences(of: "{}", with: "2048")
        #expect(filled == FunctionNames.step(prefix: "p", kind: "video.detect", memoryMB: 2048))
    }
}

/// Events are input: the fields a function computes with are checked where they are decoded.
@Suite struct EventBoundsTests {
    static func decode<T: Decodable>(_ type: T.Type, _ object: [String: Any]) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: object))
    }

    @Test func aConfiguratorEventOutsideItsBoundsNamesTheField() throws {
        let base: [String: Any] = ["workflow": "w", "step": "s", "execution": "e", "slo_s": 2, "start_time": 1_700_000_000]
        _ = try Self.decode(ConfiguratorEvent.self, base)
        let cases: [(String, Any, String)] = [
            ("start_time", 1e308, "start_time"), ("start_time", -5, "start_time"),
            ("execution", String(repeating: "x", count: 3_000), "execution"),
            ("input", ["keys": (0..<1_000_001).map { _ in "k" }], "input"),
            ("input_size", 0, "input_size"), ("input_size", -1, "input_size"), ("input_size", 1e5, "input_size"),
            ("input_size", 1e308, "input_size"),
        ]
        for (field, value, named) in cases {
            var object = base
            object[field] = value
            let error = #expect(throws: DecodingError.self, "\(field)") { try Self.decode(ConfiguratorEvent.self, object) }
            #expect("\(String(describing: error))".contains(named), "\(field)")
        }
    }

    @Test func aStepEventOutsideItsBoundsNamesTheField() throws {
        let base: [String: Any] = ["execution": "e", "step": "s", "job_end": 2]
        _ = try Self.decode(StepEvent.self, base)
        let cases: [(String, Any, String)] = [
            ("job_end", 2_147_483_648, "job_end"), ("job_start", 3, "job_end"), ("intra", 0, "intra"), ("intra", 1 << 40, "intra"),
            ("index", -1, "index"), ("params", ["worker_memory_mb": 1e308], "worker_memory_mb"),
            ("params", ["worker_memory_mb": 0.5], "worker_memory_mb"), ("params", ["difficulty": -1e300], "difficulty"),
            ("keys", (0..<100_001).map { _ in "k" }, "keys"),
        ]
        for (field, value, named) in cases {
            var object = base
            object[field] = value
            let error = #expect(throws: DecodingError.self, "\(field)") { try Self.decode(StepEvent.self, object) }
            #expect("\(String(describing: error))".contains(named), "\(field) = \(value)")
        }
    }
}
