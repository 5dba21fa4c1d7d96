import FoundationEssentials
import Glibc
import StepConfCore

/// A step's code in the three places the wrapper runs it (paper §V-C): splitting the instance's inputs
/// into jobs, the kernel a worker process runs per job, and collecting the results into output objects.
public protocol StepFunction: Sendable {
    /// The `_HANDLER` and job kind, e.g. `synthetic`, `wordcount.map`.
    var kind: String { get }
    /// Memory one worker process needs for `event`, MB (the memory guard's figure).
    func workerMemoryMB(_ event: StepEvent) -> Int
    /// The jobs of this instance, from its downloaded inputs (by key).
    func jobs(for event: StepEvent, inputs: [String: Data]) throws -> [WorkerFrame]
    /// One job's work, in a worker process.
    func kernel(_ job: WorkerFrame) throws -> Data
    /// The objects to store (names relative to the instance's output folder), from the results in job order
    /// (and the inputs, for steps that rebuild them).
    func outputs(for event: StepEvent, inputs: [String: Data], results: [Data]) throws -> [(name: String, data: Data)]
}

extension StepFunction {
    public func workerMemoryMB(_ event: StepEvent) -> Int { Int(event.param("worker_memory_mb", 64)) }
}

/// A step function's input or parameters were not what it needs.
public struct StepInputError: CodedError {
    public enum Code: Sendable, Hashable {
        /// A parameter or event field is out of range.
        case invalidParameter
        /// A parameter the job needs is absent.
        case missingParameter
        /// An input object is not in the format the step reads (JSON, y4m, …).
        case malformedInput
        /// No step function has the job's kind.
        case unknownKind
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
