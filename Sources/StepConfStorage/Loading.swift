import Foundation
import StepConfCore

// Core decodes from bytes; reading the files is here, with the rest of the file I/O.

/// The bytes of `path`.
/// - Throws: `error(path)` when the file cannot be read.
func contents(of path: String, _ error: (String) -> any Error) throws -> Data {
    guard let data = FileManager.default.contents(atPath: path) else { throw error("\(path): cannot read the file") }
    return data
}

extension Workflow {
    /// Reads, decodes and validates a workflow file.
    /// - Throws: ``WorkflowError`` naming the file.
    public static func load(from path: String) throws -> Workflow {
        try decode(try contents(of: path) { WorkflowError(.malformed, $0) }, source: path)
    }
}

extension PerformanceModel {
    /// Reads a model file and validates it against `workflow`.
    /// - Throws: ``InputError``.
    public static func load(from path: String, for workflow: Workflow) throws -> PerformanceModel {
        try decode(try contents(of: path) { InputError(.unreadable, $0) }, source: path, for: workflow)
    }
}

extension Platform {
    /// Reads and validates a platform file (JSON; missing fields take the AWS defaults).
    /// - Throws: ``InputError``.
    public static func load(from path: String) throws -> Platform {
        try decode(try contents(of: path) { InputError(.unreadable, $0) }, source: path)
    }
}

extension ProfileCSV {
    /// Reads a profile CSV file.
    /// - Throws: ``InputError``.
    public static func load(from path: String) throws -> [ProfileSample] {
        try decode(try contents(of: path) { InputError(.unreadable, $0) }, source: path)
    }
}
