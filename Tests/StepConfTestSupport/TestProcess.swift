import Foundation

/// Runs a program to its end and collects what it printed: the one way the tests run a command synchronously.
public enum TestProcess {
    /// Runs `path` with `arguments` in `directory` (the current one when nil); `environment` values override the
    /// test's own, an empty value unsets. Returns its exit status, output and errors.
    public static func run(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.filter { !$0.value.isEmpty }
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes are drained before waiting, so a chatty program cannot block on a full pipe.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}
