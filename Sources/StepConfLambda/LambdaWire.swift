/// Lambda's wire, once: the Runtime API's paths and headers and the reserved environment variables, as the runtime
/// client reads them and the emulator writes them (the emulator imports this module for them). The error document
/// is ``ErrorReport``.
package enum LambdaWire {
    /// The Runtime API's version path, under which every route lives.
    package static let runtimeRoot = "/2018-06-01/runtime"

    /// The Runtime API's routes, relative to ``runtimeRoot``.
    package enum Route {
        /// `GET`: blocks until the next event.
        package static let next = "/invocation/next"
        /// `POST`: the handler's answer to `requestID`.
        package static func response(_ requestID: String) -> String { "/invocation/\(requestID)/response" }
        /// `POST`: the handler's error (``ErrorReport``) for `requestID`.
        package static func error(_ requestID: String) -> String { "/invocation/\(requestID)/error" }
        /// `POST`: the runtime could not start (``ErrorReport``).
        package static let initError = "/init/error"
        /// The same routes with the request id as the router's parameter `:name`, for a server.
        package static func responsePattern(parameter: String) -> String { response(":\(parameter)") }
        package static func errorPattern(parameter: String) -> String { error(":\(parameter)") }
    }

    /// The Runtime API's headers.
    package enum Header {
        package static let requestID = "Lambda-Runtime-Aws-Request-Id"
        /// Milliseconds since the Unix epoch.
        package static let deadlineMs = "Lambda-Runtime-Deadline-Ms"
        package static let invokedFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
        package static let traceID = "Lambda-Runtime-Trace-Id"
        package static let clientContext = "Lambda-Runtime-Client-Context"
        package static let cognitoIdentity = "Lambda-Runtime-Cognito-Identity"
        /// On an error post: the error's type.
        package static let functionErrorType = "Lambda-Runtime-Function-Error-Type"
    }

    /// The Invoke API's answer header that marks a function error (`Unhandled`), as Lambda sends it.
    package static let functionErrorHeader = "X-Amz-Function-Error"

    /// The environment variables Lambda sets for a runtime (reserved: a function cannot set them).
    package enum Variable: String, Sendable, CaseIterable {
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
        package static let lambdaPrefix = "AWS_LAMBDA_"
    }
}
