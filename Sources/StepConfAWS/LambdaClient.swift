import FoundationEssentials
import Glibc
import StepConfCore

/// The Lambda operation StepConf needs: an asynchronous (`Event`) invocation, as the configurator's warm-ups
/// (``Prewarm``) send them, over ``AWSTransport``.
public final class LambdaClient: Sendable {
    public let transport: AWSTransport

    public init(transport: AWSTransport) { self.transport = transport }

    public convenience init(configuration: AWSConfiguration) { self.init(transport: AWSTransport(configuration: configuration)) }

    /// Queues one invocation of `function` with `payload` (`X-Amz-Invocation-Type: Event`): Lambda answers 202 once it
    /// has queued the event, without waiting for the function.
    /// - Throws: ``AWSError`` with Lambda's code for an error answer (`ResourceNotFoundException`, …).
    public func invokeEvent(function: String, payload: Data) throws {
        let operation = "Lambda Invoke (Event) \(function)"
        let response = try transport.send(AWSTransport.Call(
            service: .lambda, method: "POST", endpoint: transport.configuration.endpoint(.lambda),
            path: "/2015-03-31/functions/\(URIEncoding.encode(function))/invocations",
            headers: [("Content-Type", "application/json"), ("X-Amz-Invocation-Type", "Event")], body: payload,
            operation: operation))
        guard response.status == 202 else { throw AWSErrorBody.error(response, operation: operation) }
    }
}
