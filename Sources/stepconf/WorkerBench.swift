import ArgumentParser
import Foundation
import StepConfCore
import StepConfStorage
import StepConfFunctions
import StepConfWorker

struct WorkerBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Time the intra-function process pool: q = 2 versus q = 1 on a CPU-bound step, per-job IPC, start-up.",
        discussion: """
            Uses the `bootstrap` next to this `stepconf` (or --bootstrap) in worker mode. Figures: the \
            synthetic ALU step (multicore ratio 0, so each job uses one core) on q = 1 and q = 2 worker \
            processes and the speed-up; the cost per job of passing it through the pipes (empty jobs, q = 1); \
            the time to start q workers; 2× upscale frames per second for a 640×360 frame. Target: \
            speed-up ≥ 1.8× on 2 cores.

            Example: swift build -c release && .build/release/stepconf bench worker
            """)

    @Option(help: "The bootstrap binary (default: the one next to this stepconf).") var bootstrap: String?
    @Option(help: "Jobs of the CPU-bound run.") var jobs = 16
    @Option(help: "ALU iterations per job (16 M ≈ 80 ms here).") var difficulty = 16_000_000
    @Option(help: "Empty jobs for the IPC figure.") var ipcJobs = 5000
    @Option(help: "Repeats of each timed run (the median is reported).") var repeats = 3
    @OptionGroup var output: OutputFormat

    func validate() throws {
        guard jobs >= 2, difficulty >= 1, ipcJobs >= 1, repeats >= 1 else {
            throw ValidationError("--jobs must be ≥ 2 and --difficulty, --ipc-jobs, --repeats ≥ 1")
        }
    }

    func run() throws {
        let executable = try locateBootstrap(bootstrap)
        let step = SyntheticStep()
        func frames(_ count: Int, difficulty: Int) throws -> [WorkerFrame] {
            try step.jobs(
                for: StepEvent(execution: "bench", step: "alu", jobEnd: count, params: ["difficulty": Double(difficulty)]), inputs: [:])
        }
        let cpuJobs = try frames(jobs, difficulty: difficulty)
        let clock = ContinuousClock()
        func median(_ body: () throws -> Void) rethrows -> Double {
            var samples: [Double] = []
            for _ in 0..<repeats {
                let start = clock.now
                try body()
                samples.append((clock.now - start).seconds)
            }
            return samples.sorted()[samples.count / 2]
        }
        var figures: [BenchFigure] = []
        var runSeconds: [Int: Double] = [:]
        for q in [1, 2] {
            let pool = try ProcessPool(executable: executable, size: q)
            _ = try pool.run(try frames(q, difficulty: 1))  // warm the workers
            let seconds = try median { _ = try pool.run(cpuJobs) }
            runSeconds[q] = seconds
            pool.shutdown()
            figures.append(BenchFigure(
                name: "\(jobs) ALU jobs on q = \(q)", iterations: repeats, medianMicroseconds: seconds * 1e6, p99Microseconds: 0,
                detail: "\(difficulty) iterations per job, multicore ratio 0"))
        }
        figures.append(BenchFigure(
            name: "speed-up q = 2 vs q = 1", iterations: repeats, medianMicroseconds: 0, p99Microseconds: 0,
            detail: String(
                format: "%.2f× on %d cores", (runSeconds[1] ?? .nan) / (runSeconds[2] ?? .nan),
                ProcessInfo.processInfo.activeProcessorCount)))

        let pool = try ProcessPool(executable: executable, size: 1)
        let empty = try frames(ipcJobs, difficulty: 0)
        _ = try pool.run(Array(empty.prefix(100)))
        let ipc = try median { _ = try pool.run(empty) }
        pool.shutdown()
        figures.append(BenchFigure(
            name: "per-job IPC (empty job, q = 1)", iterations: ipcJobs, medianMicroseconds: ipc / Double(ipcJobs) * 1e6,
            p99Microseconds: 0, detail: "job and result through the pipes, frame headers, queue hand-off"))

        for q in [1, 2, 4] {
            let start = try median {
                let pool = try ProcessPool(executable: executable, size: q)
                _ = try pool.run(try frames(q, difficulty: 0))
                pool.shutdown()
            }
            figures.append(BenchFigure(
                name: "start q = \(q) workers, one job each, stop", iterations: repeats, medianMicroseconds: start * 1e6,
                p99Microseconds: 0, detail: "posix_spawn of bootstrap in worker mode"))
        }
        // 2× bicubic upscale of a 640×360 frame (all three planes), rows on every core, in this process.
        var random = SeededRandom(seed: 11)
        var frame = YUVFrame(width: 640, height: 360)
        for i in frame.y.indices { frame.y[i] = UInt8(truncatingIfNeeded: random.next()) }
        _ = Resample.upscale(frame, factor: 2)
        let frames = 40
        let upscale = median { for _ in 0..<frames { _ = Resample.upscale(frame, factor: 2) } }
        figures.append(BenchFigure(
            name: "2× upscale of a 640×360 frame", iterations: frames, medianMicroseconds: upscale / Double(frames) * 1e6, p99Microseconds: 0,
            detail: String(format: "%.1f frames/s, bicubic, %d threads", Double(frames) / upscale, ProcessInfo.processInfo.activeProcessorCount)))
        if output.json { return try printJSON(figures) }
        var table = TextTable(["operation", "runs", "median_us", "detail"], leftAligned: [0, 3])
        for f in figures {
            table.add([f.name, "\(f.iterations)", f.medianMicroseconds > 0 ? fixed(f.medianMicroseconds, 1) : "", f.detail])
        }
        print(table.render())
    }
}

/// The bootstrap to measure: `given`, or the one built next to this `stepconf`.
/// - Throws: ``CLIError`` when there is no executable there.
func locateBootstrap(_ given: String?) throws -> String {
    try locateSibling("bootstrap", given: given, option: "--bootstrap")
}

/// The executable `given` by `option`, else `name` next to this stepconf.
/// - Throws: ``CLIError`` saying where it looked and how to build it.
func locateSibling(_ name: String, given: String?, option: String) throws -> String {
    if let given {
        let path = URL(fileURLWithPath: given).standardizedFileURL.path
        guard FileManager.default.isExecutableFile(atPath: path) else { throw CLIError(.input, "\(option) \(given): no executable file there") }
        return path
    }
    let path = SelfLocation.executable
        .deletingLastPathComponent().appendingPathComponent(name).path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw CLIError(.environment, "no \(name) next to stepconf at \(path): build it (swift build -c release --product \(name))")
    }
    return path
}
