import ArgumentParser
import Foundation
import StepConfAWS
import StepConfHTTP
import StepConfLocal

struct AWSBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws",
        abstract: "Time SigV4 signing and S3 transfers: many small objects on 1 and N threads, one big object in parts.",
        discussion: """
            Without --endpoint, starts moto's server (python3 with `moto[server]`) on a free loopback port and \
            stops it afterwards. With --endpoint, uses that S3-compatible endpoint and the usual AWS settings \
            (credentials chain, AWS_REGION). Targets (report the figures): 64 × 1 MB objects with 1 \
            thread versus 8 (the ratio), a 64 MB object in parts, SigV4 signatures per second.

            Example: swift build -c release && .build/release/stepconf bench aws
            """)

    @Option(help: "S3 endpoint URL (default: start a local moto server).") var endpoint: String?
    @Option(help: "Bucket to use (created if missing).") var bucket = "stepconf-bench"
    @Option(help: "Small objects to move.") var objects = 64
    @Option(help: "Size of each small object, MB.") var objectMB = 1
    @Option(help: "Size of the big object, MB.") var bigMB = 64
    @Option(help: "Part size for the big object, MB (≥ 5).") var partMB = 8
    @Option(help: "Threads for the parallel runs.") var threads = 8
    @Option(help: "Signatures to time.") var signatures = 20_000
    @OptionGroup var output: OutputFormat

    struct Figure: Encodable {
        var name: String
        var seconds: Double
        var megabytesPerSecond: Double?
        var detail: String

        enum CodingKeys: String, CodingKey {
            case name, seconds, detail
            case megabytesPerSecond = "mb_per_s"
        }
    }

    func validate() throws {
        guard objects >= 1, objectMB >= 1, bigMB >= 1, threads >= 1, signatures >= 1 else {
            throw ValidationError("--objects, --object-mb, --big-mb, --threads and --signatures must be at least 1")
        }
        guard partMB >= 5 else { throw ValidationError("--part-mb must be at least 5 (S3's smallest part)") }
    }

    func run() throws {
        var figures: [Figure] = []
        figures.append(signingFigure())

        var server: LocalMotoServer?
        let configuration: AWSConfiguration
        if let endpoint {
            var resolved = try AWSConfiguration.resolve()
            let parsed = try AWSEndpoint(endpoint, setting: "--endpoint")
            resolved.endpoints[.s3] = parsed
            configuration = resolved
        } else {
            progress("starting moto's server…")
            let started = try LocalMotoServer()
            server = started
            configuration = try AWSConfiguration(
                region: "us-east-1",
                credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "bench", secretAccessKey: "bench")),
                endpoints: [.s3: try AWSEndpoint("http://127.0.0.1:\(started.port)")])
        }
        defer { server?.stop() }
        let s3 = S3Client(configuration: configuration)
        try s3.createBucket(bucket)

        let size = objectMB << 20
        let items = (0..<objects).map { i in (key: "bench/small-\(i).bin", data: Data(repeating: UInt8(truncatingIfNeeded: i), count: size)) }
        let totalMB = Double(objects * objectMB)
        var uploadSeconds: [Int: Double] = [:]
        var downloadSeconds: [Int: Double] = [:]
        for n in [1, threads] where uploadSeconds[n] == nil {
            let transfer = S3TransferManager(s3: s3, threads: n)
            progress("\(objects) × \(objectMB) MB up and down on \(n) thread\(n == 1 ? "" : "s")…")
            let up = try timed { try transfer.upload(items, bucket: bucket) }
            let down = try timed { _ = try transfer.download(keys: items.map(\.key), bucket: bucket) }
            uploadSeconds[n] = up
            downloadSeconds[n] = down
            figures.append(Figure(
                name: "\(objects) × \(objectMB) MB upload, \(n) thread\(n == 1 ? "" : "s")", seconds: up,
                megabytesPerSecond: totalMB / up, detail: "PutObject with Content-MD5 and CRC32"))
            figures.append(Figure(
                name: "\(objects) × \(objectMB) MB download, \(n) thread\(n == 1 ? "" : "s")", seconds: down,
                megabytesPerSecond: totalMB / down, detail: "GetObject, checked"))
        }
        if threads > 1, let up1 = uploadSeconds[1], let upN = uploadSeconds[threads], let down1 = downloadSeconds[1],
            let downN = downloadSeconds[threads]
        {
            figures.append(Figure(
                name: "speed-up, \(threads) threads vs 1", seconds: 0, megabytesPerSecond: nil,
                detail: String(
                    format: "upload %.2f×, download %.2f×", up1 / upN, down1 / downN)))
        }

        let big = Data((0..<(bigMB << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })
        let parts = S3TransferManager(s3: s3, threads: threads, partSize: partMB << 20, multipartThreshold: partMB << 20)
        progress("\(bigMB) MB in \(partMB) MB parts on \(threads) threads…")
        let up = try timed { try parts.upload(big, bucket: bucket, key: "bench/big.bin") }
        var back = Data()
        let down = try timed { back = try parts.download(bucket: bucket, key: "bench/big.bin") }
        guard back == big else { throw CLIError(.input, "the big object came back different") }
        let partCount = (bigMB + partMB - 1) / partMB
        figures.append(Figure(
            name: "\(bigMB) MB multipart upload", seconds: up, megabytesPerSecond: Double(bigMB) / up,
            detail: "\(partCount) parts of \(partMB) MB, \(threads) threads"))
        figures.append(Figure(
            name: "\(bigMB) MB ranged download", seconds: down, megabytesPerSecond: Double(bigMB) / down,
            detail: "\(partCount) ranged GETs, \(threads) threads, compared byte for byte"))
        try? s3.deleteObjects(bucket: bucket, keys: items.map(\.key) + ["bench/big.bin"])

        if output.json { return try printJSON(figures) }
        var table = TextTable(["operation", "seconds", "MB/s", "detail"], leftAligned: [0, 3])
        for f in figures {
            table.add([f.name, f.seconds > 0 ? fixed(f.seconds, 3) : "", f.megabytesPerSecond.map { fixed($0, 1) } ?? "", f.detail])
        }
        print(table.render())
    }

    private func signingFigure() -> Figure {
        let signer = SigV4Signer(service: "s3", region: "us-east-1")
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "token")
        let request = SigV4Signer.Request(
            method: "PUT", path: "/bucket/inputs/video-0001.y4m", query: "partNumber=3&uploadId=abc",
            headers: [("Host", "s3.us-east-1.amazonaws.com"), ("Content-Type", "application/octet-stream"), ("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")],
            payloadHash: SigV4Signer.emptyPayloadHash)
        let date = Date()
        let seconds = timedQuietly {
            for _ in 0..<signatures { _ = signer.signingHeaders(for: request, credentials: credentials, date: date) }
        }
        return Figure(
            name: "SigV4 header signing", seconds: seconds, megabytesPerSecond: nil,
            detail: String(format: "%.0f signatures/s (%d, 3 headers + date, token, payload hash)", Double(signatures) / seconds, signatures))
    }

    private func progress(_ text: String) {
        if !output.json { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    }
}

private func timed(_ body: () throws -> Void) throws -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    return (clock.now - start).seconds
}

private func timedQuietly(_ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    body()
    return (clock.now - start).seconds
}

/// moto's server on a free loopback port, for the benchmark.
final class LocalMotoServer {
    let port: Int
    private let process: Process
    /// A directory of our own for the launcher, removed when the server stops.
    private let directory: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/stepconf-moto-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CLIError(.environment, "cannot make a temporary directory: \(String(cString: strerror(errno)))")
        }
        directory = String(cString: made)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + (try PythonScripts.install(.motoLauncher, in: directory)) + ["--ephemeral"]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardInput = Pipe()
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw CLIError(.environment, "cannot start python3 for moto's server: \(error.localizedDescription)")
        }
        var line = Data()
        while let byte = try stdout.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line.append(byte) }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            try? FileManager.default.removeItem(atPath: directory)
            throw CLIError(.environment, "moto's server did not start: install it (python3 -m pip install 'moto[server]') or pass --endpoint")
        }
        self.port = port
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
