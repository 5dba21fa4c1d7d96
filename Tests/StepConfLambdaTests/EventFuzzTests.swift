import Foundation
import StepConfCore
import StepConfTestSupport
import Testing

/// Mutated events through the shipped `bootstrap`'s real run loop, against a scripted Runtime API: every handler
/// (the configurator, the step kinds, the warm-up) answers each one with a response or a function error, and the
/// runtime never exits, hangs or writes outside its store. 40 s by default; `STEPCONF_FUZZ_SECONDS` runs longer.
///
/// The mutations replace, delete or add fields with values that have broken decoders before (huge and negative
/// numbers, wrong types, long strings); the video steps read a real stream, so their parameters reach the workers. Work-size parameters (`difficulty`, `work_s_per_job`) and the job range are
/// only made invalid or kept small: the step functions do not yet bound a valid but enormous amount of work by their
/// timeout, which Lambda's timeout ends, not the runtime.
@Suite(.serialized) struct EventFuzzTests {
    static var interesting: [Any] { [
        -1, 0, 1, 2, 64, 1 << 31, Int64.max, -Double.greatestFiniteMagnitude, 1e308, -1e308, 0.5, 1e-300, "", "x",
        String(repeating: "a", count: 5_000), [Any](), [String: Any](), NSNull(), true, ["k", 1],
    ] }

    /// The base events per handler.
    static func bases(examples: String) -> [(handler: String, event: [String: Any])] {
        [
            ("configurator", ["workflow": "synthetic16", "step": "s01", "execution": "fz", "slo_s": 30, "start_time": 1_700_000_000]),
            ("configurator", [
                "workflow": "wordcount", "step": "reduce", "execution": "fz", "slo_s": 2, "start_time": 1_700_000_000,
                "input": ["after": ["map": [["outputs": ["o/0"]]]]], "input_size": 1.5,
            ]),
            ("synthetic", ["execution": "fz", "step": "s", "job_end": 2, "intra": 1, "params": ["difficulty": 200, "multicore_ratio": 0.1]]),
            ("wordcount.map", ["execution": "fz", "step": "map", "job_end": 1, "keys": ["in/none.txt"], "params": [:] as [String: Any]]),
            ("synthetic", [WarmUpEvent.key: ["execution": "fz", "step": "s"]]),
            ("video.extract", ["execution": "fz", "step": "extract", "job_end": 1, "keys": [clip], "params": ["frames_per_chunk": 1]]),
            ("video.superres", ["execution": "fz", "step": "superres", "job_end": 2, "intra": 2, "keys": [clip], "params": ["scale": 2]]),
            ("video.detect", ["execution": "fz", "step": "detect", "job_end": 2, "keys": [clip], "params": ["threshold": 40]]),
        ]
    }

    /// The video steps' input: a real 8×8 stream of two frames, in the store.
    static let clip = "in/clip.y4m"

    static var clipBytes: Data {
        var data = Data("YUV4MPEG2 W8 H8 F30:1 Ip A1:1 C420jpeg\n".utf8)
        for f in 0..<2 {
            data.append(contentsOf: "FRAME\n".utf8)
            data.append(contentsOf: (0..<(64 + 2 * 16)).map { UInt8(($0 * 7 + f * 40) % 256) })
        }
        return data
    }

    static let workKeys: Set<String> = ["difficulty", "work_s_per_job", "job_end", "job_start"]

    /// One mutation of `event`: a top-level field or a parameter replaced, deleted or added.
    static func mutate(_ event: [String: Any], _ rng: inout SeededRandom) -> [String: Any] {
        var event = event
        let keys = Array(event.keys) + [
            "params.difficulty", "params.worker_memory_mb", "unknown", "params.extra", "params.scale", "params.frames_per_chunk",
        ]
        let key = keys[Int.random(in: 0..<keys.count, using: &rng)]
        var value = interesting[Int.random(in: 0..<interesting.count, using: &rng)]
        let leaf = key.hasPrefix("params.") ? String(key.dropFirst(7)) : key
        if workKeys.contains(leaf), let number = value as? Double, number > 64 || number < -1e9 { value = -3 }
        if workKeys.contains(leaf), let number = value as? Int, number > 64 { value = -3 }
        if workKeys.contains(leaf), let number = value as? Int64, number > 64 { value = -3 }
        let delete = Int.random(in: 0..<5, using: &rng) == 0
        if key.hasPrefix("params.") {
            var params = event["params"] as? [String: Any] ?? [:]
            params[leaf] = delete ? nil : value
            event["params"] = params
        } else {
            event[key] = delete ? nil : value
        }
        return event
    }

    /// Runs `events` through the shipped bootstrap as `handler`; the answers' paths, or nil when it hung.
    static func run(handler: String, events: [[String: Any]], directory: String, examples: String) throws -> [String]? {
        let eventsPath = directory + "/events.json"
        let recordPath = directory + "/record.json"
        try JSONSerialization.data(withJSONObject: events).write(to: URL(fileURLWithPath: eventsPath))
        let server = try PythonHelper(script: "fake_runtime_api.py", arguments: [eventsPath, recordPath], keepStdinOpen: false)
        defer { withExtendedLifetime(server) {} }
        let bootstrap = Process()
        bootstrap.executableURL = URL(fileURLWithPath: TestPaths.product("bootstrap"))
        bootstrap.currentDirectoryURL = URL(fileURLWithPath: directory + "/cwd")
        bootstrap.environment = [
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(server.port)", "_HANDLER": handler, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
            "STEPCONF_STORE": directory + "/store", "STEPCONF_WORKFLOW_DIR": examples, "STEPCONF_CACHE_PATH": directory + "/cache.sqlite",
            "STEPCONF_PREWARM": "false", "PATH": "/usr/bin:/bin",
        ]
        bootstrap.standardError = FileHandle.nullDevice
        bootstrap.standardOutput = FileHandle.nullDevice
        try bootstrap.run()
        let deadline = Date().addingTimeInterval(120)
        while bootstrap.isRunning && Date() < deadline { usleep(20_000) }
        if bootstrap.isRunning {
            bootstrap.terminate()
            bootstrap.waitUntilExit()
            return nil
        }
        let posts = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: recordPath)))) as? [[String: Any]] ?? []
        return posts.compactMap { $0["path"] as? String }
    }

    @Test func mutatedEventsNeverKillTheRuntime() throws {
        let seconds = Double(ProcessInfo.processInfo.environment["STEPCONF_FUZZ_SECONDS"] ?? "") ?? 40
        let examples = TestPaths.root.appendingPathComponent("examples").path
        let directory = TestPaths.scratch("event-fuzz")
        try FileManager.default.createDirectory(atPath: directory + "/cwd", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/store/in", withIntermediateDirectories: true)
        try Self.clipBytes.write(to: URL(fileURLWithPath: directory + "/store/" + Self.clip))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var rng = SeededRandom(seed: UInt64(ProcessInfo.processInfo.environment["STEPCONF_FUZZ_SEED"] ?? "") ?? 35)
        let started = Date()
        var sent = 0
        var problems: [String] = []
        let bases = Self.bases(examples: examples)
        var round = 0
        while Date().timeIntervalSince(started) < seconds && problems.isEmpty {
            let (handler, base) = bases[round % bases.count]
            round += 1
            let events = (0..<50).map { _ in
                var event = base
                for _ in 0..<Int.random(in: 1...3, using: &rng) { event = Self.mutate(event, &rng) }
                return event
            }
            guard let paths = try Self.run(handler: handler, events: events, directory: directory, examples: examples) else {
                problems.append("\(handler): the runtime hung on a batch (events in \(directory)/events.json)")
                break
            }
            sent += events.count
            if paths.count < events.count {
                let event = events[paths.count]
                let text = String(decoding: try JSONSerialization.data(withJSONObject: event), as: UTF8.self)
                problems.append("\(handler): the runtime exited on event \(paths.count): \(text.prefix(600))")
            }
            if paths.contains(where: { !$0.hasSuffix("/response") && !$0.hasSuffix("/error") }) {
                problems.append("\(handler): an answer went elsewhere: \(paths)")
            }
            let strays = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/cwd")) ?? []
            if !strays.isEmpty { problems.append("\(handler): files written outside the store: \(strays)") }
        }
        print("event fuzz: \(sent) events in \(Int(Date().timeIntervalSince(started))) s")
        #expect(problems.isEmpty, "\(problems)")
        #expect(sent > 0)
    }
}
