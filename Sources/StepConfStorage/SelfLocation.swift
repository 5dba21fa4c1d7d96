import FoundationEssentials
import Glibc
import StepConfCore

/// Where this executable is and what it was built from — for a binary run from anywhere on PATH, where `argv[0]`
/// is a bare name or a path relative to another directory.
public enum SelfLocation {
    /// This executable's resolved path: `/proc/self/exe` (Linux), else `argv[0]` looked up on PATH and resolved.
    public static var executable: URL {
        if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: link)
        }
        let name = CommandLine.arguments.first ?? "stepconf"
        if !name.contains("/") {
            for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
                let candidate = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate).resolvingSymlinksInPath() }
            }
        }
        return URL(fileURLWithPath: name).resolvingSymlinksInPath()
    }

    /// The directory this executable is in.
    public static var directory: URL { executable.deletingLastPathComponent() }

    /// The commit this executable was built from, when it can be known: the `stepconf.build-info` file next to it
    /// (`commit=…`, written by scripts/install.sh; a bundle's `BUILD_INFO` by deploy/build.sh), else the HEAD of the
    /// git checkout it lives in (a `swift build` product under `.build/`).
    public static var commit: String? {
        let notes = ["stepconf.build-info", "BUILD_INFO"].compactMap {
            try? String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)
        }
        if let info = notes.first, let line = info.split(separator: "\n").first(where: { $0.hasPrefix("commit=") }) {
            let value = line.dropFirst("commit=".count).trimmed()
            return value.isEmpty ? nil : value
        }
        var dir = directory
        for _ in 0..<8 {
            let git = dir.appendingPathComponent(".git")
            if let head = try? String(contentsOf: git.appendingPathComponent("HEAD"), encoding: .utf8) {
                return resolve(head.trimmed(), git: git)
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        return nil
    }

    /// A HEAD's commit, short (its ref file, or packed-refs).
    static func resolve(_ head: String, git: URL) -> String? {
        guard head.hasPrefix("ref: ") else { return String(head.prefix(12)) }
        let ref = String(head.dropFirst(5))
        if let hash = try? String(contentsOf: git.appendingPathComponent(ref), encoding: .utf8) {
            return String(hash.trimmed().prefix(12))
        }
        let packed = (try? String(contentsOf: git.appendingPathComponent("packed-refs"), encoding: .utf8)) ?? ""
        for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
            return String(line.prefix(12))
        }
        return nil
    }

    /// `stepconf --version`'s text.
    public static var versionText: String { "stepconf " + BuildVersion.describe(commit: commit) }
}
