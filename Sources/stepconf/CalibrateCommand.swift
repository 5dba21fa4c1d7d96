import ArgumentParser
import Foundation
import StepConfCore
import StepConfExamples
import StepConfLocal

struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Profile a workflow's functions on this machine through the emulator, fit its model, and cache both.",
        discussion: """
            A 2-core machine is not AWS: `stepconf run` plans with a platform that describes this machine (its \
            cores, shared by every instance at once; memory sizes up to the credit of all of them) and a model \
            fitted on it. This command makes them: it runs every step of the workflow on a space-filling design \
            (two configurations per memory size) through the local emulator, fits the model, and stores platform \
            and model under the cache folder ($STEPCONF_CACHE_DIR, else $XDG_CACHE_HOME/stepconf, else \
            ~/.cache/stepconf), keyed by the machine and the bootstrap build. `stepconf run` calibrates on first \
            use; run this to redo it (--force) or to see where it is stored.

            Examples:
              stepconf calibrate
              stepconf calibrate --workflow video --force
            """)

    @Option(help: ArgumentHelp(
        "Workflow definition: a JSON file, or the name of an embedded example (" + EmbeddedExamples.workflowNames.joined(separator: ", ") + ").", valueName: "file|name"))
    var workflow: String = "synthetic16"

    @OptionGroup var scale: WorkScaleOption

    @Option(help: ArgumentHelp("The bootstrap binary. Default: the one next to stepconf (built if missing).", valueName: "path"))
    var bootstrap: String?

    @Flag(help: "Calibrate again even when this machine and bootstrap already have a calibration.")
    var force = false

    @Flag(help: "Print the stored record as JSON.")
    var json = false

    func run() async throws {
        let workflowValue = try WorkflowOnlyOptions.workflow(workflow)
        let graph = try WorkflowGraph(workflowValue)
        let binary = try ensureBootstrap(bootstrap)
        let calibration = LocalCalibration(key: try LocalCalibration.Key.current(bootstrap: binary, workScale: scale.workScale))
        if !force, calibration.load(workflow: workflowValue, note: { note in FileHandle.standardError.write(Data((note + "\n").utf8)) }) != nil {
            if !json { print("already calibrated: \(calibration.folder) (--force to redo it)") }
            if json, let data = FileManager.default.contents(atPath: calibration.folder + "/\(workflowValue.name).record.json") {
                FileHandle.standardOutput.write(data)
            }
            return
        }
        let record = try await calibrate(graph, bootstrap: binary, calibration: calibration, quiet: json)
        if json {
            try printJSON(record)
        } else {
            print("calibrated `\(record.workflow)` on this machine: \(record.samples) runs in \(fixed(record.seconds, 1)) s; "
                + "stored in \(calibration.folder)")
        }
    }
}

/// This machine's platform and model for `graph` from the calibration cache, calibrating first when there is
/// none (a note on standard error says so).
/// - Throws: what calibrating throws, or a ``CLIError`` when the stored calibration cannot be read.
func calibrated(
    _ graph: WorkflowGraph, bootstrap: String, workScale: Double, quiet: Bool
) async throws -> (platform: Platform, model: PerformanceModel) {
    let calibration = LocalCalibration(key: try LocalCalibration.Key.current(bootstrap: bootstrap, workScale: workScale))
    let note: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    if let stored = calibration.load(workflow: graph.workflow, note: note) { return stored }
    note("no calibration of `\(graph.workflow.name)` for this machine and bootstrap yet: calibrating once "
        + "(stepconf calibrate; about 1.5 minutes for synthetic16 on 2 cores)")
    _ = try await calibrate(graph, bootstrap: bootstrap, calibration: calibration, quiet: quiet)
    guard let stored = calibration.load(workflow: graph.workflow, note: note) else {
        throw CLIError(.environment, "the calibration in \(calibration.folder) cannot be read")
    }
    return stored
}

/// Profiles `graph` on this machine through the emulator, fits the model and stores it with the machine's
/// platform in `calibration`'s folder, with a progress bar on standard error unless `quiet`.
/// - Throws: what profiling, fitting or storing throws (nothing is stored then).
func calibrate(
    _ graph: WorkflowGraph, bootstrap: String, calibration: LocalCalibration, quiet: Bool
) async throws -> LocalCalibration.Record {
    let clock = ContinuousClock()
    let started = clock.now
    let platform = LocalCalibration.machinePlatform(cores: calibration.key.cores)
    let store = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-calibrate-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: store) }
    let profiler = LocalProfiler(bootstrap: bootstrap, storeRoot: store, workScale: calibration.key.workScale)
    try profiler.validate(graph)
    let bar = ProgressBar(label: "calibrating \(graph.workflow.name) on this machine", enabled: !quiet && isatty(2) != 0, clock: clock)
    let emulator = await LocalEmulator.start(profiler.functions(for: graph, grid: platform.grid), idleTimeout: .seconds(600))
    let port = emulator.port
    let samples: [ProfileSample]
    do {
        samples = try await onThread {
            try profiler.profile(
                graph, grid: platform.grid, port: port, log: { emulator.log }, plan: .spread(2), repeats: 2, seed: 1,
                progress: { done, total in bar.update(done, total) })
        }
        await emulator.stop()
    } catch {
        await emulator.stop()
        bar.finish()
        throw error
    }
    bar.finish()
    let estimator = Estimator(options: .init(platform: platform))
    let (model, _) = try estimator.fit(samples, workflowName: graph.workflow.name)
    let record = LocalCalibration.Record(
        key: calibration.key, workflow: graph.workflow.name, samples: samples.count, seconds: (clock.now - started).seconds,
        created: Date().timeIntervalSince1970)
    try calibration.store(platform: platform, model: model, record: record)
    return record
}
