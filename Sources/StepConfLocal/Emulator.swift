import Foundation
import Logging
import StepConfLambda

/// What an invocation came to.
public enum InvokeOutcome: Sendable {
    /// The handler answered.
    case response(Data)
    /// The function failed: the error document, as Lambda returns it with `X-Amz-Function-Error: Unhandled`.
    case functionError(Data)
}

/// What an Invoke API caller sends besides the payload.
public struct InvokeOptions: Sendable {
    /// The client context (`X-Amz-Client-Context`, decoded from base64): reaches the runtime as
    /// `Lambda-Runtime-Client-Context`.
    public var clientContext: String?
    /// The caller's `X-Amz-Trace-Id`: the runtime's `Lambda-Runtime-Trace-Id` (one is made up without it).
    public var traceID: String?
    /// `X-Amz-Log-Type: Tail`: collect the invocation's log lines.
    public var tailLog: Bool
    /// The version the invocation runs as (`X-Amz-Executed-Version`, the START line).
    public var version: String

    public init(clientContext: String? = nil, traceID: String? = nil, tailLog: Bool = false, version: String = "$LATEST") {
        self.clientContext = clientContext
        self.traceID = traceID
        self.tailLog = tailLog
        self.version = version
    }
}

/// What an invocation through ``Emulator/invoke(_:payload:options:)`` came to.
public struct InvokeResult: Sendable {
    /// The outcome; nil when the invocation was throttled (the function's reserved concurrency was in use).
    public var outcome: InvokeOutcome?
    /// Whether a new instance was started for it.
    public var cold: Bool
    /// With ``InvokeOptions/tailLog``: the invocation's log lines (START … REPORT and the function's output).
    public var log: [String]
}

/// The Lambda service in one process: functions, their instances (real `bootstrap` processes, each talking to
/// this emulator's Runtime API), warm reuse, idle expiry, timeouts and Lambda's log lines.
public actor Emulator {
    /// An event on its way to an instance.
    struct Pending {
        let requestID: String
        let function: FunctionSpec
        let payload: Data
        let deadlineMs: Int64
        let received: ContinuousClock.Instant
        var started: ContinuousClock.Instant?
        let options: InvokeOptions
        /// The instance it was given to.
        var instanceID: String?
        /// Where the invocation's lines begin in its instance's log (for a tail).
        var logStart: Int = 0
        var log: [String] = []
        let continuation: CheckedContinuation<InvokeOutcome, Never>
    }

    /// One sandbox: a runtime process and where it is in its lifecycle.
    final class Instance {
        enum State { case starting, waiting, busy(String), dead }
        let id: String
        let function: FunctionSpec
        let process: Process
        let spawned = ContinuousClock.now
        var state: State = .starting
        var initDuration: Duration?
        var idleSince = ContinuousClock.now
        /// An event assigned but not yet fetched by `/next`.
        var assigned: String?
        /// A `/next` call waiting for an event.
        var waiter: CheckedContinuation<String?, Never>?
        /// Whether a REPORT line has carried this instance's Init Duration already.
        var reportedInit = false
        /// The instance's recent log lines (its output and Lambda's lines about it), for tails.
        let recent = RecentLines()

        init(id: String, function: FunctionSpec, process: Process) {
            self.id = id
            self.function = function
            self.process = process
        }
    }

    public let functions: [String: FunctionSpec]
    /// The Runtime API base the instances are given (`host:port`), set once the server listens.
    private var runtimeEndpoint = ""
    private var instances: [String: Instance] = [:]
    private var pending: [String: Pending] = [:]
    private var counter = 0
    /// Idle instances older than this are stopped, seconds.
    public let idleTimeout: Duration
    /// Lambda's log lines (START, END, REPORT, timeouts) and the instances' own output, as `info` records.
    private let logger: Logger
    private let cpuQuota: CPUQuota

    public init(functions: [FunctionSpec], idleTimeout: Duration = .seconds(300), logger: Logger) {
        self.functions = Dictionary(uniqueKeysWithValues: functions.map { ($0.name, $0) })
        self.idleTimeout = idleTimeout
        self.logger = logger
        self.cpuQuota = CPUQuota(logger: logger)
    }

    private func log(_ line: String) { logger.info("\(line)") }

    /// A line about `instance`: to the log, and to the instance's recent lines (tails).
    private func log(_ line: String, _ instance: Instance) {
        instance.recent.append(line)
        logger.info("\(line)")
    }

    /// Where the tails of finished invocations are, until their callers collect them.
    private var tails: [String: (lines: RecentLines, start: Int)] = [:]

    /// Called once the server listens, with the port instances must call.
    public func setRuntimeEndpoint(_ endpoint: String) { runtimeEndpoint = endpoint }

    /// The variable that points an AWS SDK's Lambda client at an endpoint.
    static let lambdaEndpointVariable = "AWS_ENDPOINT_URL_LAMBDA"

    /// The function a name, ARN or `NAME:QUALIFIER` names (``EmulatorServer/splitName(_:)``), when it exists and
    /// accepts the qualifier.
    public nonisolated func resolve(_ name: String) -> FunctionSpec? {
        let (base, qualifier) = EmulatorServer.splitName(name)
        guard let function = functions[base], qualifier.map(function.accepts) ?? true else { return nil }
        return function
    }

    /// Invokes `function` with `payload` and waits for the outcome.
    public func invoke(_ function: FunctionSpec, payload: Data) async -> InvokeOutcome {
        await invokeNoting(function, payload: payload).outcome
    }

    /// Invokes `function` with `payload` and waits for the outcome; `cold` says whether a new instance was
    /// started for it. A throttled invocation (reserved concurrency in use) fails with Lambda's error document.
    public func invokeNoting(_ function: FunctionSpec, payload: Data) async -> (outcome: InvokeOutcome, cold: Bool) {
        let result = await invoke(function, payload: payload, options: InvokeOptions())
        return (result.outcome ?? .functionError(errorDocument("TooManyRequestsException", "Rate Exceeded.")), result.cold)
    }

    /// Invokes `function` with `payload` as the Invoke API does and waits for the outcome.
    public func invoke(_ function: FunctionSpec, payload: Data, options: InvokeOptions) async -> InvokeResult {
        sweepIdle()
        counter += 1
        let requestID = UUID().uuidString.lowercased()
        let deadline = Int64((Date().timeIntervalSince1970 + function.timeoutSeconds) * 1000)
        let warm = instances.values.first { $0.function.name == function.name && $0.isFree }
        if warm == nil, let limit = function.reservedConcurrency,
            instances.values.filter({ $0.function.name == function.name }).count >= limit
        {
            return InvokeResult(outcome: nil, cold: false, log: [])
        }
        var log: [String] = []
        let outcome = await withCheckedContinuation { continuation in
            pending[requestID] = Pending(
                requestID: requestID, function: function, payload: payload, deadlineMs: deadline,
                received: .now, started: nil, options: options, continuation: continuation)
            let instance = warm ?? spawn(function)
            guard let instance else {
                finish(requestID, .functionError(errorDocument("Runtime.InvalidEntrypoint", "cannot start \(function.executable)")))
                return
            }
            pending[requestID]?.instanceID = instance.id
            assign(requestID, to: instance)
            watchTimeouts()
        }
        if options.tailLog, let tail = tails.removeValue(forKey: requestID) {
            // The function's last lines may still be in the pipe behind its answer: give the reader a moment.
            try? await Task.sleep(for: .milliseconds(20))
            var lines = tail.lines.lines(from: tail.start)
            // Up to the next invocation's START, should the instance have taken one since.
            if let next = lines.dropFirst().firstIndex(where: { $0.hasPrefix("START RequestId: ") }) { lines = Array(lines[..<next]) }
            log = lines
        }
        return InvokeResult(outcome: outcome, cold: warm == nil, log: log)
    }

    private func assign(_ requestID: String, to instance: Instance) {
        instance.idleSince = .now
        if let waiter = instance.waiter {
            instance.waiter = nil
            instance.state = .busy(requestID)
            markStarted(requestID, instance)
            waiter.resume(returning: requestID)
        } else {
            instance.assigned = requestID
            if case .waiting = instance.state { instance.state = .busy(requestID) }
        }
    }

    private func markStarted(_ requestID: String, _ instance: Instance) {
        pending[requestID]?.started = .now
        pending[requestID]?.logStart = instance.recent.end
        log("START RequestId: \(requestID) Version: \(pending[requestID]?.options.version ?? "$LATEST")", instance)
    }

    /// `GET /next` from an instance: the next event's request id, payload and deadline; nil ends the instance.
    func next(instanceID: String) async -> (Pending, Duration?)? {
        guard let instance = instances[instanceID] else { return nil }
        if case .starting = instance.state { instance.initDuration = ContinuousClock.now - instance.spawned }
        let requestID: String?
        if let assigned = instance.assigned {
            instance.assigned = nil
            instance.state = .busy(assigned)
            markStarted(assigned, instance)
            requestID = assigned
        } else {
            instance.state = .waiting
            instance.idleSince = .now
            requestID = await withCheckedContinuation { instance.waiter = $0 }
        }
        guard let requestID, let event = pending[requestID] else { return nil }
        let initDuration = instance.initDuration
        return (event, initDuration)
    }

    /// `POST /response` or `/error` from an instance.
    func complete(instanceID: String, requestID: String, outcome: InvokeOutcome) {
        guard let instance = instances[instanceID], case .busy(let current) = instance.state, current == requestID else { return }
        report(requestID, instance)
        instance.state = .waiting
        instance.idleSince = .now
        finish(requestID, outcome, instance: instance)
    }

    /// `POST /init/error`: the instance could not start; its event fails and the instance is stopped.
    func initError(instanceID: String, body: Data) {
        guard let instance = instances[instanceID] else { return }
        let requestID = instance.assigned ?? { if case .busy(let r) = instance.state { return r } else { return nil } }()
        instance.assigned = nil
        stop(instance)
        if let requestID { finish(requestID, .functionError(body)) }
    }

    /// The runtime process ended.
    func exited(instanceID: String, status: Int32) {
        cpuQuota.release(instanceID)
        guard let instance = instances.removeValue(forKey: instanceID) else { return }
        var requestID: String? = instance.assigned
        if case .busy(let r) = instance.state { requestID = r }
        instance.state = .dead
        instance.waiter?.resume(returning: nil)
        instance.waiter = nil
        if let requestID, pending[requestID] != nil {
            report(requestID, instance)
            finish(requestID, .functionError(errorDocument(
                "Runtime.ExitError", "RequestId: \(requestID) Error: Runtime exited with error: exit status \(status)")), instance: instance)
        }
    }

    /// The task that times out overdue invocations while any is pending (one per emulator, not one per invocation).
    private var watcher: Task<Void, Never>?
    /// How late a timeout may fire.
    static let timeoutResolution: Duration = .milliseconds(20)

    private func watchTimeouts() {
        guard watcher == nil else { return }
        watcher = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.timeoutResolution)
                guard let self, await self.expireOverdue() else { return }
            }
        }
    }

    /// Times out the invocations past their function's timeout; false (and the watcher ends) when none is pending.
    private func expireOverdue() -> Bool {
        let now = ContinuousClock.now
        for (requestID, event) in pending where now - event.received >= .seconds(event.function.timeoutSeconds) {
            timeOut(requestID, instance: event.instanceID ?? "", seconds: event.function.timeoutSeconds)
        }
        guard pending.isEmpty else { return true }
        watcher = nil
        return false
    }

    private func timeOut(_ requestID: String, instance instanceID: String, seconds: Double) {
        guard pending[requestID] != nil else { return }
        if let instance = instances[instanceID] {
            report(requestID, instance)
            instances[instanceID] = nil
            stop(instance)
        }
        let text = String(format: "Task timed out after %.2f seconds", seconds)
        let line = "\(ISO8601DateFormatter().string(from: Date())) \(requestID) \(text)"
        if let instance = instances[instanceID] { log(line, instance) } else { log(line) }
        finish(requestID, .functionError(errorDocument("Sandbox.Timedout", "RequestId: \(requestID) Error: \(text)")))
    }

    private func finish(_ requestID: String, _ outcome: InvokeOutcome, instance: Instance? = nil) {
        guard let event = pending.removeValue(forKey: requestID) else { return }
        if event.options.tailLog, let instance { tails[requestID] = (instance.recent, event.logStart) }
        event.continuation.resume(returning: outcome)
    }

    private func report(_ requestID: String, _ instance: Instance) {
        guard let event = pending[requestID] else { return }
        let duration = (ContinuousClock.now - (event.started ?? event.received)).milliseconds
        var line = String(
            format: "REPORT RequestId: %@\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
            requestID, duration, Int(duration.rounded(.up)), instance.function.memoryMB, instance.maxMemoryMB)
        if let initDuration = instance.initDuration, !instance.reportedInit {
            line += String(format: "\tInit Duration: %.2f ms", initDuration.milliseconds)
            instance.reportedInit = true
        }
        log("END RequestId: \(requestID)", instance)
        log(line, instance)
    }

    /// What Lambda sets for a runtime (``LambdaWire/Variable``), over this process's environment without its own
    /// Lambda variables, and the function's.
    private func instanceEnvironment(_ function: FunctionSpec, id: String) -> [String: String] {
        typealias V = LambdaWire.Variable
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix(V.lambdaPrefix) }
        for (k, v) in function.environment { environment[k] = v }
        environment[V.runtimeAPI.rawValue] = "\(runtimeEndpoint)\(EmulatorServer.instancePrefix(id))"
        environment[V.handler.rawValue] = function.handler
        environment[V.functionName.rawValue] = function.name
        environment[V.memorySize.rawValue] = String(function.memoryMB)
        environment[V.functionVersion.rawValue] = "$LATEST"
        environment[V.region.rawValue] = environment[V.region.rawValue] ?? "us-east-1"
        environment[V.taskRoot.rawValue] = URL(fileURLWithPath: function.executable).deletingLastPathComponent().path
        // The emulator is the Lambda service of the functions it runs: what they invoke (the configurator's warm-ups)
        // comes back here, unless the function's own environment names another endpoint.
        if function.environment[Self.lambdaEndpointVariable] == nil {
            environment[Self.lambdaEndpointVariable] = "http://\(runtimeEndpoint)"
        }
        return environment
    }

    private func spawn(_ function: FunctionSpec) -> Instance? {
        counter += 1
        let id = "i\(counter)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: function.executable)
        process.environment = instanceEnvironment(function, id: id)
        // The instance's output (the runtime's JSON records, its workers' output) joins the log, tagged with the
        // function, as Lambda sends it to the function's log stream.
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.terminationHandler = { [weak self] p in
            let status = p.terminationStatus
            Task { await self?.exited(instanceID: id, status: status) }
        }
        do {
            try process.run()
        } catch {
            logger.error("cannot start \(function.executable): \(error)", metadata: ["function": "\(function.name)"])
            try? output.fileHandleForWriting.close()
            try? output.fileHandleForReading.close()
            return nil
        }
        // The child has its copy of the write end; ours must go, or the reader never sees the end of output.
        try? output.fileHandleForWriting.close()
        var instanceLogger = logger
        instanceLogger[metadataKey: "function"] = .string(function.name)
        let instance = Instance(id: id, function: function, process: process)
        OutputLines.follow(output, logger: instanceLogger, recent: instance.recent)
        instances[id] = instance
        cpuQuota.apply(instanceID: id, pid: process.processIdentifier, memoryMB: function.memoryMB)
        return instance
    }

    private func stop(_ instance: Instance) {
        instance.state = .dead
        // Signal first, then end the long poll: a runtime killed by SIGTERM never sees the 500.
        let pid = instance.process.processIdentifier
        let running = instance.process.isRunning
        if running { kill(pid, SIGTERM) }
        instance.waiter?.resume(returning: nil)
        instance.waiter = nil
        guard running else { return }
        Task.detached {
            try? await Task.sleep(for: .milliseconds(500))
            if getpgid(pid) >= 0 { kill(pid, SIGKILL) }
        }
    }

    private func sweepIdle() {
        let now = ContinuousClock.now
        for (id, instance) in instances where instance.isFree && instance.assigned == nil && now - instance.idleSince > idleTimeout {
            instances[id] = nil
            stop(instance)
        }
    }

    /// Stops every instance and fails what is still pending (when the emulator shuts down). With
    /// `waitForExit`, waits until the instances have exited — SIGTERM, then SIGKILL for any still running after
    /// `grace` — so none outlives the server and finds it gone, and removes the emulator's cgroups.
    /// - Returns: how many instances were stopped.
    @discardableResult
    public func shutdown(waitForExit: Bool = false, grace: Duration = .seconds(1)) async -> Int {
        let stopping = Array(instances.values)
        for instance in stopping { stop(instance) }
        instances.removeAll()
        for requestID in Array(pending.keys) {
            finish(requestID, .functionError(errorDocument("Runtime.Shutdown", "the emulator is shutting down")))
        }
        guard waitForExit else { return stopping.count }
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while stopping.contains(where: { $0.process.isRunning }) && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        for instance in stopping where instance.process.isRunning { kill(instance.process.processIdentifier, SIGKILL) }
        while stopping.contains(where: { $0.process.isRunning }) && clock.now < deadline + .seconds(1) {
            try? await Task.sleep(for: .milliseconds(5))
        }
        cpuQuota.close()
        return stopping.count
    }

    /// This emulator's cgroup, where its instances' CPU quotas are (nil without a cgroup filesystem).
    public nonisolated var cgroup: String? { cpuQuota.directory }

    /// Instances per function (for tests and status).
    public func instanceCount(_ function: String) -> Int { instances.values.filter { $0.function.name == function }.count }

    nonisolated func errorDocument(_ type: String, _ message: String) -> Data {
        ErrorReport(errorMessage: message, errorType: type).json
    }
}

extension Emulator.Instance {
    /// Free to take an event: alive and not busy (a starting instance is not free: it has its first event).
    var isFree: Bool {
        switch state {
        case .waiting: return assigned == nil
        default: return false
        }
    }

    /// Peak resident memory of the runtime process, MB (`VmHWM` of /proc/PID/status; 0 where unavailable). Read
    /// on the bytes: this runs once per invocation.
    var maxMemoryMB: Int {
        guard let status = FileManager.default.contents(atPath: "/proc/\(process.processIdentifier)/status") else { return 0 }
        let bytes = [UInt8](status)
        let key = Array("VmHWM:".utf8)
        guard let start = bytes.indices.first(where: { bytes[$0...].starts(with: key) }) else { return 0 }
        var kb = 0
        for byte in bytes[(start + key.count)...] {
            if byte == 0x0A { break }
            if byte >= 0x30 && byte <= 0x39 { kb = kb &* 10 &+ Int(byte - 0x30) }
        }
        return (kb + 1023) / 1024
    }
}

extension Duration {
    var milliseconds: Double {
        let (s, atto) = components
        return Double(s) * 1000 + Double(atto) * 1e-15
    }
}
