import FoundationEssentials
import Glibc

/// The warm-up payload (docs/policies.md, ``Prewarm``): an `Event` invocation that starts an instance of a function ahead of a
/// step planned on it. Every function the bootstrap runs — the configurator and every step kind — answers it at once,
/// before it reads any event of its own, and does no work: the point is the instance it leaves warm.
///
/// On the wire: `{"stepconf_warm_up": {"execution": "…", "step": "…"}}`, both fields optional and for the logs.
public struct WarmUpEvent: Sendable, Codable, Equatable {
    /// Which execution and step the warm-up is for (logged; nothing depends on them).
    public var execution: String?
    public var step: String?

    public init(execution: String? = nil, step: String? = nil) {
        self.execution = execution
        self.step = step
    }

    /// The event's one key: a step or configurator event never has it.
    public static let key = "stepconf_warm_up"

    /// The longest `execution` or `step` a warm-up carries (Step Functions' execution names are at most 80).
    public static let maxFieldLength = 256

    private struct Envelope: Codable {
        var body: WarmUpEvent
        enum CodingKeys: String, CodingKey { case body = "stepconf_warm_up" }
    }

    /// The payload as JSON bytes.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(Envelope(body: self))
    }

    /// A JSON object's warm-up body, if its top level has the key (a key merely inside a string is not).
    private struct Probe: Decodable {
        var body: WarmUpEvent?
        init(from decoder: any Decoder) throws {
            guard let c = try? decoder.container(keyedBy: Envelope.CodingKeys.self) else { return }
            body = try c.decodeIfPresent(WarmUpEvent.self, forKey: .body)
        }
    }

    /// The warm-up `bytes` hold, nil when they are another event (no ``key`` at the top level, or not JSON at all:
    /// the function's own decoding reports that).
    /// - Throws: ``InputError`` (`.malformed`) for an event that carries the key but is not a warm-up.
    public static func decode(_ bytes: some Collection<UInt8>) throws -> WarmUpEvent? {
        let array = Array(bytes)
        // Cheap tests first: every step and configurator event goes through here.
        guard contains(array, Array("\"\(key)\"".utf8)), StrictJSON.isJSON(array) else { return nil }
        let event: WarmUpEvent
        do {
            guard let body = try JSONDecoder().decode(Probe.self, from: Data(array)).body else { return nil }
            try StrictJSON.check(array, source: "the warm-up event")
            event = body
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(.malformed, "a warm-up event must be {\"\(key)\": {\"execution\": …, \"step\": …}}: \(error)")
        }
        for (name, value) in [("execution", event.execution), ("step", event.step)] {
            if let value, value.utf8.count > maxFieldLength {
                throw InputError(.malformed, "warm-up `\(name)` is \(value.utf8.count) bytes; at most \(maxFieldLength)")
            }
        }
        return event
    }

    private static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard bytes.count >= needle.count, let first = needle.first else { return false }
        var i = 0
        while i + needle.count <= bytes.count {
            if bytes[i] == first, bytes[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}

/// What a function answers a warm-up: that it is up, and whether this invocation found it cold (the first the instance
/// served).
public struct WarmUpAnswer: Sendable, Codable, Equatable {
    public var warm: Bool
    /// The handler that answered (`configurator`, `synthetic`, …).
    public var handler: String
    /// Whether this was the instance's first invocation: it started cold for it.
    public var cold: Bool

    public init(handler: String, cold: Bool) {
        self.warm = true
        self.handler = handler
        self.cold = cold
    }
}
