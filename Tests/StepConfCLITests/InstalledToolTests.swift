import Foundation
import Testing

/// `stepconf` as an installed tool (issue 22): copied to a folder on PATH, run by its bare name from another
/// working directory.
@Suite(.serialized) struct InstalledToolTests {
    /// Runs `arguments` (a command found on PATH) with `bin` first on PATH, in `directory`.
    func run(_ arguments: [String], bin: String, in directory: String, environment extra: [String: String] = [:]) throws -> CLITests.Run {
        var environment = ["PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? ""), "STEPCONF_BOOTSTRAP": ""]
        for (k, v) in extra { environment[k] = v }
        return try CLITests().run(arguments, environment: environment, executable: URL(fileURLWithPath: "/usr/bin/env"), directory: directory)
    }

    func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-installed-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aCopyOnPathFindsItsBootstrapFromAnywhereAndSaysItsVersion() throws {
        let bin = try folder()
        let work = try folder()
        defer {
            try? FileManager.default.removeItem(atPath: bin)
            try? FileManager.default.removeItem(atPath: work)
        }
        let built = CLITests.binary.deletingLastPathComponent()
        for name in ["stepconf", "bootstrap"] {
            try FileManager.default.copyItem(atPath: built.appendingPathComponent(name).path, toPath: bin + "/" + name)
        }
        try "commit=abc123def456\n".write(toFile: bin + "/stepconf.build-info", atomically: true, encoding: .utf8)
        let version = try run(["stepconf", "--version"], bin: bin, in: work)
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("stepconf 0.") && version.stdout.contains("bundle format 1, commit abc123def456"), "\(version.stdout)")
        let bootstrap = try run(["bootstrap", "--version"], bin: bin, in: work)
        #expect(bootstrap.stdout.hasPrefix("bootstrap 0.") && version.stdout.contains(String(bootstrap.stdout.dropFirst("bootstrap ".count).prefix(6))))
        // `run` from a folder that is not the checkout: the bootstrap next to the resolved stepconf, nothing built.
        let r = try run(
            ["stepconf", "run", "--workflow", "wordcount", "--no-calibration", "--compare", "none", "--dir", work + "/run", "--slo", "60"],
            bin: bin, in: work)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("building bootstrap"), "\(r.stderr)")
    }

    @Test func withoutABootstrapItSaysWhereItLookedAndWhatToDo() throws {
        let bin = try folder()
        let work = try folder()
        defer {
            try? FileManager.default.removeItem(atPath: bin)
            try? FileManager.default.removeItem(atPath: work)
        }
        try FileManager.default.copyItem(atPath: CLITests.binary.path, toPath: bin + "/stepconf")
        let r = try run(["stepconf", "run", "--workflow", "wordcount", "--no-calibration", "--compare", "none", "--dir", work + "/run"], bin: bin, in: work)
        #expect(r.status == 1)
        #expect(r.stderr.contains("no bootstrap next to stepconf (\(bin)/bootstrap)") && r.stderr.contains("STEPCONF_BOOTSTRAP"), "\(r.stderr)")
        // STEPCONF_BOOTSTRAP names one, and it is used (and said).
        let bootstrap = CLITests.binary.deletingLastPathComponent().appendingPathComponent("bootstrap").path
        let named = try run(
            ["stepconf", "run", "--workflow", "wordcount", "--no-calibration", "--compare", "none", "--dir", work + "/run", "--slo", "60"],
            bin: bin, in: work, environment: ["STEPCONF_BOOTSTRAP": bootstrap])
        #expect(named.status == 0, "\(named.stderr)")
        #expect(named.stderr.contains("using the bootstrap of STEPCONF_BOOTSTRAP"), "\(named.stderr)")
    }

    /// Every verb's options: a folder is `--dir` (or `--out` for what a verb writes), never another spelling.
    @Test func everyVerbNamesItsFolderDir() throws {
        let cli = CLITests()
        let top = try cli.run(["--help"])
        let verbs = top.stdout.components(separatedBy: "SUBCOMMANDS:").last?.split(separator: "\n")
            .compactMap { $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) } ?? []
        #expect(verbs.contains("invoke") && verbs.contains("local"))
        var paths: [[String]] = verbs.map { [$0] }
        for group in ["local", "bench", "cache"] {
            let help = try cli.run([group, "--help"]).stdout
            let subs = help.components(separatedBy: "SUBCOMMANDS:").last?.split(separator: "\n")
                .compactMap { $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) } ?? []
            paths += subs.map { [group, $0] }
        }
        for path in paths {
            let help = try cli.run(path + ["--help"]).stdout
            let options = help.split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("--") else { return nil }
                return String(trimmed.prefix { $0 != " " && $0 != "," })
            }
            for option in options where option != "--dir" && (option.hasSuffix("-dir") || option.hasSuffix("-directory")) {
                Issue.record("`stepconf \(path.joined(separator: " "))` has \(option): a folder option is --dir")
            }
        }
        for path in [["run"], ["invoke"], ["local", "up"], ["local", "down"]] {
            #expect(try cli.run(path + ["--help"]).stdout.contains("--dir <dir>"), "\(path)")
        }
        // The old spelling still works, with a note.
        let old = try cli.run(["invoke", "--local", "--local-dir", "/nonexistent-stepconf", "--workflow", "video", "--slo", "5"])
        #expect(old.status == 1 && old.stderr.contains("--local-dir is deprecated; use --dir"), "\(old.stderr)")
    }
}
