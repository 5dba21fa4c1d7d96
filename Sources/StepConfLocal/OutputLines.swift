import Foundation
import Logging
import Synchronization

/// An instance's standard output and error, line by line, into the emulator's log — as Lambda sends a
/// function's output to its CloudWatch log stream, tagged with the function's name.
///
/// A thread of its own reads the pipe until every writer (the instance and its workers) is gone, then closes
/// it. Not Foundation's `readabilityHandler`: clearing it from inside the handler, which is how one stops it at
/// the end of output, traps in libdispatch on Linux.
enum OutputLines {
    /// Starts reading `pipe`; every complete line becomes an `info` record of `logger`.
    static func follow(_ pipe: Pipe, logger: Logger, recent: RecentLines? = nil) {
        let handle = pipe.fileHandleForReading
        let thread = Thread {
            var partial: [UInt8] = []
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                partial.append(contentsOf: data)
                var start = 0
                while let newline = partial[start...].firstIndex(of: 0x0A) {
                    let line = String(decoding: partial[start..<newline], as: UTF8.self)
                    recent?.append(line)
                    logger.info("\(line)")
                    start = newline + 1
                }
                partial.removeFirst(start)
            }
            if !partial.isEmpty {
                let line = String(decoding: partial, as: UTF8.self)
                recent?.append(line)
                logger.info("\(line)")
            }
            try? handle.close()
        }
        thread.stackSize = 1 << 18
        thread.start()
    }
}

/// The last lines of one instance's log, numbered from its start, for Lambda's log tail (the last 4 KB).
final class RecentLines: Sendable {
    /// Lines kept; a tail needs 4 KB, so a few hundred lines are plenty.
    static let capacity = 256
    private let state = Mutex<(lines: [String], dropped: Int)>(([], 0))

    func append(_ line: String) {
        state.withLock { s in
            s.lines.append(line)
            if s.lines.count > Self.capacity {
                let extra = s.lines.count - Self.capacity
                s.lines.removeFirst(extra)
                s.dropped += extra
            }
        }
    }

    /// The number of the line the next append gets.
    var end: Int { state.withLock { $0.dropped + $0.lines.count } }

    /// Lines numbered `start` and later that are still kept.
    func lines(from start: Int) -> [String] {
        state.withLock { s in Array(s.lines[min(max(0, start - s.dropped), s.lines.count)...]) }
    }
}
