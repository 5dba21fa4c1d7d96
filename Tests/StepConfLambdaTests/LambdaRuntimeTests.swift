import Foundation
import Logging
import StepConfLambda
import Testing

/// A logger that drops every record (the runtime's error records are not what these tests check).
let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// A scripted Runtime API: hands out the queued events, records what the runtime posts, then fails
/// `/next` as the Runtime API does when the sandbox shuts down.
final class FakeRuntimeClient: RuntimeClient {
    var events: [Invocation]
    var responses: [(String, Data)] = []
    var errors: [(String, ErrorReport)] = []
    var initErrors: [ErrorReport] = []
    var rejectResponsesOver: Int?

    init(_ events: [Invocation]) { self.events = events }

    func next() throws -> Invocation {
        guard !events.isEmpty else { throw RuntimeAPIError(.status, "shutting down", status: 500) }
        return events.removeFirst()
    }

    func respond(requestID: String, body: Data) throws {
        if let limit = rejectResponsesOver, body.count > limit {
            throw RuntimeAPIError(.status, "too large", status: 413)
        }
        responses.append((requestID, body))
    }

    func reportError(requestID: String, _ report: ErrorReport) throws { errors.append((requestID, report)) }
    func reportInitError(_ report: ErrorReport) throws { initErrors.append(report) }
}

struct Echo: ByteHandler {
    func handle(_ event: Data, context: LambdaContext) throws -> Data {
        Data((String(decoding: event, as: UTF8.self) + "|" + context.requestID + "|"
            + (ProcessInfo.processInfo.environment["_X_AMZN_TRACE_ID"] ?? "")).utf8)
    }
}

struct Failing: ByteHandler {
    struct Broken: Error, CustomStringConvertible { var description: String { "it broke" } }
    func handle(_ event: Data, context: LambdaContext) throws -> Data {
        if event == Data("fail".utf8) { throw Broken() }
        return event
    }
}

struct Add: CodableHandler {
    struct In: Decodable { var a: Int; var b: Int }
    struct Out: Encodable { var sum: Int }
    func handle(_ event: In, context: LambdaContext) throws -> Out { Out(sum: event.a + event.b) }
}

@Suite(.serialized) struct LambdaRuntimeTests {
    func event(_ id: String, _ payload: String, trace: String? = nil) -> Invocation {
        Invocation(requestID: id, deadlineMs: Int64(Date().timeIntervalSince1970 * 1000) + 3000,
                   invokedFunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:f", traceID: trace,
                   payload: Data(payload.utf8))
    }

    @Test func handlesEventsInOrderAndExitsWhenTheRuntimeAPIFails() {
        let client = FakeRuntimeClient([event("1", "a", trace: "Root=1-abc"), event("2", "b")])
        let code = LambdaRuntime.run(client: client, logger: quiet, makeHandler: { Echo() })
        #expect(code == 1)
        #expect(client.responses.map(\.0) == ["1", "2"])
        #expect(String(decoding: client.responses[0].1, as: UTF8.self) == "a|1|Root=1-abc")
        #expect(String(decoding: client.responses[1].1, as: UTF8.self) == "b|2|")
    }

    @Test func workLeftForAfterTheResponseRunsOnceItIsPostedAndBeforeTheNextEvent() {
        /// Leaves, for after its response, a note of how many responses had been posted by then.
        final class Later: ByteHandler, @unchecked Sendable {
            let client: FakeRuntimeClient
            var seen: [Int] = []
            init(_ client: FakeRuntimeClient) { self.client = client }
            func handle(_ event: Data, context: LambdaContext) throws -> Data {
                if event == Data("fail".utf8) {
                    context.afterResponse { [self] in seen.append(-1) }
                    throw Failing.Broken()
                }
                let queued = client.events.count
                context.afterResponse { [self] in
                    // The response is out and the next event not yet asked for.
                    seen.append(client.responses.count)
                    #expect(client.events.count == queued)
                }
                return event
            }
        }
        let client = FakeRuntimeClient([event("1", "a"), event("2", "fail"), event("3", "b")])
        let handler = Later(client)
        _ = LambdaRuntime.run(client: client, logger: quiet, makeHandler: { handler })
        // A handler that throws leaves nothing behind it.
        #expect(handler.seen == [1, 2])
    }

    @Test func aThrowingHandlerIsReportedAndTheLoopGoesOn() {
        let client = FakeRuntimeClient([event("1", "fail"), event("2", "ok")])
        _ = LambdaRuntime.run(client: client, logger: quiet, makeHandler: { Failing() })
        #expect(client.errors.count == 1)
        #expect(client.errors[0].0 == "1")
        #expect(client.errors[0].1.errorType == "Broken")
        #expect(client.errors[0].1.errorMessage == "it broke")
        #expect(client.responses.map(\.0) == ["2"])
    }

    @Test func aHandlerThatCannotStartIsAnInitError() {
        struct NoConfig: Error {}
        let client = FakeRuntimeClient([event("1", "x")])
        let code = LambdaRuntime.run(client: client, logger: quiet, makeHandler: { throw NoConfig() })
        #expect(code == 1)
        #expect(client.initErrors.map(\.errorType) == ["NoConfig"])
        #expect(client.responses.isEmpty)
    }

    @Test func anOversizeResponseIsReportedAsAnError() {
        let client = FakeRuntimeClient([event("1", String(repeating: "x", count: 100))])
        client.rejectResponsesOver = 10
        _ = LambdaRuntime.run(client: client, logger: quiet, makeHandler: { Echo() })
        #expect(client.errors.first?.1.errorType == "Runtime.ResponseSizeTooLarge")
    }

    @Test func codableHandlersDecodeAndEncodeJSON() {
        let client = FakeRuntimeClient([event("1", #"{"a":2,"b":3}"#), event("2", "not json")])
        _ = LambdaRuntime.run(client: client, logger: quiet, makeHandler: { CodableHandlerAdapter(Add()) })
        #expect(String(decoding: client.responses[0].1, as: UTF8.self) == #"{"sum":5}"#)
        #expect(client.errors.first?.1.errorType == "EventDecodingError")
    }

    @Test func contextReportsTheTimeLeft() {
        let context = LambdaContext(invocation: event("1", ""), environment: LambdaEnvironment(["AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024"]))
        #expect(context.remainingSeconds > 2 && context.remainingSeconds <= 3)
        #expect(context.memoryMB == 1024)
    }
}
