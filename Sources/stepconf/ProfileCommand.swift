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

            --configs spread (default, spread:10): a space-filling design over every configuration the workflow can \
            run — per memory size, two cold starts (p = 1, then the widest fan-out) and the configurations farthest \
            from those already chosen in (memory, p, q, job waves), 10 per memory size. grid: every runnable \
            configuration. sample:N: N at random. Configurations whose workers do not fit in memory are never run.

            Example: stepconf profile --workflow synthetic16 --backend sim --repeats 1 --out synthetic16.csv
            Example: stepconf profile --workflow video --backend local --memory 1024,2048 --inter 1,2 --intra 1,2 --out video-local.csv
            """)

    @OptionGroup var options: WorkflowOnlyOptions

    /// Where a profile's steps run.
    enum Backend: String, CaseIterable, ExpressibleByArgument {
        /// The Lambda simulator.
        case sim
        /// The emulator on this machine, with real `bootstrap` processes.
        case local
    }

    @Option(help: ArgumentHelp("Where to run the steps: sim or local.", valueName: "backend"))
    var backend: Backend = .sim

    @Option(help: ArgumentHelp("local: the bootstrap binary (default: the one next to this stepconf).", valueName: "path"))
    var bootstrap: String?

    @OptionGroup var scale: WorkScaleOption

    @Option(help: ArgumentHelp("Memory sizes to profile, MB (default: the platform's grid).", valueName: "list"))
    var memory: PositiveIntegers?

    @Option(help: ArgumentHelp("Fan-outs p to profile (default: the platform's grid).", valueName: "list"))
    var inter: PositiveIntegers?

    @Option(help: ArgumentHelp("Worker counts q to profile (default: the platform's grid).", valueName: "list"))
    var intra: PositiveIntegers?

    @Option(help: ArgumentHelp("local: the functions' object store directory (default: a new temporary one).", valueName: "dir"))
    var store: String?

    @Option(help: ArgumentHelp("spread, spread:N (N per memory size), grid or sample:N.", valueName: "plan"))
    var configs: ProfilePlan = .standard

    @Option(help: "Runs per configuration.")
    var repeats: Int = 1

    @Option(help: ArgumentHelp(
        "sim: input sizes × the workflow's nominal size, comma-separated, taken in turn by each step's configurations "
            + "(the model then sees the jobs vary too), e.g. 0.5,1,2.", valueName: "list"))
    var sizes: String = "1"

    @OptionGroup var random: SeedOption

    @Option(help: ArgumentHelp("Output CSV file.", valueName: "file"))
    var out: String

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        let parsed = try inputSizes()
        if backend == .local, parsed != [1] {
            throw ValidationError("--sizes: the local backend profiles the workflow's own input size only (sizes need --backend sim)")
        }
    }

    /// The most sizes `--sizes` may list (each is a scaled copy of the workflow).
    static let maxSizes = 64

    /// `--sizes` as numbers.
    func inputSizes() throws -> [Double] {
        let parts = sizes.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= Self.maxSizes else { throw ValidationError("--sizes: at most \(Self.maxSizes) sizes, got \(parts.count)") }
        return try parts.map { part in
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let size = Double(text), size.isFinite, size > 0, size <= InputSizes.maxSize else {
                throw ValidationError("--sizes: `\(text.prefix(32))` is not a size in (0, \(Int(InputSizes.maxSize))]")
            }
            return size
        }
    }

    func run() async throws {
        var (graph, platform) = try options.load()
        let grid = platform.grid
        platform.grid = ConfigurationGrid(
            memoryMB: memory?.values ?? grid.memoryMB, inter: inter?.values ?? grid.inter, intra: intra?.values ?? grid.intra)
        let plan = configs
        // Progress with the time left, on a terminal only.
        let bar = ProgressBar(label: "profiling", enabled: isatty(2) != 0, clock: ContinuousClock())
        let progress: @Sendable (Int, Int) -> Void = { done, total in bar.update(done, total) }
        let samples: [ProfileSample]
        if backend == .local {
            samples = try await profileLocally(graph, grid: platform.grid, plan: plan, progress: progress)
        } else {
            let profiler = Profiler(simulator: LambdaSimulator(platform: platform))
            samples = try profiler.profile(
                graph, plan: plan, repeats: repeats, seed: random.seed, sizes: try inputSizes(), progress: progress)
        }
        bar.finish()
        try AtomicFile.write(Data(ProfileCSV.encode(samples).utf8), to: out)
        let perStep = Double(samples.count) / Double(graph.count)
        let scaleNote = backend == .local ? ", work scale \(scale.workScale)" : ""
        let sizeNote = sizes == "1" ? "" : ", sizes \(sizes)"
        print("wrote \(out): \(samples.count) samples, \(fixed(perStep, 1)) per step (\(backend.rawValue), \(configs), \(repeats) repeat(s), seed \(random.seed)\(scaleNote)\(sizeNote))")
    }

    private func profileLocally(
        _ graph: WorkflowGraph, grid: ConfigurationGrid, plan: ProfilePlan, progress: @escaping @Sendable (Int, Int) -> Void
    ) async throws -> [ProfileSample] {
        let root = store ?? FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-profile-\(UUID().uuidString)").path
        let profiler = LocalProfiler(bootstrap: try locateBootstrap(bootstrap), storeRoot: root, workScale: scale.workScale)
        try profiler.validate(graph)
        let emulator = await LocalEmulator.start(profiler.functions(for: graph, grid: grid), idleTimeout: .seconds(600))
        let (repeats, seed, port) = (self.repeats, random.seed, emulator.port)
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
