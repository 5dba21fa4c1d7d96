import FoundationEssentials
import Glibc
import StepConfCore

/// One event handed out by the Runtime API's `/next`, with its headers.
public struct Invocation: Sendable {
    /// ``LambdaWire/Header/requestID``.
    public var requestID: String
    /// ``LambdaWire/Header/deadlineMs``: milliseconds since the Unix epoch.
    public var deadlineMs: Int64
    /// ``LambdaWire/Header/invokedFunctionARN``.
    public var invokedFunctionARN: String
    /// ``LambdaWire/Header/traceID``.
    public var traceID: String?
    /// ``LambdaWire/Header/clientContext`` (JSON, mobile SDK callers only).
    public var clientContext: String?
    /// ``LambdaWire/Header/cognitoIdentity``.
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

/// Lambda's error document: what a runtime posts when a handler fails, and what the Invoke API answers for a
/// function error (the emulator writes its own errors, `Sandbox.Timedout` and the like, as one). A stack trace is
/// written only when there is one, as Lambda's own errors carry none.
public struct ErrorReport: Sendable, Codable, Equatable {
    public var errorMessage: String
    public var errorType: String
    public var stackTrace: [String]

    public init(errorMessage: String, errorType: String, stackTrace: [String] = []) {
        self.errorMessage = errorMessage
        self.errorType = errorType
        self.stackTrace = stackTrace
    }

    enum CodingKeys: String, CodingKey { case errorMessage, errorType, stackTrace }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        errorMessage = try c.decode(String.self, forKey: .errorMessage)
        errorType = try c.decodeIfPresent(String.self, forKey: .errorType) ?? ""
        stackTrace = try c.decodeIfPresent([String].self, forKey: .stackTrace) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(errorMessage, forKey: .errorMessage)
        try c.encode(errorType, forKey: .errorType)
        if !stackTrace.isEmpty { try c.encode(stackTrace, forKey: .stackTrace) }
    }

    /// The document as JSON (never fails: two strings and a list of strings).
    public var json: Data { (try? JSONEncoder().encode(self)) ?? Data() }

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
