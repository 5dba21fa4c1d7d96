import FoundationEssentials
import Glibc
import StepConfCore
import StepConfStorage

/// Moves many objects, or one big object in parts, on `threads` threads: uploads over
/// `multipartThreshold` go as a multipart upload of `partSize` parts (aborted if any part fails, so no
/// partial object ever appears); downloads over the threshold are fetched as ranged GETs and reassembled.
public struct S3TransferManager: Sendable {
    public let s3: S3Client
    /// Concurrent requests.
    public var threads: Int
    /// Bytes per part (≥ 5 MiB, S3's minimum for all but the last part).
    public var partSize: Int
    /// Objects from this size (bytes) go in parts.
    public var multipartThreshold: Int

    public init(s3: S3Client, threads: Int = 8, partSize: Int = 8 << 20, multipartThreshold: Int = 16 << 20) {
        self.s3 = s3
        self.threads = max(1, threads)
        self.partSize = max(5 << 20, partSize)
        self.multipartThreshold = max(self.partSize, multipartThreshold)
    }

    /// Uploads `data` to `bucket`/`key`, in parts when it is large.
    /// - Throws: ``AWSError``; after a failed part the upload is aborted and the key is left as it was.
    public func upload(_ data: Data, bucket: String, key: String) throws {
        guard data.count >= multipartThreshold else {
            try s3.putObject(bucket: bucket, key: key, data: data)
            return
        }
        let uploadID = try s3.createMultipartUpload(bucket: bucket, key: key)
        let partCount = (data.count + partSize - 1) / partSize
        let parts = ResultSlots<S3Client.UploadedPart>(count: partCount)
        let (s3, partSize) = (self.s3, self.partSize)
        do {
            try ParallelWork.run(count: partCount, threads: threads) { index in
                let start = index * partSize
                let slice = data.subdata(in: start..<min(start + partSize, data.count))
                parts.set(index, try s3.uploadPart(bucket: bucket, key: key, uploadID: uploadID, number: index + 1, data: slice))
            }
            try s3.completeMultipartUpload(bucket: bucket, key: key, uploadID: uploadID, parts: parts.values.map { $0! })
        } catch {
            try? s3.abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID)
            throw error
        }
    }

    /// Downloads `bucket`/`key`, in ranged parts when it is large.
    /// - Throws: ``AWSError`` (`notFound` when missing, `integrity` when the parts do not add up).
    public func download(bucket: String, key: String) throws -> Data {
        guard let head = try s3.headObject(bucket: bucket, key: key) else {
            throw AWSError(.notFound, "\(bucket)/\(key) does not exist", status: 404, awsCode: "NoSuchKey")
        }
        guard head.size >= multipartThreshold else { return try s3.getObject(bucket: bucket, key: key) }
        let partCount = (head.size + partSize - 1) / partSize
        let chunks = ResultSlots<Data>(count: partCount)
        let (s3, partSize, size) = (self.s3, self.partSize, head.size)
        try ParallelWork.run(count: partCount, threads: threads) { index in
            let start = index * partSize
            let end = min(start + partSize, size) - 1
            let chunk = try s3.getObject(bucket: bucket, key: key, range: start...end)
            guard chunk.count == end - start + 1 else {
                throw AWSError(.integrity, "\(bucket)/\(key): bytes \(start)-\(end) came back as \(chunk.count) bytes")
            }
            chunks.set(index, chunk)
        }
        var data = Data(capacity: size)
        for chunk in chunks.values { data.append(chunk!) }
        return data
    }

    /// Uploads many objects, `threads` at a time. - Throws: the first ``AWSError``.
    public func upload(_ objects: [(key: String, data: Data)], bucket: String) throws {
        let single = S3TransferManager(s3: s3, threads: 1, partSize: partSize, multipartThreshold: multipartThreshold)
        let items = objects.map { ($0.key, $0.data) }
        try ParallelWork.run(count: items.count, threads: threads) { index in
            try single.upload(items[index].1, bucket: bucket, key: items[index].0)
        }
    }

    /// Downloads many objects, `threads` at a time, each in one GET (checked whole).
    /// - Returns: the bytes by key. - Throws: the first ``AWSError``.
    public func download(keys: [String], bucket: String) throws -> [String: Data] {
        let results = ResultSlots<Data>(count: keys.count)
        let s3 = self.s3
        try ParallelWork.run(count: keys.count, threads: threads) { index in
            results.set(index, try s3.getObject(bucket: bucket, key: keys[index]))
        }
        var out: [String: Data] = [:]
        for (key, data) in zip(keys, results.values) { out[key] = data! }
        return out
    }
}
