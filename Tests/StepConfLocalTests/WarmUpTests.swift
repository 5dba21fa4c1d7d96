import Foundation
import StepConfCore
import StepConfLocal
import StepConfTestSupport
import Testing

/// The warm-up payload through the real `bootstrap` and the emulator's Invoke API: every function answers it at once,
/// and the instance it started serves the step's own events next.
@Suite(.serialized) struct WarmUpTests {
    @Test func everyFunctionAnswersAWarmUpAtOnceAndThenServesItsOwnEvents() async throws {
        let directory = PrivateDirectory("warmup")
        let environment = [
            FunctionEnvironment.Variable.store.rawValue: directory.file("store"),
            FunctionEnvironment.Variable.workflowDirectory.rawValue: directory.file("workflows"),
            FunctionEnvironment.Variable.cachePath.rawValue: directory.file("cache.db"),
        ]
        try FileManager.default.createDirectory(atPath: directory.file("workflows"), withIntermediateDirectories: true)
        let emulator = try await RunningEmulator([
            FunctionSpec(name: "synthetic", handler: "synthetic", memoryMB: 512, timeoutSeconds: 30, executable: RunningEmulator.bootstrap,
                         environment: environment),
            FunctionSpec(name: "configurator", handler: "configurator", memoryMB: 512, timeoutSeconds: 30,
                         executable: RunningEmulator.bootstrap, environment: environment),
        ])
        for name in ["synthetic", "configurator"] {
            let payload = try WarmUpEvent(execution: "e1", step: "s01").encoded()
            let first = try await emulator.invoke(name, payload)
            #expect(first.status == 200 && first.header("X-Amz-Function-Error") == nil, "\(name): \(String(decoding: first.body, as: UTF8.self))")
            #expect(try JSONDecoder().decode(WarmUpAnswer.self, from: first.body) == WarmUpAnswer(handler: name, cold: true))
            let second = try await emulator.invoke(name, Data(#"{"stepconf_warm_up": {}}"#.utf8))
            #expect(try JSONDecoder().decode(WarmUpAnswer.self, from: second.body) == WarmUpAnswer(handler: name, cold: false))
            // A key that is not a warm-up's body is a function error naming the payload, and the runtime goes on.
            let bad = try await emulator.invoke(name, Data(#"{"stepconf_warm_up": 5}"#.utf8))
            #expect(bad.header("X-Amz-Function-Error") != nil && String(decoding: bad.body, as: UTF8.self).contains("warm-up"))
        }
        // The same instance then runs a step, whose input keys may name anything, the warm-up key included.
        let step = StepEvent(execution: "e1", step: "s01", jobEnd: 2, keys: [], params: ["difficulty": 10])
        let ran = try await emulator.invoke("synthetic", try JSONEncoder().encode(step))
        #expect(ran.status == 200 && ran.header("X-Amz-Function-Error") == nil, "\(String(decoding: ran.body, as: UTF8.self))")
        #expect(try JSONDecoder().decode(StepOutput.self, from: ran.body).outputs.isEmpty == false)
        let named = StepEvent(execution: "e1", step: "s01", jobEnd: 1, keys: ["stepconf_warm_up"], params: ["difficulty": 10])
        let notWarmUp = try await emulator.invoke("synthetic", try JSONEncoder().encode(named))
        #expect(notWarmUp.header("X-Amz-Function-Error") != nil || (try? JSONDecoder().decode(WarmUpAnswer.self, from: notWarmUp.body)) == nil)
    }

    @Test func theWarmUpKeyIsRecognisedOnlyAtTheTopLevel() throws {
        #expect(try WarmUpEvent.decode(Array(#"{"keys": ["\"stepconf_warm_up\""], "stepconf": 1}"#.utf8)) == nil)
        #expect(try WarmUpEvent.decode(Array(#"{"keys": ["stepconf_warm_up"]}"#.utf8)) == nil)
        #expect(try WarmUpEvent.decode(Array("not json \"stepconf_warm_up\"".utf8)) == nil)
        #expect(try WarmUpEvent.decode(Array(#"{"stepconf_warm_up": {"step": "s"}}"#.utf8)) == WarmUpEvent(step: "s"))
        #expect(throws: InputError.self) { try WarmUpEvent.decode(Array(#"{"stepconf_warm_up": {"step": 3}}"#.utf8)) }
        let long = String(repeating: "x", count: WarmUpEvent.maxFieldLength + 1)
        #expect(throws: InputError.self) { try WarmUpEvent.decode(Array(#"{"stepconf_warm_up": {"execution": "\#(long)"}}"#.utf8)) }
        #expect(throws: InputError.self) { try WarmUpEvent.decode(Array(#"{"stepconf_warm_up": {}, "stepconf_warm_up": {}}"#.utf8)) }
    }
}
