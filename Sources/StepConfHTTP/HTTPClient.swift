import CCurlShim
import FoundationEssentials
import Glibc

/// A blocking HTTP client on one reused libcurl easy handle, so connections are kept alive between
/// requests. Not thread-safe: use one client per thread (``HTTPClientPool`` hands them out).
///
/// `@unchecked Sendable` so a pool can pass clients between threads: the pool gives each client to one
/// caller at a time, and nothing else shares it.
public final class HTTPClient: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    /// Opens libcurl on first use (see `CCurlShim.h`: a process that never sends a request never loads it).
    /// - Throws: ``HTTPError`` when libcurl cannot be loaded or cannot create a handle.
    public init() throws {
        if let problem = scs_load() { throw HTTPError(.transport, String(cString: problem)) }
        guard let handle = scs_easy_init() else { throw HTTPError(.transport, "libcurl could not create a handle") }
        self.handle = handle
    }

    deinit { scs_easy_cleanup(handle) }

    /// Collects the response as libcurl delivers it.
    private final class Sink {
        var body = Data()
        var headers: [(name: String, value: String)] = []
    }

    /// Sends `request` and waits for the whole response.
    /// - Throws: ``HTTPError`` when no HTTP response arrives (bad URL, no connection, timeout, transport
    ///   failure). Any status code, 4xx and 5xx included, is a response, not an error.
    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        scs_easy_reset(handle)
        let sink = Sink()
        let context = Unmanaged.passUnretained(sink).toOpaque()
        var list: UnsafeMutablePointer<curl_slist>?
        defer { scs_slist_free_all(list) }
        // An empty `Expect:` stops libcurl from waiting for 100 Continue before large bodies; an empty
        // `Content-Type:` stops it from labelling every body `application/x-www-form-urlencoded`, which
        // servers then parse as a form.
        var extra: [(name: String, value: String)] = [("Expect", "")]
        if !request.headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            extra.append(("Content-Type", ""))
        }
        for (name, value) in request.headers + extra {
            list = scs_slist_append(list, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        var code = scs_setopt_string(handle, CURLOPT_URL, request.url)
        code = code == CURLE_OK ? scs_setopt_long(handle, CURLOPT_NOSIGNAL, 1) : code
        code = code == CURLE_OK ? scs_setopt_slist(handle, CURLOPT_HTTPHEADER, list) : code
        code = code == CURLE_OK ? scs_setopt_callback(handle, CURLOPT_WRITEFUNCTION, Self.onBody) : code
        code = code == CURLE_OK ? scs_setopt_pointer(handle, CURLOPT_WRITEDATA, context) : code
        code = code == CURLE_OK ? scs_setopt_callback(handle, CURLOPT_HEADERFUNCTION, Self.onHeader) : code
        code = code == CURLE_OK ? scs_setopt_pointer(handle, CURLOPT_HEADERDATA, context) : code
        let connectMs = request.connectTimeout.map { Self.milliseconds($0) } ?? 0
        code = code == CURLE_OK ? scs_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectMs) : code
        code = code == CURLE_OK ? scs_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.timeout.map { Self.milliseconds($0) } ?? 0) : code
        let method = request.method.uppercased()
        switch method {
        case "GET": code = code == CURLE_OK ? scs_setopt_long(handle, CURLOPT_HTTPGET, 1) : code
        case "HEAD": code = code == CURLE_OK ? scs_setopt_long(handle, CURLOPT_NOBODY, 1) : code
        case "POST": break
        default: code = code == CURLE_OK ? scs_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method) : code
        }
        guard code == CURLE_OK else { throw Self.error(code, url: request.url) }
        let result: CURLcode = request.body.withUnsafeBytes { bytes in
            if method != "GET" && method != "HEAD" && (method == "POST" || !request.body.isEmpty) {
                // libcurl reads the body from our buffer during perform; it stays alive for this closure.
                var c = scs_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
                let base = bytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
                    ?? UnsafeMutableRawPointer(mutating: ("" as StaticString).utf8Start)
                c = c == CURLE_OK ? scs_setopt_pointer(handle, CURLOPT_POSTFIELDS, base) : c
                if c != CURLE_OK { return c }
            }
            return scs_easy_perform(handle)
        }
        guard result == CURLE_OK else { throw Self.error(result, url: request.url) }
        var status = 0
        _ = scs_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    private static func milliseconds(_ d: Duration) -> Int {
        let (s, atto) = d.components
        return max(1, Int(s) * 1000 + Int(atto / 1_000_000_000_000_000))
    }

    private static func error(_ code: CURLcode, url: String) -> HTTPError {
        let text = String(cString: scs_easy_strerror(code))
        switch code {
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: return HTTPError(.invalidURL, "\(url): \(text)")
        case CURLE_COULDNT_RESOLVE_HOST: return HTTPError(.couldNotResolve, "\(url): \(text)")
        case CURLE_COULDNT_CONNECT: return HTTPError(.couldNotConnect, "\(url): \(text)")
        case CURLE_OPERATION_TIMEDOUT: return HTTPError(.timedOut, "\(url): \(text)")
        default: return HTTPError(.transport, "\(url): \(text)")
        }
    }

    private static let onBody: scs_data_callback = { data, size, count, context in
        let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
        if let data { sink.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count) }
        return size * count
    }

    private static let onHeader: scs_data_callback = { data, size, count, context in
        let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
        guard let data else { return size * count }
        // On the bytes: this runs for every header line of every response.
        let line = UnsafeRawBufferPointer(start: data, count: size * count)
        func trimmed(_ part: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
            var part = part
            while let first = part.first, first == 0x20 || first == 0x09 || first == 0x0D || first == 0x0A { part.removeFirst() }
            while let last = part.last, last == 0x20 || last == 0x09 || last == 0x0D || last == 0x0A { part.removeLast() }
            return part
        }
        let whole = trimmed(line[...])
        if whole.starts(with: "HTTP/".utf8) {
            sink.headers.removeAll()  // a new response (after 100 Continue or a redirect) starts over
        } else if let colon = whole.firstIndex(of: 0x3A) {
            let name = String(decoding: trimmed(whole[..<colon]), as: UTF8.self)
            let value = String(decoding: trimmed(whole[(colon + 1)...]), as: UTF8.self)
            sink.headers.append((name, value))
        }
        return size * count
    }
}
