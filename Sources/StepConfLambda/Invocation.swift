import Foundation
import StepConfCore

/// One event handed out by the Runtime API's `/next`, with its headers.
public struct Invocation: Sendable {
    /// `Lambda-Runtime-Aws-Request-Id`.
    public var requestID: String
    /// `Lambda-Runtime-Deadline-Ms`: milliseconds since the Unix epoch.
    public var deadlineMs: Int64
    /// `Lambda-Runtime-Invoked-Function-Arn`.
    public var invokedFunctionARN: String
    /// `Lambda-Runtime-Trace-Id`.
    public var traceID: String?
    /// `Lambda-Runtime-Client-Context` (JSON, mobile SDK callers only).
    public var clientContext: String?
    /// `Lambda-Runtime-Cognito-Identity`.
    public var cognitoIdentity: String?
    /// The event, as sent.
    public var payload: Data

    public init(
        requestID: String, deadlineMs: Int64, invokedFunctionARN: String, traceID: String? = nil,
        clientContext: String? = nil, cognitoIdentity: String? = nil, payload: Data
    ) {
        self.requestID = requestID
        self.deadlineMs = deadlineMs
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.payload = payload
    }
}

/// What the function reports when a handler fails (the Runtime API's error document).
public struct ErrorReport: Sendable, Codable, Equatable {
    public var errorMessage: String
    public var errorType: String
    public var stackTrace: [String]

    public init(errorMessage: String, errorType: String, stackTrace: [String] = []) {
        self.errorMessage = errorMessage
        self.errorType = errorType
        self.stackTrace = stackTrace
    }

    /// A report for any Swift error: its type name and description.
    public init(_ error: any Error) {
        self.init(errorMessage: String(describing: error), errorType: String(describing: type(of: error)))
    }
}

/// The Runtime API answered something the runtime cannot go on from, or could not be reached.
public struct RuntimeAPIError: CodedError {
    public enum Code: Sendable, Hashable {
        /// `AWS_LAMBDA_RUNTIME_API` or the transport setting is not usable.
        case configuration
        /// No answer: the endpoint refused, reset or closed the connection.
        case unreachable
        /// An answer with a status the runtime cannot go on from (see ``status``).
        case status
        /// An answer that is not well-formed HTTP, or lacks a header the Runtime API always sends.
        case malformedResponse
    }

    public let code: Code
    public let message: String
    /// The HTTP status, or nil when no response arrived.
    public let status: Int?

    public init(_ code: Code, _ message: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }
}
