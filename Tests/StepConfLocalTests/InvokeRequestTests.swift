import Foundation
import StepConfCore
import StepConfHTTP
import StepConfLambda
import StepConfLocal
import StepConfTestSupport
import Testing

extension InProcessEmulatorSuites {
    /// The Invoke API's request parser, through the emulator's HTTP face: each check answers what Lambda answers, and
    /// a call that passes them all reaches the function.
    @Suite(.serialized) struct InvokeRequestTests {
        static func post(_ url: String, _ body: Data, headers: [(String, String)] = []) async throws -> HTTPResponse {
            try await withCheckedThrowingContinuation { continuation in
                Thread {
                    continuation.resume(with: Result {
                        try HTTPClient().send(HTTPRequest(method: "POST", url: url, headers: headers, body: body, timeout: .seconds(150)))
                    })
                }.start()
            }
        }

        static func errorType(_ response: HTTPResponse) -> String? { response.header("X-Amzn-ErrorType") }

        @Test func everyCheckAnswersAsLambdaDoes() async throws {
            let emulator = await LocalEmulator.start([
                FunctionSpec(name: "echo", handler: "echo", memoryMB: 512, timeoutSeconds: 90, executable: TestPaths.fixtureBootstrap, qualifiers: ["prod"])
            ])
            let base = "http://127.0.0.1:\(emulator.port)/2015-03-31/functions/"
            func invoke(_ name: String, _ body: String, _ headers: [(String, String)] = []) async throws -> HTTPResponse {
                try await Self.post(base + name + "/invocations", Data(body.utf8), headers: headers)
            }
            // Payloads: strict JSON syntax, repeated keys allowed (the last wins in Lambda's parser), empty allowed.
            let trailing = try await invoke("echo", #"{"a": 1,}"#)
            #expect(trailing.status == 400 && Self.errorType(trailing) == "InvalidRequestContentException")
            let repeated = try await invoke("echo", #"{"a": 1, "a": 2}"#)
            #expect(repeated.status == 200 && String(decoding: repeated.body, as: UTF8.self) == #"{"a": 1, "a": 2}"#)
            let empty = try await invoke("echo", "")
            #expect(empty.status == 200)
            // Client context: base64 of a JSON object, at most 3,583 bytes encoded.
            let object = Data(#" {"custom": {"k": "v"}} "#.utf8).base64EncodedString()
            let withContext = try await invoke("echo", "{}", [("X-Amz-Client-Context", object)])
            #expect(withContext.status == 200)
            let array = Data("[1, 2]".utf8).base64EncodedString()
            #expect(Self.errorType(try await invoke("echo", "{}", [("X-Amz-Client-Context", array)])) == "InvalidParameterValueException")
            let huge = Data(("{\"k\": \"" + String(repeating: "x", count: 3000) + "\"}").utf8).base64EncodedString()
            #expect(Self.errorType(try await invoke("echo", "{}", [("X-Amz-Client-Context", huge)])) == "InvalidParameterValueException")
            // Qualifiers: in the name or the query, and they must agree; an unknown one is 404.
            #expect(try await invoke("echo:prod", "{}").header("X-Amz-Executed-Version") == "$LATEST")
            #expect(try await Self.post(base + "echo/invocations?Qualifier=prod", Data("{}".utf8)).status == 200)
            let disagree = try await Self.post(base + "echo:prod/invocations?Qualifier=other", Data("{}".utf8))
            #expect(disagree.status == 400 && Self.errorType(disagree) == "InvalidParameterValueException")
            let unknown = try await invoke("echo:staging", "{}")
            #expect(unknown.status == 404 && Self.errorType(unknown) == "ResourceNotFoundException")
            // ARNs, full and partial, name the same function.
            #expect(try await invoke("arn:aws:lambda:us-east-1:000000000000:function:echo", "{}").status == 200)
            #expect(try await invoke("000000000000:function:echo:prod", "{}").status == 200)
            // The log: None or Tail, nothing else; a tail comes back base64.
            let badLog = try await invoke("echo", "{}", [("X-Amz-Log-Type", "All")])
            #expect(badLog.status == 400 && Self.errorType(badLog) == "ValidationException")
            let tail = try await invoke("echo", "{}", [("X-Amz-Log-Type", "Tail")])
            let log = tail.header("X-Amz-Log-Result").flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
            #expect(log?.contains("REPORT RequestId:") == true)
            // DryRun checks and runs nothing.
            let before = emulator.log.filter { $0.contains("START RequestId") }.count
            let dry = try await invoke("echo", "{}", [("X-Amz-Invocation-Type", "DryRun")])
            #expect(dry.status == 204 && emulator.log.filter { $0.contains("START RequestId") }.count == before)
            await emulator.stop()
        }

        @Test func anEventIsAcceptedAtOnceAndRunsAfterwards() async throws {
            let directory = PrivateDirectory("event")
            let marker = directory.file("ran"), release = directory.file("release")
            let emulator = await LocalEmulator.start([
                FunctionSpec(name: "context", handler: "context", memoryMB: 512, timeoutSeconds: 90, executable: TestPaths.fixtureBootstrap)
            ])
            // The handler waits until `release` exists, which is made only once the caller has its answer: a caller
            // kept waiting for the run would never see the marker.
            let answer = try await Self.post(
                emulator.invokeURL("context"), Data(#"{"wait_for": "\#(release)", "marker": "\#(marker)"}"#.utf8),
                headers: [("X-Amz-Invocation-Type", "Event")])
            #expect(answer.status == 202 && answer.body.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: marker), "accepted before it ran")
            FileManager.default.createFile(atPath: release, contents: Data())
            let deadline = ContinuousClock.now + .seconds(60)
            while !FileManager.default.fileExists(atPath: marker), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(FileManager.default.fileExists(atPath: marker), "the event ran once released")
            await emulator.stop()
        }
    }
}
