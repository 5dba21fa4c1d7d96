import Foundation
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
            throw ObjectStoreError(.io, "cannot create the object store directory \(root): \(error.localizedDescription)")
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
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ObjectStoreError(.notFound, "no object \(key) in \(root.path)")
        }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: UInt64(max(0, range.lowerBound)))
            return try handle.read(upToCount: range.count) ?? Data()
        } catch {
            throw ObjectStoreError(.io, "cannot read \(key): \(error.localizedDescription)")
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
            throw ObjectStoreError(.io, "cannot write \(key): \(error.localizedDescription)")
        }
    }

    public func list(prefix: String) throws -> [ObjectEntry] {
        try ObjectStoreKey.validatePrefix(prefix)
        // Walk only the directory the prefix is inside.
        let directoryPart = prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) : ""
        let start = directoryPart.isEmpty ? root : root.appendingPathComponent(directoryPart)
        guard let walker = FileManager.default.enumerator(
            at: start, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey], options: [])
        else { return [] }
        var entries: [ObjectEntry] = []
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for case let url as URL in walker {
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values?.isRegularFile == true else { continue }
            let full = url.standardizedFileURL.path
            guard full.hasPrefix(rootPath) else { continue }
            let key = String(full.dropFirst(rootPath.count))
            // Temporary files of writes in progress are hidden and end in .part.
            if url.lastPathComponent.hasPrefix(".") && url.lastPathComponent.hasSuffix(".part") { continue }
            if key.hasPrefix(prefix) { entries.append(ObjectEntry(key: key, size: values?.fileSize ?? 0)) }
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
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
            attributes[.type] as? FileAttributeType == .typeRegular
        else { return nil }
        return (attributes[.size] as? NSNumber)?.intValue
    }
}
