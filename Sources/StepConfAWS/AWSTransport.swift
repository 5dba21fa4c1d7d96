import FoundationEssentials
import StepConfStorage
import Glibc
import StepConfCore
import StepConfHTTP

/// Sends signed requests to a service, retrying as the ``RetryPolicy`` says, from any thread.
public final class AWSTransport: Sendable {
    public let configuration: AWSConfiguration
    private let pool: HTTPClientPool
    /// Waits between attempts; tests make it instant.
    private let sleep: @Sendable (Double) -> Void

    public init(configuration: AWSConfiguration, poolSize: Int = 16, sleep: (@Sendable (Double) -> Void)? = nil) {
        self.configuration = configuration
        self.pool = HTTPClientPool(keep: poolSize)
        self.sleep = sleep ?? { seconds in if seconds > 0 { OSThread.sleep(seconds) } }
    }

    /// One request to a service.
    public struct Call: Sendable {
        public var service: AWSService
        public var method: String
        /// Host to call (`Host` header), and the scheme.
        public var endpoint: AWSEndpoint
        /// Encoded path, starting with `/`, the endpoint's base path not included.
        public var path: String
        /// Encoded query string without `?`.
        public var query: String
        public var headers: [(name: String, value: String)]
        public var body: Data
        /// What errors call this request (`UploadPart 2 of bucket/key`); `METHOD path` when nil.
        public var operation: String?

        public init(
            service: AWSService, method: String, endpoint: AWSEndpoint, path: String, query: String = "",
            headers: [(name: String, value: String)] = [], body: Data = Data(), operation: String? = nil
        ) {
            self.operation = operation
            self.service = service
            self.method = method
            self.endpoint = endpoint
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
        }
    }

    /// Sends `call`, signing each attempt afresh, and retries transport failures and retryable answers.
    /// Returns the first answer that is not retryable (success or not): callers map error statuses.
    /// - Throws: ``AWSError`` (`transport`) when every attempt failed without a usable answer, (`service`)
    ///   when the last attempt still got a retryable error status, (`credentials`) when none are found.
    public func send(_ call: Call) throws -> HTTPResponse {
        let policy = configuration.retry
        let payloadHash = SigV4Signer.hash(call.body)
        let signer = SigV4Signer(service: call.service.signingName, region: configuration.region)
        let fullPath = call.endpoint.basePath + call.path
        let url = "\(call.endpoint.scheme)://\(call.endpoint.host)\(fullPath)" + (call.query.isEmpty ? "" : "?\(call.query)")
        let operation = call.operation ?? "\(call.method) \(fullPath)"
        var lastProblem = ""
        for attempt in 1...policy.maxAttempts {
            let credentials = try configuration.credentials.credentials()
            var headers = call.headers.filter { $0.name.lowercased() != "host" }
            headers.append(("Host", call.endpoint.host))
            let request = SigV4Signer.Request(
                method: call.method, path: fullPath, query: call.query, headers: headers, payloadHash: payloadHash)
            headers += signer.signingHeaders(for: request, credentials: credentials)
            let http = HTTPRequest(
                method: call.method, url: url, headers: headers, body: call.body,
                connectTimeout: configuration.connectTimeout, timeout: configuration.requestTimeout)
            do {
                let response = try pool.withClient { try $0.send(http) }
                let code = response.status >= 400 ? AWSErrorBody(response).code : nil
                guard response.status >= 400, policy.isRetryable(status: response.status, code: code) else {
                    return response
                }
                lastProblem = "\(call.service.rawValue) answered \(response.status)\(code.map { " \($0)" } ?? "")"
                if attempt == policy.maxAttempts {
                    throw AWSError(
                        .service, "\(operation): \(lastProblem) after \(attempt) attempts",
                        status: response.status, awsCode: code)
                }
            } catch let error as HTTPError {
                lastProblem = error.message
            }
            if attempt < policy.maxAttempts { sleep(policy.backoff(afterAttempt: attempt)) }
        }
        throw AWSError(.transport, "\(operation): \(lastProblem) (after \(policy.maxAttempts) attempts)")
    }
}

extension AWSTransport {
    /// One call of an AWS JSON 1.0 protocol service (DynamoDB, Step Functions): `POST /` with
    /// `X-Amz-Target: target` and a JSON object both ways.
    /// - Returns: the answer's JSON object.
    /// - Throws: ``AWSError`` with AWS's code for an error answer, `invalidResponse` for one that is not JSON.
    public func sendJSON(service: AWSService, target: String, body: JSONValue, operation: String) throws -> JSONValue {
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            data = try encoder.encode(body)
        } catch {
            throw AWSError(.invalidArgument, "\(operation): request is not JSON (\(error))")
        }
        let response = try send(Call(
            service: service, method: "POST", endpoint: configuration.endpoint(service), path: "/",
            headers: [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", target)], body: data,
            operation: operation))
        guard response.status == 200 else { throw AWSErrorBody.error(response, operation: operation) }
        guard let object = try? JSONDecoder().decode(JSONValue.self, from: response.body), object.members != nil else {
            throw AWSError(.invalidResponse, "\(operation): answer is not a JSON object")
        }
        return object
    }
}

/// The error code and message of an AWS error answer: XML (`<Error><Code>…`) or JSON (`__type`, `message`).
struct AWSErrorBody {
    var code: String?
    var message: String?

    init(_ response: HTTPResponse) {
        if let type = response.header("x-amzn-ErrorType") {
            code = String(type.split(separator: ":").first ?? Substring(type))
        }
        let body = response.body
        guard !body.isEmpty else { return }
        if body.first == UInt8(ascii: "{"), let object = try? JSONDecoder().decode(JSONValue.self, from: body) {
            if let type = (object["__type"] ?? object["code"])?.stringValue {
                code = String(type.split(separator: "#").last ?? Substring(type))
            }
            message = (object["message"] ?? object["Message"])?.stringValue
        } else if let tree = try? XMLNode.parse(body) {
            let error = tree.name == "Error" ? tree : tree.first("Error") ?? tree.first("Errors")?.first("Error")
            code = error?.first("Code")?.text ?? code
            message = error?.first("Message")?.text
        }
    }

    /// An ``AWSError`` for an error answer of `operation`.
    static func error(_ response: HTTPResponse, operation: String) -> AWSError {
        let body = AWSErrorBody(response)
        let detail = [body.code, body.message].compactMap { $0 }.joined(separator: ": ")
        let code: AWSError.Code =
            response.status == 404 || body.code == "NoSuchKey" || body.code == "ResourceNotFoundException"
            ? .notFound : .service
        return AWSError(
            code, "\(operation) failed with \(response.status)\(detail.isEmpty ? "" : " (\(detail))")",
            status: response.status, awsCode: body.code)
    }
}
