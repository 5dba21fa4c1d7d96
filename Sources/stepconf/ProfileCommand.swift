import ArgumentParser
import Foundation
import StepConfCore
import StepConfLocal
import StepConfSimulator
import StepConfStorage

struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Measure each step under many configurations and write a profile CSV.",
        discussion: """
            The `sim` backend runs the steps in the Lambda + Step Functions simulator (the ground truth the models \
            are fitted to). The `local` backend runs the real step functions (the `bootstrap` next to this \
            stepconf, or --bootstrap) through the local Lambda emulator, one function per kind and memory size \
            with a CPU quota of m/1769 where the machine allows; the synthetic ALU's work is scaled by \
            --work-scale. Each memory size is warmed up once before it is measured.

            --configs adaptive (default): per memory size, every q at one fan-out, then every fan-out at the \
            best q — about 10 runs per memory size. grid: every runnable configuration. sample:N: N at random.

            Example: stepconf profile --workflow synthetic16 --backend sim --repeats 1 --out synthetic16.csv
            Example: stepconf profile --workflow video --backend local --memory 1024,2048 --inter 1,2 --intra 1,2 --out video-local.csv
            """)

    @OptionGroup var options: WorkflowOnlyOptions

    @Option(help: ArgumentHelp("Where to run the steps: sim or local.", valueName: "backend"))
    var backend: String = "sim"

    @Option(help: ArgumentHelp("local: the bootstrap binary (default: the one next to this stepconf).", valueName: "path"))
    var bootstrap: String?

    @Option(help: "local: factor on the synthetic ALU's work (1 = the workflow's full size).")
    var workScale: Double = 0.02

    @Option(help: ArgumentHelp("Memory sizes to profile, MB (default: the platform's grid).", valueName: "list"))
    var memory: String?

    @Option(help: ArgumentHelp("Fan-outs p to profile (default: the platform's grid).", valueName: "list"))
    var inter: String?

    @Option(help: ArgumentHelp("Worker counts q to profile (default: the platform's grid).", valueName: "list"))
    var intra: String?

    @Option(help: ArgumentHelp("local: the functions' object store directory (default: a new temporary one).", valueName: "dir"))
    var store: String?

    @Option(help: ArgumentHelp("grid, adaptive or sample:N.", valueName: "plan"))
    var configs: String = "adaptive"

    @Option(help: "Runs per configuration.")
    var repeats: Int = 1

    @Option(help: "Random seed (same seed, same samples).")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Output CSV file.", valueName: "file"))
    var out: String

    func validate() throws {
        guard backend == "sim" || backend == "local" else {
            throw ValidationError("--backend `\(backend)` is not available; use `sim` or `local` (aws comes with the deploy issue)")
        }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard workScale > 0 else { throw ValidationError("--work-scale must be positive") }
        for (name, list) in [("--memory", memory), ("--inter", inter), ("--intra", intra)] {
            if let list, Self.numbers(list) == nil { throw ValidationError("\(name) must be a comma-separated list of positive whole numbers, got `\(list)`") }
        }
        do { _ = try Profiler.Plan.parse(configs) } catch let error as InputError { throw ValidationError(error.message) }
    }

    static func numbers(_ list: String) -> [Int]? {
        let values = list.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return values.map { $0! }.sorted()
    }

    func run() async throws {
        var (graph, platform) = try options.load()
        let grid = platform.grid
        platform.grid = ConfigurationGrid(
            memoryMB: memory.flatMap(Self.numbers) ?? grid.memoryMB, inter: inter.flatMap(Self.numbers) ?? grid.inter,
            intra: intra.flatMap(Self.numbers) ?? grid.intra)
        let plan = try Profiler.Plan.parse(configs)
        let terminal = isatty(2) != 0
        let progress: @Sendable (Int, Int) -> Void = { done, total in
            if terminal { FileHandle.standardError.write(Data("\rprofiling: \(done)/\(total) steps".utf8)) }
        }
        let samples: [ProfileSample]
        if backend == "local" {
            samples = try await profileLocally(graph, grid: platform.grid, plan: plan, progress: progress)
        } else {
            let profiler = Profiler(simulator: LambdaSimulator(platform: platform))
            samples = try profiler.profile(graph, plan: plan, repeats: repeats, seed: seed, progress: progress)
        }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        try AtomicFile.write(Data(ProfileCSV.encode(samples).utf8), to: out)
        let perStep = Double(samples.count) / Double(graph.count)
        let scale = backend == "local" ? ", work scale \(workScale)" : ""
        print("wrote \(out): \(samples.count) samples, \(fixed(perStep, 1)) per step (\(backend), \(configs), \(repeats) repeat(s), seed \(seed)\(scale))")
    }

    private func profileLocally(
        _ graph: WorkflowGraph, grid: ConfigurationGrid, plan: ProfilePlan, progress: @escaping @Sendable (Int, Int) -> Void
    ) async throws -> [ProfileSample] {
        let root = store ?? FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-profile-\(UUID().uuidString)").path
        let profiler = LocalProfiler(bootstrap: try locateBootstrap(bootstrap), storeRoot: root, workScale: workScale)
        try profiler.validate(graph)
        let emulator = await LocalEmulator.start(profiler.functions(for: graph, grid: grid), idleTimeout: .seconds(600))
        let (repeats, seed, port) = (self.repeats, self.seed, emulator.port)
        do {
            let samples = try await onThread {
                try profiler.profile(
                    graph, grid: grid, port: port, log: { emulator.log }, plan: plan, repeats: repeats, seed: seed, progress: progress)
            }
            await emulator.stop()
            return samples
        } catch {
            await emulator.stop()
            throw error
        }
    }
}
