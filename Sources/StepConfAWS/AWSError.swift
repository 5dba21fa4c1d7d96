import StepConfCore

/// A failure talking to AWS (or to a store standing in for it), with a code callers can branch on and a
/// message a user can act on. Messages never contain secrets.
public struct AWSError: CodedError {
    public enum Code: Sendable, Hashable {
        /// No credentials could be found, or a provider failed.
        case credentials
        /// Region, endpoint or a setting is missing or malformed.
        case configuration
        /// The service answered with an error status (see ``status`` and ``awsCode``).
        case service
        /// No answer: connection refused, timeout, transport failure (after the retries).
        case transport
        /// Data did not match its checksum.
        case integrity
        /// The service answered something we could not parse.
        case invalidResponse
        /// An object key or name was refused before any request.
        case invalidArgument
        /// The object or item does not exist.
        case notFound
    }

    public let code: Code
    public let message: String
    /// The HTTP status, for ``Code/service`` and ``Code/notFound``.
    public let status: Int?
    /// AWS's error code (`NoSuchKey`, `ConditionalCheckFailedException`, …) when the service sent one.
    public let awsCode: String?

    public init(_ code: Code, _ message: String, status: Int? = nil, awsCode: String? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.awsCode = awsCode
    }
}
