import FoundationEssentials
import Glibc
import StepConfCore

/// A function on raw bytes: the event in, the response out.
public protocol ByteHandler {
    /// - Throws: any error; the runtime reports it with its type and description.
    func handle(_ event: Data, context: LambdaContext) throws -> Data
}

/// A function on JSON values. Wrap it in ``CodableHandlerAdapter`` to run it.
public protocol CodableHandler {
    associatedtype Event: Decodable
    associatedtype Output: Encodable
    /// - Throws: any error; the runtime reports it with its type and description.
    func handle(_ event: Event, context: LambdaContext) throws -> Output
}

/// An event that is not the JSON a handler expects.
public struct EventDecodingError: CodedError {
    public enum Code: Sendable, Hashable {
        /// The payload is not JSON, or not the shape the handler's event type has.
        case malformedEvent
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// Decodes the event, runs the handler, encodes its output.
public struct CodableHandlerAdapter<Handler: CodableHandler>: ByteHandler {
    public let handler: Handler

    public init(_ handler: Handler) { self.handler = handler }

    public func handle(_ event: Data, context: LambdaContext) throws -> Data {
        let decoded: Handler.Event
        do {
            decoded = try JSONDecoder().decode(Handler.Event.self, from: event)
        } catch {
            throw EventDecodingError(.malformedEvent, "the event is not a valid \(Handler.Event.self): \(error)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(try handler.handle(decoded, context: context))
    }
}
