import ArgumentParser
import Foundation
import StepConfCore
import StepConfSimulator

struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Measure each step under many configurations and write a profile CSV.",
        discussion: """
            The `sim` backend runs the steps in the Lambda + Step Functions simulator (the ground truth the models \
            are fitted to). Each memory size is warmed up once before it is measured.

            --configs adaptive (default): per memory size, every q at one fan-out, then every fan-out at the \
            best q — about 10 runs per memory size. grid: every runnable configuration. sample:N: N at random.

            Example: stepconf profile --workflow synthetic16 --backend sim --repeats 1 --out synthetic16.csv
            """)

    @OptionGroup var options: WorkflowOnlyOptions

    @Option(help: ArgumentHelp("Where to run the steps: sim.", valueName: "backend"))
    var backend: String = "sim"

    @Option(help: ArgumentHelp("grid, adaptive or sample:N.", valueName: "plan"))
    var configs: String = "adaptive"

    @Option(help: "Runs per configuration.")
    var repeats: Int = 1

    @Option(help: "Random seed (same seed, same samples).")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Output CSV file.", valueName: "file"))
    var out: String

    func validate() throws {
        guard backend == "sim" else {
            throw ValidationError("--backend `\(backend)` is not available yet; use `sim` (local and aws come later)")
        }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        do { _ = try Profiler.Plan.parse(configs) } catch let error as InputError { throw ValidationError(error.message) }
    }

    func run() throws {
        let (graph, platform) = try options.load()
        let profiler = Profiler(simulator: LambdaSimulator(platform: platform))
        let terminal = isatty(2) != 0
        let samples = try profiler.profile(
            graph, plan: try Profiler.Plan.parse(configs), repeats: repeats, seed: seed
        ) { done, total in
            if terminal { FileHandle.standardError.write(Data("\rprofiling: \(done)/\(total) steps".utf8)) }
        }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        try AtomicFile.write(Data(ProfileCSV.encode(samples).utf8), to: out)
        let perStep = Double(samples.count) / Double(graph.count)
        print("wrote \(out): \(samples.count) samples, \(fixed(perStep, 1)) per step (\(configs), \(repeats) repeat(s), seed \(seed))")
    }
}
