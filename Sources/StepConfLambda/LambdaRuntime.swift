import Foundation

/// The run loop of a custom runtime: fetch an event, run the handler, post its result or its error;
/// again, until the Runtime API fails.
public enum LambdaRuntime {
    /// Runs until the Runtime API fails; returns the process exit code.
    ///
    /// A handler that cannot be made is reported on `/init/error` (exit 1). A handler that throws is
    /// reported on `/error` and the loop goes on. A response over the payload limit (413) is reported as a
    /// `Runtime.ResponseSizeTooLarge` error. When `/next` fails (the Runtime API answers 500 or cannot be
    /// reached), the runtime exits at once (exit 1), as Lambda expects.
    public static func run(
        client: any RuntimeClient, environment: LambdaEnvironment = LambdaEnvironment(),
        makeHandler: () throws -> any ByteHandler, log: (String) -> Void = { writeStandardError($0) }
    ) -> Int32 {
        let handler: any ByteHandler
        do {
            handler = try makeHandler()
        } catch {
            log("init error: \(error)")
            try? client.reportInitError(ErrorReport(error))
            return 1
        }
        while true {
            let invocation: Invocation
            do {
                invocation = try client.next()
            } catch {
                log("runtime API failed, exiting: \(error)")
                return 1
            }
            if let trace = invocation.traceID { setenv("_X_AMZN_TRACE_ID", trace, 1) } else { unsetenv("_X_AMZN_TRACE_ID") }
            let context = LambdaContext(invocation: invocation, environment: environment)
            do {
                let output = try handler.handle(invocation.payload, context: context)
                do {
                    try client.respond(requestID: invocation.requestID, body: output)
                } catch let error as RuntimeAPIError where error.status == 413 {
                    try client.reportError(
                        requestID: invocation.requestID,
                        ErrorReport(
                            errorMessage: "Response payload size (\(output.count) bytes) exceeded maximum allowed payload size.",
                            errorType: "Runtime.ResponseSizeTooLarge"))
                }
            } catch let error as RuntimeAPIError {
                log("runtime API failed while reporting \(invocation.requestID), exiting: \(error)")
                return 1
            } catch {
                do {
                    try client.reportError(requestID: invocation.requestID, ErrorReport(error))
                } catch {
                    log("runtime API failed while reporting an error, exiting: \(error)")
                    return 1
                }
            }
        }
    }

    /// Writes one line to standard error (Lambda sends it to CloudWatch Logs).
    public static func writeStandardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
