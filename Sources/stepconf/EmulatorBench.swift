import ArgumentParser
import Foundation
import StepConfCore
import StepConfExamples
import StepConfFunctions
import StepConfHTTP
import StepConfLambda
import StepConfLocal
import Synchronization

struct EmulatorBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Time bootstrap cold starts, warm invokes through the emulator, a concurrent load and the configurator.",
        discussion: """
            Uses the `bootstrap` built next to this `stepconf` (build both with -c release), or the one \
            `--bootstrap` names: measure the Lambda build (`--static-swift-stdlib`) for figures that hold on \
            Lambda. Figures: cold start of that bootstrap \
            (spawn to its first /next, the Init Duration of REPORT lines, as a step function answering a warm-up), \
            warm no-op invoke \
            through the Invoke API (p50, p99), N invokes at concurrency C (errors), the configurator handler \
            with an in-memory cache (no cache I/O), and the bootstrap binary's size. Targets: cold \
            start median ≤ 6 ms, warm p50 ≤ 0.5 ms and p99 ≤ 5 ms, 1,000 invokes at 32 with no error and \
            ≥ 3,000 invokes/s, \
            configurator ≤ 1 ms; warm p50 ≤ 1.5× the server answering a request by itself (a 404 for \
            a function that does not exist, timed on the same connection, alternating with the invokes).

            Example: swift build -c release && .build/release/stepconf bench emulator
            """)

    @Option(help: "The bootstrap binary whose size is reported (default: the one next to this stepconf).")
    var bootstrap: String?

    @Option(help: ArgumentHelp(
        "The tests' bootstrap, whose `echo` handler the invokes run (default: fixture-bootstrap next to this stepconf).",
        valueName: "path"))
    var fixture: String?

    @Option(help: "Cold starts to measure.") var cold: Int = 30
    @Option(help: "Warm invokes to time.") var warm: Int = 2000
    @Option(help: "Invokes in the concurrent load.") var load: Int = 1000
    @Option(help: "Concurrency of the load.") var concurrency: Int = 32
    @OptionGroup var output: OutputFormat

    func validate() throws {
        let bounds: [(String, Int, ClosedRange<Int>)] = [
            ("--cold", cold, 0...1_000), ("--warm", warm, 1...1_000_000), ("--load", load, 0...10_000_000),
            ("--concurrency", concurrency, 1...1_024),
        ]
        for (option, value, range) in bounds where !range.contains(value) {
            throw ValidationError("\(option) must lie in \(range.lowerBound)…\(range.upperBound), got \(value)")
        }
    }

    func run() async throws {
        let bootstrap = try locateBootstrap(self.bootstrap)
        // The shipped bootstrap has no no-op handler; the fixture runs the same runtime (BootstrapMain) with one.
        let echo = try locateSibling("fixture-bootstrap", given: fixture, option: "--fixture")
        var functions = [FunctionSpec(name: "echo", handler: "echo", memoryMB: 1769, timeoutSeconds: 10, executable: echo)]
        // Cold starts of the bootstrap measured (the Lambda build with --bootstrap): a step function's, answering a
        // warm-up event (the time measured ends at its first /next, before any handler runs).
        for k in 0..<cold {
            functions.append(FunctionSpec(
                name: "cold\(k)", handler: "synthetic", memoryMB: 1769, timeoutSeconds: 10, executable: bootstrap,
                environment: ["STEPCONF_STORE": FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-bench-cold").path]))
        }
        let emulator = await LocalEmulator.start(functions)
        let base = "http://127.0.0.1:\(emulator.port)/2015-03-31/functions/"
        var figures = [try await coldStartFigure(emulator, base: base, bootstrap: bootstrap)]
        figures += try await warmFigures(base: base)
        figures.append(try await loadFigure(base: base))
        // The configurator handler with an in-memory cache: decision work only.
        figures.append(try Self.configuratorFigure())
        let size = ((try? FileManager.default.attributesOfItem(atPath: bootstrap))?[.size] as? NSNumber)?.doubleValue
        figures.append(BenchFigure(
            name: "bootstrap binary", iterations: 1, medianMicroseconds: 0, p99Microseconds: 0,
            detail: (size.map { fixed($0 / 1_048_576, 2) + " MB" } ?? "size unknown") + " (\(bootstrap))"))
        await emulator.stop()
        if output.json { return try printJSON(figures) }
        print(BenchFigure.table(figures))
    }

    /// Cold starts: one invoke of each fresh function, one after another; the emulator's Init Duration of each.
    private func coldStartFigure(_ emulator: LocalEmulator, base: String, bootstrap: String) async throws -> BenchFigure {
        let cold = self.cold
        let warmUp = try WarmUpEvent(execution: "bench").encoded()
        try await onThread {
            let client = try HTTPClient()
            for k in 0..<cold { _ = try client.send(HTTPRequest(method: "POST", url: base + "cold\(k)/invocations", body: warmUp)) }
        }
        let inits = emulator.log.compactMap { line -> Double? in
            guard let range = line.range(of: "Init Duration: ") else { return nil }
            return Double(line[range.upperBound...].split(separator: " ").first ?? "")
        }.map { $0 * 1000 }
        return BenchFigure(
            "cold start (spawn → first /next)", samples: inits,
            detail: "\(inits.count) fresh instances of \((bootstrap as NSString).lastPathComponent) (target median ≤ 6 ms)")
    }

    /// Warm invokes on one connection, alternating with the baseline: the same server answering a request by itself
    /// (an invoke of a function that does not exist: routed, looked up and answered 404, no instance involved).
    private func warmFigures(base: String) async throws -> [BenchFigure] {
        let runs = warm
        let (warmSamples, serverSamples) = try await onThread { () -> ([Double], [Double]) in
            let client = try HTTPClient()
            let request = HTTPRequest(method: "POST", url: base + "echo/invocations", body: Data("{}".utf8))
            let baseline = HTTPRequest(method: "POST", url: base + "no-such-function/invocations", body: Data("{}".utf8))
            for _ in 0..<20 {
                _ = try client.send(request)
                _ = try client.send(baseline)
            }
            let clock = ContinuousClock()
            var warm: [Double] = []
            var server: [Double] = []
            for _ in 0..<runs {
                var start = clock.now
                _ = try client.send(request)
                warm.append((clock.now - start).seconds * 1e6)
                start = clock.now
                _ = try client.send(baseline)
                server.append((clock.now - start).seconds * 1e6)
            }
            return (warm, server)
        }
        let ratio = median(warmSamples) / max(median(serverSamples), 1e-9)
        return [
            BenchFigure("server alone (404 answer)", samples: serverSamples, detail: "same connection, alternating with the invokes"),
            BenchFigure(
                "warm no-op invoke (Invoke API)", samples: warmSamples,
                detail: String(format: "one keep-alive connection; p50 %.2f× the server alone (target ≤ 1.5×)", ratio)),
        ]
    }

    /// The load: `load` invokes spread over `concurrency` threads, each on a connection of its own, once a first
    /// untimed round (one invoke per thread, all at once) has started the instances the load keeps busy: the figure is
    /// the steady state at that concurrency; cold starts are the first figure's.
    private func loadFigure(base: String) async throws -> BenchFigure {
        let tally = LoadTally()
        let clock = ContinuousClock()
        let total = load
        let threads = concurrency
        let ready = LoadTally()
        let started = StartMark()
        let gate = DispatchGroup()
        for _ in 0..<threads { gate.enter() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<threads {
                group.addTask {
                    try await onThread {
                        let client = try HTTPClient()
                        let request = HTTPRequest(method: "POST", url: base + "echo/invocations", body: Data("{\"t\":\(t)}".utf8))
                        let ok = (try? client.send(request)).map { $0.status == 200 } ?? false
                        ready.record(0, ok: ok)
                        gate.leave()
                        gate.wait()
                        started.mark(clock.now)
                        for _ in stride(from: t, to: total, by: threads) {
                            let start = clock.now
                            let ok = (try? client.send(request)).map { $0.status == 200 && $0.header(LambdaWire.functionErrorHeader) == nil } ?? false
                            tally.record((clock.now - start).seconds * 1e6, ok: ok)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = (clock.now - (started.instant ?? clock.now)).seconds
        return BenchFigure(
            "\(load) invokes at concurrency \(concurrency)", samples: tally.latencies,
            detail: "\(tally.errors) errors, \(elapsed > 0 ? Int(min(Double(load) / elapsed, 1e12)) : 0) invokes/s "
                + "(after a warm-up round of \(concurrency); target ≥ 3,000/s)")
    }

    static func configuratorFigure() throws -> BenchFigure {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-bench-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["synthetic16.json", "synthetic16.model.json"] {
            guard let text = EmbeddedExamples.files[name] else { throw CLIError(.internalFailure, "internal: no embedded \(name)") }
            try Data(text.utf8).write(to: directory.appendingPathComponent(name))
        }
        let handler = ConfiguratorHandler(settings: .init(workflowDirectory: directory.path), cache: InMemoryGlobalCache())
        let context = LambdaContext(
            invocation: Invocation(requestID: "b", deadlineMs: 0, invokedFunctionARN: "", payload: Data()),
            environment: LambdaEnvironment([:]))
        let start = Date().timeIntervalSince1970
        var samples: [Double] = []
        for k in 0..<2000 {
            let event = ConfiguratorEvent(workflow: "synthetic16", step: "s01", execution: "b\(k)", sloSeconds: 10, startTime: start)
            let clock = ContinuousClock()
            let t0 = clock.now
            _ = try handler.handle(event, context: context)
            samples.append((clock.now - t0).seconds * 1e6)
        }
        return BenchFigure("configurator handler (in-memory cache)", samples: samples, detail: "first step of synthetic16, decision + output")
    }
}

/// Runs blocking work on a thread of its own.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// When the first thread of a load started timing.
final class StartMark: Sendable {
    private let value = Mutex<ContinuousClock.Instant?>(nil)
    func mark(_ now: ContinuousClock.Instant) { value.withLock { $0 = $0 ?? now } }
    var instant: ContinuousClock.Instant? { value.withLock { $0 } }
}

/// Latencies and errors of a concurrent load.
final class LoadTally: Sendable {
    private let state = Mutex<(latencies: [Double], errors: Int)>(([], 0))
    func record(_ micros: Double, ok: Bool) { state.withLock { $0.latencies.append(micros); if !ok { $0.errors += 1 } } }
    var latencies: [Double] { state.withLock { $0.latencies } }
    var errors: Int { state.withLock { $0.errors } }
}
