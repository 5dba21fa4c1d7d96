/// Why a handler could not be made or could not serve an event: what `bootstrap` reports on the Runtime
/// API (`/init/error` or the invocation's `/error`, with this type's name as the error type).
public struct HandlerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// `_HANDLER` names no handler this bootstrap has.
        case unknownHandler
        /// The configured policy cannot run in a configurator.
        case unsupportedPolicy
    }

    public let code: Code
    /// A sentence a user can act on.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
