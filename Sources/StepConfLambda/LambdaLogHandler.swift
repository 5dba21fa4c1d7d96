#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import StepConfCore

/// swift-log's handler inside a function: one JSON object per record on standard error, in Lambda's JSON log
/// format (`timestamp`, `level`, `message`, and `requestId` when the record has an `aws-request-id`), followed by
/// the record's metadata under its own keys (`aws-request-id`, `workflow`, `step`, `execution`, …), so CloudWatch
/// Logs Insights can filter on any of them.
///
/// Each record is one `write(2)`: the runtime and its worker processes share the descriptor, and a line is never
/// split by another's.
public struct LambdaLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let sink: @Sendable (String) -> Void

    /// A handler at `level` that writes to standard error (or hands each line, without its newline, to `sink`).
    public init(level: Logger.Level, sink: (@Sendable (String) -> Void)? = nil) {
        self.logLevel = level
        self.sink = sink ?? { line in Self.writeLine(line, to: 2) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error { merged["error"] = .string("\(error)") }
        sink(Self.line(timestampMs: Self.nowMs(), level: event.level, message: event.message.description, metadata: merged))
    }

    /// The record as one JSON object (no newline). Keys are written in a fixed order — Lambda's four, then the
    /// metadata sorted — so two runs log the same bytes for the same record.
    public static func line(timestampMs: Int64, level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var out = "{\"timestamp\":\"" + iso8601(milliseconds: timestampMs) + "\",\"level\":\"" + lambdaName(level)
        out += "\",\"message\":"
        JSONString.append(message, to: &out)
        if case .string(let id)? = metadata["aws-request-id"] {
            out += ",\"requestId\":"
            JSONString.append(id, to: &out)
        }
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            out += ","
            JSONString.append(key, to: &out)
            out += ":"
            append(value, to: &out)
        }
        return out + "}"
    }

    /// Lambda's level names (`AWS_LAMBDA_LOG_LEVEL` takes the same): swift-log's `notice` is INFO, `critical` FATAL.
    public static func lambdaName(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info, .notice: "INFO"
        case .warning: "WARN"
        case .error: "ERROR"
        case .critical: "FATAL"
        }
    }

    /// The level an `AWS_LAMBDA_LOG_LEVEL` value names (case-insensitive), nil for anything else.
    public static func level(lambdaName name: String) -> Logger.Level? {
        switch name.uppercased() {
        case "TRACE": .trace
        case "DEBUG": .debug
        case "INFO": .info
        case "WARN", "WARNING": .warning
        case "ERROR": .error
        case "FATAL": .critical
        default: nil
        }
    }

    private static func append(_ value: Logger.Metadata.Value, to out: inout String) {
        switch value {
        case .string(let text): JSONString.append(text, to: &out)
        case .stringConvertible(let item): JSONString.append(item.description, to: &out)
        case .array(let items):
            out += "["
            for (k, item) in items.enumerated() {
                if k > 0 { out += "," }
                append(item, to: &out)
            }
            out += "]"
        case .dictionary(let entries):
            out += "{"
            for (k, key) in entries.keys.sorted().enumerated() {
                if k > 0 { out += "," }
                JSONString.append(key, to: &out)
                out += ":"
                if let item = entries[key] { append(item, to: &out) }
            }
            out += "}"
        }
    }


    /// `2026-11-30T06:08:59.123Z` for milliseconds since the Unix epoch (UTC, as Lambda writes it).
    static func iso8601(milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let ms = Int32(((milliseconds % 1000) + 1000) % 1000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(ms, 3))Z"
    }

    private static func nowMs() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// Writes `line` and a newline with one `write(2)` (retried for what a signal or a full pipe left unwritten).
    public static func writeLine(_ line: String, to fd: Int32) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + sent, $0.count - sent) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            sent += n
        }
    }
}
