import FoundationEssentials
import Glibc
import StepConfCore

/// Writes a file so that it is either complete or absent, and never replaces what the user's path points at:
/// - a regular file (or none): written to a temporary name beside it, flushed, then renamed over it (keeping
///   the old file's permissions);
/// - a symbolic link: written through — its final target is replaced that way, the link stays;
/// - a FIFO, a character device or a socket (`/dev/stdout`, a pipe): written directly, never replaced;
/// - a directory: refused.
/// Every failure reads "cannot write FILE: reason" (the system's reason, e.g. "No space left on device") and leaves
/// no temporary file behind.
public enum AtomicFile {
    /// Writes `data` to `path` as above.
    /// - Throws: ``InputError`` (`unwritable`).
    public static func write(_ data: Data, to path: String) throws {
        // What the path finally points at (stat follows every link, /proc's `pipe:[N]` ones included).
        var info = stat()
        if stat(path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                throw InputError(.unwritable, "cannot write \(path): it is a directory")
            case S_IFIFO, S_IFCHR, S_IFSOCK:
                return try writeDirectly(data, to: path, named: path)
            default:
                break
            }
        }
        let target = try resolve(path)
        try replace(target, with: data, named: path, mode: stat(target, &info) == 0 ? info.st_mode & 0o7777 : nil)
    }

    /// The file a write to `path` lands in: `path` itself, or the final target of the symbolic links it names
    /// (a dangling link's target, to be created).
    static func resolve(_ path: String) throws -> String {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count >= 0 else { throw failure(path, errno) }
            let link = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(link).path
        }
        throw InputError(.unwritable, "cannot write \(path): too many levels of symbolic links")
    }

    private static func failure(_ path: String, _ code: Int32) -> InputError {
        InputError(.unwritable, "cannot write \(path): \(String(cString: strerror(code)))")
    }

    /// Writes all of `data` to the open descriptor.
    private static func writeAll(_ fd: Int32, _ data: Data, named path: String) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure(path, errno)
                }
                offset += written
            }
        }
    }

    private static func writeDirectly(_ data: Data, to target: String, named path: String) throws {
        let fd = open(target, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, errno) }
        defer { close(fd) }
        try writeAll(fd, data, named: path)
    }

    private static func replace(_ target: String, with data: Data, named path: String, mode: mode_t?) throws {
        let url = URL(fileURLWithPath: target)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw failure(path, errno) }
        do {
            defer { close(fd) }
            if let mode { fchmod(fd, mode) }
            try writeAll(fd, data, named: path)
            guard fsync(fd) == 0 else { throw failure(path, errno) }
        } catch {
            unlink(temporary)
            throw error
        }
        // rename(2) replaces the target in one step: a reader sees the old file or the new one.
        guard rename(temporary, target) == 0 else {
            let code = errno
            unlink(temporary)
            throw failure(path, code)
        }
    }
}

/// An output directory written as a whole: files go into a hidden staging directory beside it, which replaces
/// the directory only once every file is written; on any failure the staging directory is removed and the old
/// directory (if any) is left as it was.
public struct StagedDirectory {
    /// The directory the user named.
    public let path: String
    /// Where the files go until ``commit()``.
    public let staging: String

    /// Prepares the staging directory for `path`.
    /// - Throws: ``InputError`` ("cannot write PATH: reason").
    public init(_ path: String) throws {
        self.path = path
        let target = URL(fileURLWithPath: path).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        staging = parent.appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw InputError(.unwritable, "cannot write \(path): cannot create \(parent.path)")
        }
        guard mkdir(staging, 0o755) == 0 else {
            throw InputError(.unwritable, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes `data` as `name` inside the staging directory.
    /// - Throws: ``InputError``; the staging directory is removed.
    public func write(_ data: Data, as name: String) throws {
        do {
            try AtomicFile.write(data, to: staging + "/" + name)
        } catch let error as InputError {
            discard()
            throw InputError(error.code, error.message.replacing(staging + "/", with: path + "/"))
        }
    }

    /// Puts the staged directory in place of `path` (which must be a directory or absent).
    /// - Throws: ``InputError``; the staging directory is removed and `path` is unchanged.
    public func commit() throws {
        let fm = FileManager.default
        var isDirectory = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory else {
                discard()
                throw InputError(.unwritable, "cannot write \(path): it exists and is not a directory")
            }
            let old = staging + ".old"
            guard rename(path, old) == 0 else {
                let code = errno
                discard()
                throw InputError(.unwritable, "cannot write \(path): \(String(cString: strerror(code)))")
            }
            guard rename(staging, path) == 0 else {
                let code = errno
                _ = rename(old, path)
                discard()
                throw InputError(.unwritable, "cannot write \(path): \(String(cString: strerror(code)))")
            }
            try? fm.removeItem(atPath: old)
        } else if rename(staging, path) != 0 {
            let code = errno
            discard()
            throw InputError(.unwritable, "cannot write \(path): \(String(cString: strerror(code)))")
        }
    }

    /// Removes the staging directory.
    public func discard() { try? FileManager.default.removeItem(atPath: staging) }
}
