import FoundationEssentials
import Glibc

/// An object listed by an ``ObjectStore``.
public struct ObjectEntry: Sendable, Equatable, Codable {
    public var key: String
    /// Bytes.
    public var size: Int

    public init(key: String, size: Int) {
        self.key = key
        self.size = size
    }
}

/// A failure of an ``ObjectStore``.
public struct ObjectStoreError: CodedError {
    public enum Code: Sendable, Hashable {
        /// The key was refused before any I/O (see ``ObjectStoreKey/validate(_:)``).
        case invalidKey
        /// No object has that key.
        case notFound
        /// Reading or writing failed.
        case io
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// Where step functions read their inputs and write their outputs (a role): S3 on AWS, a local directory
/// by default. Keys are `/`-separated names; writes are all-or-nothing (a reader never sees half an object).
public protocol ObjectStore: Sendable {
    /// The object's bytes. - Throws: ``ObjectStoreError`` (`notFound`, `invalidKey`, `io`) or the backend's error.
    func get(_ key: String) throws -> Data
    /// The bytes `range` names (inclusive; clipped to the object's end).
    func get(_ key: String, range: ClosedRange<Int>) throws -> Data
    /// Stores `data` under `key`, replacing what was there.
    func put(_ key: String, data: Data) throws
    /// Objects whose key starts with `prefix`, sorted by key.
    func list(prefix: String) throws -> [ObjectEntry]
    /// Removes the object; removing a missing one is not an error.
    func delete(_ key: String) throws
    /// The object's size in bytes, or nil when there is none.
    func size(_ key: String) throws -> Int?
}

/// The rules every store applies to keys, so a key that works locally works on S3 and cannot escape a
/// local store's root.
public enum ObjectStoreKey {
    /// Refuses empty keys, keys over 1,024 bytes, absolute paths, `.`/`..`/empty segments, NUL and other
    /// control characters, and backslashes.
    /// - Throws: ``ObjectStoreError`` (`invalidKey`) saying which rule the key breaks.
    public static func validate(_ key: String) throws {
        guard !key.isEmpty else { throw ObjectStoreError(.invalidKey, "object key is empty") }
        guard key.utf8.count <= 1024 else {
            throw ObjectStoreError(.invalidKey, "object key is \(key.utf8.count) bytes; at most 1024")
        }
        guard !key.hasPrefix("/") else { throw ObjectStoreError(.invalidKey, "object key \"\(key)\" is an absolute path") }
        if let bad = key.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw ObjectStoreError(.invalidKey, "object key contains the control character U+\(TextFormat.hex(bad.value, width: 4))")
        }
        guard !key.contains("\\") else { throw ObjectStoreError(.invalidKey, "object key \"\(key)\" contains a backslash") }
        for segment in key.split(separator: "/", omittingEmptySubsequences: false) {
            if segment == ".." || segment == "." {
                throw ObjectStoreError(.invalidKey, "object key \"\(key)\" contains a \"\(segment)\" segment")
            }
            if segment.isEmpty && !key.hasSuffix("/") {
                throw ObjectStoreError(.invalidKey, "object key \"\(key)\" contains an empty segment (\"//\")")
            }
        }
        guard !key.hasSuffix("/") else { throw ObjectStoreError(.invalidKey, "object key \"\(key)\" ends with \"/\"") }
    }

    /// Checks a listing prefix: the same rules, but it may be empty or end with `/`.
    public static func validatePrefix(_ prefix: String) throws {
        guard !prefix.isEmpty else { return }
        try validate(prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix)
    }
}
