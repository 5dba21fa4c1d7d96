import Crypto
import FoundationEssentials
import Glibc
import Synchronization

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`): signs a request's headers, or presigns a URL.
///
/// The signer takes the request as it goes on the wire: the path percent-encoded (``URIEncoding``), the
/// query string encoded. S3 signs that path as it is; other services normalize it (remove `.`/`..`
/// segments and empty ones) and encode it a second time, as AWS documents.
public struct SigV4Signer: Sendable {
    /// How a service wants its canonical path.
    public struct PathRules: Sendable, Equatable {
        /// Remove `.` and `..` segments and collapse `//`.
        public var normalize: Bool
        /// Percent-encode the (already encoded) path once more.
        public var encodeTwice: Bool

        public init(normalize: Bool, encodeTwice: Bool) {
            self.normalize = normalize
            self.encodeTwice = encodeTwice
        }

        /// S3: the path as sent.
        public static let s3 = PathRules(normalize: false, encodeTwice: false)
        /// Every other service.
        public static let standard = PathRules(normalize: true, encodeTwice: true)
    }

    /// A request to sign: what goes on the wire.
    public struct Request: Sendable {
        public var method: String
        /// The encoded path, starting with `/`.
        public var path: String
        /// The encoded query string without `?` ("" for none).
        public var query: String
        /// Header fields; `Host` must be among them.
        public var headers: [(name: String, value: String)]
        /// SHA-256 of the body, lower-case hex, or `UNSIGNED-PAYLOAD`.
        public var payloadHash: String

        public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)], payloadHash: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    public var service: String
    public var region: String
    public var pathRules: PathRules

    public init(service: String, region: String, pathRules: PathRules? = nil) {
        self.service = service
        self.region = region
        self.pathRules = pathRules ?? (service == "s3" ? .s3 : .standard)
    }

    public static let algorithm = "AWS4-HMAC-SHA256"
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// SHA-256 of `data`, lower-case hex.
    public static func hash(_ data: some DataProtocol) -> String { hex(SHA256.hash(data: data)) }

    /// The signing headers to add to `request` at `date`: `X-Amz-Date`, `X-Amz-Security-Token` (temporary
    /// credentials), `X-Amz-Content-Sha256` (S3) and `Authorization`. Headers the request already has
    /// (except these) are signed as given.
    public func signingHeaders(
        for request: Request, credentials: AWSCredentials, date: Date = Date()
    ) -> [(name: String, value: String)] {
        let stamp = Self.timestamps(date)
        var added: [(name: String, value: String)] = [("X-Amz-Date", stamp.long)]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
        if service == "s3" { added.append(("X-Amz-Content-Sha256", request.payloadHash)) }
        var signed = request
        let replaced = Set(added.map { $0.name.lowercased() } + ["authorization"])
        signed.headers = request.headers.filter { !replaced.contains($0.name.lowercased()) } + added
        added.append(("Authorization", authorization(for: signed, credentials: credentials, longDate: stamp.long)))
        return added
    }

    /// The `Authorization` value for `request` signed exactly as given (its headers must already hold the
    /// date, as `X-Amz-Date`, that `longDate` — `yyyyMMdd'T'HHmmss'Z'` — names).
    public func authorization(for request: Request, credentials: AWSCredentials, longDate: String) -> String {
        let (canonical, signedHeaders) = canonicalRequest(request)
        let scope = "\(longDate.prefix(8))/\(region)/\(service)/aws4_request"
        let signature = sign(canonical: canonical, scope: scope, longDate: longDate, credentials: credentials)
        return "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// The canonical request (task 1 of SigV4) and its signed-header list.
    public func canonicalRequest(_ request: Request) -> (text: String, signedHeaders: String) {
        var grouped: [String: [String]] = [:]
        var order: [String] = []
        for (name, value) in request.headers {
            let key = name.lowercased()
            if grouped[key] == nil { order.append(key) }
            grouped[key, default: []].append(Self.trimHeaderValue(value))
        }
        let names = order.sorted()
        let headerBlock = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let text = [
            request.method.uppercased(), canonicalPath(request.path), Self.canonicalQuery(request.query),
            headerBlock, signedHeaders, request.payloadHash,
        ].joined(separator: "\n")
        return (text, signedHeaders)
    }

    /// The string to sign (task 2) for a canonical request.
    public static func stringToSign(canonical: String, scope: String, longDate: String) -> String {
        "\(algorithm)\n\(longDate)\n\(scope)\n\(hash(Data(canonical.utf8)))"
    }

    func sign(canonical: String, scope: String, longDate: String, credentials: AWSCredentials) -> String {
        let toSign = Self.stringToSign(canonical: canonical, scope: scope, longDate: longDate)
        let key = signingKey(secret: credentials.secretAccessKey, shortDate: String(longDate.prefix(8)))
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: key))
    }

    /// The derived key (task 3): HMAC chain over date, region, service and `aws4_request`. It changes once a
    /// day, so the last few are kept (four HMACs were a quarter of the time of a signature).
    func signingKey(secret: String, shortDate: String) -> SymmetricKey {
        let cacheKey = "\(shortDate)/\(region)/\(service)/\(secret)"
        if let cached = Self.keyCache.withLock({ $0[cacheKey] }) { return cached }
        var key = SymmetricKey(data: Data(("AWS4" + secret).utf8))
        for part in [shortDate, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        Self.keyCache.withLock { cache in
            if cache.count >= 16 { cache.removeAll() }
            cache[cacheKey] = key
        }
        return key
    }

    /// Derived keys by date, region, service and secret (in memory only, like the secret itself).
    private static let keyCache = Mutex<[String: SymmetricKey]>([:])

    func canonicalPath(_ path: String) -> String {
        var result = path.isEmpty ? "/" : path
        if pathRules.normalize { result = Self.normalize(result) }
        if pathRules.encodeTwice { result = URIEncoding.encode(result, keepSlash: true) }
        return result
    }

    /// Removes `.` and `..` segments and empty ones, keeping a leading and a trailing `/`.
    static func normalize(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        let trailing = path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/..")
        var result = "/" + segments.joined(separator: "/")
        if trailing && !segments.isEmpty { result += "/" }
        return result
    }

    /// Query parameters decoded, re-encoded strictly, sorted by name then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = URIEncoding.decode(parts[0]) ?? String(parts[0])
            let value = parts.count > 1 ? (URIEncoding.decode(parts[1]) ?? String(parts[1])) : ""
            pairs.append((URIEncoding.encode(name), URIEncoding.encode(value)))
        }
        pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Trims a header value and collapses runs of white space (folded lines included) to one space.
    static func trimHeaderValue(_ value: String) -> String {
        // Bytes, not Characters: grapheme breaking made this the signer's hottest function.
        var out = [UInt8]()
        out.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for byte in value.utf8 {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func timestamps(_ date: Date) -> (long: String, short: String) {
        // gmtime_r rather than Calendar: this runs for every request and Calendar costs tens of µs.
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let short = "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))"
        return (short + "T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z", short)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
