/// What every StepConf error is: a code callers branch on, and a sentence a user can act on.
///
/// Each module has its own conforming struct (``InputError``, ``WorkflowError``, `AWSError`, `LocalError`, …) so
/// codes can grow without breaking callers; the message names the file, the field, the step or the process.
public protocol CodedError: Error, Sendable, CustomStringConvertible {
    /// The module's codes.
    associatedtype Code: Sendable, Hashable
    /// The kind of problem.
    var code: Code { get }
    /// A sentence a user can act on.
    var message: String { get }
}

extension CodedError {
    public var description: String { message }
}
