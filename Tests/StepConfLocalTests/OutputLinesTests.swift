import Foundation
import Logging
@testable import StepConfLocal
import Testing

@Suite struct OutputLinesTests {
    /// The inode behind `fd`, nil when `fd` is closed.
    private func inode(_ fd: Int32) -> UInt? {
        var info = stat()
        return fstat(fd, &info) == 0 ? UInt(info.st_ino) : nil
    }

    @Test func everyLineOfBothStreamsIsLoggedAndThePipeIsClosedAtTheEnd() async throws {
        let lines = LocalEmulator.LogLines()
        let logger = Logger(label: "test") { _ in LocalEmulator.Collector(lines: lines) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "echo one; echo two >&2; printf 'no newline'"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        try pipe.fileHandleForWriting.close()
        let fd = pipe.fileHandleForReading.fileDescriptor
        let pipeInode = try #require(inode(fd))
        OutputLines.follow(pipe, logger: logger)
        process.waitUntilExit()
        // The reader closes its end once the writer is gone (the descriptor is then shut, or reused by another file).
        for _ in 0..<200 where inode(fd) == pipeInode { try await Task.sleep(for: .milliseconds(10)) }
        #expect(inode(fd) != pipeInode)
        #expect(lines.all == ["one", "two", "no newline"])
    }
}
