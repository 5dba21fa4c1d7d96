import Foundation
import StepConfCore
import StepConfHTTP

extension LocalStack {
    /// Starts `executable` in the background (stdin /dev/null, output to `log`); it outlives this process.
    /// - Returns: its PID.
    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String], log: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        FileManager.default.createFile(atPath: log, contents: nil)
        guard let output = FileHandle(forWritingAtPath: log) else { throw LocalError(.io, "\(log): cannot write the log") }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw LocalError(.spawn, "cannot start \(executable): \(error.localizedDescription)")
        }
        return process.processIdentifier
    }

    /// Waits until `url` answers HTTP at all (any status), up to 60 s.
    /// - Throws: ``LocalError`` naming the log when the process exits or never answers.
    static func waitForHTTP(_ url: String, pid: Int32, log: String) throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let response = try? HTTPClient().send(HTTPRequest(method: "GET", url: url, connectTimeout: .seconds(1), timeout: .seconds(2))),
                response.status > 0
            {
                return
            }
            guard alive(pid) else {
                let tail = (try? String(contentsOfFile: log, encoding: .utf8)).map { String($0.suffix(600)) } ?? ""
                throw LocalError(.spawn, "the server exited before answering; its log \(log) ends:\n\(tail)")
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw LocalError(.noAnswer, "no answer from \(url) after 60 s; see \(log)")
    }

    /// Whether `pid` is a live process (not a zombie).
    static func alive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 else { return false }
        let status = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !status.contains(") Z ")
    }

    /// SIGTERM to `pid` and its process group (the server and its children), SIGKILL after 5 s.
    static func stop(_ pid: Int32) {
        guard alive(pid) else { return }
        kill(-pid, SIGTERM)
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while alive(pid), Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if alive(pid) {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            // SIGKILL is not instant either: return once it is gone, so "stopped" means stopped.
            let killed = Date().addingTimeInterval(2)
            while alive(pid), Date() < killed { Thread.sleep(forTimeInterval: 0.02) }
        }
    }

    /// A port nothing listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LocalError(.socket, "cannot open a socket to find a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw LocalError(.socket, "cannot bind a socket to find a free port") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
