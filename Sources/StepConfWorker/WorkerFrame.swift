#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// One message between the wrapper and a worker process: a job going in, or its result coming out.
///
/// On the pipe, all lengths big-endian: the id (8 bytes); then `kind`, `parameters` and `error`, each as a
/// 4-byte length and that many UTF-8 bytes (length 0xFFFFFFFF for an absent one); then an 8-byte length and
/// that many payload bytes (input or output data, never re-encoded). Binary, not JSON: a JSON header cost
/// more than the rest of a job's trip through the pipes.
public struct WorkerFrame: Sendable, Equatable {
    /// The job's index within the invocation.
    public var id: Int
    /// The kernel to run (`synthetic`, `wordcount.map`, …); empty on results.
    public var kind: String
    /// Parameters for the kernel (JSON object text), or nil.
    public var parameters: String?
    /// Why the job failed, on a result; nil when it succeeded.
    public var error: String?
    public var payload: Data

    public init(id: Int, kind: String = "", parameters: String? = nil, error: String? = nil, payload: Data = Data()) {
        self.id = id
        self.kind = kind
        self.parameters = parameters
        self.error = error
        self.payload = payload
    }

    /// The frame's bytes on the pipe.
    public func encoded() -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(32 + kind.utf8.count + (parameters?.utf8.count ?? 0) + (error?.utf8.count ?? 0) + payload.count)
        Self.append(UInt64(bitPattern: Int64(id)), bytes: 8, to: &bytes)
        for text in [kind as String?, parameters, error] {
            if let text {
                Self.append(UInt64(text.utf8.count), bytes: 4, to: &bytes)
                bytes += text.utf8
            } else {
                Self.append(0xFFFF_FFFF, bytes: 4, to: &bytes)
            }
        }
        Self.append(UInt64(payload.count), bytes: 8, to: &bytes)
        bytes += payload
        return bytes
    }

    private static func append(_ value: UInt64, bytes count: Int, to bytes: inout [UInt8]) {
        for shift in stride(from: (count - 1) * 8, through: 0, by: -8) { bytes.append(UInt8((value >> UInt64(shift)) & 0xFF)) }
    }

    private static func number(_ bytes: [UInt8]) -> UInt64 { bytes.reduce(0) { $0 << 8 | UInt64($1) } }

    /// The pipe closed or broke before a whole frame: the process on the other end is gone.
    private static var closed: WorkerError { WorkerError(.pipeClosed, "the pipe closed before a whole frame") }

    /// Writes the frame to `fd`. - Throws: ``WorkerError`` (`.pipeClosed`) when the reader is gone.
    public func write(to fd: Int32) throws {
        let bytes = encoded()
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + sent, $0.count - sent) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.closed
            }
            sent += n
        }
    }

    /// Reads one frame from `fd`; nil at a clean end of stream (before any byte of a frame).
    /// - Throws: ``WorkerError`` (`.pipeClosed`) when the stream ends inside a frame, or the frame is malformed.
    public static func read(from fd: Int32) throws -> WorkerFrame? {
        guard let idBytes = try readExactly(fd, 8, allowEOF: true) else { return nil }
        var texts: [String?] = []
        for _ in 0..<3 {
            guard let lengthBytes = try readExactly(fd, 4, allowEOF: false) else { throw Self.closed }
            let length = number(lengthBytes)
            if length == 0xFFFF_FFFF {
                texts.append(nil)
                continue
            }
            guard length < 1 << 26, let text = try readExactly(fd, Int(length), allowEOF: false) else { throw Self.closed }
            texts.append(String(decoding: text, as: UTF8.self))
        }
        guard let payloadLengthBytes = try readExactly(fd, 8, allowEOF: false) else { throw Self.closed }
        let payloadLength = number(payloadLengthBytes)
        guard payloadLength < 1 << 34, let payload = try readExactly(fd, Int(payloadLength), allowEOF: false) else {
            throw Self.closed
        }
        return WorkerFrame(
            id: Int(Int64(bitPattern: number(idBytes))), kind: texts[0] ?? "", parameters: texts[1], error: texts[2],
            payload: Data(payload))
    }

    private static func readExactly(_ fd: Int32, _ count: Int, allowEOF: Bool) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, count - got) }
            if n == 0 {
                if got == 0 && allowEOF { return nil }
                throw Self.closed
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.closed
            }
            got += n
        }
        return buffer
    }
}
