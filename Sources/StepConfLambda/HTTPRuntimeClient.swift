import Foundation
import StepConfHTTP

/// The Lambda Runtime API over HTTP (`AWS_LAMBDA_RUNTIME_API` = `host:port`).
public final class HTTPRuntimeClient: RuntimeClient {
    private let base: String
    private let http: HTTPClient

    /// - Throws: ``HTTPError`` when libcurl cannot start.
    public init(endpoint: String) throws {
        self.base = "http://\(endpoint)/2018-06-01/runtime"
        self.http = try HTTPClient()
    }

    public func next() throws -> Invocation {
        let response = try call(HTTPRequest(url: base + "/invocation/next", timeout: nil))
        guard response.status == 200 else {
            throw RuntimeAPIError(status: response.status, message: "/next answered \(response.status)")
        }
        guard let id = response.header("Lambda-Runtime-Aws-Request-Id") else {
            throw RuntimeAPIError(status: response.status, message: "/next answered without a request id")
        }
        return Invocation(
            requestID: id, deadlineMs: Int64(response.header("Lambda-Runtime-Deadline-Ms") ?? "") ?? 0,
            invokedFunctionARN: response.header("Lambda-Runtime-Invoked-Function-Arn") ?? "",
            traceID: response.header("Lambda-Runtime-Trace-Id"),
            clientContext: response.header("Lambda-Runtime-Client-Context"),
            cognitoIdentity: response.header("Lambda-Runtime-Cognito-Identity"), payload: response.body)
    }

    public func respond(requestID: String, body: Data) throws {
        try post("/invocation/\(requestID)/response", body: body, errorType: nil)
    }

    public func reportError(requestID: String, _ report: ErrorReport) throws {
        try post("/invocation/\(requestID)/error", body: try JSONEncoder().encode(report), errorType: report.errorType)
    }

    public func reportInitError(_ report: ErrorReport) throws {
        try post("/init/error", body: try JSONEncoder().encode(report), errorType: report.errorType)
    }

    private func post(_ path: String, body: Data, errorType: String?) throws {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let errorType { headers.append(("Lambda-Runtime-Function-Error-Type", errorType)) }
        let response = try call(HTTPRequest(method: "POST", url: base + path, headers: headers, body: body))
        guard (200..<300).contains(response.status) else {
            throw RuntimeAPIError(status: response.status, message: "\(path) answered \(response.status)")
        }
    }

    private func call(_ request: HTTPRequest) throws -> HTTPResponse {
        do {
            return try http.send(request)
        } catch let error as HTTPError {
            throw RuntimeAPIError(status: nil, message: "Runtime API unreachable: \(error.message)")
        }
    }
}
