import StepConfCore

/// Why local mode (the emulator, the moto-backed stack, a local run or profile) could not do its job. Input
/// files and options that are wrong stay ``InputError``; this is what went wrong with processes, ports,
/// files and the functions themselves.
public struct LocalError: CodedError {
    public enum Code: Sendable, Hashable {
        /// A functions file the emulator cannot start with.
        case functionsFile
        /// A server or helper process could not be started, or exited before answering.
        case spawn
        /// A server did not answer in time.
        case noAnswer
        /// No free port could be found.
        case socket
        /// moto or the stack helper refused the stack (the failed resources are in the message).
        case stack
        /// A local stack already runs from the directory.
        case alreadyRunning
        /// A directory, log or state file could not be written.
        case io
        /// A function invoked on the emulator failed, or answered something unreadable.
        case stepFailed
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
