import FoundationEssentials
import Glibc
import StepConfCore

/// An ``ObjectStore`` in an S3 bucket, under an optional key prefix; big objects move in parts through a
/// ``S3TransferManager``. Keys follow ``ObjectStoreKey`` like the local store's.
public struct S3ObjectStore: ObjectStore {
    public let transfer: S3TransferManager
    public let bucket: String
    /// Prepended to every key ("" or ending in `/`).
    public let prefix: String

    public init(transfer: S3TransferManager, bucket: String, prefix: String = "") {
        self.transfer = transfer
        self.bucket = bucket
        self.prefix = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
    }

    private var s3: S3Client { transfer.s3 }

    private func full(_ key: String) throws -> String {
        try ObjectStoreKey.validate(key)
        return prefix + key
    }

    /// AWS errors keep their message; a missing object becomes ``ObjectStoreError/Code/notFound``.
    private func mapped<T>(_ key: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as AWSError where error.code == .notFound {
            throw ObjectStoreError(.notFound, "no object \(key) in s3://\(bucket)/\(prefix)")
        }
    }

    public func get(_ key: String) throws -> Data {
        let name = try full(key)
        return try mapped(key) { try transfer.download(bucket: bucket, key: name) }
    }

    public func get(_ key: String, range: ClosedRange<Int>) throws -> Data {
        let name = try full(key)
        return try mapped(key) { try s3.getObject(bucket: bucket, key: name, range: range) }
    }

    public func put(_ key: String, data: Data) throws {
        let name = try full(key)
        try transfer.upload(data, bucket: bucket, key: name)
    }

    public func list(prefix keyPrefix: String) throws -> [ObjectEntry] {
        try ObjectStoreKey.validatePrefix(keyPrefix)
        return try s3.listObjects(bucket: bucket, prefix: prefix + keyPrefix)
            .map { ObjectEntry(key: String($0.key.dropFirst(prefix.count)), size: $0.size) }
            .sorted { $0.key < $1.key }
    }

    public func delete(_ key: String) throws {
        try s3.deleteObject(bucket: bucket, key: try full(key))
    }

    public func size(_ key: String) throws -> Int? {
        try s3.headObject(bucket: bucket, key: try full(key))?.size
    }
}
