#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One message between the wrapper and a worker process: a job going in, or its result coming out.
///
/// On the pipe: a 4-byte big-endian length and that many bytes of JSON header, then an 8-byte big-endian
/// length and that many payload bytes (input or output data, never re-encoded).
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

    private struct Header: Codable {
        var id: Int
        var kind: String
        var parameters: String?
        var error: String?
    }

    /// The frame's bytes on the pipe.
    public func encoded() -> [UInt8] {
        let header = (try? JSONEncoder().encode(Header(id: id, kind: kind, parameters: parameters, error: error))) ?? Data("{}".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(12 + header.count + payload.count)
        let h = UInt32(header.count)
        bytes += [UInt8(h >> 24), UInt8((h >> 16) & 0xFF), UInt8((h >> 8) & 0xFF), UInt8(h & 0xFF)]
        bytes += header
        let p = UInt64(payload.count)
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((p >> UInt64(shift)) & 0xFF)) }
        bytes += payload
        return bytes
    }

    /// A pipe closed or broken before a whole frame.
    public struct PipeClosed: Error {}

    /// Writes the frame to `fd`. - Throws: ``PipeClosed`` when the reader is gone.
    public func write(to fd: Int32) throws {
        let bytes = encoded()
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + sent, $0.count - sent) }
            if n < 0 {
                if errno == EINTR { continue }
                throw PipeClosed()
            }
            sent += n
        }
    }

    /// Reads one frame from `fd`; nil at a clean end of stream (before any byte of a frame).
    /// - Throws: ``PipeClosed`` when the stream ends inside a frame, or the frame is malformed.
    public static func read(from fd: Int32) throws -> WorkerFrame? {
        guard let lengthBytes = try readExactly(fd, 4, allowEOF: true) else { return nil }
        let headerLength = lengthBytes.reduce(0) { $0 << 8 | Int($1) }
        guard headerLength < 1 << 24, let headerBytes = try readExactly(fd, headerLength, allowEOF: false),
            let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)),
            let payloadLengthBytes = try readExactly(fd, 8, allowEOF: false)
        else { throw PipeClosed() }
        let payloadLength = payloadLengthBytes.reduce(0) { $0 << 8 | Int($1) }
        guard payloadLength >= 0, payloadLength < 1 << 34, let payload = try readExactly(fd, payloadLength, allowEOF: false) else {
            throw PipeClosed()
        }
        return WorkerFrame(id: header.id, kind: header.kind, parameters: header.parameters, error: header.error, payload: Data(payload))
    }

    private static func readExactly(_ fd: Int32, _ count: Int, allowEOF: Bool) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, count - got) }
            if n == 0 {
                if got == 0 && allowEOF { return nil }
                throw PipeClosed()
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw PipeClosed()
            }
            got += n
        }
        return buffer
    }
}
