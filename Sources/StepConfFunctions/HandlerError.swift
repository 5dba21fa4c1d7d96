import StepConfCore

/// Why a handler could not be made or could not serve an event: what `bootstrap` reports on the Runtime
/// API (`/init/error` or the invocation's `/error`, with this type's name as the error type).
public struct HandlerError: CodedError, Equatable {
    public enum Code: Sendable, Hashable {
        /// `_HANDLER` names no handler this bootstrap has.
        case unknownHandler
        /// The configured policy cannot run in a configurator.
        case unsupportedPolicy
        /// A setting the handler needs (the store, the cache table, AWS's region or credentials) is unusable.
        case configuration
    }

    public let code: Code
    /// A sentence a user can act on.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
