#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FoundationEssentials
import StepConfCore

/// One kept-alive HTTP/1.1 connection over a plain TCP socket, for the Runtime API only.
///
/// The Runtime API is plain HTTP on the sandbox's loopback, so the runtime does not need libcurl for it,
/// and a cold start that skips loading libcurl and its libraries is ~9 ms shorter (see docs/lambda.md, "Lambda
/// runtime"). Requests carry `Content-Length` bodies; responses may use `Content-Length`, chunked encoding
/// or end at close. There is no timeout: `/next` is a long poll, and a dead peer closes the socket.
final class LoopbackHTTPConnection {
    struct Response {
        var status: Int
        /// Names lower-cased (ASCII, as HTTP field names are), values without surrounding blanks.
        var headers: [(name: String, value: String)]
        var body: Data

        /// The value of field `name` (any case).
        func header(_ name: String) -> String? {
            let key = String(decoding: name.utf8.map(LoopbackHTTPConnection.lowercase), as: UTF8.self)
            return headers.first { $0.name == key }?.value
        }
    }

    /// ASCII lower case of one byte (field names are ASCII; other bytes pass unchanged).
    static func lowercase(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    /// `bytes` without the spaces and tabs around them.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice.removeFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice.removeLast() }
        return slice
    }

    let host: String
    let port: String
    /// A path the endpoint carries after `host:port` (the local emulator routes instances by it); "" on Lambda.
    let pathPrefix: String
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    /// Where `recv` writes, kept between reads (a fresh 64 KB array per read cost more than the read).
    private var chunk = [UInt8](repeating: 0, count: 65_536)

    /// - Parameter endpoint: `host:port`, `[v6]:port`, optionally followed by a path.
    init(endpoint: String) throws {
        var rest = Substring(endpoint)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        var prefix = String(rest[slash...])
        while prefix.hasSuffix("/") { prefix.removeLast() }
        self.pathPrefix = prefix
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            guard after.hasPrefix(":"), !after.dropFirst().isEmpty else {
                throw RuntimeAPIError(.configuration, "Runtime API endpoint \(endpoint) has no port")
            }
            port = String(after.dropFirst())
        } else if let colon = authority.lastIndex(of: ":"), !authority[authority.index(after: colon)...].isEmpty {
            host = String(authority[..<colon])
            port = String(authority[authority.index(after: colon)...])
        } else {
            throw RuntimeAPIError(.configuration, "Runtime API endpoint \(endpoint) is not host:port")
        }
        guard !host.isEmpty, let number = Int(port), (1...65535).contains(number) else {
            throw RuntimeAPIError(.configuration, "Runtime API endpoint \(endpoint) is not host:port")
        }
    }

    deinit { disconnect() }

    /// Sends one request and reads its whole response. A kept-alive connection the server has closed is
    /// opened again and the request sent once more, but only when no byte of a response had arrived.
    func exchange(method: String, path: String, headers: [(String, String)] = [], body: Data = Data()) throws -> Response {
        let request = encode(method: method, path: pathPrefix + path, headers: headers, body: body)
        let reused = fd >= 0
        do {
            try ensureConnected()
            try write(request)
            return try readResponse()
        } catch let failure as RuntimeAPIError where reused && buffer.isEmpty && failure.code == .unreachable {
            disconnect()
            try ensureConnected()
            try write(request)
            return try readResponse()
        } catch {
            disconnect()
            throw error
        }
    }

    private func encode(method: String, path: String, headers: [(String, String)], body: Data) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUser-Agent: stepconf-runtime\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if method != "GET" || !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    private func ensureConnected() throws {
        guard fd < 0 else { return }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, port, &hints, &list)
        guard status == 0, let first = list else {
            throw RuntimeAPIError(
                .unreachable, "Runtime API unreachable: cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = 0
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            let candidate = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if candidate >= 0 {
                if connect(candidate, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                    var one: Int32 = 1
                    _ = setsockopt(candidate, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    self.fd = candidate
                    buffer.removeAll(keepingCapacity: true)
                    return
                }
                lastError = errno
                close(candidate)
            } else {
                lastError = errno
            }
            entry = info.pointee.ai_next
        }
        throw RuntimeAPIError(
            .unreachable, "Runtime API unreachable: cannot connect to \(host):\(port): \(String(cString: strerror(lastError)))")
    }

    private func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
        buffer.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw RuntimeAPIError(
                    .unreachable, "Runtime API unreachable: send failed: \(String(cString: strerror(errno)))")
            }
            sent += n
        }
    }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill() throws -> Bool {
        while true {
            let n = chunk.withUnsafeMutableBytes { [fd] in recv(fd, $0.baseAddress!, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return true
            }
            if n == 0 { return false }
            if errno == EINTR { continue }
            throw RuntimeAPIError(
                .unreachable, "Runtime API unreachable: receive failed: \(String(cString: strerror(errno)))")
        }
    }

    private func readResponse() throws -> Response {
        var headerEnd: Int?
        var searchFrom = 0
        while headerEnd == nil {
            headerEnd = Self.find([13, 10, 13, 10], in: buffer, from: searchFrom)
            if headerEnd == nil {
                searchFrom = max(0, buffer.count - 3)
                guard try fill() else { throw RuntimeAPIError(.unreachable, "Runtime API unreachable: connection closed before a response") }
            }
        }
        // The head, parsed on its bytes (no Foundation string work on the warm path).
        let head = buffer[0..<headerEnd!]
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = head.startIndex
        while let end = Self.find([13, 10], in: buffer, from: lineStart), end < head.endIndex {
            lines.append(head[lineStart..<end])
            lineStart = end + 2
        }
        lines.append(head[lineStart..<head.endIndex])
        let statusParts = lines.removeFirst().split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: true)
        guard statusParts.count >= 2, statusParts[0].starts(with: Array("HTTP/1.".utf8)),
            let status = Int(String(decoding: statusParts[1], as: UTF8.self))
        else {
            throw RuntimeAPIError(.malformedResponse, "malformed status line from the Runtime API")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: 0x3A) else { continue }
            headers.append((
                String(decoding: Self.trimmed(line[..<colon]).map(Self.lowercase), as: UTF8.self),
                String(decoding: Self.trimmed(line[(colon + 1)...]), as: UTF8.self)))
        }
        buffer.removeFirst(headerEnd! + 4)
        var response = Response(status: status, headers: headers, body: Data())
        let closes = response.header("Connection")?.lowercased() == "close"
        if response.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            response.body = try readChunked()
        } else if let length = response.header("Content-Length").flatMap(Int.init) {
            guard length >= 0 else { throw RuntimeAPIError(.malformedResponse, "malformed Content-Length from the Runtime API") }
            while buffer.count < length {
                guard try fill() else { throw RuntimeAPIError(.unreachable, "Runtime API unreachable: connection closed inside a response body") }
            }
            response.body = Data(buffer[0..<length])
            buffer.removeFirst(length)
        } else if status == 204 || status == 304 || (100..<200).contains(status) {
            response.body = Data()
        } else {
            while try fill() {}
            response.body = Data(buffer)
            buffer.removeAll()
            disconnect()
        }
        if closes { disconnect() }
        return response
    }

    private func readChunked() throws -> Data {
        var body = Data()
        while true {
            var lineEnd = Self.find([13, 10], in: buffer, from: 0)
            while lineEnd == nil {
                guard try fill() else { throw RuntimeAPIError(.unreachable, "Runtime API unreachable: connection closed inside a chunked body") }
                lineEnd = Self.find([13, 10], in: buffer, from: 0)
            }
            let sizeText = String(decoding: buffer[0..<lineEnd!], as: UTF8.self)
                .split(separator: ";").first.map { $0.trimmed() } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else {
                throw RuntimeAPIError(.malformedResponse, "malformed chunk size from the Runtime API")
            }
            buffer.removeFirst(lineEnd! + 2)
            if size == 0 {
                // Trailers (normally none) end with an empty line.
                while true {
                    var end = Self.find([13, 10], in: buffer, from: 0)
                    while end == nil {
                        guard try fill() else { return body }
                        end = Self.find([13, 10], in: buffer, from: 0)
                    }
                    let empty = end == 0
                    buffer.removeFirst(end! + 2)
                    if empty { return body }
                }
            }
            while buffer.count < size + 2 {
                guard try fill() else { throw RuntimeAPIError(.unreachable, "Runtime API unreachable: connection closed inside a chunked body") }
            }
            body.append(contentsOf: buffer[0..<size])
            buffer.removeFirst(size + 2)
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = start
        outer: while i <= haystack.count - needle.count {
            for k in 0..<needle.count where haystack[i + k] != needle[k] {
                i += 1
                continue outer
            }
            return i
        }
        return nil
    }
}
