import FoundationEssentials
import Glibc
import Logging
import Synchronization

/// What a handler knows about the invocation it serves.
public struct LambdaContext: Sendable {
    public var requestID: String
    /// The deadline, milliseconds since the Unix epoch.
    public var deadlineMs: Int64
    public var invokedFunctionARN: String
    public var traceID: String?
    public var clientContext: String?
    public var cognitoIdentity: String?
    /// The function's name and memory, from the environment.
    public var functionName: String
    public var memoryMB: Int
    /// The runtime's logger with this invocation's `aws-request-id`; handlers add `workflow`, `step`, `execution`.
    public var logger: Logger
    /// Work the runtime runs once the response is posted, before it asks for the next event (``afterResponse(_:)``).
    let afterward = AfterResponse()

    public init(invocation: Invocation, environment: LambdaEnvironment, logger: Logger = Logger(label: "stepconf")) {
        requestID = invocation.requestID
        deadlineMs = invocation.deadlineMs
        invokedFunctionARN = invocation.invokedFunctionARN
        traceID = invocation.traceID
        clientContext = invocation.clientContext
        cognitoIdentity = invocation.cognitoIdentity
        functionName = environment.functionName
        memoryMB = environment.memoryMB
        self.logger = logger
        self.logger[metadataKey: "aws-request-id"] = .string(invocation.requestID)
    }

    /// Time left until the deadline, seconds (negative once past it).
    public var remainingSeconds: Double {
        Double(deadlineMs) / 1000 - Date().timeIntervalSince1970
    }

    /// Runs `work` after the response is posted and before the next event is asked for: off the caller's wait (the
    /// caller has its answer), still within the invocation's instance (Lambda lets a runtime work after its response
    /// until it calls `/next`, and bills that time). Work registered by a handler that throws is dropped.
    public func afterResponse(_ work: @escaping @Sendable () -> Void) { afterward.add(work) }
}

/// The work an invocation leaves for after its response (``LambdaContext/afterResponse(_:)``).
final class AfterResponse: Sendable {
    private let work = Mutex<[@Sendable () -> Void]>([])

    func add(_ item: @escaping @Sendable () -> Void) { work.withLock { $0.append(item) } }

    /// Takes what was registered, in order.
    func take() -> [@Sendable () -> Void] { work.withLock { items in defer { items = [] }; return items } }
}

/// The runtime's environment, read once at start-up.
public struct LambdaEnvironment: Sendable {
    /// `AWS_LAMBDA_RUNTIME_API`, `host:port`.
    public var runtimeAPI: String?
    /// `_HANDLER`.
    public var handler: String
    public var functionName: String
    public var memoryMB: Int
    /// `LAMBDA_TASK_ROOT`: where the bundle is unpacked.
    public var taskRoot: String
    /// Every variable, for handlers that read their own.
    public var variables: [String: String]
    /// `AWS_LAMBDA_LOG_LEVEL` (Lambda sets it with the JSON log format), `.info` when unset.
    public var logLevel: Logger.Level
    /// The `AWS_LAMBDA_LOG_LEVEL` value when it names no level (it is then ignored, and the runtime says so).
    public var unknownLogLevel: String?

    public init(_ variables: [String: String] = ProcessInfo.processInfo.environment) {
        self.variables = variables
        runtimeAPI = variables[LambdaWire.Variable.runtimeAPI.rawValue]
        handler = variables[LambdaWire.Variable.handler.rawValue] ?? ""
        functionName = variables[LambdaWire.Variable.functionName.rawValue] ?? "local"
        memoryMB = Int(variables[LambdaWire.Variable.memorySize.rawValue] ?? "") ?? 128
        taskRoot = variables[LambdaWire.Variable.taskRoot.rawValue] ?? FileManager.default.currentDirectoryPath
        let level = variables[LambdaWire.Variable.logLevel.rawValue].flatMap { $0.isEmpty ? nil : $0 }
        logLevel = level.flatMap(LambdaLogHandler.level(lambdaName:)) ?? .info
        unknownLogLevel = level.flatMap { LambdaLogHandler.level(lambdaName: $0) == nil ? String($0.prefix(64)) : nil }
    }
}
