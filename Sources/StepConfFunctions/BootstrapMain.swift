import FoundationEssentials
import Glibc
import Logging
import StepConfCore
import StepConfLambda
import StepConfWorker

/// What a Lambda bootstrap executable does, written once: the shipped `bootstrap` and the tests' fixture
/// differ only in the handlers they make and the kernel their workers run.
public enum BootstrapMain {
    /// Runs the process as a runtime (or, started with ``WorkerProcess/argument``, as a worker of a step's
    /// pool) and exits: 2 when `AWS_LAMBDA_RUNTIME_API` is unset, 1 when the runtime cannot start or the
    /// Runtime API fails.
    public static func run(
        kernel: (WorkerFrame) throws -> Data, makeHandler: (LambdaEnvironment) throws -> any ByteHandler
    ) -> Never {
        // A parent that ignores or blocks SIGTERM (a process using swift-service-lifecycle or Dispatch signal
        // sources does) passes that on through exec; Lambda and the emulator stop a runtime with SIGTERM, so
        // take the default back.
        signal(SIGTERM, SIG_DFL)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
        // Worker mode: a process of the intra-function pool, started by the wrapper in this same binary.
        if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == WorkerProcess.argument {
            exit(WorkerProcess.serve(kernel: kernel))
        }
        let environment = LambdaEnvironment()
        // Every record is one JSON line on stderr (Lambda's JSON log format), at AWS_LAMBDA_LOG_LEVEL.
        let level = environment.logLevel
        LoggingSystem.bootstrap { _ in LambdaLogHandler(level: level) }
        let logger = Logger(label: "stepconf.bootstrap")
        if let unknown = environment.unknownLogLevel {
            logger.warning("AWS_LAMBDA_LOG_LEVEL=\(unknown) names no level (TRACE, DEBUG, INFO, WARN, ERROR, FATAL); using INFO")
        }
        guard let endpoint = environment.runtimeAPI else {
            logger.critical("AWS_LAMBDA_RUNTIME_API is not set; run me under Lambda or an emulator")
            exit(2)
        }
        do {
            // Only the transport is read here: the rest of the contract is decoded once, by `makeHandler`, so a
            // bad setting is reported on `/init/error` where Lambda shows it.
            let variable = FunctionEnvironment.Variable.runtimeTransport.name
            let transport = try HTTPRuntimeClient.Transport.parse(
                environment.variables[variable].flatMap { $0.isEmpty ? nil : $0 }, variable: variable)
            let client = try HTTPRuntimeClient(endpoint: endpoint, transport: transport)
            exit(LambdaRuntime.run(client: client, environment: environment, logger: logger) { try makeHandler(environment) })
        } catch {
            logger.critical("the runtime cannot start", metadata: ["error": "\(error)"])
            exit(1)
        }
    }
}
