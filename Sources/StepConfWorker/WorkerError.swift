import StepConfCore

/// Why a step instance's worker processes could not run its jobs.
public struct WorkerError: CodedError {
    public enum Code: Sendable, Hashable {
        /// A pipe or a worker process could not be started.
        case spawn
        /// `q` workers do not fit in the function's memory (``MemoryGuard``).
        case memory
        /// A job's kernel threw; the message carries the kernel's error.
        case jobFailed
        /// A worker process died on the same job twice, or died with no replacement possible.
        case workerDied
        /// A pipe closed or broke before a whole frame (the process on the other end is gone).
        case pipeClosed
        /// The jobs would outrun the invocation's time limit: the workers were stopped before Lambda stops the runtime.
        case timeLimit
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
