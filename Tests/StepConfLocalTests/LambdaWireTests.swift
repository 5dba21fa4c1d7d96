import Foundation
import StepConfCore
import StepConfHTTP
import StepConfLambda
import StepConfLocal
import StepConfTestSupport
import Testing

extension InProcessEmulatorSuites {
    /// The emulator writes Lambda's wire (``LambdaWire``) and the runtime reads it: one definition, both sides.
    @Suite(.serialized) struct LambdaWireTests {
        @Test func theRuntimeReadsEveryVariableAndHeaderTheEmulatorWrites() async throws {
            let emulator = await LocalEmulator.start([
                FunctionSpec(name: "env-fn", handler: "environment", memoryMB: 1536, timeoutSeconds: 60, executable: TestPaths.fixtureBootstrap)
            ])
            let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
            // On a thread of its own: a blocking call on a cooperative thread would hold one of the two the emulator in
            // this process needs to answer it.
            let url = emulator.invokeURL("env-fn")
            let response: HTTPResponse = try await withCheckedThrowingContinuation { continuation in
                Thread {
                    continuation.resume(with: Result {
                        try HTTPClient().send(HTTPRequest(
                            method: "POST", url: url, headers: [("X-Amz-Trace-Id", trace)], body: Data("{}".utf8), timeout: .seconds(120)))
                    })
                }.start()
            }
            let answer = (response.status, response.body)
            await emulator.stop()
            #expect(answer.0 == 200)
            let seen = try JSONDecoder().decode(SeenEnvironment.self, from: answer.1)
            #expect(seen.handler == "environment" && seen.functionName == "env-fn" && seen.memoryMB == 1536)
            #expect(seen.taskRoot == URL(fileURLWithPath: TestPaths.fixtureBootstrap).deletingLastPathComponent().path)
            #expect(seen.runtimeAPI?.hasPrefix("127.0.0.1:") == true && seen.runtimeAPI?.contains("/instances/") == true)
            #expect(seen.invokedFunctionARN.hasSuffix(":function:env-fn") && !seen.requestID.isEmpty)
            #expect(seen.deadlineMs > Int64(Date().timeIntervalSince1970 * 1000) - 60_000, "a deadline in epoch milliseconds")
            #expect(seen.traceID == trace && seen.exportedTraceID == trace, "the trace header reaches the handler and its environment")
            #expect(seen.region != nil && seen.version == "$LATEST")
        }

        @Test func everyReservedVariableHasOneWireName() {
            let names = LambdaWire.Variable.allCases.map(\.rawValue)
            #expect(Set(names).count == names.count)
            #expect(LambdaWire.Variable.runtimeAPI.rawValue.hasPrefix(LambdaWire.Variable.lambdaPrefix))
            #expect(LambdaWire.Route.response("abc") == "/invocation/abc/response")
            #expect(LambdaWire.Route.errorPattern(parameter: "request") == "/invocation/:request/error")
            #expect(LambdaWire.runtimeRoot.hasPrefix("/2018-06-01"))
        }

        @Test func theErrorDocumentOmitsAnEmptyStackTraceAndReadsWithoutOne() throws {
            let bare = ErrorReport(errorMessage: "m", errorType: "T")
            #expect(String(decoding: bare.json, as: UTF8.self).contains("stackTrace") == false)
            #expect(try JSONDecoder().decode(ErrorReport.self, from: bare.json) == bare)
            let traced = ErrorReport(errorMessage: "m", errorType: "T", stackTrace: ["a", "b"])
            #expect(try JSONDecoder().decode(ErrorReport.self, from: traced.json) == traced)
            // Lambda's own errors may come without a type.
            let untyped = try JSONDecoder().decode(ErrorReport.self, from: Data(#"{"errorMessage":"Task timed out"}"#.utf8))
            #expect(untyped.errorType == "" && untyped.errorMessage == "Task timed out")
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(ErrorReport.self, from: Data(#"{"errorType":"T"}"#.utf8)) }
        }
    }
}
