/// A workflow definition that cannot be used, with a message that says what and where.
public struct WorkflowError: CodedError, Equatable {
    /// What kind of problem the definition has.
    public enum Code: Sendable, Hashable {
        case malformed, empty, duplicateStep, unknownDependency, cycle
        case severalStarts, severalEnds, invalidJobs, invalidField
    }

    /// The kind of problem.
    public let code: Code
    /// A sentence a user can act on.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
