import Foundation
import Logging

/// An instance's standard output and error, line by line, into the emulator's log — as Lambda sends a
/// function's output to its CloudWatch log stream, tagged with the function's name.
///
/// A thread of its own reads the pipe until every writer (the instance and its workers) is gone, then closes
/// it. Not Foundation's `readabilityHandler`: clearing it from inside the handler, which is how one stops it at
/// the end of output, traps in libdispatch on Linux.
enum OutputLines {
    /// Starts reading `pipe`; every complete line becomes an `info` record of `logger`.
    static func follow(_ pipe: Pipe, logger: Logger) {
        let handle = pipe.fileHandleForReading
        let thread = Thread {
            var partial: [UInt8] = []
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                partial.append(contentsOf: data)
                var start = 0
                while let newline = partial[start...].firstIndex(of: 0x0A) {
                    logger.info("\(String(decoding: partial[start..<newline], as: UTF8.self))")
                    start = newline + 1
                }
                partial.removeFirst(start)
            }
            if !partial.isEmpty { logger.info("\(String(decoding: partial, as: UTF8.self))") }
            try? handle.close()
        }
        thread.stackSize = 1 << 18
        thread.start()
    }
}
