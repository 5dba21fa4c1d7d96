import FoundationEssentials
import Glibc
import StepConfHTTP

/// The Lambda Runtime API over HTTP (`AWS_LAMBDA_RUNTIME_API` = `host:port`, optionally with a path).
///
/// Two transports speak it: a kept-alive plain socket (the default: the Runtime API is loopback HTTP, and
/// not loading libcurl shortens a cold start by ~9 ms), and libcurl (``HTTPClient``), chosen with
/// `.curl` (the bootstrap reads the choice from its environment contract). Both behave the same; the tests
/// run the run loop over each.
public final class HTTPRuntimeClient: RuntimeClient {
    public enum Transport: String, Sendable, CaseIterable {
        case socket
        case curl

        /// The transport `setting` names (`socket` when nil); `variable` names the setting in the error.
        /// - Throws: ``RuntimeAPIError`` naming the accepted values when the setting holds another.
        public static func parse(_ setting: String?, variable: String) throws -> Transport {
            guard let raw = setting else { return .socket }
            guard let transport = Transport(rawValue: raw) else {
                throw RuntimeAPIError(.configuration, "\(variable)=\(raw.prefix(64)): expected one of socket, curl")
            }
            return transport
        }
    }

    private enum Channel {
        case socket(LoopbackHTTPConnection)
        case curl(HTTPClient, base: String)
    }

    private let channel: Channel

    /// - Throws: ``RuntimeAPIError`` when the endpoint is not `host:port[/path]` or libcurl cannot start.
    public init(endpoint: String, transport: Transport = .socket) throws {
        switch transport {
        case .socket:
            channel = .socket(try LoopbackHTTPConnection(endpoint: endpoint))
        case .curl:
            do {
                channel = .curl(try HTTPClient(), base: "http://\(endpoint)")
            } catch {
                throw RuntimeAPIError(.configuration, "libcurl: \(error)")
            }
        }
    }

    public func next() throws -> Invocation {
        let response = try call("GET", LambdaWire.Route.next)
        guard response.status == 200 else {
            throw RuntimeAPIError(.status, "/next answered \(response.status)", status: response.status)
        }
        typealias H = LambdaWire.Header
        guard let id = response.header(H.requestID) else {
            throw RuntimeAPIError(.malformedResponse, "/next answered without a request id", status: response.status)
        }
        return Invocation(
            requestID: id, deadlineMs: Int64(response.header(H.deadlineMs) ?? "") ?? 0,
            invokedFunctionARN: response.header(H.invokedFunctionARN) ?? "",
            traceID: response.header(H.traceID), clientContext: response.header(H.clientContext),
            cognitoIdentity: response.header(H.cognitoIdentity), payload: response.body)
    }

    public func respond(requestID: String, body: Data) throws {
        try post(LambdaWire.Route.response(requestID), body: body, errorType: nil)
    }

    public func reportError(requestID: String, _ report: ErrorReport) throws {
        try post(LambdaWire.Route.error(requestID), body: try JSONEncoder().encode(report), errorType: report.errorType)
    }

    public func reportInitError(_ report: ErrorReport) throws {
        try post(LambdaWire.Route.initError, body: try JSONEncoder().encode(report), errorType: report.errorType)
    }

    private func post(_ path: String, body: Data, errorType: String?) throws {
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        if let errorType { headers.append((LambdaWire.Header.functionErrorType, errorType)) }
        let response = try call("POST", path, headers: headers, body: body)
        guard (200..<300).contains(response.status) else {
            throw RuntimeAPIError(.status, "\(path) answered \(response.status)", status: response.status)
        }
    }

    private func call(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: Data = Data()
    ) throws -> (status: Int, header: (String) -> String?, body: Data) {
        let fullPath = LambdaWire.runtimeRoot + path
        switch channel {
        case .socket(let connection):
            let response = try connection.exchange(method: method, path: fullPath, headers: headers, body: body)
            return (response.status, response.header, response.body)
        case .curl(let http, let base):
            do {
                let request = HTTPRequest(
                    method: method, url: base + fullPath, headers: headers.map { (name: $0.0, value: $0.1) },
                    body: body, timeout: method == "GET" ? nil : .seconds(30))
                let response = try http.send(request)
                return (response.status, response.header, response.body)
            } catch let error as HTTPError {
                throw RuntimeAPIError(.unreachable, "Runtime API unreachable: \(error.message)")
            }
        }
    }
}
