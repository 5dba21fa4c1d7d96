import ArgumentParser
import Foundation
import StepConfCore
import StepConfSimulator
import StepConfStorage

/// `stepconf fit --json` output.
struct FitOutput: Encodable {
    var model: String
    var holdout: Double
    var steps: [Estimator.StepReport]
    /// Per step, the error on a second profile's configurations (`--validate`).
    var validation: [ValidationRow]?
    /// The decision error (`--check`).
    var decisions: [DecisionCheck.Row]?

    struct ValidationRow: Encodable {
        var step: String
        var time: Estimator.ErrorStats
        var compute: Estimator.ErrorStats
        var capped: Estimator.ErrorStats?

        enum CodingKeys: String, CodingKey {
            case step, time, compute
            case capped = "capped_intra"
        }
    }
}

struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit each step's performance and noise model to a profile CSV and write a model file.",
        discussion: """
            Per step, on every profiled configuration: the instance time (Eq. (1) with extended inputs: each \
            instance's jobs, job waves, the cores a memory size can use, the multi-core ratio, worker start-up, \
            storage) to the measured mean compute time; then the step time t_map(p) + the busiest instance, \
            slowest of p, to the warm step times; then the noise model (spread quantiles, slow-downs, cold \
            starts). The model file: docs/files.md.

            --holdout F fits on (1 − F) of each step's configurations first and reports the relative error of \
            the predicted step time and t̂ on the held-out F (drawn from every profiled configuration, including \
            those with one job per worker); the model written is then refitted on everything. A held-out \
            configuration run once carries its run's noise; --validate FILE compares the model with a second \
            profile's medians instead (configurations the first does not hold, e.g. profiled with --configs \
            sample:N --repeats 5 --seed 2).

            --check W reports the decision error on workflow W (a file or an embedded example): the configurations \
            `optimal` and `static` pick at 1.2, 1.5, 2 and 3 × the fastest predicted makespan, each run \
            --check-repeats times in the simulator, predicted against measured step time and cost.

            Example: stepconf fit --samples synthetic16.csv --holdout 0.3 --out synthetic16.model.json
            Example: stepconf fit --samples video.csv --validate video-check.csv --check video --out video.model.json
            """)

    @Option(help: ArgumentHelp("Profile CSV (its columns: docs/cli.md, `stepconf profile`).", valueName: "file"))
    var samples: String

    @Option(help: ArgumentHelp("Model file to write.", valueName: "file"))
    var out: String

    @Option(help: ArgumentHelp("Fraction of configurations to hold out (0 ≤ F < 1).", valueName: "F"))
    var holdout: Double = 0

    @OptionGroup var random: SeedOption

    @Option(help: ArgumentHelp("Workflow name recorded in the model (default: the CSV's file name).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp(
        "The profiled workflow (file or embedded name): rows of configurations it cannot run (workers that do not fit in memory, more workers than jobs) are left out.",
        valueName: "file|name"))
    var workflow: String?

    @Option(
        name: .customLong("validate"),
        help: ArgumentHelp("A second profile to measure the model's error on (its configurations the first lacks).", valueName: "file"))
    var validationProfile: String?

    @Option(help: ArgumentHelp("Workflow (file or embedded name) whose policies' picks to run in the simulator: the decision error.", valueName: "file|name"))
    var check: String?

    @Option(help: ArgumentHelp("Simulator runs per pick for --check.", valueName: "n"))
    var checkRepeats: Int = 15

    @OptionGroup var platform: PlatformOption

    @OptionGroup var output: OutputFormat

    func validate() throws {
        guard holdout.isFinite, holdout >= 0, holdout < 1 else {
            throw ValidationError("--holdout must be a fraction in [0, 1), got \(holdout)")
        }
        guard (1...1000).contains(checkRepeats) else { throw ValidationError("--check-repeats must lie in 1…1000, got \(checkRepeats)") }
    }

    func run() throws {
        var rows = try ProfileCSV.load(from: samples)
        if let workflow {
            rows = try runnableRows(rows, of: try WorkflowOnlyOptions.workflow(workflow))
        }
        let platformValue = try platform.load()
        let workflowName = name ?? URL(fileURLWithPath: samples).deletingPathExtension().lastPathComponent
        let estimator = Estimator(options: .init(holdoutFraction: holdout, seed: random.seed, platform: platformValue))
        let (model, reports): (PerformanceModel, [Estimator.StepReport])
        do {
            (model, reports) = try estimator.fit(rows, workflowName: workflowName)
        } catch let error as InputError {
            throw InputError(error.code, "\(samples): \(error.message)")
        }
        // A fit that reached a value no model may hold (an infinite or huge time from a hostile profile) is refused
        // here, naming the file, rather than written as a model no command could read.
        for (id, stepModel) in model.steps.sorted(by: { $0.key < $1.key }) {
            if let (name, expected) = stepModel.rangeProblem {
                throw InputError(
                    .invalidParameter, "\(samples): the fit of step `\(id)` gives `\(name)` outside the model's range (it must be \(expected)); check the profile's times")
            }
        }
        var validation: [FitOutput.ValidationRow]?
        if let validationProfile {
            let checked = estimator.validation(of: model, against: try ProfileCSV.load(from: validationProfile), trainedOn: rows)
            validation = reports.compactMap { r in
                checked[r.step].map { FitOutput.ValidationRow(step: r.step, time: $0.time, compute: $0.compute, capped: $0.capped) }
            }
            guard validation?.isEmpty == false else {
                throw CLIError(.input, "\(validationProfile): no warm run of a configuration the training profile lacks, for any fitted step")
            }
        }
        var decisions: [DecisionCheck.Row]?
        if let check {
            let graph = try WorkflowGraph(try WorkflowOnlyOptions.workflow(check))
            let checkedModel = try model.validated(for: graph.workflow, source: out)
            decisions = try DecisionCheck(
                simulator: LambdaSimulator(platform: platformValue), repeats: checkRepeats, seed: random.seed &+ 1
            ).run(graph: graph, model: checkedModel)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(model) + Data("\n".utf8), to: out)
        if output.json {
            try printJSON(FitOutput(model: out, holdout: holdout, steps: reports, validation: validation, decisions: decisions))
            return
        }
        printTable(reports)
        printParameters(reports)
        printSummary(reports)
        if let validation { printValidation(validation) }
        if let decisions { printDecisions(decisions) }
        print("wrote \(out)")
    }

    /// The rows whose configurations `workflow` can run; says how many were left out, and refuses a step left
    /// with none.
    private func runnableRows(_ rows: [ProfileSample], of workflow: Workflow) throws -> [ProfileSample] {
        let steps = Dictionary(workflow.steps.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var kept: [ProfileSample] = []
        var dropped: [String: Int] = [:]
        for r in rows {
            guard let step = steps[r.step] else {
                throw CLIError(.input, "\(samples): step `\(r.step)` is not in workflow `\(workflow.name)`")
            }
            if step.canRun(r.configuration) { kept.append(r) } else { dropped[r.step, default: 0] += 1 }
        }
        for (id, count) in dropped.sorted(by: { $0.key < $1.key }) {
            let step = steps[id]!
            guard kept.contains(where: { $0.step == id }) else {
                throw CLIError(.input, "\(samples): every profiled configuration of step `\(id)` is one it cannot run "
                    + "(\(Int(WorkerMemory.runtimeMB)) MB + q × \(Int(step.workerMemoryMB)) MB per worker must fit in m, and q ≤ the "
                    + "jobs of the busiest instance); profile it again with stepconf profile")
            }
            FileHandle.standardError.write(Data(
                "note: step `\(id)`: \(count) row(s) of configurations it cannot run left out (memory pressure is a constraint, not a prediction)\n".utf8))
        }
        return kept
    }

    private func printValidation(_ rows: [FitOutput.ValidationRow]) {
        var table = TextTable(["step", "configs", "t̂_mean", "t̂_max", "step_mean", "step_max", "1 job/worker max"], leftAligned: [0])
        for r in rows {
            table.add([
                r.step, "\(r.time.configurations)", percent(r.compute.mean), percent(r.compute.max), percent(r.time.mean),
                percent(r.time.max), r.capped.map { "\(percent($0.max)) (\($0.configurations))" } ?? "-",
            ])
        }
        print("validation against \(validationProfile ?? "") (medians of its runs, configurations the profile lacks):")
        print(table.render())
        let worst = rows.max { $0.time.max < $1.time.max }!
        print("validation, step time: worst step mean \(percent(rows.map(\.time.mean).max() ?? 0)), max "
            + "\(percent(worst.time.max)) (step `\(worst.step)`)")
    }

    private func printDecisions(_ rows: [DecisionCheck.Row]) {
        var table = TextTable(
            ["policy", "slo_s", "picks", "time_mean", "time_max", "cost_mean", "cost_max", "makespan pred/meas", "cost pred/meas"],
            leftAligned: [0])
        for r in rows {
            table.add([
                r.policy, fixed(r.sloSeconds, 3), "\(r.picks)", percent(r.time.mean), percent(r.time.max), percent(r.cost.mean),
                percent(r.cost.max), "\(fixed(r.predictedMakespanSeconds, 3)) / \(fixed(r.measuredMakespanSeconds, 3))",
                "\(usd(r.predictedCostUSD)) / \(usd(r.measuredCostUSD))",
            ])
        }
        print("decision error on `\(check ?? "")` (each pick run \(checkRepeats)× in the simulator, warm; median time, mean cost):")
        print(table.render())
    }

    private func printTable(_ reports: [Estimator.StepReport]) {
        var table = TextTable(
            ["step", "samples", "per_m", "fit_mean", "fit_max", "ho_t̂_mean", "ho_t̂_max", "ho_step_mean", "ho_step_max",
             "ρ", "σ", "p95"],
            leftAligned: [0])
        for r in reports {
            let m = r.model
            var cells = [r.step, "\(r.samples)", fixed(r.samplesPerMemorySize, 1), percent(r.fitted.mean), percent(r.fitted.max)]
            cells += [r.holdoutCompute.map { percent($0.mean) } ?? "-", r.holdoutCompute.map { percent($0.max) } ?? "-"]
            cells += [r.holdout.map { percent($0.mean) } ?? "-", r.holdout.map { percent($0.max) } ?? "-"]
            cells += [fixed(m.instance.multicoreRatio, 2), fixed(m.noise.instanceSpread, 3)]
            cells.append(m.noise.stepQuantile(0.95).map { percent($0) } ?? "-")
            table.add(cells)
        }
        print(table.render())
        print("fit_*: step time on the fitted configurations; ho_t̂_*: mean instance time, ho_step_*: step time, on held-out "
            + "configurations (relative errors); ρ: multi-core ratio; σ: per-instance spread; p95: one run's step time over "
            + "the prediction at the 95th percentile")
    }

    private func printParameters(_ reports: [Estimator.StepReport]) {
        for r in reports {
            let i = r.model.instance
            let t = r.model.mapping
            var line = "  \(r.step): α=\(sci(i.workSecondsPerJob)) ρ=\(fixed(i.multicoreRatio, 2)) ι=\(sci(i.ioSecondsPerJob))"
            line += " b=\(fixed(i.ioShareCap, 2)) ν=\(sci(i.perJobSeconds)) κ=\(sci(i.perWorkerSeconds)) φ=\(sci(i.baseSeconds))"
            line += " · t_map base=\(sci(t.baseSeconds)) per=\(sci(t.perInstanceSeconds)) knee=\(fixed(t.knee, 0))"
            if let cold = r.model.noise.coldStart {
                line += " · cold \(sci(cold.penaltySeconds))+\(sci(cold.perZSeconds))·z_p s"
            }
            print(line)
            for flag in r.model.flags where !flag.hasPrefix("mapping-knee-prior") { print("    note: \(flag)") }
        }
    }

    private func printSummary(_ reports: [Estimator.StepReport]) {
        let sets: [(String, [Estimator.ErrorStats?])] = [
            ("t̂", reports.map(\.holdoutCompute)), ("step time", reports.map(\.holdout)),
            ("step time, one job per worker", reports.map(\.holdoutCapped)),
        ]
        for (label, stats) in sets {
            let known: [(String, Estimator.ErrorStats)] = zip(reports.map(\.step), stats).compactMap { id, s in s.map { (id, $0) } }
            guard let worst = known.max(by: { $0.1.max < $1.1.max }) else { continue }
            let means = known.map(\.1.mean)
            let count = known.map(\.1.configurations).reduce(0, +)
            let mean = means.reduce(0, +) / Double(means.count)
            print("hold-out \(fixed(holdout * 100, 0)) %, \(label) (\(count) configurations): mean error \(percent(mean)) "
                + "(worst step mean \(percent(means.max() ?? 0))), max \(percent(worst.1.max)) (step `\(worst.0)`)")
        }
    }

    private func percent(_ x: Double) -> String { fixed(x * 100, 2) + " %" }
    private func sci(_ x: Double) -> String { String(format: "%.4g", x) }
}
