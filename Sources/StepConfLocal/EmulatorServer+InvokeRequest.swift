import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StepConfCore

/// One call of the Invoke API, read and checked as Lambda checks it: the function and qualifier the path names,
/// the invocation and log types, the client context, and the payload within its limit and valid JSON. Parsing
/// gives the call or the error Lambda would answer.
struct InvokeRequest {
    /// `X-Amz-Invocation-Type`.
    enum InvocationType: String {
        case requestResponse = "RequestResponse"
        case event = "Event"
        case dryRun = "DryRun"
    }

    /// The error answer Lambda gives a call it refuses.
    struct Refusal: Error {
        var response: Response

        init(_ status: HTTPResponse.Status, _ type: String, _ message: String, closeConnection: Bool = false) {
            response = EmulatorServer.lambdaError(status, type, message)
            if closeConnection { response.headers[.connection] = "close" }
        }
    }

    let function: FunctionSpec
    let type: InvocationType
    let payload: Data
    let options: InvokeOptions

    static func parse(_ emulator: Emulator, name rawName: String, request: Request) async throws -> Result<InvokeRequest, Refusal> {
        do {
            let function = try Self.function(emulator, name: rawName, request: request)
            let type = try invocationType(request)
            let tailLog = try logType(request)
            let clientContext = try Self.clientContext(request)
            let payload = try await Self.payload(request, type: type)
            let options = InvokeOptions(
                clientContext: clientContext, traceID: request.headers[HTTPField.Name("X-Amz-Trace-Id")!], tailLog: tailLog,
                version: function.version)
            return .success(InvokeRequest(function: function.spec, type: type, payload: payload, options: options))
        } catch let refusal as Refusal {
            return .failure(refusal)
        }
    }

    /// The function the path names (its name, `name:qualifier`, or an ARN) with the `Qualifier` query, and the version
    /// an answer reports (a numeric qualifier, else `$LATEST`).
    static func function(
        _ emulator: Emulator, name rawName: String, request: Request
    ) throws(Refusal) -> (spec: FunctionSpec, version: String) {
        let (name, pathQualifier) = EmulatorServer.splitName(rawName.removingPercentEncoding ?? rawName)
        let queryQualifier = request.uri.queryParameters.get("Qualifier").map { String($0) }
        if let pathQualifier, let queryQualifier, pathQualifier != queryQualifier {
            throw Refusal(
                .badRequest, "InvalidParameterValueException",
                "The derived qualifier from the function name does not match the specified qualifier.")
        }
        let qualifier = pathQualifier ?? queryQualifier
        let arn = "arn:aws:lambda:us-east-1:000000000000:function:\(name)" + (qualifier.map { ":" + $0 } ?? "")
        guard let function = emulator.functions[name], qualifier.map(function.accepts) ?? true else {
            throw Refusal(.notFound, "ResourceNotFoundException", "Function not found: \(arn)")
        }
        let version = qualifier.flatMap { (q: String) -> String? in !q.isEmpty && q.allSatisfy { $0.isNumber } ? q : nil } ?? "$LATEST"
        return (function, version)
    }

    static func invocationType(_ request: Request) throws(Refusal) -> InvocationType {
        let text = request.headers[HTTPField.Name("X-Amz-Invocation-Type")!] ?? InvocationType.requestResponse.rawValue
        guard let type = InvocationType(rawValue: text) else {
            throw Refusal(
                .badRequest, "ValidationException",
                "1 validation error detected: Value '\(text)' at 'invocationType' failed to satisfy constraint: Member must "
                    + "satisfy enum value set: [Event, RequestResponse, DryRun]")
        }
        return type
    }

    /// Whether the caller asked for the log's tail (`X-Amz-Log-Type: Tail`).
    static func logType(_ request: Request) throws(Refusal) -> Bool {
        let logType = request.headers[HTTPField.Name("X-Amz-Log-Type")!] ?? "None"
        guard ["None", "Tail"].contains(logType) else {
            throw Refusal(
                .badRequest, "ValidationException",
                "1 validation error detected: Value '\(logType)' at 'logType' failed to satisfy constraint: Member must "
                    + "satisfy enum value set: [None, Tail]")
        }
        return logType == "Tail"
    }

    /// `X-Amz-Client-Context`: base64 of a JSON object of at most 3,583 bytes, passed to the function decoded.
    static func clientContext(_ request: Request) throws(Refusal) -> String? {
        guard let encoded = request.headers[HTTPField.Name("X-Amz-Client-Context")!] else { return nil }
        guard encoded.utf8.count <= 3583, let data = Data(base64Encoded: encoded),
            data.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{"), StrictJSON.isJSON(Array(data))
        else {
            throw Refusal(
                .badRequest, "InvalidParameterValueException",
                "Client context must be a valid Base64-encoded JSON object of at most 3583 bytes.")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The body, within the invocation type's limit (413 beyond, closing the connection), and JSON when not empty.
    static func payload(_ request: Request, type: InvocationType) async throws -> Data {
        let limit = type == .event ? EmulatorServer.eventPayloadLimit : EmulatorServer.payloadLimit
        let body = try await EmulatorServer.collect(request, limit: limit)
        if body.readableBytes > limit {
            let operation = type == .event ? "InvokeAsync" : "InvokeFunction"
            throw Refusal(
                .contentTooLarge, "RequestTooLargeException",
                "Request must be smaller than \(limit) bytes for the \(operation) operation", closeConnection: true)
        }
        let payload = Data(buffer: body)
        if !payload.isEmpty, !StrictJSON.isJSON(Array(payload)) {
            throw Refusal(
                .badRequest, "InvalidRequestContentException", "Could not parse request body into json: the payload is not valid JSON")
        }
        return payload
    }
}
