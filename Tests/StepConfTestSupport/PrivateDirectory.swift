import Foundation

/// A directory of one test's own under the system's temporary directory (mode 0700), removed with everything in it
/// when the last reference goes: tests never write into a shared directory.
public final class PrivateDirectory: Sendable {
    /// The directory's path.
    public let path: String

    /// Makes a new directory whose name starts with `label`.
    public init(_ label: String = "test") {
        let name = "stepconf-\(label)-\(UUID().uuidString.prefix(12))"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        try? FileManager.default.createDirectory(
            at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        path = url.path
    }

    /// A path inside the directory (nothing is created).
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Writes `data` to `name` inside the directory and returns its path.
    @discardableResult
    public func write(_ name: String, _ data: Data) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: target))
        return target
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
