import FoundationEssentials
import Glibc
import StepConfCore

/// An ``ObjectStore`` in a local directory (the embedded default): key `a/b.y4m` is the file
/// `root/a/b.y4m`. Writes go to a hidden temporary file beside the target and are renamed into place, so
/// a reader sees the old object or the new one, never a part. Safe from many threads and processes.
public struct LocalDirectoryStore: ObjectStore {
    public let root: URL

    /// - Throws: ``ObjectStoreError`` (`io`) when `root` cannot be created.
    public init(root: String) throws {
        self.root = URL(fileURLWithPath: root, isDirectory: true).standardizedFileURL
        do {
            try FileManager.default.createDirectory(at: self.root, withIntermediateDirectories: true)
        } catch {
            throw ObjectStoreError(.io, "cannot create the object store directory \(root): \(ErrorText.describe(error))")
        }
    }

    private func path(_ key: String) throws -> URL {
        try ObjectStoreKey.validate(key)
        return root.appendingPathComponent(key)
    }

    public func get(_ key: String) throws -> Data {
        let url = try path(key)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ObjectStoreError(.notFound, "no object \(key) in \(root.path)")
        }
        return data
    }

    public func get(_ key: String, range: ClosedRange<Int>) throws -> Data {
        let url = try path(key)
        guard let handle = FileReader(path: url.path) else {
            throw ObjectStoreError(.notFound, "no object \(key) in \(root.path)")
        }
        do {
            try handle.seek(to: max(0, range.lowerBound))
            return try handle.read(upTo: range.count)
        } catch {
            throw ObjectStoreError(.io, "cannot read \(key): \(ErrorText.describe(error))")
        }
    }

    public func put(_ key: String, data: Data) throws {
        let url = try path(key)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).part")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try data.write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                throw ObjectStoreError(.io, "cannot move \(key) into place: \(String(cString: strerror(errno)))")
            }
        } catch let error as ObjectStoreError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ObjectStoreError(.io, "cannot write \(key): \(ErrorText.describe(error))")
        }
    }

    public func list(prefix: String) throws -> [ObjectEntry] {
        try ObjectStoreKey.validatePrefix(prefix)
        // Walk only the directory the prefix is inside.
        let directoryPart = prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) : ""
        let start = directoryPart.isEmpty ? root : root.appendingPathComponent(directoryPart)
        // Below a directory that does not exist there is nothing.
        guard let below = try? FileManager.default.subpathsOfDirectory(atPath: start.path) else { return [] }
        var entries: [ObjectEntry] = []
        for relative in below {
            let key = directoryPart.isEmpty ? relative : directoryPart + "/" + relative
            let name = relative.split(separator: "/").last.map(String.init) ?? relative
            // Temporary files of writes in progress are hidden and end in .part.
            if name.hasPrefix(".") && name.hasSuffix(".part") { continue }
            guard key.hasPrefix(prefix), let size = FileReader.regularFileSize(start.path + "/" + relative) else { continue }
            entries.append(ObjectEntry(key: key, size: size))
        }
        return entries.sorted { $0.key < $1.key }
    }

    public func delete(_ key: String) throws {
        let url = try path(key)
        guard unlink(url.path) == 0 || errno == ENOENT else {
            throw ObjectStoreError(.io, "cannot delete \(key): \(String(cString: strerror(errno)))")
        }
    }

    public func size(_ key: String) throws -> Int? {
        let url = try path(key)
        return FileReader.regularFileSize(url.path)
    }
}
