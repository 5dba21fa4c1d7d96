import Foundation
import Testing

/// The hostile-input harness: the example files with one value (or one key, or one CSV field) replaced by
/// something hostile, and hostile option values, run through `plan`, `fit`, `evaluate` and `asl` as a user
/// would. Every run must end with exit 0, 1 or 2 and, when it fails, one short message — never a signal (a
/// trap), a hang, or a message that echoes a huge input.
///
/// CI runs it for `STEPCONF_FUZZ_SECONDS` (default 40); a longer run:
/// `STEPCONF_FUZZ_SECONDS=900 STEPCONF_FUZZ_SEED=7 swift test --filter FuzzTests`.
@Suite(.serialized) struct FuzzTests {
    static let root: URL = CLITests.root
    static var binary: URL { CLITests.binary }

    /// A deterministic stream (SplitMix64) so that a failure names a seed that reproduces it.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }

    /// Values a hostile user (or a broken tool) puts where a number belongs.
    nonisolated(unsafe) static let hostileNumbers: [Any] = [
        0, -1, -0.5, 1e308, -1e308, 1e-308, 1e30, 123_456_789, 9_223_372_036_854_775_807, 2.5, 7, 4_294_967_296, 1e15,
        "NaN", "", String(repeating: "9", count: 400), NSNull(), [Any](), [String: Any](),
    ]
    static let hostileOptionValues = [
        "0", "-1", "1e308", "-1e308", "nan", "inf", "9223372036854775807", "99999999999999999999", "2.5", "", "abc", "100",
        "1e-308",
    ]

    struct Outcome {
        var status: Int32
        var signalled: Bool
        var timedOut: Bool
        var stderr: String
    }

    /// Runs the CLI with a time limit; a run past it is killed and reported as a hang. The limit is generous: a hostile
    /// case may run a whole `evaluate` (every policy at the default SLOs, each static plan searched over thousands of
    /// sampled runs) on the debug build while the other suites load both cores.
    static func run(_ arguments: [String], seconds: Double = 150) throws -> Outcome {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = root
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            process.waitUntilExit()
            done.signal()
        }
        reader.start()
        var timedOut = false
        if done.wait(timeout: .now() + seconds) == .timedOut {
            timedOut = true
            process.terminate()
            done.wait()
        }
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Outcome(
            status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal, timedOut: timedOut,
            stderr: stderr)
    }

    /// Replaces one value (or removes one key) of a JSON document at random.
    static func mutate(_ value: Any, _ random: inout Random) -> Any {
        if var object = value as? [String: Any], !object.isEmpty {
            let key = object.keys.sorted()[random.below(object.count)]
            switch random.below(10) {
            case 0: object[key] = nil
            case 1: object[key] = random.pick(hostileNumbers)
            default: object[key] = mutate(object[key]!, &random)
            }
            return object
        }
        if var array = value as? [Any], !array.isEmpty {
            let k = random.below(array.count)
            switch random.below(8) {
            case 0: array.remove(at: k)
            case 1: array.append(array[k])
            default: array[k] = mutate(array[k], &random)
            }
            return array
        }
        return random.pick(hostileNumbers)
    }

    static func mutatedJSON(_ file: String, _ random: inout Random, into directory: String, name: String) throws -> String {
        let data = try Data(contentsOf: root.appendingPathComponent(file))
        var value = try JSONSerialization.jsonObject(with: data)
        for _ in 0...random.below(3) { value = mutate(value, &random) }
        let path = directory + "/" + name
        let out = (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])) ?? Data("{".utf8)
        try out.write(to: URL(fileURLWithPath: path))
        return path
    }

    static func mutatedCSV(_ file: String, _ random: inout Random, into directory: String) throws -> String {
        var lines = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8).split(separator: "\n").map(String.init)
        for _ in 0...random.below(3) {
            let row = random.below(min(lines.count, 40))
            var fields = lines[row].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let k = random.below(fields.count)
            fields[k] = random.pick(["-1", "1e308", "9223372036854775807", "nan", "", "x", String(repeating: "7", count: 300), "0", "1e-308"])
            if random.below(6) == 0 { fields.append("extra") }
            lines[row] = fields.joined(separator: ",")
        }
        if random.below(10) == 0 { lines = Array(lines.prefix(1 + random.below(3))) }
        let path = directory + "/samples.csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// One hostile case: the arguments to run.
    static func hostileCase(_ random: inout Random, directory: String) throws -> [String] {
        let workflow = random.pick(["synthetic16", "video", "wordcount"])
        switch random.below(7) {
        case 0:
            let file = try mutatedJSON("examples/\(workflow).json", &random, into: directory, name: "w.json")
            return ["plan", "--workflow", file, "--model", "examples/\(workflow).model.json", "--policy", random.pick(["stepconf", "static", "optimal", "all"])]
        case 1:
            let file = try mutatedJSON("examples/\(workflow).model.json", &random, into: directory, name: "m.json")
            return ["plan", "--workflow", workflow, "--model", file, "--policy", random.pick(["stepconf", "optimal", "stepconf-exact"])]
        case 2:
            let platform = try mutatedJSON("examples/platforms/local-2core.json", &random, into: directory, name: "p.json")
            return ["plan", "--workflow", "video", "--platform", platform, "--model", "examples/video.model.json", "--policy", random.pick(["stepconf", "optimal"])]
        case 3:
            let csv = try mutatedCSV("examples/\(workflow).samples.csv", &random, into: directory)
            return ["fit", "--samples", csv, "--out", directory + "/fitted.json"]
        case 4:
            let file = try mutatedJSON("examples/\(workflow).model.json", &random, into: directory, name: "m.json")
            return ["evaluate", "--workflow", workflow, "--model", file, "--requests", "3", "--no-hindsight", "--out", directory + "/eval", "--force"]
        case 5:
            let file = try mutatedJSON("examples/\(workflow).json", &random, into: directory, name: "w.json")
            return ["asl", "--workflow", file, "--out", directory + "/w.asl.json"]
        default:
            let option = random.pick(["--slo", "--percentile", "--safety"])
            return ["plan", "--workflow", workflow, option, random.pick(hostileOptionValues)]
        }
    }

    @Test func hostileFilesAndOptionsEndInAnExitCodeAndAShortMessageNeverATrapOrAHang() async throws {
        // On a thread of its own: a minute of blocking waits on one of the two cooperative threads (2 cores) would
        // starve the suites that run beside it.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread { continuation.resume(with: Result { try Self.fuzz() }) }
            thread.stackSize = 1 << 22
            thread.start()
        }
    }

    static func fuzz() throws {
        let environment = ProcessInfo.processInfo.environment
        let budget = environment["STEPCONF_FUZZ_SECONDS"].flatMap(Double.init) ?? 40
        let seed = environment["STEPCONF_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64(Date().timeIntervalSince1970)
        var random = Random(state: seed)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-fuzz-\(seed)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let deadline = Date().addingTimeInterval(budget)
        var runs = 0
        var failures = 0
        while Date() < deadline {
            let arguments = try hostileCase(&random, directory: directory)
            let outcome = try run(arguments)
            runs += 1
            let context = "seed \(seed), run \(runs): stepconf \(arguments.joined(separator: " "))"
            #expect(!outcome.signalled, "trap: \(context)\n\(outcome.stderr.prefix(2000))")
            #expect(!outcome.timedOut, "hang: \(context)")
            #expect([0, 1, 2].contains(outcome.status), "exit \(outcome.status): \(context)")
            if outcome.status != 0 {
                failures += 1
                // One message, short: no echo of a huge input (usage errors add the command's usage line).
                let firstLine = outcome.stderr.split(separator: "\n").first ?? ""
                #expect(firstLine.utf8.count <= 600, "a long message: \(context): \(firstLine.prefix(300))…")
                #expect(!outcome.stderr.contains("Fatal error") && !outcome.stderr.contains("NSCocoaErrorDomain"), "\(context): \(outcome.stderr.prefix(500))")
            }
            if outcome.signalled || outcome.timedOut { break }
        }
        print("fuzz: \(runs) runs in \(Int(budget)) s (seed \(seed)), \(failures) refused with a message")
        #expect(runs > 0)
    }
}
