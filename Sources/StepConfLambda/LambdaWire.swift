/// Lambda's wire, once: the Runtime API's paths and headers and the reserved environment variables, as the runtime
/// client reads them and the emulator writes them (the emulator imports this module for them). The error document
/// is ``ErrorReport``.
public enum LambdaWire {
    /// The Runtime API's version path, under which every route lives.
    public static let runtimeRoot = "/2018-06-01/runtime"

    /// The Runtime API's routes, relative to ``runtimeRoot``.
    public enum Route {
        /// `GET`: blocks until the next event.
        public static let next = "/invocation/next"
        /// `POST`: the handler's answer to `requestID`.
        public static func response(_ requestID: String) -> String { "/invocation/\(requestID)/response" }
        /// `POST`: the handler's error (``ErrorReport``) for `requestID`.
        public static func error(_ requestID: String) -> String { "/invocation/\(requestID)/error" }
        /// `POST`: the runtime could not start (``ErrorReport``).
        public static let initError = "/init/error"
        /// The same routes with the request id as the router's parameter `:name`, for a server.
        public static func responsePattern(parameter: String) -> String { response(":\(parameter)") }
        public static func errorPattern(parameter: String) -> String { error(":\(parameter)") }
    }

    /// The Runtime API's headers.
    public enum Header {
        public static let requestID = "Lambda-Runtime-Aws-Request-Id"
        /// Milliseconds since the Unix epoch.
        public static let deadlineMs = "Lambda-Runtime-Deadline-Ms"
        public static let invokedFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
        public static let traceID = "Lambda-Runtime-Trace-Id"
        public static let clientContext = "Lambda-Runtime-Client-Context"
        public static let cognitoIdentity = "Lambda-Runtime-Cognito-Identity"
        /// On an error post: the error's type.
        public static let functionErrorType = "Lambda-Runtime-Function-Error-Type"
    }

    /// The Invoke API's answer header that marks a function error (`Unhandled`), as Lambda sends it.
    public static let functionErrorHeader = "X-Amz-Function-Error"

    /// The environment variables Lambda sets for a runtime (reserved: a function cannot set them).
    public enum Variable: String, Sendable, CaseIterable {
        /// `host:port` of the Runtime API.
        case runtimeAPI = "AWS_LAMBDA_RUNTIME_API"
        /// The function's handler setting.
        case handler = "_HANDLER"
        case functionName = "AWS_LAMBDA_FUNCTION_NAME"
        /// Megabytes.
        case memorySize = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"
        case functionVersion = "AWS_LAMBDA_FUNCTION_VERSION"
        case region = "AWS_REGION"
        /// Where the bundle is unpacked.
        case taskRoot = "LAMBDA_TASK_ROOT"
        /// Set with the JSON log format: TRACE … FATAL.
        case logLevel = "AWS_LAMBDA_LOG_LEVEL"
        /// The invocation's trace id, exported per invocation from ``Header/traceID``.
        case traceID = "_X_AMZN_TRACE_ID"

        /// The prefix every Lambda-owned variable but a few carries; an emulator drops the caller's own.
        public static let lambdaPrefix = "AWS_LAMBDA_"
    }
}
