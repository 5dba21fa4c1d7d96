import Foundation
import StepConfTestSupport
import StepConfAWS

/// A Python helper server (moto, or the fault proxy) on a free loopback port (``PythonHelper``).
typealias HelperServer = PythonHelper

/// moto's server with the configuration our clients use against it. One server serves every suite of this
/// target (each uses its own buckets, tables and keys): starting one per suite, all at once on 2 cores,
/// starved the other tests of CPU. It runs Step Functions executions, and exits when this process does
/// (its stdin closes).
final class Moto: Sendable {
    let server: HelperServer

    private init(config: String? = nil) throws {
        server = try HelperServer(script: "moto_server.py", arguments: config.map { [$0] } ?? [])
    }

    private static let started = Result {
        let moto = try Moto(config: #"{"stepfunctions": {"execute_state_machine": true}}"#)
        // Stopped by PID when the test process ends (it would also exit when its stdin closes).
        sharedPID = moto.server.pid
        atexit { if Moto.sharedPID > 0 { kill(Moto.sharedPID, SIGKILL) } }
        return moto
    }

    /// Written once, inside the `started` initializer (run once by the Swift runtime), read at exit.
    nonisolated(unsafe) private static var sharedPID: pid_t = 0

    /// The shared server. - Throws: when moto could not start (the message says what to install).
    static func shared() throws -> Moto { try started.get() }

    static let credentials = StaticCredentialProvider(AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing-secret"))

    /// A configuration aimed at `url` (moto itself, or a proxy in front of it).
    static func configuration(
        url: String, retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseSeconds: 0.01, maxBackoffSeconds: 0.05),
        timeout: Duration = .seconds(30)
    ) throws -> AWSConfiguration {
        let endpoint = try AWSEndpoint(url)
        return try AWSConfiguration(
            region: "us-east-1", credentials: credentials,
            endpoints: [.s3: endpoint, .dynamodb: endpoint, .stepFunctions: endpoint], retry: retry, requestTimeout: timeout)
    }

    func configuration() throws -> AWSConfiguration { try Self.configuration(url: server.url) }
}
