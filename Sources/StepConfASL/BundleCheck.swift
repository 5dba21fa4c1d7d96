import Foundation

/// Whether a Lambda bundle (a directory with `bootstrap`, optionally `lib/`) can run on an OS-only runtime
/// (docs/deploy.md): its glibc must be no newer than the runtime's, and every shared library it needs must be in
/// the runtime's image or in the bundle's `lib/` (Lambda puts `$LAMBDA_TASK_ROOT/lib` on the library path).
public struct BundleCheck: Sendable {
    /// An OS-only Lambda runtime: its glibc and the libraries its image is known to hold.
    public struct Runtime: Sendable {
        public var name: String
        public var glibc: [Int]
        public var libraries: Set<String>

        public init(name: String, glibc: [Int], libraries: Set<String>) {
            self.name = name
            self.glibc = glibc
            self.libraries = libraries
        }
    }

    static let base: Set<String> = [
        "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1", "libresolv.so.2",
        "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libgcc_s.so.1", "libstdc++.so.6", "libz.so.1",
    ]

    public static let runtimes: [String: Runtime] = [
        "provided.al2": Runtime(name: "provided.al2", glibc: [2, 26], libraries: base),
        "provided.al2023": Runtime(name: "provided.al2023", glibc: [2, 34], libraries: base),
    ]

    /// What the check found.
    public struct Report: Sendable {
        public var binary: String
        public var architecture: String?
        public var glibc: [Int]?
        public var libraries: [String]
        /// Why the runtime cannot load the bundle; empty when it can.
        public var problems: [String]
        public var ok: Bool { problems.isEmpty }
    }

    public let runtime: Runtime
    /// The architecture the template deploys (`x86_64` or `arm64`).
    public let architecture: String

    public init(runtime: Runtime, architecture: String = "x86_64") {
        self.runtime = runtime
        self.architecture = architecture
    }

    /// Checks `path`: a bundle directory (its `bootstrap`) or the binary itself.
    /// - Throws: ``ELFDependencies/Error`` when the binary is missing or not ELF.
    public func check(_ path: String) throws -> Report {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        guard exists else { throw ELFDependencies.Error(.unreadable, "\(path): no such file or directory") }
        let binary = isDirectory.boolValue ? path + "/bootstrap" : path
        let bundleLib = URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent("lib").path
        let elf = try ELFDependencies(path: binary)
        var problems: [String] = []
        if elf.architecture != architecture {
            problems.append("the binary is for \(elf.architecture ?? "machine \(elf.machine)"), the template deploys \(architecture): build for \(architecture) or deploy with Architecture=\(elf.architecture ?? "?")")
        }
        if let glibc = elf.highestGlibc, glibc.lexicographicallyPrecedes(runtime.glibc) == false, glibc != runtime.glibc {
            let text = glibc.map(String.init).joined(separator: ".")
            let has = runtime.glibc.map(String.init).joined(separator: ".")
            problems.append(
                "it needs glibc \(text) but \(runtime.name) has \(has): it was linked on a newer system than the runtime. "
                    + "Build it in the Amazon Linux Swift image (deploy/build.sh without --host; needs docker, podman or finch)"
                    + (runtime.name == "provided.al2" && glibc.lexicographicallyPrecedes([2, 35]) ? ", or deploy with Runtime=provided.al2023" : ""))
        }
        for library in elf.libraries where !runtime.libraries.contains(library) {
            if FileManager.default.fileExists(atPath: bundleLib + "/" + library) { continue }
            problems.append(
                "it loads \(library), which \(runtime.name) does not provide: put a copy built for the runtime in the bundle's lib/ (deploy/build.sh does) or link it statically")
        }
        return Report(binary: binary, architecture: elf.architecture, glibc: elf.highestGlibc, libraries: elf.libraries, problems: problems)
    }
}
