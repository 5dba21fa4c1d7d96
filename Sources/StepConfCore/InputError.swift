/// A model file, platform file or argument that cannot be used, with a message that names the file
/// and the field.
public struct InputError: CodedError, Equatable {
    /// What kind of problem the input has.
    public enum Code: Sendable, Hashable {
        case unreadable, malformed, missingStep, invalidParameter, invalidGrid, invalidSLO, unknownPolicy
        case unknownStep
        /// An output path that cannot be written.
        case unwritable
    }

    /// The kind of problem.
    public let code: Code
    /// A sentence a user can act on.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
