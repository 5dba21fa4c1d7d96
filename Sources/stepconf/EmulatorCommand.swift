import ArgumentParser
import Foundation
import Logging
import StepConfLocal

struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run a local Lambda emulator: Invoke API, RIE path and a Runtime API per instance.",
        discussion: """
            Serves POST /2015-03-31/functions/{name|ARN|name:qualifier}/invocations (what `aws lambda invoke \
            --endpoint-url` and boto3 call) and the RIE path POST /2015-03-31/functions/function/invocations \
            (the first function). Each instance is a real process of the function's runtime (a `bootstrap`) \
            with its own Runtime API under /instances/{id}; instances are reused while warm, stopped after \
            --idle seconds, killed on timeout (SIGTERM, then SIGKILL). Prints START/END/REPORT lines.

            As Lambda's Invoke API: X-Amz-Invocation-Type RequestResponse (default), Event (202 at once, the \
            function runs afterwards; payloads up to 1 MB) and DryRun (204, nothing runs); X-Amz-Log-Type Tail \
            (X-Amz-Log-Result: the last 4 KB of the invocation's log, base64); X-Amz-Client-Context and \
            X-Amz-Trace-Id reach the runtime; a qualifier (name:qualifier, ARN, ?Qualifier=) must be $LATEST or \
            one the function declares, else 404 ResourceNotFoundException; a payload that is not JSON gets 400 \
            InvalidRequestContentException, one over 6 MB 413 RequestTooLargeException, and an invocation past a \
            function's reserved concurrency 429 TooManyRequestsException. Each instance runs in a cgroup of its \
            own under this emulator's (a CPU quota of m/1769 cores), removed when it ends.

            SIGTERM or SIGINT stops every instance (SIGTERM, then SIGKILL after --grace seconds), answers \
            callers still waiting with an error, removes the cgroups and exits 0. A connection that has not sent \
            a whole request head within --header-timeout seconds (of opening, or of its last answer) is closed.

            --functions FILE: a JSON array of {name, handler, memory_mb, timeout_s, executable, environment, \
            qualifiers, reserved_concurrency}. --bundle DIR: DIR/functions.json, executables relative to DIR \
            (default DIR/bootstrap).

            Example: stepconf emulator --functions functions.json --port 9001
            """)

    @Option(help: ArgumentHelp("Bundle directory with functions.json.", valueName: "dir"))
    var bundle: String?

    @Option(help: ArgumentHelp("Functions file (JSON).", valueName: "file"))
    var functions: String?

    @Option(help: "Port (0 picks a free one, printed on start).")
    var port: Int = 9001

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Seconds an idle instance stays warm.")
    var idle: Double = 300

    @Option(help: ArgumentHelp("Seconds a connection may take to send a request head.", valueName: "seconds"))
    var headerTimeout: Double = 10

    @Option(help: ArgumentHelp("Seconds instances get to exit on SIGTERM before SIGKILL, when the emulator stops.", valueName: "seconds"))
    var grace: Double = 2

    @Option(help: ArgumentHelp(
        "At most N instances per function (Lambda's reserved concurrency) for functions that do not set reserved_concurrency; "
            + "more get 429 TooManyRequestsException. Default: no limit.", valueName: "N"))
    var reservedConcurrency: Int?

    func validate() throws {
        guard (bundle == nil) != (functions == nil) else { throw ValidationError("give exactly one of --bundle or --functions") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must lie in 0–65535") }
        guard idle.isFinite, idle > 0, idle <= 86_400 else { throw ValidationError("--idle must lie in (0, 86400] seconds") }
        guard headerTimeout.isFinite, headerTimeout > 0, headerTimeout <= 3600 else {
            throw ValidationError("--header-timeout must lie in (0, 3600] seconds")
        }
        guard grace.isFinite, grace >= 0, grace <= 600 else { throw ValidationError("--grace must lie in [0, 600] seconds") }
        if let reservedConcurrency, reservedConcurrency < 0 { throw ValidationError("--reserved-concurrency must be ≥ 0") }
    }

    func run() async throws {
        var specs: [FunctionSpec]
        if let bundle {
            specs = try FunctionSpec.load(from: bundle + "/functions.json", baseDirectory: bundle)
        } else if let functions {
            specs = try FunctionSpec.load(from: functions)
        } else {
            throw ValidationError("pass --functions FILE or --bundle DIR")
        }
        if let reservedConcurrency {
            for k in specs.indices where specs[k].reservedConcurrency == nil { specs[k].reservedConcurrency = reservedConcurrency }
        }
        let names = specs.map(\.name).joined(separator: ", ")
        let out = FileHandle.standardOutput
        let logger = Logger(label: "stepconf.emulator")
        let emulator = Emulator(functions: specs, idleTimeout: .milliseconds(Int64(idle * 1000)), logger: logger)
        try await EmulatorServer.run(
            emulator, functions: specs, host: host, port: port, headerTimeout: .milliseconds(Int64(headerTimeout * 1000)),
            stopSignals: [SIGTERM, SIGINT], grace: .milliseconds(Int64(grace * 1000)),
            onListening: { actual in
                out.write(Data("listening on http://\(host):\(actual) · functions: \(names)\n".utf8))
            })
    }
}
