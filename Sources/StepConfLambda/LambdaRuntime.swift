import FoundationEssentials
import Glibc
import Logging

/// The run loop of a custom runtime: fetch an event, run the handler, post its result or its error;
/// again, until the Runtime API fails.
public enum LambdaRuntime {
    /// Runs until the Runtime API fails; returns the process exit code.
    ///
    /// A handler that cannot be made is reported on `/init/error` (exit 1). A handler that throws is
    /// reported on `/error` and the loop goes on. Work a handler left for after its response
    /// (``LambdaContext/afterResponse(_:)``) runs once the response is posted. A response over the payload limit (413) is reported as a
    /// `Runtime.ResponseSizeTooLarge` error. When `/next` fails (the Runtime API answers 500 or cannot be
    /// reached), the runtime exits at once (exit 1), as Lambda expects. `logger` gets the runtime's own records;
    /// each invocation's context carries it with the request id.
    public static func run(
        client: any RuntimeClient, environment: LambdaEnvironment = LambdaEnvironment(),
        logger: Logger = Logger(label: "stepconf.runtime"), makeHandler: () throws -> any ByteHandler
    ) -> Int32 {
        let handler: any ByteHandler
        do {
            handler = try makeHandler()
        } catch {
            logger.error("init error", metadata: ["error": "\(error)", "error-type": "\(type(of: error))"])
            try? client.reportInitError(ErrorReport(error))
            return 1
        }
        while true {
            let invocation: Invocation
            do {
                invocation = try client.next()
            } catch {
                logger.error("the Runtime API failed, exiting", metadata: ["error": "\(error)"])
                return 1
            }
            let traceVariable = LambdaWire.Variable.traceID.rawValue
            if let trace = invocation.traceID { setenv(traceVariable, trace, 1) } else { unsetenv(traceVariable) }
            let context = LambdaContext(invocation: invocation, environment: environment, logger: logger)
            do {
                let output = try handler.handle(invocation.payload, context: context)
                do {
                    try client.respond(requestID: invocation.requestID, body: output)
                    for work in context.afterward.take() { work() }
                } catch let error as RuntimeAPIError where error.status == 413 {
                    context.logger.warning("response over the payload limit", metadata: ["bytes": "\(output.count)"])
                    try client.reportError(
                        requestID: invocation.requestID,
                        ErrorReport(
                            errorMessage: "Response payload size (\(output.count) bytes) exceeded maximum allowed payload size.",
                            errorType: "Runtime.ResponseSizeTooLarge"))
                }
            } catch let error as RuntimeAPIError {
                context.logger.error("the Runtime API failed while reporting, exiting", metadata: ["error": "\(error)"])
                return 1
            } catch {
                // The handler's error goes to the caller in the error document; the log says what type it was.
                context.logger.error(
                    "the handler failed", metadata: ["error": "\(error)", "error-type": "\(type(of: error))"])
                do {
                    try client.reportError(requestID: invocation.requestID, ErrorReport(error))
                } catch {
                    context.logger.error("the Runtime API failed while reporting an error, exiting", metadata: ["error": "\(error)"])
                    return 1
                }
            }
        }
    }
}
