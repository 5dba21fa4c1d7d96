import Crypto
import FoundationEssentials
import Glibc

extension S3Client {
    /// A part that was uploaded: its number (from 1) and ETag.
    public struct UploadedPart: Sendable, Equatable {
        public var number: Int
        public var etag: String
        public var crc32: String
    }

    /// Starts a multipart upload. - Returns: the upload id. - Throws: ``AWSError``.
    public func createMultipartUpload(bucket: String, key: String, contentType: String = "application/octet-stream") throws -> String {
        let response = try call(
            "POST", bucket: bucket, key: key, query: "uploads=",
            headers: [("Content-Type", contentType), ("x-amz-checksum-algorithm", "CRC32")],
            operation: "CreateMultipartUpload \(bucket)/\(key)")
        guard response.status == 200 else { throw AWSErrorBody.error(response, operation: "CreateMultipartUpload \(bucket)/\(key)") }
        guard let id = try Self.parse(response.body, operation: "CreateMultipartUpload").first("UploadId")?.text, !id.isEmpty else {
            throw AWSError(.invalidResponse, "CreateMultipartUpload \(bucket)/\(key): no UploadId in the answer")
        }
        return id
    }

    /// Uploads part `number` (1–10,000; every part but the last ≥ 5 MB). - Throws: ``AWSError``.
    public func uploadPart(bucket: String, key: String, uploadID: String, number: Int, data: Data) throws -> UploadedPart {
        let query = "partNumber=\(number)&uploadId=\(URIEncoding.encode(uploadID))"
        let headers = Self.integrityHeaders(data)
        let response = try call("PUT", bucket: bucket, key: key, query: query, headers: headers, body: data, operation: "UploadPart \(number) of \(bucket)/\(key)")
        guard response.status == 200 else {
            throw AWSErrorBody.error(response, operation: "UploadPart \(number) of \(bucket)/\(key)")
        }
        return UploadedPart(number: number, etag: Self.unquote(response.header("ETag") ?? ""), crc32: headers[1].value)
    }

    /// Completes an upload from its parts (any order; sorted here). Only now does the object appear.
    /// - Throws: ``AWSError``, also when S3 answers 200 with an error document, as it may.
    @discardableResult
    public func completeMultipartUpload(bucket: String, key: String, uploadID: String, parts: [UploadedPart]) throws -> String {
        let list = parts.sorted { $0.number < $1.number }.map {
            "<Part><PartNumber>\($0.number)</PartNumber><ETag>\"\($0.etag)\"</ETag><ChecksumCRC32>\($0.crc32)</ChecksumCRC32></Part>"
        }.joined()
        let body = Data("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\(list)</CompleteMultipartUpload>".utf8)
        let response = try call(
            "POST", bucket: bucket, key: key, query: "uploadId=\(URIEncoding.encode(uploadID))",
            headers: [("Content-Type", "application/xml")], body: body, operation: "CompleteMultipartUpload \(bucket)/\(key)")
        guard response.status == 200 else {
            throw AWSErrorBody.error(response, operation: "CompleteMultipartUpload \(bucket)/\(key)")
        }
        let tree = try Self.parse(response.body, operation: "CompleteMultipartUpload")
        if tree.name == "Error" {
            throw AWSError(
                .service, "CompleteMultipartUpload \(bucket)/\(key) failed: \(tree.first("Code")?.text ?? "?") \(tree.first("Message")?.text ?? "")",
                status: 200, awsCode: tree.first("Code")?.text)
        }
        return Self.unquote(tree.first("ETag")?.text ?? "")
    }

    /// Abandons an upload and frees its parts. - Throws: ``AWSError``.
    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) throws {
        let response = try call("DELETE", bucket: bucket, key: key, query: "uploadId=\(URIEncoding.encode(uploadID))", operation: "AbortMultipartUpload \(bucket)/\(key)")
        guard response.status == 204 || response.status == 200 || response.status == 404 else {
            throw AWSErrorBody.error(response, operation: "AbortMultipartUpload \(bucket)/\(key)")
        }
    }
}
