import Foundation
import StepConfLambda
import StepConfTestSupport

/// `echo`: answers with the event, unchanged (for tests and benchmarks).
public struct EchoHandler: ByteHandler {
    public init() {}
    public func handle(_ event: Data, context: LambdaContext) throws -> Data { event }
}

/// `sleep`: `{"seconds": x}` waits x seconds, then answers `{"slept": x}` (for timeout tests).
public struct SleepHandler: CodableHandler {
    public struct Event: Decodable { var seconds: Double }
    public struct Output: Encodable { var slept: Double }
    public init() {}
    public func handle(_ event: Event, context: LambdaContext) throws -> Output {
        Thread.sleep(forTimeInterval: max(0, event.seconds))
        return Output(slept: event.seconds)
    }
}

/// `crash`: `{"code": n}` ends the process with exit status n mid-invocation (to test how a dead
/// instance is reported).
public struct CrashHandler: ByteHandler {
    public init() {}
    public func handle(_ event: Data, context: LambdaContext) throws -> Data {
        let code = (try? JSONDecoder().decode([String: Int32].self, from: event))?["code"] ?? 3
        exit(code)
    }
}

/// `context`: prints a line to standard output, waits `{"seconds": x}` (default 0) and until the file
/// `{"wait_for": path}` exists (at most 60 s, then fails without a marker), creates the file `{"marker": path}` if given, and answers what the
/// runtime handed it: request id, trace id, client context.
public struct ContextHandler: ByteHandler {
    public init() {}
    public func handle(_ event: Data, context: LambdaContext) throws -> Data {
        let fields = (try? JSONSerialization.jsonObject(with: event)) as? [String: Any] ?? [:]
        FileHandle.standardOutput.write(Data("context handler says hello to \(context.requestID)\n".utf8))
        if let seconds = fields["seconds"] as? Double { Thread.sleep(forTimeInterval: max(0, seconds)) }
        if let release = fields["wait_for"] as? String {
            let deadline = Date().addingTimeInterval(60)
            while !FileManager.default.fileExists(atPath: release), Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            // Never released: no marker, so a late caller cannot mistake a give-up for a run.
            guard FileManager.default.fileExists(atPath: release) else { return Data(#"{"released":false}"#.utf8) }
        }
        if let marker = fields["marker"] as? String { _ = FileManager.default.createFile(atPath: marker, contents: Data()) }
        let answer: [String: Any] = [
            "request_id": context.requestID, "trace_id": context.traceID ?? NSNull(),
            "client_context": context.clientContext ?? NSNull(),
        ]
        return try JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys])
    }
}

/// `environment`: answers what the runtime read of Lambda's reserved variables (``LambdaEnvironment``) and the
/// invocation's headers (``LambdaContext``), with the trace id it exported, so a test can check that the emulator
/// writes what the runtime reads.
public struct EnvironmentHandler: CodableHandler {
    public struct Event: Decodable {}
    public typealias Output = SeenEnvironment
    public init() {}
    public func handle(_ event: Event, context: LambdaContext) throws -> Output {
        let environment = LambdaEnvironment()
        let variables = ProcessInfo.processInfo.environment
        return Output(
            handler: environment.handler, functionName: environment.functionName, memoryMB: environment.memoryMB,
            taskRoot: environment.taskRoot, runtimeAPI: environment.runtimeAPI, requestID: context.requestID,
            invokedFunctionARN: context.invokedFunctionARN, deadlineMs: context.deadlineMs, traceID: context.traceID,
            exportedTraceID: variables[LambdaWire.Variable.traceID.rawValue],
            region: variables[LambdaWire.Variable.region.rawValue], version: variables[LambdaWire.Variable.functionVersion.rawValue])
    }
}
