import ArgumentParser
import Foundation
import StepConfASL
import StepConfCore
import StepConfLambda

struct CheckBundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-bundle",
        abstract: "Check that a Lambda bundle's bootstrap can run on an OS-only runtime (glibc, libraries, architecture).",
        discussion: """
            Reads the ELF binary (DT_NEEDED and .gnu.version_r): refuses when it needs a newer glibc than the \
            runtime has (provided.al2: 2.26, provided.al2023: 2.34), a shared library the runtime's image does \
            not hold and the bundle's lib/ does not either, or another architecture. deploy/build.sh runs it.

            Also prints the bundle's size and what its zip holds (each file deflated as zip does): what Lambda \
            downloads and maps at every cold start.

            Exit codes: 0 the runtime can load it, 1 refused (each reason printed with what to do), 2 usage error.

            Example: stepconf check-bundle --runtime provided.al2 deploy/bundle
            """)

    @Argument(help: ArgumentHelp("A bundle directory (with bootstrap) or the binary.", valueName: "path"))
    var path: String

    @Option(help: ArgumentHelp("provided.al2 or provided.al2023.", valueName: "runtime"))
    var runtime: String = "provided.al2"

    @Option(help: ArgumentHelp("x86_64 or arm64.", valueName: "arch"))
    var architecture: String = "x86_64"

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard BundleCheck.runtimes[runtime] != nil else {
            throw ValidationError("--runtime must be one of \(BundleCheck.runtimes.keys.sorted().joined(separator: ", ")), got `\(runtime)`")
        }
        guard ["x86_64", "arm64"].contains(architecture) else { throw ValidationError("--architecture must be x86_64 or arm64") }
    }

    func run() throws {
        guard let target = BundleCheck.runtimes[runtime] else {
            throw ValidationError("--runtime \(runtime): expected one of \(BundleCheck.runtimes.keys.sorted().joined(separator: ", "))")
        }
        var report = try BundleCheck(runtime: target, architecture: architecture).check(path)
        let glibc = report.glibc.map { $0.map(String.init).joined(separator: ".") } ?? "none"
        // The bundle's bootstrap against this stepconf: another bundle format is refused, another version noted.
        let cli = "stepconf " + BuildVersion.describe(commit: nil)
        let bundled = Self.bootstrapVersion(report.binary)
        var versionNote: String?
        if let bundled {
            if !bundled.contains("(bundle format \(BuildVersion.bundleFormat)") {
                report.problems.append("its bootstrap is \(bundled), this stepconf \(cli): another bundle format; rebuild the bundle (deploy/build.sh)")
            } else if !bundled.hasPrefix("bootstrap \(BuildVersion.version) ") {
                versionNote = "its bootstrap is \(bundled), this stepconf \(cli): rebuild the bundle to deploy this version"
            }
        }
        let size = Self.bundleSize(path)
        if json {
            try printJSON(Summary(
                binary: report.binary, runtime: runtime, architecture: report.architecture, glibc: glibc, libraries: report.libraries,
                ok: report.ok, problems: report.problems, bootstrapVersion: bundled, stepconfVersion: cli, versionNote: versionNote,
                bytes: size.bytes, zippedBytes: size.zipped))
        } else {
            print("bootstrap: \(bundled ?? "version unknown (not runnable on this machine)") · \(cli)")
            if let versionNote { print("note: \(versionNote)") }
            print("\(report.binary): \(report.architecture ?? "unknown architecture"), glibc \(glibc), loads \(report.libraries.joined(separator: ", "))")
            let zipped = size.zipped.map { String(format: ", %.1f MB zipped (what Lambda downloads at a cold start)", Double($0) / 1_048_576) }
            print(String(format: "size: %.1f MB in %d files", Double(size.bytes) / 1_048_576, size.files) + (zipped ?? ""))
            if report.ok {
                print("ok: \(runtime) can load it")
            } else {
                print("REFUSED for \(runtime):")
                for problem in report.problems { print("  - \(problem)") }
            }
        }
        if !report.ok { throw ExitCode(1) }
    }

    struct Summary: Encodable {
        var binary: String
        var runtime: String
        var architecture: String?
        var glibc: String
        var libraries: [String]
        var ok: Bool
        var problems: [String]
        var bootstrapVersion: String?
        var stepconfVersion: String
        var versionNote: String?
        var bytes: Int
        var zippedBytes: Int?

        enum CodingKeys: String, CodingKey {
            case binary, runtime, architecture, glibc, libraries, ok, problems, bytes
            case bootstrapVersion = "bootstrap_version"
            case stepconfVersion = "stepconf_version"
            case versionNote = "version_note"
            case zippedBytes = "zipped_bytes"
        }
    }

    /// The bundle's files (a directory's regular files, or the binary alone), their bytes, and what a zip of them
    /// holds: each file deflated at zip's default level 6 (`gzip -6`, the same deflate stream a zip stores) plus zip's
    /// per-file headers. Nil zipped size when gzip cannot run here.
    static func bundleSize(_ path: String) -> (files: Int, bytes: Int, zipped: Int?) {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        var files: [String] = []
        if isDirectory.boolValue, let walker = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in walker {
                let full = (path as NSString).appendingPathComponent(relative)
                var inner: ObjCBool = false
                if FileManager.default.fileExists(atPath: full, isDirectory: &inner), !inner.boolValue { files.append(full) }
            }
        } else {
            files = [path]
        }
        var bytes = 0
        var zipped: Int? = 0
        for file in files {
            bytes += (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            // A zip entry: local header (30 bytes) and central directory record (46), each with the name.
            let overhead = 76 + 2 * file.utf8.count
            zipped = zipped.flatMap { total in deflatedSize(file).map { total + $0 + overhead } }
        }
        return (files.count, bytes, zipped.map { $0 + 22 })
    }

    /// The size of `file` deflated at level 6, from `gzip -6 -c` less gzip's 18-byte wrapper (header and trailer).
    static func deflatedSize(_ file: String) -> Int? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-6", "-n", "-c", file]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        var count = 0
        let handle = out.fileHandleForReading
        while case let chunk = handle.availableData, !chunk.isEmpty { count += chunk.count }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? max(0, count - 18) : nil
    }

    /// `bootstrap --version` of the binary, when it runs here (same architecture) within 5 s; nil otherwise.
    static func bootstrapVersion(_ binary: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--version"]
        var environment = ProcessInfo.processInfo.environment
        environment[LambdaWire.Variable.runtimeAPI.rawValue] = nil  // never a runtime: only the version
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let done = DispatchSemaphore(value: 0)
        Thread {
            process.waitUntilExit()
            done.signal()
        }.start()
        if done.wait(timeout: .now() + 5) == .timedOut {
            process.terminate()
            return nil
        }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && text.hasPrefix("bootstrap ") ? String(text.prefix(200)) : nil
    }
}
