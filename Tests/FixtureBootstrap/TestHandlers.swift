import Foundation
import StepConfLambda

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
