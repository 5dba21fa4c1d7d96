import Foundation
import Testing

/// The cases of the hostile-input campaign (issue 21), each as a user would hit it: an exit code and a message
/// that names the problem, never a trap; `--out` that never replaces what a path points at.
@Suite(.serialized) struct HostileInputTests {
    let cli = CLITests()

    func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The example `name` with `replace` applied to its text, written to a temporary file.
    func example(_ name: String, _ replace: (String) -> String) throws -> String {
        let text = try String(contentsOf: CLITests.root.appendingPathComponent("examples/\(name)"), encoding: .utf8)
        return try cli.temporaryFile(replace(text), name: name)
    }

    @Test(arguments: [
        (["plan", "--workflow", "video", "--slo", "1e308"], 2, "0 < S ≤ 10000000"),
        (["plan", "--workflow", "video", "--safety", "1e308"], 2, "--safety must be a number in 0…100"),
        (["plan", "--workflow", "video", "--slo", "-1"], 2, "invalid for '--slo"),
        (["evaluate", "--workflow", "video", "--requests", "-1", "--out", "/tmp/never"], 2, "--requests must lie in 1…1000000, got -1"),
        (["evaluate", "--workflow", "video", "--requests", "9223372036854775807", "--out", "/tmp/never"], 2, "--requests must lie in 1…1000000"),
        (["plan", "--workflow", "video", "--percentile", "-5"], 2, "percentile"),
    ])
    func optionValuesOutOfRangeAreRefusedWithTheRange(arguments: [String], status: Int32, message: String) throws {
        let r = try cli.run(arguments)
        #expect(r.status == status, "\(arguments): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
        #expect(!r.stderr.contains("Missing value"), "\(r.stderr)")
    }

    @Test func numbersThatDoNotFitAreRefusedWithTheFileTheFieldAndTheRange() throws {
        let cases: [(String, (String) -> String, String)] = [
            ("video.json", { $0.replacingOccurrences(of: "\"jobs\": 24,", with: "\"jobs\": 9223372036854775807,") }, "step `extract`: field `jobs` must lie in 1…1000000"),
            ("video.json", { $0.replacingOccurrences(of: "\"jobs\": 24,", with: "\"jobs\": 1e30,") }, "steps[0].jobs`: must be a whole number in 1…1000000"),
            ("video.json", { $0.replacingOccurrences(of: "\"jobs\": 24,", with: "\"jobs\": 2.5,") }, "got 2.5"),
            ("video.json", { $0.replacingOccurrences(of: "\"multicore_ratio\": 0.05,", with: "\"multicore_ratio\": 7,") }, "params.multicore_ratio` must lie in 0…1"),
            ("video.json", { $0.replacingOccurrences(of: "\"bytes_in_per_job\": 4194304,", with: "\"bytes_in_per_job\": 1e308,") }, "params.bytes_in_per_job` must be a number in"),
            ("video.json", { $0.replacingOccurrences(of: "\"difficulty\": 30000,", with: "\"difficulty\": 30000, \"difficulty\": 1,") }, "the key `difficulty` appears twice"),
            ("video.json", { $0.replacingOccurrences(of: "\"depends_on\": []", with: "\"depends_on\": [\"x\",]") }, "a trailing comma before `]`"),
        ]
        for (name, replace, message) in cases {
            let file = try example(name, replace)
            let r = try cli.run(["plan", "--workflow", file, "--model", "examples/video.model.json"])
            #expect(r.status == 1, "\(message): \(r.stderr)")
            #expect(r.stderr.contains(file) && r.stderr.contains(message), "\(message): \(r.stderr)")
        }
        // A model value the arithmetic cannot carry, and a platform price.
        let model = try example("video.model.json") { $0.replacingOccurrences(of: "\"instance_spread\" : ", with: "\"instance_spread\" : 1e300, \"x_\" : ") }
        let r = try cli.run(["plan", "--workflow", "video", "--model", model])
        #expect(r.status == 1 && r.stderr.contains("noise.instance_spread` must be at most"), "\(r.stderr)")
    }

    @Test func aProfileWithAHugeLineIsRefusedFastAndABadFieldIsNamedShortly() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let header = "step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold\n"
        let huge = dir + "/huge.csv"
        FileManager.default.createFile(atPath: huge, contents: Data(header.utf8))
        let handle = try #require(FileHandle(forWritingAtPath: huge))
        handle.seekToEndOfFile()
        let block = Data(repeating: 0x78, count: 1 << 20)
        for _ in 0..<64 { handle.write(block) }  // one 64 MiB line
        try handle.close()
        let started = Date()
        let r = try cli.run(["fit", "--samples", huge, "--out", dir + "/m.json"])
        #expect(r.status == 1 && r.stderr.contains("line 2 is longer than 65536 bytes"), "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(r.stderr.utf8.count < 300)
        // A 16 KiB field is quoted in 60 bytes, with the file and the line.
        let wide = try cli.temporaryFile(header + "s01,1024,\(String(repeating: "9", count: 16_384)),1,8,0.1,0.1,0.2,false\n", name: "wide.csv")
        let w = try cli.run(["fit", "--samples", wide, "--out", dir + "/m.json"])
        #expect(w.status == 1 && w.stderr.contains("wide.csv: line 2: `inter` must be an integer in 1…10000"), "\(w.stderr)")
        #expect(w.stderr.utf8.count < 300, "\(w.stderr.utf8.count) bytes")
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.json"))
    }

    @Test func outWritesThroughASymlinkIntoADeviceAndNeverReplacesWhatThePathPointsAt() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A symlink: its target gets the file, the link stays a link.
        let target = dir + "/target.asl.json"
        try "old".write(toFile: target, atomically: true, encoding: .utf8)
        let link = dir + "/link.asl.json"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.asl.json")
        let r = try cli.run(["asl", "--workflow", "video", "--out", link])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "target.asl.json")
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("{"))
        // A device: written to, not replaced; a full one is an error with the system's reason.
        let null = try cli.run(["asl", "--workflow", "video", "--out", "/dev/null"])
        #expect(null.status == 0)
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
        if FileManager.default.fileExists(atPath: "/dev/full") {
            let full = try cli.run(["asl", "--workflow", "video", "--out", "/dev/full"])
            #expect(full.status == 1 && full.stderr.contains("cannot write /dev/full: No space left on device"), "\(full.stderr)")
            #expect(stat("/dev/full", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
        }
        // A FIFO: written through while a reader waits.
        let fifo = dir + "/fifo"
        #expect(mkfifo(fifo, 0o644) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [fifo]
        let pipe = Pipe()
        reader.standardOutput = pipe
        try reader.run()
        let f = try cli.run(["asl", "--workflow", "video", "--out", fifo])
        let read = pipe.fileHandleForReading.readDataToEndOfFile()
        reader.waitUntilExit()
        #expect(f.status == 0 && read.count > 1000)
        #expect(stat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        // A directory is refused; nothing is left behind.
        let d = try cli.run(["asl", "--workflow", "video", "--out", dir])
        #expect(d.status == 1 && d.stderr.contains("cannot write \(dir): it is a directory"))
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tmp") || $0.contains("partial") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func aCacheThatIsNotADatabaseAndAnEmptyExecutionAreNamed() throws {
        let file = try cli.temporaryFile("not a database", name: "cache.sqlite")
        let r = try cli.run(["cache", "show", "--db", file, "--execution", "e1"])
        #expect(r.status == 1 && r.stderr.contains(file), "\(r.stderr)")
        let e = try cli.run(["cache", "put", "--db", file, "--execution", "", "--step", "a", "--deadline", "1", "--members", "a"])
        #expect(e.status == 2 && e.stderr.contains("--execution must be a non-empty id"), "\(e.stderr)")
    }
}
