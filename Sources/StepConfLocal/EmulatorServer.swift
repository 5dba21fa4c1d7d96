import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The emulator's HTTP face: the Lambda Invoke API, the Runtime Interface Emulator's path, and the
/// Runtime API of every instance (under `/instances/{id}`).
public enum EmulatorServer {
    /// Payloads above this are refused with 413, as Lambda does (synchronous invocations).
    public static let payloadLimit = 6 * 1024 * 1024

    /// Builds the router for `emulator`; `defaultFunction` serves the RIE path.
    public static func router(_ emulator: Emulator, defaultFunction: String?) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/2015-03-31/functions/:name/invocations") { request, context -> Response in
            let name = context.parameters.get("name") ?? ""
            return try await invoke(emulator, name: name, request: request, context: context)
        }
        router.post("/2015-03-31/functions/function/invocations") { request, context -> Response in
            try await invoke(emulator, name: defaultFunction ?? "function", request: request, context: context)
        }
        router.get("/instances/:id/2018-06-01/runtime/invocation/next") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard let (event, _) = await emulator.next(instanceID: id) else {
                return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: #"{"errorMessage":"instance stopped"}"#)))
            }
            var headers = HTTPFields()
            headers[HTTPField.Name("Lambda-Runtime-Aws-Request-Id")!] = event.requestID
            headers[HTTPField.Name("Lambda-Runtime-Deadline-Ms")!] = String(event.deadlineMs)
            headers[HTTPField.Name("Lambda-Runtime-Invoked-Function-Arn")!] =
                "arn:aws:lambda:us-east-1:000000000000:function:\(event.function.name)"
            headers[HTTPField.Name("Lambda-Runtime-Trace-Id")!] = "Root=1-\(String(Int(Date().timeIntervalSince1970), radix: 16))-\(event.requestID.replacingOccurrences(of: "-", with: "").prefix(24))"
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: event.payload)))
        }
        router.post("/instances/:id/2018-06-01/runtime/invocation/:request/response") { request, context -> Response in
            let body = try await request.body.collect(upTo: payloadLimit + 1)
            let id = context.parameters.get("id") ?? ""
            let requestID = context.parameters.get("request") ?? ""
            if body.readableBytes > payloadLimit {
                return Response(status: .contentTooLarge, body: .init(byteBuffer: ByteBuffer(
                    string: #"{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}"#)))
            }
            await emulator.complete(instanceID: id, requestID: requestID, outcome: .response(Data(buffer: body)))
            return Response(status: .accepted, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"OK"}"#)))
        }
        router.post("/instances/:id/2018-06-01/runtime/invocation/:request/error") { request, context -> Response in
            let body = try await request.body.collect(upTo: payloadLimit)
            await emulator.complete(
                instanceID: context.parameters.get("id") ?? "", requestID: context.parameters.get("request") ?? "",
                outcome: .functionError(Data(buffer: body)))
            return Response(status: .accepted, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"OK"}"#)))
        }
        router.post("/instances/:id/2018-06-01/runtime/init/error") { request, context -> Response in
            let body = try await request.body.collect(upTo: payloadLimit)
            await emulator.initError(instanceID: context.parameters.get("id") ?? "", body: Data(buffer: body))
            return Response(status: .accepted, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"OK"}"#)))
        }
        return router
    }

    private static func invoke(
        _ emulator: Emulator, name: String, request: Request, context: BasicRequestContext
    ) async throws -> Response {
        guard let function = emulator.resolve(name.removingPercentEncoding ?? name) else {
            var headers = HTTPFields()
            headers[HTTPField.Name("X-Amzn-ErrorType")!] = "ResourceNotFoundException"
            headers[.contentType] = "application/json"
            return Response(status: .notFound, headers: headers, body: .init(byteBuffer: ByteBuffer(
                string: #"{"Type":"User","message":"Function not found: \#(name)"}"#)))
        }
        let body = try await request.body.collect(upTo: payloadLimit + 1)
        if body.readableBytes > payloadLimit {
            var headers = HTTPFields()
            headers[HTTPField.Name("X-Amzn-ErrorType")!] = "RequestTooLargeException"
            return Response(status: .contentTooLarge, headers: headers, body: .init(byteBuffer: ByteBuffer(
                string: #"{"Type":"User","message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}"#)))
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[HTTPField.Name("X-Amz-Executed-Version")!] = "$LATEST"
        switch await emulator.invoke(function, payload: Data(buffer: body)) {
        case .response(let data):
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        case .functionError(let data):
            headers[HTTPField.Name("X-Amz-Function-Error")!] = "Unhandled"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// Runs the emulator on `host:port` (0 picks a free port) until cancelled; `onListening` gets the port.
    public static func run(
        functions: [FunctionSpec], host: String = "127.0.0.1", port: Int, idleTimeout: Duration = .seconds(300),
        logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        let emulator = Emulator(functions: functions, idleTimeout: idleTimeout, logger: logger)
        try await run(emulator, functions: functions, host: host, port: port, onListening: onListening)
    }

    /// Serves `emulator` on `host:port` until cancelled; `onListening` gets the port. `serverLogLevel` is the
    /// HTTP server's own logging (in-process emulators pass `.critical`: its shutdown notices are noise).
    public static func run(
        _ emulator: Emulator, functions: [FunctionSpec], host: String = "127.0.0.1", port: Int,
        serverLogLevel: Logger.Level = .info, onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        var logger = Logger(label: "stepconf.emulator")
        logger.logLevel = serverLogLevel
        let app = Application(
            router: router(emulator, defaultFunction: functions.first?.name),
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                let actual = channel.localAddress?.port ?? port
                await emulator.setRuntimeEndpoint("\(host):\(actual)")
                onListening(actual)
            },
            logger: logger)
        // On cancellation, stop the instances first: their long-polling `/next` calls would otherwise keep
        // the server's graceful shutdown waiting forever.
        do {
            try await withTaskCancellationHandler {
                try await app.runService()
            } onCancel: {
                Task { await emulator.shutdown() }
            }
        } catch {
            await emulator.shutdown()
            throw error
        }
        await emulator.shutdown()
    }
}
