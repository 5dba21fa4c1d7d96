import Foundation
import Logging
import Synchronization

/// An emulator running in this process on a free loopback port, for tests and benchmarks: started by
/// ``start(_:idleTimeout:)``, stopped by ``stop()`` or when released.
public final class LocalEmulator: Sendable {
    /// The port it listens on.
    public let port: Int
    private let task: Task<Void, any Error>
    private let lines: LogLines
    private let emulator: Emulator

    /// Collects log lines from any thread.
    final class LogLines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// Keeps each record's message, in order: the emulator's log as a list of lines.
    struct Collector: LogHandler {
        let lines: LogLines
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) { lines.append(event.message.description) }
    }

    /// Hands the listening port from the server's callback to the caller.
    final class PortWaiter: Sendable {
        private let state = Mutex<(port: Int?, waiter: CheckedContinuation<Int, Never>?)>((nil, nil))

        func set(_ port: Int) {
            let waiter = state.withLock { s -> CheckedContinuation<Int, Never>? in
                s.port = port
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(returning: port)
        }

        func wait() async -> Int {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { s -> Int? in
                    if let port = s.port { return port }
                    s.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }

    private init(port: Int, task: Task<Void, any Error>, lines: LogLines, emulator: Emulator) {
        self.port = port
        self.task = task
        self.lines = lines
        self.emulator = emulator
    }

    /// Starts an emulator for `functions` on 127.0.0.1 and a free port.
    public static func start(_ functions: [FunctionSpec], idleTimeout: Duration = .seconds(300)) async -> LocalEmulator {
        let lines = LogLines()
        let waiter = PortWaiter()
        let logger = Logger(label: "stepconf.emulator") { _ in Collector(lines: lines) }
        let emulator = Emulator(functions: functions, idleTimeout: idleTimeout, logger: logger)
        let task = Task {
            try await EmulatorServer.run(
                emulator, functions: functions, port: 0, serverLogLevel: .critical, onListening: { waiter.set($0) })
        }
        return LocalEmulator(port: await waiter.wait(), task: task, lines: lines, emulator: emulator)
    }

    /// Every log line so far (START, END, REPORT, timeouts, and what the instances wrote).
    public var log: [String] { lines.all }

    /// The Invoke API URL of `function`.
    public func invokeURL(_ function: String) -> String {
        "http://127.0.0.1:\(port)/2015-03-31/functions/\(function)/invocations"
    }

    /// Invokes the function named `name` in process (no HTTP), as the Invoke API would.
    /// - Returns: the outcome and whether a new instance was started for it; nil for an unknown function.
    public func invoke(_ name: String, payload: Data) async -> (outcome: InvokeOutcome, cold: Bool)? {
        guard let function = emulator.resolve(name) else { return nil }
        return await emulator.invokeNoting(function, payload: payload)
    }

    /// Stops the instances (waiting until they have exited), then the server.
    public func stop() async {
        await emulator.shutdown(waitForExit: true)
        task.cancel()
        _ = await task.result
    }

    deinit { task.cancel() }
}
