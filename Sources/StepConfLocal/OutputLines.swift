import Foundation
import Logging
import Synchronization

/// An instance's standard output and error, line by line, into the emulator's log — as Lambda sends a
/// function's output to its CloudWatch log stream, tagged with the function's name.
final class OutputLines: Sendable {
    private let partial = Mutex<[UInt8]>([])
    private let logger: Logger

    /// Reads `pipe` until its writers are gone; every complete line becomes an `info` record of `logger`.
    init(_ pipe: Pipe, logger: Logger) {
        self.logger = logger
        pipe.fileHandleForReading.readabilityHandler = { [self] handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                flush()
            } else {
                take(data)
            }
        }
    }

    private func take(_ data: Data) {
        let lines = partial.withLock { buffer -> [String] in
            buffer.append(contentsOf: data)
            var lines: [String] = []
            var start = 0
            while let newline = buffer[start...].firstIndex(of: 0x0A) {
                lines.append(String(decoding: buffer[start..<newline], as: UTF8.self))
                start = newline + 1
            }
            buffer.removeFirst(start)
            return lines
        }
        for line in lines { logger.info("\(line)") }
    }

    private func flush() {
        let rest = partial.withLock { buffer -> [UInt8] in
            defer { buffer.removeAll() }
            return buffer
        }
        if !rest.isEmpty { logger.info("\(String(decoding: rest, as: UTF8.self))") }
    }
}
