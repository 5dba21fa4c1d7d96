import Foundation
import StepConfCore
import StepConfHTTP
import StepConfLambda
import StepConfLocal
import StepConfTestSupport
import Testing

extension InProcessEmulatorSuites {
    /// What the Invoke API answers when the function itself fails: Lambda's error document (``ErrorReport``), marked
    /// `X-Amz-Function-Error: Unhandled`, for a handler's error, a runtime that exits, and a time-out.
    @Suite(.serialized) struct EmulatorErrorDocumentTests {
        static func invoke(_ emulator: LocalEmulator, _ name: String, _ body: String) async throws -> HTTPResponse {
            let url = emulator.invokeURL(name)
            return try await withCheckedThrowingContinuation { continuation in
                Thread {
                    continuation.resume(with: Result {
                        try HTTPClient().send(HTTPRequest(method: "POST", url: url, body: Data(body.utf8), timeout: .seconds(150)))
                    })
                }.start()
            }
        }

        @Test func everyFailureIsAnErrorDocumentMarkedUnhandled() async throws {
            let emulator = await LocalEmulator.start([
                FunctionSpec(name: "crash", handler: "crash", memoryMB: 256, timeoutSeconds: 90, executable: TestPaths.fixtureBootstrap),
                FunctionSpec(name: "sleep", handler: "sleep", memoryMB: 256, timeoutSeconds: 1, executable: TestPaths.fixtureBootstrap),
                FunctionSpec(name: "synthetic", handler: "synthetic", memoryMB: 256, timeoutSeconds: 90, executable: TestPaths.fixtureBootstrap),
            ])
            let cases: [(String, String, String)] = [
                ("crash", #"{"code": 3}"#, "Runtime.ExitError"),
                ("sleep", #"{"seconds": 5}"#, "Sandbox.Timedout"),
                ("synthetic", #"{"not": "an event"}"#, ""),
            ]
            for (name, body, type) in cases {
                let answer = try await Self.invoke(emulator, name, body)
                #expect(answer.status == 200 && answer.header(LambdaWire.functionErrorHeader) == "Unhandled", "\(name)")
                let report = try JSONDecoder().decode(ErrorReport.self, from: answer.body)
                #expect(!report.errorMessage.isEmpty, "\(name)")
                if !type.isEmpty { #expect(report.errorType == type, "\(name): \(report.errorType)") }
            }
            await emulator.stop()
        }
    }

    /// Lambda's reserved concurrency of zero: every invocation is throttled, and nothing is started.
    @Suite(.serialized) struct ReservedConcurrencyTests {
        @Test func aFunctionWithNoReservedConcurrencyIsAlwaysThrottled() async throws {
            let emulator = await LocalEmulator.start([
                FunctionSpec(name: "off", handler: "echo", memoryMB: 128, timeoutSeconds: 5, executable: TestPaths.fixtureBootstrap, reservedConcurrency: 0)
            ])
            for _ in 0..<3 {
                let answer = try await InProcessEmulatorSuites.EmulatorErrorDocumentTests.invoke(emulator, "off", "{}")
                #expect(answer.status == 429 && answer.header("X-Amzn-ErrorType") == "TooManyRequestsException")
            }
            #expect(!emulator.log.contains { $0.contains("START RequestId") }, "no instance ran")
            #expect(await emulator.invoke("missing", payload: Data("{}".utf8)) == nil, "an unknown function is no invocation")
            await emulator.stop()
        }
    }
}
