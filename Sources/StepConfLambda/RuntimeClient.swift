import FoundationEssentials
import Glibc

/// The role of the Lambda Runtime API, as the run loop sees it. ``HTTPRuntimeClient`` talks to the real
/// one; tests inject a fake.
public protocol RuntimeClient {
    /// Waits for the next event (`GET /runtime/invocation/next`, no timeout).
    /// - Throws: ``RuntimeAPIError`` when the Runtime API fails; the runtime should then exit.
    func next() throws -> Invocation
    /// Posts a handler's result (`POST /runtime/invocation/{id}/response`).
    /// - Throws: ``RuntimeAPIError``; status 413 when the response is over the payload limit.
    func respond(requestID: String, body: Data) throws
    /// Posts a handler's failure (`POST /runtime/invocation/{id}/error`).
    /// - Throws: ``RuntimeAPIError``.
    func reportError(requestID: String, _ report: ErrorReport) throws
    /// Posts a start-up failure (`POST /runtime/init/error`).
    /// - Throws: ``RuntimeAPIError``.
    func reportInitError(_ report: ErrorReport) throws
}
