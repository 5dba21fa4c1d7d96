import FoundationEssentials
import Glibc

/// Threads of their own, on POSIX threads: blocking work (I/O, waiting for a process) that must never hold a thread of
/// Swift's cooperative pool or Dispatch's. (Foundation's `Thread` is not in FoundationEssentials, which is all the
/// Lambda side links.)
public enum OSThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Starts `body` on a new detached thread with `stackSize` bytes of stack.
    /// - Returns: false when the system could not start a thread (then `body` never runs).
    @discardableResult
    public static func start(stackSize: Int = 1 << 20, _ body: @escaping @Sendable () -> Void) -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, max(stackSize, Int(PTHREAD_STACK_MIN)))
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, &attributes, { context in
            Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        if started != 0 { Unmanaged<Body>.fromOpaque(context).release() }
        return started == 0
    }

    /// Sleeps the calling thread for `seconds` (nothing for 0 or less, at most a day).
    public static func sleep(_ seconds: Double) {
        guard seconds > 0, seconds.isFinite else { return }
        let clamped = min(seconds, 86_400)
        var request = timespec(tv_sec: Int(clamped), tv_nsec: Int((clamped - clamped.rounded(.down)) * 1e9))
        var left = timespec()
        while nanosleep(&request, &left) != 0 && errno == EINTR { request = left }
    }
}

/// A file open for reading, by its descriptor (closed when released).
public final class FileReader {
    private let fd: Int32

    /// Opens `path` for reading; nil when it cannot be opened (`errno` says why).
    public init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Reads up to `count` bytes from where the file is (fewer only at its end).
    /// - Throws: `POSIXError` for a failed read.
    public func read(upTo count: Int) throws -> Data {
        guard count > 0 else { return Data() }
        var data = Data(count: count)
        var filled = 0
        while filled < count {
            let got = data.withUnsafeMutableBytes { buffer in Glibc.read(fd, buffer.baseAddress! + filled, count - filled) }
            if got == 0 { break }
            if got < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            filled += got
        }
        data.count = filled
        return data
    }

    /// Moves to byte `offset` from the file's start.
    /// - Throws: `POSIXError` when the file cannot seek.
    public func seek(to offset: Int) throws {
        guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// The size of a regular file at `path` (not following a final symbolic link), bytes; nil for anything else or none.
    public static func regularFileSize(_ path: String) -> Int? {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int(status.st_size)
    }
}
