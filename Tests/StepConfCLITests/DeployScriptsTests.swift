import Foundation
import Testing

/// `deploy/build.sh` and `deploy/deploy.sh` run for real, with stand-ins only for what this machine lacks: a
/// container engine (`Tests/support/standin_engine.sh`, which runs the container's build script on this host) and
/// the SAM CLI (`Tests/support/standin_sam.sh`, which records its arguments). Bundles go to scratch folders, never
/// to the project's `deploy/bundle`.
@Suite(.serialized) struct DeployScriptsTests {
    struct Run {
        var status: Int32
        var output: String
        var log: [String]
    }

    static let root = CLITests.root
    static let stepconf = CLITests.binary.path

    /// A folder holding the stand-ins named `names` (each a copy of `script`), for the front of PATH.
    static func standIns(_ script: String, as names: [String]) throws -> String {
        let dir = scratch("bin")
        for name in names {
            try FileManager.default.copyItem(atPath: root.appendingPathComponent("Tests/support/\(script)").path, toPath: dir + "/" + name)
        }
        return dir
    }

    static func scratch(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-deploy-\(UUID().uuidString)/\(name)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs `script` with `arguments`; `path` goes first on a PATH that otherwise holds only the system's folders and
    /// Swift's, so an engine or SAM CLI installed elsewhere on this machine cannot answer instead of the stand-ins.
    static func run(_ script: String, _ arguments: [String], path: [String], environment extra: [String: String] = [:]) throws -> Run {
        let log = scratch("log") + "/calls.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let swift = try #require(ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").first {
            FileManager.default.isExecutableFile(atPath: "\($0)/swift")
        })
        var environment = ProcessInfo.processInfo.environment
        // Not /usr/local/bin: this machine's image has a docker CLI there (without a daemon).
        environment["PATH"] = (path + [String(swift), "/usr/bin", "/bin"]).joined(separator: ":")
        environment["STANDIN_LOG"] = log
        environment["STEPCONF"] = stepconf
        for (key, value) in extra { environment[key] = value }
        let process = Process()
        // At the lowest priority: build.sh's release builds take minutes of both cores, and the suites running
        // beside them (emulator, servers) must not starve into timeouts.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nice")
        process.arguments = ["-n", "19", "/bin/bash", script] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: scratch("cwd"))
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let calls = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return Run(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            log: calls.split(separator: "\n").map(String.init))
    }

    static var buildScript: String { root.appendingPathComponent("deploy/build.sh").path }

    // MARK: build.sh

    @Test func theContainerBuildGetsThroughStagingToTheBundleCheck() throws {
        let engines = try Self.standIns("standin_engine.sh", as: ["docker"])
        let out = Self.scratch("bundle")
        let r = try Self.run(Self.buildScript, ["--out", out], path: [engines])
        // This host's glibc is newer than provided.al2's: the check refuses the bundle, as the README documents.
        #expect(r.status == 1, "\(r.output)")
        #expect(r.output.contains("== building in swift:6.1-amazonlinux2 with docker (linux/amd64)"), "\(r.output)")
        #expect(r.output.contains("== staging \(out)"))
        #expect(r.output.contains("REFUSED for provided.al2:"), "\(r.output)")
        #expect(r.output.contains("but provided.al2 has 2.26: it was linked on a newer system than the runtime"))
        #expect(!r.output.contains("no such file"))
        #expect(r.log.first == "docker info")
        #expect(r.log.contains { $0.hasPrefix("docker run --rm --platform linux/amd64 -v \(Self.root.path):/src -w /src swift:6.1-amazonlinux2 bash -c") })
        #expect(r.log.contains("yum install -y -q libcurl-devel sqlite-devel"))
        // The staged bundle is complete: the binary, the image's SQLite, the workflows and their models.
        let files = FileManager.default
        #expect(files.isExecutableFile(atPath: out + "/bootstrap"))
        #expect(files.fileExists(atPath: out + "/lib/libsqlite3.so.0"))
        #expect(files.fileExists(atPath: out + "/workflows/synthetic16.model.json"))
        #expect(files.fileExists(atPath: out + "/workflows/video.json"))
        #expect(!files.fileExists(atPath: out + "/workflows/platform.json"))
        #expect(!files.fileExists(atPath: out + ".tmp"))
    }

    @Test func armWithAChosenEngineAndAPlatformFile() throws {
        let engines = try Self.standIns("standin_engine.sh", as: ["docker", "podman"])
        let out = Self.scratch("bundle")
        let platform = Self.scratch("p") + "/small.platform.json"
        try Data(#"{"note": "a platform file travels with the bundle"}"#.utf8).write(to: URL(fileURLWithPath: platform))
        let r = try Self.run(
            Self.buildScript, ["--arch", "arm64", "--engine", "podman", "--platform", platform, "--runtime", "provided.al2023", "--out", out],
            path: [engines])
        #expect(r.status == 1, "\(r.output)")
        #expect(r.output.contains("with podman (linux/arm64)"), "\(r.output)")
        #expect(r.log.contains { $0.hasPrefix("podman run --rm --platform linux/arm64 ") })
        #expect(!r.log.contains { $0.hasPrefix("docker") })
        #expect(r.output.contains("REFUSED for provided.al2023:"))
        #expect(r.output.contains("the template deploys arm64"), "\(r.output)")
        #expect(FileManager.default.contents(atPath: out + "/workflows/platform.json") == FileManager.default.contents(atPath: platform))
    }

    @Test func theHostBuildIsCheckedLikeAnyOther() throws {
        let out = Self.scratch("bundle")
        let r = try Self.run(Self.buildScript, ["--host", "--out", out], path: [])
        #expect(r.status == 1, "\(r.output)")
        #expect(r.output.contains("== host build"))
        #expect(r.output.contains("REFUSED for provided.al2:"))
        #expect(r.output.contains("libsqlite3.so.0, which provided.al2 does not provide"))
        #expect(FileManager.default.isExecutableFile(atPath: out + "/bootstrap"))
        #expect(!FileManager.default.fileExists(atPath: out + "/lib/libsqlite3.so.0"))
    }

    @Test func anEngineThatIsMissingOrDoesNotAnswerIsNamed() throws {
        let engines = try Self.standIns("standin_engine.sh", as: ["docker"])
        let none = try Self.run(Self.buildScript, ["--out", Self.scratch("b")], path: [])
        #expect(none.status == 1)
        #expect(none.output.contains("no container engine (docker, podman or finch) found"))
        #expect(none.output.contains("deploy/build.sh --host"))
        let down = try Self.run(Self.buildScript, ["--out", Self.scratch("b")], path: [engines], environment: ["STANDIN_ENGINE_DOWN": "1"])
        #expect(down.status == 1)
        #expect(down.output.contains("found docker, but none answers"), "\(down.output)")
        let chosenDown = try Self.run(
            Self.buildScript, ["--engine", "docker", "--out", Self.scratch("b")], path: [engines], environment: ["STANDIN_ENGINE_DOWN": "1"])
        #expect(chosenDown.status == 1)
        #expect(chosenDown.output.contains("--engine docker does not answer"))
        let missing = try Self.run(Self.buildScript, ["--engine", "finch", "--out", Self.scratch("b")], path: [engines])
        #expect(missing.status == 1)
        #expect(missing.output.contains("--engine finch: not installed"))
        #expect(!missing.log.contains { $0.contains(" run ") })
    }

    @Test(arguments: [
        (["--platform", "/nonexistent/platform.json"], "--platform /nonexistent/platform.json: no such file"),
        (["--arch", "sparc"], "--arch must be x86_64 or arm64"),
        (["--engine", "lxc"], "--engine must be docker, podman or finch"),
        (["--runtime", "provided.al1"], "--runtime must be provided.al2 or provided.al2023"),
        (["--platform"], "--platform needs a value"),
        (["--frobnicate"], "unknown argument --frobnicate"),
    ])
    func badArgumentsStopBeforeAnyBuild(arguments: [String], message: String) throws {
        let engines = try Self.standIns("standin_engine.sh", as: ["docker"])
        let r = try Self.run(Self.buildScript, arguments + ["--out", Self.scratch("b")], path: [engines])
        #expect(r.status == 2)
        #expect(r.output.contains(message), "\(r.output)")
        #expect(!r.log.contains { $0.contains(" run ") }, "no container was run")
    }

    @Test func theOutputFolderIsNeverASymlinkOrSomethingElse() throws {
        let engines = try Self.standIns("standin_engine.sh", as: ["docker"])
        let target = Self.scratch("precious")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: target + "/notes.txt"))
        let link = Self.scratch("l") + "/bundle"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let viaLink = try Self.run(Self.buildScript, ["--out", link], path: [engines])
        #expect(viaLink.status == 2)
        #expect(viaLink.output.contains("is not a directory (a symlink or a file): not replacing it"))
        let other = try Self.run(Self.buildScript, ["--out", target], path: [engines])
        #expect(other.status == 2)
        #expect(other.output.contains("holds something other than a bundle"))
        #expect(FileManager.default.contents(atPath: target + "/notes.txt") == Data("keep".utf8))
        #expect(!other.log.contains { $0.contains(" run ") })
    }

    // MARK: deploy.sh

    /// A project as a user deploys it: the template, the state machines, deploy/ and a bundle whose binary any
    /// runtime loads (statically linked), so the bundle check passes and the stand-in SAM CLI is reached.
    static func deployableProject() throws -> String {
        let project = scratch("project")
        let files = FileManager.default
        try files.createDirectory(atPath: project + "/deploy/bundle/workflows", withIntermediateDirectories: true)
        for item in ["template.yaml", "statemachine", "deploy/deploy.sh", "deploy/Makefile", "deploy/samconfig.toml"] {
            try files.copyItem(atPath: root.appendingPathComponent(item).path, toPath: project + "/" + item)
        }
        let source = project + "/main.c"
        try Data("int main(void) { return 0; }\n".utf8).write(to: URL(fileURLWithPath: source))
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cc.arguments = ["cc", "-static", "-o", project + "/deploy/bundle/bootstrap", source]
        try cc.run()
        cc.waitUntilExit()
        try #require(cc.terminationStatus == 0, "cc -static failed: the deploy.sh tests need a C compiler and libc6-dev")
        return project
    }

    @Test func deployWarnsOnProvidedAL2AndRunsSamBuildThenDeploy() throws {
        let project = try Self.deployableProject()
        let sam = try Self.standIns("standin_sam.sh", as: ["sam"])
        let r = try Self.run(project + "/deploy/deploy.sh", ["--guided"], path: [sam])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("warning: the stack's runtime is provided.al2, deprecated since 2026-07-31"), "\(r.output)")
        #expect(r.output.contains("2027-02-01") && r.output.contains("2027-03-03"))
        #expect(r.output.contains("deploy/deploy.sh --runtime provided.al2023"))
        let config = project + "/deploy/samconfig.toml"
        #expect(r.log == ["sam | build | --config-file | \(config)", "sam | deploy | --config-file | \(config) | --guided"])
    }

    @Test func runtimeAL2023IsPassedToSamAndNotWarnedAbout() throws {
        let project = try Self.deployableProject()
        let sam = try Self.standIns("standin_sam.sh", as: ["sam"])
        let r = try Self.run(project + "/deploy/deploy.sh", ["--runtime", "provided.al2023"], path: [sam])
        #expect(r.status == 0, "\(r.output)")
        #expect(!r.output.contains("warning"))
        #expect(r.log.last?.hasSuffix(
            "| --parameter-overrides | Runtime=provided.al2023 Architecture=x86_64 FunctionPrefix=stepconf Policy=stepconf") == true,
            "\(r.log)")
        // The runtime named in the user's own overrides counts too.
        let own = try Self.run(project + "/deploy/deploy.sh", ["--parameter-overrides", "Runtime=provided.al2023 Policy=static"], path: [sam])
        #expect(own.status == 0)
        #expect(!own.output.contains("warning"))
        #expect(own.log.last?.hasSuffix("| --parameter-overrides | Runtime=provided.al2023 Policy=static") == true)
    }

    @Test func deployRefusesWhatItCannotDeploy() throws {
        let project = try Self.deployableProject()
        let sam = try Self.standIns("standin_sam.sh", as: ["sam"])
        let bad = try Self.run(project + "/deploy/deploy.sh", ["--runtime", "provided.al1"], path: [sam])
        #expect(bad.status == 2)
        #expect(bad.output.contains("--runtime must be provided.al2 or provided.al2023"))
        let both = try Self.run(
            project + "/deploy/deploy.sh", ["--runtime", "provided.al2023", "--parameter-overrides", "Policy=static"], path: [sam])
        #expect(both.status == 2)
        #expect(both.output.contains("put Runtime=provided.al2023 in your --parameter-overrides"))
        let noSam = try Self.run(project + "/deploy/deploy.sh", [], path: [])
        #expect(noSam.status == 1)
        #expect(noSam.output.contains("the SAM CLI is not installed"))
        try FileManager.default.removeItem(atPath: project + "/deploy/bundle")
        let noBundle = try Self.run(project + "/deploy/deploy.sh", [], path: [sam])
        #expect(noBundle.status == 1)
        #expect(noBundle.output.contains("no bundle at deploy/bundle: run deploy/build.sh first"))
        #expect(bad.log.isEmpty && both.log.isEmpty && noBundle.log.isEmpty, "SAM was never called")
    }
}
