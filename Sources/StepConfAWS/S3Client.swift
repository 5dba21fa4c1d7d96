import Crypto
import FoundationEssentials
import Glibc
import StepConfHTTP

/// An object's listing or HEAD entry.
public struct S3ObjectInfo: Sendable, Equatable {
    public var key: String
    /// Bytes.
    public var size: Int
    /// The ETag without quotes.
    public var etag: String

    public init(key: String, size: Int, etag: String) {
        self.key = key
        self.size = size
        self.etag = etag
    }
}

/// The S3 operations StepConf needs, over ``AWSTransport`` (signed, retried). Every upload carries
/// `Content-MD5` (S3 refuses a body that does not match) and an `x-amz-checksum-crc32`; downloads are
/// checked against the stored CRC32, or the MD5 ETag of single-part objects, and fetched again once on a
/// mismatch. Safe to use from many threads.
public final class S3Client: Sendable {
    public let transport: AWSTransport

    public init(transport: AWSTransport) { self.transport = transport }

    public convenience init(configuration: AWSConfiguration) { self.init(transport: AWSTransport(configuration: configuration)) }

    /// Where a request for `bucket`/`key` goes under the configured addressing style.
    func location(bucket: String, key: String?) -> (endpoint: AWSEndpoint, path: String) {
        let base = transport.configuration.endpoint(.s3)
        let encodedKey = key.map { URIEncoding.encode($0, keepSlash: true) } ?? ""
        let virtual: Bool
        switch transport.configuration.s3Addressing {
        case .path: virtual = false
        case .virtual: virtual = true
        case .auto: virtual = !base.isLocalOrIP && base.host.hasSuffix("amazonaws.com") && !bucket.contains(".")
        }
        if virtual {
            var endpoint = base
            endpoint.host = "\(bucket).\(base.host)"
            return (endpoint, "/" + encodedKey)
        }
        return (base, "/\(bucket)" + (key == nil ? "" : "/\(encodedKey)"))
    }

    /// Checks a bucket name and a key before any request.
    /// - Throws: ``AWSError`` (`invalidArgument`) saying what is wrong.
    static func validate(bucket: String, key: String?) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard (3...63).contains(bucket.count), bucket.allSatisfy({ allowed.contains($0) }),
            bucket.first != "-", bucket.first != ".", bucket.last != "-", bucket.last != "."
        else {
            throw AWSError(.invalidArgument, "bucket name \"\(bucket)\" is not valid (3–63 of a–z, 0–9, '.', '-')")
        }
        if let key {
            guard !key.isEmpty, key.utf8.count <= 1024 else {
                throw AWSError(.invalidArgument, "object key must be 1–1024 bytes, got \(key.utf8.count)")
            }
        }
    }

    func call(
        _ method: String, bucket: String, key: String?, query: String = "", headers: [(name: String, value: String)] = [],
        body: Data = Data(), operation: String
    ) throws -> HTTPResponse {
        try Self.validate(bucket: bucket, key: key)
        let (endpoint, path) = location(bucket: bucket, key: key)
        return try transport.send(AWSTransport.Call(
            service: .s3, method: method, endpoint: endpoint, path: path, query: query, headers: headers, body: body,
            operation: operation))
    }

    static func integrityHeaders(_ data: Data) -> [(name: String, value: String)] {
        [("Content-MD5", Data(Insecure.MD5.hash(data: data)).base64EncodedString()),
         ("x-amz-checksum-crc32", CRC32.base64(CRC32.checksum(data)))]
    }

    /// Creates `bucket` (in the configured region).
    /// - Throws: ``AWSError``; an existing bucket you own is not an error.
    public func createBucket(_ bucket: String) throws {
        let region = transport.configuration.region
        let body = region == "us-east-1" ? Data() : Data("""
            <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>
            """.utf8)
        let response = try call("PUT", bucket: bucket, key: nil, body: body, operation: "CreateBucket \(bucket)")
        let code = AWSErrorBody(response).code
        guard response.status < 300 || code == "BucketAlreadyOwnedByYou" else {
            throw AWSErrorBody.error(response, operation: "CreateBucket \(bucket)")
        }
    }

    /// Stores `data` at `bucket`/`key` in one request (up to 5 GB; use ``S3TransferManager`` for big ones).
    /// - Returns: the ETag.
    /// - Throws: ``AWSError``.
    @discardableResult
    public func putObject(bucket: String, key: String, data: Data, contentType: String = "application/octet-stream") throws -> String {
        let headers = [("Content-Type", contentType)] + Self.integrityHeaders(data)
        let response = try call("PUT", bucket: bucket, key: key, headers: headers, body: data, operation: "PutObject \(bucket)/\(key)")
        guard response.status == 200 else { throw AWSErrorBody.error(response, operation: "PutObject \(bucket)/\(key)") }
        return Self.unquote(response.header("ETag") ?? "")
    }

    /// The object's bytes, or the bytes `range` names (inclusive, as HTTP's `Range: bytes=a-b`).
    /// - Throws: ``AWSError`` (`notFound` for a missing key, `integrity` when it arrives damaged twice).
    public func getObject(bucket: String, key: String, range: ClosedRange<Int>? = nil) throws -> Data {
        var headers: [(name: String, value: String)] = [("x-amz-checksum-mode", "ENABLED")]
        if let range { headers.append(("Range", "bytes=\(range.lowerBound)-\(range.upperBound)")) }
        var problem = ""
        for _ in 0..<2 {
            let response = try call("GET", bucket: bucket, key: key, headers: headers, operation: "GetObject \(bucket)/\(key)")
            guard response.status == 200 || response.status == 206 else {
                throw AWSErrorBody.error(response, operation: "GetObject \(bucket)/\(key)")
            }
            guard let mismatch = Self.integrityProblem(response, whole: range == nil) else { return response.body }
            problem = mismatch
        }
        throw AWSError(.integrity, "GetObject \(bucket)/\(key): \(problem), twice")
    }

    /// What is wrong with a downloaded body, or nil when it checks out (or cannot be checked).
    static func integrityProblem(_ response: HTTPResponse, whole: Bool) -> String? {
        guard whole, response.status == 200 else { return nil }
        if let stored = response.header("x-amz-checksum-crc32"), !stored.contains("-") {
            let actual = CRC32.base64(CRC32.checksum(response.body))
            return actual == stored ? nil : "CRC32 \(actual) does not match the stored \(stored)"
        }
        let etag = unquote(response.header("ETag") ?? "")
        let encryption = response.header("x-amz-server-side-encryption") ?? "AES256"
        guard etag.count == 32, etag.allSatisfy(\.isHexDigit), encryption == "AES256" else { return nil }
        let actual = SigV4Signer.hex(Insecure.MD5.hash(data: response.body))
        return actual == etag.lowercased() ? nil : "MD5 \(actual) does not match the ETag \(etag)"
    }

    /// Size and ETag of an object; nil when there is none.
    /// - Throws: ``AWSError`` for anything but a 404.
    public func headObject(bucket: String, key: String) throws -> S3ObjectInfo? {
        let response = try call("HEAD", bucket: bucket, key: key, operation: "HeadObject \(bucket)/\(key)")
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw AWSErrorBody.error(response, operation: "HeadObject \(bucket)/\(key)") }
        return S3ObjectInfo(
            key: key, size: Int(response.header("Content-Length") ?? "") ?? 0, etag: Self.unquote(response.header("ETag") ?? ""))
    }

    /// Deletes one object (deleting a missing one is not an error, as in S3).
    /// - Throws: ``AWSError``.
    public func deleteObject(bucket: String, key: String) throws {
        let response = try call("DELETE", bucket: bucket, key: key, operation: "DeleteObject \(bucket)/\(key)")
        guard response.status == 204 || response.status == 200 else {
            throw AWSErrorBody.error(response, operation: "DeleteObject \(bucket)/\(key)")
        }
    }

    /// Deletes objects in batches of 1,000 (DeleteObjects).
    /// - Throws: ``AWSError`` naming the keys S3 could not delete.
    public func deleteObjects(bucket: String, keys: [String]) throws {
        var failed: [String] = []
        for start in stride(from: 0, to: keys.count, by: 1000) {
            let batch = keys[start..<min(start + 1000, keys.count)]
            let objects = batch.map { "<Object><Key>\($0.xmlEscaped)</Key></Object>" }.joined()
            let body = Data("<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>\(objects)</Delete>".utf8)
            let response = try call(
                "POST", bucket: bucket, key: nil, query: "delete=",
                headers: [("Content-Type", "application/xml")] + Self.integrityHeaders(body), body: body,
                operation: "DeleteObjects \(bucket)")
            guard response.status == 200 else { throw AWSErrorBody.error(response, operation: "DeleteObjects \(bucket)") }
            let tree = try Self.parse(response.body, operation: "DeleteObjects")
            failed += tree.all("Error").map { "\($0.first("Key")?.text ?? "?") (\($0.first("Code")?.text ?? "?"))" }
        }
        guard failed.isEmpty else {
            throw AWSError(.service, "DeleteObjects \(bucket): could not delete \(failed.prefix(5).joined(separator: ", "))\(failed.count > 5 ? " and \(failed.count - 5) more" : "")")
        }
    }

    /// One page of ListObjectsV2: up to `maxKeys` objects under `prefix`, and the token of the next page.
    /// - Throws: ``AWSError``.
    public func listObjectsPage(
        bucket: String, prefix: String = "", continuationToken: String? = nil, maxKeys: Int = 1000
    ) throws -> (objects: [S3ObjectInfo], next: String?) {
        var query = ["list-type=2", "max-keys=\(maxKeys)"]
        if !prefix.isEmpty { query.append("prefix=\(URIEncoding.encode(prefix))") }
        if let continuationToken { query.append("continuation-token=\(URIEncoding.encode(continuationToken))") }
        let response = try call("GET", bucket: bucket, key: nil, query: query.sorted().joined(separator: "&"), operation: "ListObjectsV2 \(bucket)")
        guard response.status == 200 else { throw AWSErrorBody.error(response, operation: "ListObjectsV2 \(bucket)") }
        let tree = try Self.parse(response.body, operation: "ListObjectsV2")
        let objects = tree.all("Contents").map {
            S3ObjectInfo(
                key: $0.first("Key")?.text ?? "", size: Int($0.first("Size")?.text ?? "") ?? 0,
                etag: Self.unquote($0.first("ETag")?.text ?? ""))
        }
        let truncated = tree.first("IsTruncated")?.text == "true"
        let next = tree.first("NextContinuationToken")?.text
        if truncated && next == nil {
            throw AWSError(.invalidResponse, "ListObjectsV2 \(bucket): truncated listing without a continuation token")
        }
        return (objects, truncated ? next : nil)
    }

    /// Every object under `prefix`, following continuation tokens.
    /// - Throws: ``AWSError``.
    public func listObjects(bucket: String, prefix: String = "") throws -> [S3ObjectInfo] {
        var all: [S3ObjectInfo] = []
        var token: String?
        repeat {
            let page = try listObjectsPage(bucket: bucket, prefix: prefix, continuationToken: token)
            all += page.objects
            token = page.next
        } while token != nil
        return all
    }

    /// A presigned URL for `method` on `bucket`/`key`, valid `expiresSeconds`.
    /// - Throws: ``AWSError`` when the names are invalid or no credentials are found.
    public func presignedURL(method: String = "GET", bucket: String, key: String, expiresSeconds: Int = 3600) throws -> String {
        try Self.validate(bucket: bucket, key: key)
        let (endpoint, path) = location(bucket: bucket, key: key)
        let signer = SigV4Signer(service: "s3", region: transport.configuration.region)
        return signer.presignedURL(
            method: method, scheme: endpoint.scheme, host: endpoint.host, path: endpoint.basePath + path,
            credentials: try transport.configuration.credentials.credentials(), expiresSeconds: expiresSeconds)
    }

    static func parse(_ body: Data, operation: String) throws -> XMLNode {
        do {
            return try XMLNode.parse(body)
        } catch {
            throw AWSError(.invalidResponse, "\(operation): unreadable XML answer (\(error))")
        }
    }

    static func unquote(_ etag: String) -> String { etag.trimmed(while: { $0 == "\"" }) }
}
