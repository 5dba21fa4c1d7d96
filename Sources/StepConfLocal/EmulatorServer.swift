import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTPTypes
import ServiceLifecycle
import StepConfLambda

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
        let runtime = instancePrefix(":id") + LambdaWire.runtimeRoot
        typealias Route = LambdaWire.Route
        router.get(.init(stringLiteral: runtime + Route.next)) { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard let (event, _) = await emulator.next(instanceID: id) else {
                return Response(
                    status: .internalServerError,
                    body: .init(byteBuffer: ByteBuffer(bytes: ErrorReport(errorMessage: "instance stopped", errorType: "Runtime.Shutdown").json)))
            }
            typealias H = LambdaWire.Header
            var headers = HTTPFields()
            headers[HTTPField.Name(H.requestID)!] = event.requestID
            headers[HTTPField.Name(H.deadlineMs)!] = String(event.deadlineMs)
            headers[HTTPField.Name(H.invokedFunctionARN)!] = "arn:aws:lambda:us-east-1:000000000000:function:\(event.function.name)"
            headers[HTTPField.Name(H.traceID)!] = event.options.traceID
                ?? "Root=1-\(String(Int(Date().timeIntervalSince1970), radix: 16))-\(event.requestID.replacingOccurrences(of: "-", with: "").prefix(24))"
            if let clientContext = event.options.clientContext {
                headers[HTTPField.Name(H.clientContext)!] = clientContext
            }
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: event.payload)))
        }
        router.post(.init(stringLiteral: runtime + Route.responsePattern(parameter: "request"))) { request, context -> Response in
            let body = try await request.body.collect(upTo: payloadLimit + 1)
            let id = context.parameters.get("id") ?? ""
            let requestID = context.parameters.get("request") ?? ""
            if body.readableBytes > payloadLimit {
                let report = ErrorReport(
                    errorMessage: "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
                    errorType: "RequestEntityTooLarge")
                return Response(status: .contentTooLarge, body: .init(byteBuffer: ByteBuffer(bytes: report.json)))
            }
            await emulator.complete(instanceID: id, requestID: requestID, outcome: .response(Data(buffer: body)))
            return Response(status: .accepted, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"OK"}"#)))
        }
        router.post(.init(stringLiteral: runtime + Route.errorPattern(parameter: "request"))) { request, context -> Response in
            let body = try await request.body.collect(upTo: payloadLimit)
            await emulator.complete(
                instanceID: context.parameters.get("id") ?? "", requestID: context.parameters.get("request") ?? "",
                outcome: .functionError(Data(buffer: body)))
            return Response(status: .accepted, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"OK"}"#)))
        }
        router.post(.init(stringLiteral: runtime + Route.initError)) { request, context -> Response in
            let body = try await request.body.collect(upTo: payloadLimit)
            await emulator.initError(instanceID: context.parameters.get("id") ?? "", body: Data(buffer: body))
            return Response(status: .accepted, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"OK"}"#)))
        }
        return router
    }

    /// Where instance `id`'s Runtime API lives on the emulator (its `AWS_LAMBDA_RUNTIME_API` is `host:port` and this).
    static func instancePrefix(_ id: String) -> String { "/instances/\(id)" }

    /// Payloads of asynchronous (`Event`) invocations above this are refused, as Lambda does (1 MB).
    public static let eventPayloadLimit = 1024 * 1024

    /// A Lambda error answer: `X-Amzn-ErrorType` and the JSON body Lambda's Invoke API sends.
    static func lambdaError(_ status: HTTPResponse.Status, _ type: String, _ message: String, extra: [String: String] = [:]) -> Response {
        var headers = HTTPFields()
        headers[HTTPField.Name("X-Amzn-ErrorType")!] = type
        headers[.contentType] = "application/json"
        var body: [String: String] = ["Type": "User", "message": message]
        for (k, v) in extra { body[k] = v }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(body)) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The function and qualifier a path names: `NAME`, `NAME:QUALIFIER`, a partial ARN
    /// `ACCOUNT:function:NAME[:QUALIFIER]` or a full ARN `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`.
    static func splitName(_ name: String) -> (name: String, qualifier: String?) {
        let parts = name.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if let index = parts.firstIndex(of: "function"), index + 1 < parts.count, index >= 1 {
            return (parts[index + 1], index + 2 < parts.count ? parts[(index + 2)...].joined(separator: ":") : nil)
        }
        guard parts.count > 1 else { return (name, nil) }
        return (parts[0], parts[1...].joined(separator: ":"))
    }

    /// Reads at most `limit + 1` bytes of the body (never throws on a large one: the caller answers 413).
    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        for try await part in request.body {
            if collected.readableBytes + part.readableBytes > limit {
                var part = part
                if let slice = part.readSlice(length: limit + 1 - collected.readableBytes) {
                    var slice = slice
                    collected.writeBuffer(&slice)
                }
                break
            }
            var part = part
            collected.writeBuffer(&part)
        }
        return collected
    }

    private static func invoke(
        _ emulator: Emulator, name rawName: String, request: Request, context: BasicRequestContext
    ) async throws -> Response {
        let call: InvokeRequest
        switch try await InvokeRequest.parse(emulator, name: rawName, request: request) {
        case .success(let parsed): call = parsed
        case .failure(let refusal): return refusal.response
        }
        var headers = HTTPFields()
        headers[HTTPField.Name("X-Amz-Executed-Version")!] = call.options.version
        switch call.type {
        case .dryRun:
            return Response(status: .noContent, headers: headers)
        case .event:
            // Lambda queues the event and answers at once; a throttled event is retried, as Lambda's queue does.
            Task {
                let clock = ContinuousClock()
                let giveUp = clock.now + .seconds(max(60, call.function.timeoutSeconds * 2))
                let options = InvokeOptions(clientContext: nil, traceID: call.options.traceID, version: call.options.version)
                while await emulator.invoke(call.function, payload: call.payload, options: options).outcome == nil,
                    clock.now < giveUp
                {
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            return Response(status: .accepted, headers: headers)
        case .requestResponse:
            break
        }
        let result = await emulator.invoke(call.function, payload: call.payload, options: call.options)
        guard let outcome = result.outcome else {
            return lambdaError(
                .tooManyRequests, "TooManyRequestsException", "Rate Exceeded.",
                extra: ["Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"])
        }
        headers[.contentType] = "application/json"
        if call.options.tailLog {
            let text = Data((result.log.joined(separator: "\n") + "\n").utf8)
            headers[HTTPField.Name("X-Amz-Log-Result")!] = text.suffix(4096).base64EncodedString()
        }
        switch outcome {
        case .response(let data):
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        case .functionError(let data):
            headers[HTTPField.Name(LambdaWire.functionErrorHeader)!] = "Unhandled"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// Runs the emulator on `host:port` (0 picks a free port) until cancelled — or, with `stopSignals`, until
    /// one of them arrives (``run(_:functions:host:port:serverLogLevel:headerTimeout:stopSignals:onListening:)``);
    /// `onListening` gets the port.
    public static func run(
        functions: [FunctionSpec], host: String = "127.0.0.1", port: Int, idleTimeout: Duration = .seconds(300),
        headerTimeout: Duration = .seconds(10), stopSignals: [Int32] = [], logger: Logger,
        onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        let emulator = Emulator(functions: functions, idleTimeout: idleTimeout, logger: logger)
        try await run(
            emulator, functions: functions, host: host, port: port, headerTimeout: headerTimeout, stopSignals: stopSignals,
            onListening: onListening)
    }

    /// Serves `emulator` on `host:port` until cancelled; `onListening` gets the port. `serverLogLevel` is the
    /// HTTP server's own logging (in-process emulators pass `.critical`: its shutdown notices are noise). A
    /// connection that has not sent a whole request head within `headerTimeout` of opening or of its last
    /// answer is closed. On one of `stopSignals` (the CLI passes SIGTERM and SIGINT): every instance is stopped
    /// (SIGTERM, then SIGKILL after `grace`), callers still waiting get an error, and the server stops.
    public static func run(
        _ emulator: Emulator, functions: [FunctionSpec], host: String = "127.0.0.1", port: Int,
        serverLogLevel: Logger.Level = .info, headerTimeout: Duration = .seconds(10), stopSignals: [Int32] = [],
        grace: Duration = .seconds(2), onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        var logger = Logger(label: "stepconf.emulator")
        logger.logLevel = serverLogLevel
        let timeout = TimeAmount.nanoseconds(Int64(headerTimeout.components.seconds) * 1_000_000_000 + headerTimeout.components.attoseconds / 1_000_000_000)
        let app = Application(
            router: router(emulator, defaultFunction: functions.first?.name),
            server: .http1(configuration: .init(additionalChannelHandlers: [HeaderTimeoutHandler(timeout: timeout)])),
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                let actual = channel.localAddress?.port ?? port
                await emulator.setRuntimeEndpoint("\(host):\(actual)")
                onListening(actual)
            },
            logger: logger)
        let signals = stopSignals.isEmpty ? nil : StopSignals(stopSignals)
        // On cancellation or a stop signal, stop the instances first: their long-polling `/next` calls would
        // otherwise keep the server's graceful shutdown waiting forever.
        do {
            try await withTaskCancellationHandler {
                let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await services.run() }
                    if let signals {
                        let logger = logger
                        group.addTask {
                            let signal = await signals.next()
                            let stopped = await emulator.shutdown(waitForExit: true, grace: grace)
                            logger.notice("stopping on signal \(signal): \(stopped) instance(s) stopped")
                            // Every caller has its answer and no `/next` is left waiting: the server can stop gracefully.
                            await services.triggerGracefulShutdown()
                        }
                    }
                    try await group.waitForAll()
                }
            } onCancel: {
                Task { await emulator.shutdown() }
            }
        } catch {
            await emulator.shutdown(waitForExit: true, grace: grace)
            throw error
        }
        await emulator.shutdown(waitForExit: true, grace: grace)
    }
}

/// Waits for any of a set of signals (their default action is turned off while it lives).
final class StopSignals: @unchecked Sendable {
    // Written once in init; Dispatch sources are thread-safe.
    private let sources: [any DispatchSourceSignal]
    private let stream: AsyncStream<Int32>

    init(_ signals: [Int32]) {
        var continuation: AsyncStream<Int32>.Continuation!
        stream = AsyncStream { continuation = $0 }
        let yield = continuation!
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { yield.yield(number) }
            source.resume()
            return source
        }
    }

    /// The next signal that arrives.
    func next() async -> Int32 {
        for await number in stream { return number }
        return 0
    }

    deinit { for source in sources { source.cancel() } }
}

/// Closes a connection that has not sent a whole request head within `timeout` of opening or of its last
/// answer: idle keep-alive connections, and clients that send their head a byte at a time.
final class HeaderTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    /// When the connection must have sent a request head by; nil while a request is being handled.
    private var deadline: NIODeadline?
    /// Whether a check is scheduled (one at a time; it reschedules itself rather than being cancelled per request).
    private var checking = false

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) { if context.channel.isActive { arm(context) } }
    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }
    func handlerRemoved(context: ChannelHandlerContext) { disarm() }
    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { disarm() }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { arm(context) }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        deadline = .now() + timeout
        schedule(context, at: deadline!)
    }

    private func schedule(_ context: ChannelHandlerContext, at time: NIODeadline) {
        guard !checking else { return }
        checking = true
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(deadline: time) {
            let (handler, context) = loopBound.value
            handler.checking = false
            guard let deadline = handler.deadline else { return }  // a request is being handled: re-armed at its end
            if deadline <= .now() {
                context.close(promise: nil)
            } else {
                handler.schedule(context, at: deadline)
            }
        }
    }

    private func disarm() { deadline = nil }
}
