import Foundation
import StepConfCore

/// Writes a file so that it is either complete or absent: to a temporary name beside it, then renamed.
public enum AtomicFile {
    /// Writes `data` to `path` atomically.
    /// - Throws: ``InputError`` when the directory is not writable.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try data.write(to: temporary)
            // rename(2) replaces the target in one step: a reader sees the old file or the new one.
            guard rename(temporary.path, url.path) == 0 else {
                throw InputError(.unwritable, "\(path): cannot rename the temporary file into place")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw InputError(.unwritable, "\(path): cannot write the file (\(error.localizedDescription))")
        }
    }
}
