import Foundation
import StepConfCore
import StepConfFunctions
import StepConfStorage
import StepConfWorker
import StepConfTestSupport
import Testing


/// A wrapper whose workers run the shipped bootstrap, or the fixture when `environment` asks for faults.
func wrapper(_ function: any StepFunction, store: any ObjectStore, memoryMB: Int = 3008, environment: [String: String] = [:]) -> StepWrapper {
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    return StepWrapper(
        function: function, store: store, workerExecutable: environment.isEmpty ? TestPaths.bootstrap : TestPaths.fixtureBootstrap,
        functionMemoryMB: memoryMB, workerEnvironment: env)
}

@Suite(.serialized) struct StepWrapperTests {
    @Test func syntheticChecksumsMatchAnIndependentLoopForEveryQ() throws {
        let store = try LocalDirectoryStore(root: TestPaths.scratch("synthetic"))
        let params: [String: Double] = ["difficulty": 20_000, "multicore_ratio": 0.5, "seed": 9, "worker_memory_mb": 64]
        // The reference, written from the step's definition and not calling its code: operands of
        // iteration i of job j from the documented hash of (seed, j, i), in [10, 100]; op by i mod 4.
        func operands(_ seed: UInt64, _ job: UInt64, _ i: UInt64) -> (Int64, Int64) {
            var x = (seed &* 0x9E37_79B9_7F4A_7C15) ^ (job &* 0xBF58_476D_1CE4_E5B9) ^ (i &* 0x94D0_49BB_1331_11EB)
            x ^= x >> 31
            x = x &* 0xD6E8_FEB8_6659_FD93
            x ^= x >> 32
            return (Int64(10 + x % 91), Int64(10 + (x >> 20) % 91))
        }
        var expected: [Int: Int64] = [:]
        for job in 3..<11 {
            var sum: Int64 = 0
            for i in 0..<20_000 {
                let (a, b) = operands(9, UInt64(job), UInt64(i))
                let results = [a + b, a - b, a * b, a / b]
                sum &+= results[i % 4]
                #expect((10...100).contains(a) && (10...100).contains(b))
            }
            expected[job] = sum
        }
        var outputs: [Data] = []
        for q in 1...4 {
            let event = StepEvent(execution: "e-syn", step: "s\(q)", intra: q, jobStart: 3, jobEnd: 11, params: params)
            let result = try wrapper(SyntheticStep(), store: store).run(event)
            #expect(result.jobs == 8 && result.intra == q)
            let data = try store.get(result.outputs[0])
            outputs.append(data)
            let rows = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
            for row in rows {
                #expect((row["checksum"] as? NSNumber)?.int64Value == expected[row["job"] as! Int])
            }
            #expect(try store.size(result.manifest) != nil)
        }
        #expect(Set(outputs).count == 1)
    }

    @Test func wordCountMapAndReduceAgreeWithOneCountOverAllText() throws {
        let store = try LocalDirectoryStore(root: TestPaths.scratch("words"))
        let corpus = WordCount.corpus(files: 12, wordsPerFile: 638, seed: 3)
        for file in corpus { try store.put("in/\(file.name)", data: Data(file.text.utf8)) }
        // Independent count: split all text on anything that is not a letter, digit or apostrophe.
        var reference: [String: Int] = [:]
        for file in corpus {
            for word in file.text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "'") }) {
                reference[String(word), default: 0] += 1
            }
        }
        var mapped: [String] = []
        for (index, range) in [0..<5, 5..<12].enumerated() {
            let keys = corpus[range].map { "in/\($0.name)" }
            let event = StepEvent(execution: "e-wc", step: "map", index: index, intra: 1 + index * 2, jobStart: range.lowerBound, jobEnd: range.upperBound, keys: keys)
            mapped += try wrapper(WordCountMap(), store: store).run(event).outputs
        }
        let reduced = try wrapper(WordCountReduce(), store: store).run(
            StepEvent(execution: "e-wc", step: "reduce", intra: 2, jobEnd: mapped.count, keys: mapped))
        let counts = try WordCount.decode(try store.get(reduced.outputs[0]))
        #expect(counts == reference)
        #expect(counts.values.reduce(0, +) == 12 * 638)
    }

    @Test func aWorkerKilledMidJobIsReplacedAndTheJobRetried() throws {
        let store = try LocalDirectoryStore(root: TestPaths.scratch("crash-once"))
        let marker = TestPaths.scratch("marker")
        let event = StepEvent(execution: "e-crash", step: "s", intra: 2, jobStart: 0, jobEnd: 6, params: ["difficulty": 1000])
        let result = try wrapper(
            SyntheticStep(), store: store,
            environment: ["FIXTURE_WORKER_CRASH_JOB": "4", "FIXTURE_WORKER_CRASH_MARKER": marker]
        ).run(event)
        #expect(FileManager.default.fileExists(atPath: marker))  // the crash did happen
        let rows = try JSONSerialization.jsonObject(with: try store.get(result.outputs[0])) as! [[String: Any]]
        #expect(rows.count == 6)
        #expect((rows[4]["checksum"] as? NSNumber)?.int64Value == SyntheticStep.alu(seed: 1, job: 4, range: 0..<1000))
    }

    @Test func aJobThatKillsItsWorkerTwiceFailsTheStepWithoutAManifest() throws {
        let store = try LocalDirectoryStore(root: TestPaths.scratch("crash-always"))
        let event = StepEvent(execution: "e-crash2", step: "s", intra: 2, jobStart: 0, jobEnd: 6, params: ["difficulty": 1000])
        let error = #expect(throws: WorkerError.self) {
            try wrapper(SyntheticStep(), store: store, environment: ["FIXTURE_WORKER_CRASH_JOB": "2"]).run(event)
        }
        #expect(error?.code == .workerDied)
        #expect(error?.message.contains("job 2") == true && error?.message.contains("exited with status 70, twice") == true)
        #expect(try store.list(prefix: "runs/e-crash2/").isEmpty)
    }

    @Test func jobsThatWouldOutrunTheDeadlineAreStoppedBeforeItWithoutAManifest() throws {
        let store = try LocalDirectoryStore(root: TestPaths.scratch("deadline"))
        let event = StepEvent(execution: "e-late", step: "s", intra: 2, jobEnd: 4, params: ["difficulty": 1e9])
        let clock = ContinuousClock()
        let started = clock.now
        let error = #expect(throws: WorkerError.self) {
            try wrapper(SyntheticStep(), store: store).run(event, deadline: started + .seconds(1.3))
        }
        #expect(error?.code == .timeLimit)
        #expect(error?.message.contains("0 of 4 jobs done") == true, "\(error?.message ?? "")")
        // Stopped at the deadline less the margin, not after the jobs (each alone takes seconds; a loaded machine may
        // wake the watchdog late).
        let elapsed = clock.now - started
        #expect(elapsed >= .seconds(1.3 - StepWrapper.defaultDeadlineMarginSeconds) && elapsed < .seconds(4), "\(elapsed)")
        #expect(try store.list(prefix: "runs/e-late/").isEmpty)
        // A deadline far enough away changes nothing.
        let quick = StepEvent(execution: "e-late", step: "t", intra: 2, jobEnd: 4, params: ["difficulty": 10])
        #expect(try wrapper(SyntheticStep(), store: store).run(quick, deadline: clock.now + .seconds(60)).jobs == 4)
    }

    @Test func theMemoryGuardRefusesWorkersThatDoNotFit() throws {
        let store = try LocalDirectoryStore(root: TestPaths.scratch("memory"))
        let event = StepEvent(execution: "e-mem", step: "s", intra: 4, jobEnd: 4, params: ["worker_memory_mb": 384])
        let error = #expect(throws: WorkerError.self) { try wrapper(SyntheticStep(), store: store, memoryMB: 1024).run(event) }
        #expect(error?.code == .memory)
        #expect(error?.message.contains("48 MB for the runtime + 4 × 384 MB per worker = 1584 MB, more than the function's 1024 MB") == true)
        #expect(error?.message.contains("at most 2 workers fit") == true)
        _ = try wrapper(SyntheticStep(), store: store, memoryMB: 1024).run(
            StepEvent(execution: "e-mem", step: "s", intra: 2, jobEnd: 4, params: ["worker_memory_mb": 384, "difficulty": 10]))
    }

    @Test func aKernelErrorFailsWithItsMessageAndMissingInputsAreNamed() throws {
        let store = try LocalDirectoryStore(root: TestPaths.scratch("errors"))
        try store.put("bad/counts.json", data: Data("[1, 2]".utf8))
        let error = #expect(throws: WorkerError.self) {
            try wrapper(WordCountReduce(), store: store).run(StepEvent(execution: "e", step: "r", jobEnd: 1, keys: ["bad/counts.json"]))
        }
        #expect(error?.code == .jobFailed)
        #expect(error?.message.contains("not a JSON object of word") == true)
        let missing = #expect(throws: ObjectStoreError.self) {
            try wrapper(WordCountMap(), store: store).run(StepEvent(execution: "e", step: "m", jobEnd: 1, keys: ["in/absent.txt"]))
        }
        #expect(missing?.code == .notFound)
    }
}

@Suite struct WorkerFrameTests {
    @Test func framesRoundTripThroughAPipe() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let frames = [
            WorkerFrame(id: 7, kind: "k", parameters: #"{"a":1}"#, payload: Data([0, 1, 2, 255])),
            WorkerFrame(id: 8, error: "boom"),
        ]
        for f in frames { try f.write(to: fds[1]) }
        close(fds[1])
        #expect(try WorkerFrame.read(from: fds[0]) == frames[0])
        #expect(try WorkerFrame.read(from: fds[0]) == frames[1])
        #expect(try WorkerFrame.read(from: fds[0]) == nil)
        close(fds[0])
    }
}

/// The manifest an instance writes last: what it names is what the instance wrote, and it is written only then.
@Suite(.serialized) struct ManifestTests {
    @Test func theManifestNamesTheInstanceAndEveryOutputItWrote() throws {
        let store = try LocalDirectoryStore(root: TestPaths.scratch("manifest"))
        let event = StepEvent(execution: "e-m", step: "alu", index: 3, intra: 2, jobStart: 0, jobEnd: 6, params: ["difficulty": 500])
        let output = try wrapper(SyntheticStep(), store: store, memoryMB: 1024).run(event)
        #expect(output.manifest == "runs/e-m/alu/3/manifest.json")
        let manifest = try JSONDecoder().decode(StepWrapper.Manifest.self, from: try store.get(output.manifest))
        #expect(manifest == StepWrapper.Manifest(
            execution: "e-m", step: "alu", index: 3, kind: "synthetic", jobs: 6, intra: 2, memoryMB: 1024, outputs: output.outputs))
        for key in manifest.outputs { #expect(try store.size(key) != nil, "\(key)") }
        // The wire names the runs' readers know.
        let object = try JSONSerialization.jsonObject(with: try store.get(output.manifest)) as? [String: Any]
        #expect(Set(object?.keys.map { $0 } ?? []) == ["execution", "step", "index", "kind", "jobs", "intra", "memory_mb", "outputs"])
    }

    @Test func aFailedInstanceWritesNoManifest() throws {
        let store = try LocalDirectoryStore(root: TestPaths.scratch("manifest"))
        let event = StepEvent(execution: "e-f", step: "map", jobEnd: 1, keys: ["missing/input.txt"])
        #expect(throws: (any Error).self) { _ = try wrapper(WordCountMap(), store: store).run(event) }
        #expect(try store.list(prefix: "runs/e-f/").filter { $0.key.hasSuffix("manifest.json") }.isEmpty)
    }
}
