import Foundation

/// Where things are for a test: this checkout, its Python helpers, and the products built beside the test bundle.
public enum TestPaths {
    /// The checkout's root.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// A file of the checkout, by its path from the root.
    public static func file(_ path: String) -> String { root.appendingPathComponent(path).path }

    /// A helper of `Tests/support`.
    public static func support(_ name: String) -> String { file("Tests/support/\(name)") }

    /// A product of the build folder next to the test bundle (`stepconf`, `bootstrap`, `fixture-bootstrap`).
    public static func product(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// The shipped Lambda binary.
    public static var bootstrap: String { product("bootstrap") }

    /// The tests' bootstrap: the shipped runtime plus echo, sleep and crash handlers and worker faults.
    public static var fixtureBootstrap: String { product("fixture-bootstrap") }

    /// A fresh path named `name` in a directory of its own, inside this test process's private directory (mode
    /// 0700, removed when the process exits): for tests that hand a path to code that outlives a scope.
    public static func scratch(_ name: String) -> String {
        let directory = (scratchRoot as NSString).appendingPathComponent(UUID().uuidString.prefix(12).description)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (directory as NSString).appendingPathComponent(name)
    }

    /// This process's private directory, made on first use and removed at exit.
    public static let scratchRoot: String = {
        var template = Array((NSTemporaryDirectory() + "/stepconf-tests-XXXXXX").utf8CString)
        let made = mkdtemp(&template).map { String(cString: $0) } ?? NSTemporaryDirectory() + "/stepconf-tests-\(getpid())"
        ScratchCleanup.root = made
        atexit { ScratchCleanup.remove() }
        return made
    }()
}

/// Removes the scratch root at exit (a C callback captures nothing, so the path lives here).
enum ScratchCleanup {
    /// Written once, when the root is made (inside a `static let` initializer, which runs once), read at exit.
    nonisolated(unsafe) static var root: String?
    static func remove() { if let root { try? FileManager.default.removeItem(atPath: root) } }
}

/// What the fixture bootstrap's `environment` handler answers: what the runtime read of Lambda's reserved variables
/// and of the invocation's headers, with the trace id it exported (both sides of the wire in one test).
public struct SeenEnvironment: Codable, Sendable {
    public var handler: String
    public var functionName: String
    public var memoryMB: Int
    public var taskRoot: String
    public var runtimeAPI: String?
    public var requestID: String
    public var invokedFunctionARN: String
    public var deadlineMs: Int64
    public var traceID: String?
    public var exportedTraceID: String?
    public var region: String?
    public var version: String?

    public init(
        handler: String, functionName: String, memoryMB: Int, taskRoot: String, runtimeAPI: String?, requestID: String,
        invokedFunctionARN: String, deadlineMs: Int64, traceID: String?, exportedTraceID: String?, region: String?,
        version: String?
    ) {
        self.handler = handler
        self.functionName = functionName
        self.memoryMB = memoryMB
        self.taskRoot = taskRoot
        self.runtimeAPI = runtimeAPI
        self.requestID = requestID
        self.invokedFunctionARN = invokedFunctionARN
        self.deadlineMs = deadlineMs
        self.traceID = traceID
        self.exportedTraceID = exportedTraceID
        self.region = region
        self.version = version
    }
}

/// Runs `body(0..<count)` on `count` threads of their own and waits for them: unlike `DispatchQueue.concurrentPerform`,
/// it takes no thread from the pools the test process's other tests (and an in-process emulator) run on.
public func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let done = DispatchGroup()
    for k in 0..<max(count, 0) {
        done.enter()
        let thread = Thread {
            body(k)
            done.leave()
        }
        thread.start()
    }
    done.wait()
}
