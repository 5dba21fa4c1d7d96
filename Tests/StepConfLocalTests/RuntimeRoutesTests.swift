import Foundation
import StepConfCore
import StepConfHTTP
import StepConfLambda
import StepConfLocal
import StepConfTestSupport
import Testing

extension InProcessEmulatorSuites {
    /// The emulator's Runtime API routes, built from ``LambdaWire``, answered directly: what a runtime that is not one
    /// of the emulator's instances, or that posts too much, is told.
    @Suite(.serialized) struct RuntimeRoutesTests {
        static func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            try await withCheckedThrowingContinuation { continuation in
                Thread { continuation.resume(with: Result { try HTTPClient().send(request) }) }.start()
            }
        }

        @Test func anUnknownInstanceIsToldItIsStoppedInLambdasErrorDocument() async throws {
            let emulator = await LocalEmulator.start([
                FunctionSpec(name: "echo", handler: "echo", memoryMB: 256, timeoutSeconds: 60, executable: TestPaths.fixtureBootstrap)
            ])
            let base = "http://127.0.0.1:\(emulator.port)/instances/nope" + LambdaWire.runtimeRoot
            let next = try await Self.send(HTTPRequest(method: "GET", url: base + LambdaWire.Route.next, timeout: .seconds(120)))
            #expect(next.status == 500)
            let report = try JSONDecoder().decode(ErrorReport.self, from: next.body)
            #expect(report.errorMessage == "instance stopped" && report.errorType == "Runtime.Shutdown")
            // A response or an error for a request nobody made is accepted and changes nothing.
            for route in [LambdaWire.Route.response("r-1"), LambdaWire.Route.error("r-1"), LambdaWire.Route.initError] {
                let posted = try await Self.send(HTTPRequest(method: "POST", url: base + route, body: Data("{}".utf8), timeout: .seconds(120)))
                #expect(posted.status == 202, "\(route)")
            }
            let tooLarge = try await Self.send(HTTPRequest(
                method: "POST", url: base + LambdaWire.Route.response("r-2"), body: Data(count: EmulatorServer.payloadLimit + 1),
                timeout: .seconds(120)))
            #expect(tooLarge.status == 413)
            #expect(try JSONDecoder().decode(ErrorReport.self, from: tooLarge.body).errorType == "RequestEntityTooLarge")
            // The function still answers through its own instance.
            let answer = try await Self.send(HTTPRequest(method: "POST", url: emulator.invokeURL("echo"), body: Data(#"{"ok":1}"#.utf8), timeout: .seconds(120)))
            #expect(answer.status == 200 && answer.body == Data(#"{"ok":1}"#.utf8))
            await emulator.stop()
        }
    }
}
