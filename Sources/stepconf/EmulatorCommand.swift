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

            --functions FILE: a JSON array of {name, handler, memory_mb, timeout_s, executable, environment}.
            --bundle DIR: DIR/functions.json, executables relative to DIR (default DIR/bootstrap).

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

    func validate() throws {
        guard (bundle == nil) != (functions == nil) else { throw ValidationError("give exactly one of --bundle or --functions") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must lie in 0–65535") }
        guard idle > 0 else { throw ValidationError("--idle must be > 0") }
    }

    func run() async throws {
        let specs: [FunctionSpec]
        if let bundle {
            specs = try FunctionSpec.load(from: bundle + "/functions.json", baseDirectory: bundle)
        } else if let functions {
            specs = try FunctionSpec.load(from: functions)
        } else {
            throw ValidationError("pass --functions FILE or --bundle DIR")
        }
        let out = FileHandle.standardOutput
        try await EmulatorServer.run(
            functions: specs, host: host, port: port, idleTimeout: .milliseconds(Int64(idle * 1000)),
            logger: Logger(label: "stepconf.emulator"),
            onListening: { actual in
                out.write(Data("listening on http://\(host):\(actual) · functions: \(specs.map(\.name).joined(separator: ", "))\n".utf8))
            })
    }
}
