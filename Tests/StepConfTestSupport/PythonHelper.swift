import Foundation

/// Why a Python helper could not be used.
public struct PythonHelperError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A Python helper server of `Tests/support` (moto, the fault proxy, the HTTP test server, the fake Runtime API) on
/// a free loopback port: started in isolated mode (`-I`: neither the working directory nor `PYTHON*` variables on its
/// import path), its port read from the first line it prints, killed by PID when released.
public final class PythonHelper: Sendable {
    /// The port it printed.
    public let port: Int
    /// Its process id.
    public let pid: Int32

    /// Starts `Tests/support/{script}` with `arguments`.
    /// - Parameter keepStdinOpen: give it a pipe on stdin that stays open (moto_server.py exits when it closes).
    /// - Throws: ``PythonHelperError`` when it cannot start or prints no port.
    public init(script: String, arguments: [String] = [], keepStdinOpen: Bool = true, stderr: FileHandle? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-I", TestPaths.support(script)] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        if keepStdinOpen { process.standardInput = Pipe() }
        process.standardError = stderr ?? FileHandle.nullDevice
        do { try process.run() } catch { throw PythonHelperError("\(script): cannot start python3: \(error)") }
        var line = Data()
        while let byte = try stdout.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw PythonHelperError("\(script) did not print its port (is its Python package installed?)")
        }
        self.port = port
        self.pid = process.processIdentifier
    }

    /// `http://127.0.0.1:{port}`.
    public var url: String { "http://127.0.0.1:\(port)" }

    deinit {
        // SIGKILL: a test runner's children may inherit an ignored SIGTERM.
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// Runs `python3 -I script arguments` with `input` on stdin and returns what it printed.
    /// - Throws: ``PythonHelperError`` with its stderr when it exits non-zero.
    public static func run(_ script: String, arguments: [String] = [], input: Data = Data()) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-I", script] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errors = Pipe.drain(stderr)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PythonHelperError("\(script) failed: \(String(decoding: errors.wait(), as: UTF8.self))")
        }
        return output
    }
}

extension Pipe {
    /// Reads a pipe to its end on a thread of its own (so that a full stderr never blocks a child).
    final class Drain: @unchecked Sendable {
        // Written once by the reading thread before the semaphore is signalled, read after it: no data race.
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)
        init(_ pipe: Pipe) {
            Thread { [self] in
                data = pipe.fileHandleForReading.readDataToEndOfFile()
                done.signal()
            }.start()
        }
        func wait() -> Data {
            done.wait()
            return data
        }
    }

    static func drain(_ pipe: Pipe) -> Drain { Drain(pipe) }
}
