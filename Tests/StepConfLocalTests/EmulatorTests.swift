import Foundation
import StepConfCore
import StepConfHTTP
import StepConfLocal
import StepConfStorage
import Synchronization
import Testing

/// An emulator on a free loopback port serving real `bootstrap` instances, stopped when released.
final class RunningEmulator: Sendable {
    let emulator: LocalEmulator
    var port: Int { emulator.port }
    var lines: [String] { emulator.log }

    static var bootstrap: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bootstrap").path
    }

    /// The tests' bootstrap: the shipped runtime with echo, sleep and crash handlers.
    static var fixture: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("fixture-bootstrap").path
    }

    init(_ functions: [FunctionSpec]) async throws {
        emulator = await LocalEmulator.start(functions, idleTimeout: .seconds(60))
    }

    /// Posts on a thread of its own, so blocking I/O never holds a cooperative or Dispatch worker thread
    /// (on a 2-core machine those pools are 2 wide, and the emulator in this process needs them).
    func invoke(_ name: String, _ body: Data) async throws -> HTTPResponse {
        try await post("/2015-03-31/functions/\(name)/invocations", body)
    }

    /// Posts `body` to `path` of the emulator, on a thread of its own (see ``invoke(_:_:)``).
    func post(_ path: String, _ body: Data) async throws -> HTTPResponse {
        let url = "http://127.0.0.1:\(port)" + path
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    try HTTPClient().send(HTTPRequest(method: "POST", url: url, body: body, timeout: .seconds(90)))
                })
            }.start()
        }
    }
}

@Suite(.serialized) struct EmulatorTests {
    let functions: [FunctionSpec] = [
        FunctionSpec(name: "echo", handler: "echo", memoryMB: 1024, timeoutSeconds: 60, executable: RunningEmulator.fixture, qualifiers: ["prod"]),
        FunctionSpec(name: "sleep", handler: "sleep", memoryMB: 512, timeoutSeconds: 3, executable: RunningEmulator.fixture),
        FunctionSpec(name: "crash", handler: "crash", memoryMB: 256, timeoutSeconds: 60, executable: RunningEmulator.fixture),
    ]

    @Test func invokesReuseAWarmInstanceAndLogLikeLambda() async throws {
        let emulator = try await RunningEmulator(functions)
        let first = try await emulator.invoke("echo", Data(#"{"n":1}"#.utf8))
        let second = try await emulator.invoke("arn:aws:lambda:us-east-1:000000000000:function:echo:prod", Data(#"{"n":2}"#.utf8))
        #expect(first.status == 200 && String(decoding: first.body, as: UTF8.self) == #"{"n":1}"#)
        #expect(second.status == 200 && String(decoding: second.body, as: UTF8.self) == #"{"n":2}"#)
        // Not from this task's thread: a blocking call here would hold one of the two cooperative threads the
        // emulator in this process needs (it timed out under a loaded test run).
        let rie = try await emulator.post("/2015-03-31/functions/function/invocations", Data("{}".utf8))
        #expect(rie.status == 200)
        let lines = emulator.lines
        let reports = lines.filter { $0.hasPrefix("REPORT RequestId: ") }
        #expect(reports.count == 3)
        #expect(reports[0].contains("Init Duration: ") && !reports[1].contains("Init Duration"))
        #expect(reports[0].contains("Memory Size: 1024 MB") && reports[0].contains("Billed Duration: "))
        #expect(lines.filter { $0.hasPrefix("START RequestId: ") }.count == 3)
    }

    @Test func aHandlerErrorComesBackAsAnUnhandledFunctionError() async throws {
        let emulator = try await RunningEmulator(functions)
        let response = try await emulator.invoke("sleep", Data(#"{"seconds":"soon"}"#.utf8))
        #expect(response.status == 200)
        #expect(response.header("X-Amz-Function-Error") == "Unhandled")
        #expect(String(decoding: response.body, as: UTF8.self).contains("EventDecodingError"))
        // The instance's own JSON record reaches the emulator's log, as it would the function's log stream.
        var record: String?
        for _ in 0..<100 where record == nil {
            record = emulator.lines.first { $0.contains(#""message":"the handler failed""#) }
            if record == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(record?.contains(#""error-type":"EventDecodingError""#) == true)
    }

    @Test func aDyingInstanceIsAnExitErrorAndTheNextInvokeGetsAFreshOne() async throws {
        let emulator = try await RunningEmulator(functions)
        let died = try await emulator.invoke("crash", Data(#"{"code":7}"#.utf8))
        #expect(died.header("X-Amz-Function-Error") == "Unhandled")
        #expect(String(decoding: died.body, as: UTF8.self).contains("Runtime.ExitError"))
        let echo = try await emulator.invoke("echo", Data("{}".utf8))
        #expect(echo.status == 200)
        let again = try await emulator.invoke("crash", Data(#"{"code":9}"#.utf8))
        #expect(String(decoding: again.body, as: UTF8.self).contains("exit status 9"))
    }

    @Test func aSlowHandlerTimesOutAndIsReplaced() async throws {
        let emulator = try await RunningEmulator(functions)
        let slow = try await emulator.invoke("sleep", Data(#"{"seconds":8}"#.utf8))
        #expect(slow.header("X-Amz-Function-Error") == "Unhandled")
        #expect(String(decoding: slow.body, as: UTF8.self).contains("Task timed out after 3.00 seconds"))
        let quick = try await emulator.invoke("sleep", Data(#"{"seconds":0}"#.utf8))
        #expect(quick.status == 200 && quick.header("X-Amz-Function-Error") == nil)
    }

    /// A step whose jobs would outrun the function's time limit: the instance stops its workers just before the deadline
    /// and answers an error saying so, instead of being stopped by the timeout; its runtime serves the next event warm.
    /// The emulator runs as a process of its own: in this one, the other suites' blocking work can hold its timers and
    /// its Runtime API back for seconds, so that its timeout would fire before it reads the answer the runtime sent.
    @Test func aStepThatWouldOutrunItsTimeLimitAnswersAnErrorAndItsRuntimeLives() async throws {
        let store = NSTemporaryDirectory() + "stepconf-time-limit-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: store) }
        let emulator = try EmulatorProcess(functions: [
            EmulatorFidelityTests.function("long", handler: "synthetic", memory: 3008, extra: [
                "timeout_s": 8, "executable": RunningEmulator.bootstrap,
                // A wide margin: the test suites' load can stall the instance for seconds (0.5 s, the default, is for Lambda).
                "environment": ["STEPCONF_STORE": store, "STEPCONF_DEADLINE_MARGIN": "4"],
            ])
        ])
        defer { Task { await emulator.stop() } }
        let long = try await emulator.invoke(
            "long", Data(#"{"execution":"e","step":"s","job_end":8,"intra":2,"params":{"difficulty":3000000}}"#.utf8))
        let text = String(decoding: long.body, as: UTF8.self)
        #expect(long.header("X-Amz-Function-Error") == "Unhandled")
        #expect(text.contains("outrun the invocation's time limit") && !text.contains("Task timed out"), "\(text)")
        let quick = try await emulator.invoke("long", Data(#"{"execution":"e","step":"s","job_end":2,"params":{"difficulty":10}}"#.utf8))
        #expect(quick.status == 200 && quick.header("X-Amz-Function-Error") == nil, "\(String(decoding: quick.body, as: UTF8.self))")
        let reports = emulator.log.split(separator: "\n").filter { $0.contains("REPORT RequestId: ") }
        #expect(reports.count == 2 && !reports[1].contains("Init Duration"), "the second ran on the same instance: \(reports)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: store + "/runs/e/s").count == 1, "no manifest of the stopped run")
    }

    @Test func oversizeAndUnknownAreRefused() async throws {
        let emulator = try await RunningEmulator(functions)
        let big = try await emulator.invoke("echo", Data(count: 6 * 1024 * 1024 + 1))
        #expect(big.status == 413)
        let unknown = try await emulator.invoke("missing", Data("{}".utf8))
        #expect(unknown.status == 404)
        #expect(unknown.header("X-Amzn-ErrorType") == "ResourceNotFoundException")
    }

    @Test func sixtyFourConcurrentInvokesAreAllAnswered() async throws {
        let emulator = try await RunningEmulator(functions)
        let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for k in 0..<64 {
                group.addTask { (k, String(decoding: try await emulator.invoke("echo", Data("{\"k\":\(k)}".utf8)).body, as: UTF8.self)) }
            }
            var all: [Int: String] = [:]
            for try await (k, body) in group { all[k] = body }
            return all
        }
        #expect(bodies.count == 64)
        #expect((0..<64).allSatisfy { bodies[$0] == "{\"k\":\($0)}" })
    }

    @Test func theAWSCLIInvokesThroughTheEndpoint() async throws {
        let emulator = try await RunningEmulator(functions)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("awscli-\(UUID().uuidString).json").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["aws", "lambda", "invoke", "--endpoint-url", "http://127.0.0.1:\(emulator.port)",
                             "--function-name", "echo", "--payload", #"{"via":"awscli"}"#, out]
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ACCESS_KEY_ID"] = "test"
        environment["AWS_SECRET_ACCESS_KEY"] = "test"
        environment["AWS_DEFAULT_REGION"] = "us-east-1"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        await withCheckedContinuation { continuation in
            Thread {
                process.waitUntilExit()
                continuation.resume()
            }.start()
        }
        #expect(process.terminationStatus == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == #"{"via":"awscli"}"#)
    }
}

/// `stepconf profile --backend local`'s engine on a two-step synthetic workflow.
@Suite(.serialized) struct LocalProfilerTests {
    @Test func profilesRealFunctionsThroughTheEmulatorIntoSamples() async throws {
        let workflow = Workflow(name: "tiny", steps: [
            .init(id: "a", kind: "synthetic", jobs: 4, params: ["difficulty": 20_000, "worker_memory_mb": 64]),
            .init(id: "b", kind: "synthetic", jobs: 2, dependsOn: ["a"], params: ["difficulty": 10_000, "worker_memory_mb": 64]),
        ])
        let graph = try WorkflowGraph(workflow)
        let grid = ConfigurationGrid(memoryMB: [512, 1024], inter: [1, 2], intra: [1, 2])
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-lp-\(UUID().uuidString)").path
        let profiler = LocalProfiler(bootstrap: RunningEmulator.bootstrap, storeRoot: root, workScale: 0.01)
        let emulator = await LocalEmulator.start(profiler.functions(for: graph, grid: grid), idleTimeout: .seconds(60))
        let port = emulator.port
        let samples = try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    try profiler.profile(graph, grid: grid, port: port, log: { emulator.log }, plan: .grid, repeats: 1, seed: 1)
                })
            }.start()
        }
        await emulator.stop()
        // grid: every runnable θ once, plus one warm-up per memory size, per step.
        let runnableA = 2 * (1 * 2 + 1 * 2), runnableB = 2 * (1 * 2 + 1 * 1)
        #expect(samples.filter { $0.step == "a" }.count == runnableA + 2)
        #expect(samples.filter { $0.step == "b" }.count == runnableB + 2)
        #expect(samples.allSatisfy { $0.computeSeconds > 0 && $0.totalSeconds >= $0.computeSeconds && $0.jobs == (($0.step == "a") ? 4 : 2) })
        // Every memory size starts cold once per kind (the first step); the second step finds warm instances.
        #expect(samples.filter { $0.step == "a" && $0.cold }.count >= 2)
        // The function wrote its results and manifest into the store.
        let store = try LocalDirectoryStore(root: root)
        #expect(try store.list(prefix: "runs/").contains { $0.key.hasSuffix("/manifest.json") })
        // Kinds without a local function are refused before anything runs.
        let unknown = try WorkflowGraph(Workflow(name: "x", steps: [.init(id: "z", kind: "teleport", jobs: 1)]))
        #expect(throws: InputError.self) { try profiler.validate(unknown) }
    }
}
