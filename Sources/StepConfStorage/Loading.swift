import FoundationEssentials
import Glibc
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
    /// The longest line a profile may have, bytes (a row is about 80).
    public static let maxLineBytes = 64 * 1024
    /// The largest profile file, bytes (about two million rows).
    public static let maxFileBytes = 256 * 1024 * 1024

    /// Reads a profile CSV file. Before anything is decoded the file is scanned in bounded chunks, so an
    /// over-long line (or file) is refused fast and without holding it in memory.
    /// - Throws: ``InputError`` naming the file (and the line).
    public static func load(from path: String) throws -> [ProfileSample] {
        guard let handle = FileReader(path: path) else {
            throw InputError(.unreadable, "\(path): cannot read the file (\(String(cString: strerror(errno))))")
        }
        var line = 1
        var lineBytes = 0
        var total = 0
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upTo: 1 << 20)
            } catch {
                throw InputError(.unreadable, "\(path): cannot read the file (\(ErrorText.describe(error)))")
            }
            if chunk.isEmpty { break }
            total += chunk.count
            guard total <= maxFileBytes else {
                throw InputError(.malformed, "\(path): larger than \(maxFileBytes / (1024 * 1024)) MiB; a profile is a few rows per configuration")
            }
            for byte in chunk {
                if byte == 0x0A {
                    line += 1
                    lineBytes = 0
                } else {
                    lineBytes += 1
                    if lineBytes > maxLineBytes {
                        throw InputError(.malformed, "\(path): line \(line) is longer than \(maxLineBytes) bytes; a profile row is about 80")
                    }
                }
            }
        }
        return try decode(try contents(of: path) { InputError(.unreadable, $0) }, source: path)
    }
}

extension InputSizes {
    /// ``InputSizes/parse(_:read:)`` with a `file:` read from disk, at most ``InputSizes/maxFileBytes`` (a device or a
    /// huge file is refused after that many bytes, never read whole).
    /// - Throws: ``InputError``.
    public static func load(_ text: String) throws -> InputSizes {
        try parse(text) { path in
            guard let handle = FileReader(path: path) else {
                throw InputError(.unreadable, "\(path): cannot read the file (\(String(cString: strerror(errno))))")
            }
            let data: Data
            do {
                data = try handle.read(upTo: maxFileBytes + 1)
            } catch {
                throw InputError(.unreadable, "\(path): cannot read the file (\(ErrorText.describe(error)))")
            }
            guard data.count <= maxFileBytes else {
                throw InputError(.malformed, "\(path): larger than \(maxFileBytes / (1024 * 1024)) MiB; a sizes file is one number per line")
            }
            return data
        }
    }
}
