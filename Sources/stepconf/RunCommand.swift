import ArgumentParser
import Foundation
import StepConfCore
import StepConfStorage
import StepConfLocal

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow end to end on this machine, the configurator deciding each step.",
        discussion: """
            The native local executor: an in-process Lambda emulator runs the real bootstrap for the \
            configurator and every (kind, memory) function, steps start when their dependencies finish (as \
            the generated state machine does), each step asks the configurator for θ = (memory, instances, \
            workers) with the time left, then runs its instances side by side. Data goes through a local \
            directory (DIR/store), the global cache is SQLite (DIR/cache.sqlite). No servers to start.

            Prints a timeline per step (decision, instances cold/warm, start/end, time inside the functions, \
            orchestration overhead) and the verdict: SLO met or missed by how much, and the cost as AWS would \
            bill it. The synthetic ALU runs at --work-scale of its full size (1 = as the model assumes).

            Exit codes: 0 completed (within the SLO or not: the verdict says), 3 completed but missed the SLO \
            with --fail-on-miss, 1 a step failed or the input is invalid, 2 usage error.

            Examples:
              stepconf run
              stepconf run --workflow examples/video.json --slo 20 --policy static --json
            """)

    @OptionGroup var options: WorkflowOptions

    @Option(help: ArgumentHelp(
        "End-to-end SLO in seconds (0 < S ≤ 10000000), or `auto`: one where configuring pays — 1.5 × the fastest predicted "
            + "makespan (configurators and cold starts included) where nono cannot meet that, else "
            + "\(Int((Policies.promiseNonoShare * 100).rounded())) % of nono's fastest (at least \(Policies.promiseMinFactor) × the "
            + "fastest); the run says which and why.", valueName: "seconds|auto"))
    var slo: SLOArgument = .auto

    @Option(help: ArgumentHelp("Configurator policy: stepconf, intra-only, inter-only, stepconf-exact, static, nono or optimal.", valueName: "name"))
    var policy: PolicyName = .stepconf

    @OptionGroup var margin: SafetyOption

    @OptionGroup var scale: WorkScaleOption

    @Option(help: ArgumentHelp("Input object keys (in DIR/store) for the first step; repeatable. Default: generated inputs where the first step needs some.", valueName: "key"))
    var input: [String] = []

    @Option(help: ArgumentHelp("Working directory: object store, cache, workflow files.", valueName: "dir"))
    var dir: String = "/tmp/stepconf-run"

    @Option(help: ArgumentHelp("The bootstrap binary. Default: the one next to stepconf (built if missing).", valueName: "path"))
    var bootstrap: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "Exit with 3 when the run completes but misses the SLO.")
    var failOnMiss = false

    @Option(help: ArgumentHelp(
        "Also run these policies on the same SLO and print them side by side with the saving (comma-separated), or `none`.",
        valueName: "list|none"))
    var compare: String = "static,nono"

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Have the configurators warm the functions of the steps they plan ahead: one `Event` invocation per planned "
            + "instance, through the emulator's Invoke API, right after their answer (counted in the report, not in its cost). "
            + "--no-prewarm: none."))
    var prewarm = true

    @Flag(help: ArgumentHelp(
        "Plan with the embedded AWS model and platform instead of this machine's calibration (the default when "
            + "neither --model nor --platform is given; made on first use by `stepconf calibrate`)."))
    var noCalibration = false

    /// The policies `--compare` names.
    func comparedPolicies() throws -> [PolicyName] {
        if compare.lowercased() == "none" { return [] }
        return try compare.split(separator: ",").map { part in
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let parsed = PolicyName(argument: name) else {
                throw ValidationError("--compare: unknown policy `\(name)` (known: \(PolicyName.allValueStrings.joined(separator: ", ")), or none)")
            }
            return parsed
        }.filter { $0 != policy }
    }

    func validate() throws {
        _ = try comparedPolicies()
    }

    func run() async throws {
        let binary = try ensureBootstrap(bootstrap)
        let graph: WorkflowGraph
        let model: PerformanceModel
        let platform: Platform
        let usesCalibration = !noCalibration && options.model == nil && options.source.platformOption.platform == nil
        if usesCalibration {
            // This machine's platform and model, from the calibration cache (made now if missing).
            graph = try WorkflowGraph(try WorkflowOnlyOptions.workflow(options.workflow))
            let (local, fitted) = try await calibrated(graph, bootstrap: binary, workScale: scale.workScale, quiet: json)
            (platform, model) = (local, fitted)
        } else {
            (graph, model, platform) = try options.load()
        }
        // On `auto`, an SLO where configuring pays: nono misses it where any can (``Policies/promiseSLO``).
        let promise = slo.isAuto ? try Policies.promiseSLO(graph: graph, model: model, platform: platform, safety: margin.safety) : nil
        let sloSeconds = try promise?.seconds ?? slo.seconds(graph: graph, model: model, platform: platform, safety: margin.safety)
        let runner = LocalWorkflowRunner(settings: .init(
            bootstrap: binary, workDirectory: dir, policy: policy, safety: margin.safety,
            percentile: margin.percentile, workScale: scale.workScale, platform: platform, prewarm: prewarm))
        if !json {
            print("Running `\(graph.workflow.name)` (\(graph.count) steps) locally · policy \(policy.rawValue) · SLO \(fixed(sloSeconds, 3)) s"
                + " · work scale \(scale.workScale)")
            if let promise { print("SLO (auto): \(promise.reason).") }
        }
        let quiet = json
        var report = try await runner.run(graph, model: model, sloSeconds: sloSeconds, inputKeys: input) { line in
            if !quiet { FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
        }
        let others = try comparedPolicies()
        if report.completed, !others.isEmpty {
            var rows: [LocalRunReport.Comparison] = []
            for other in others {
                if !json { FileHandle.standardError.write(Data("comparing: running `\(other.rawValue)` on the same SLO…\n".utf8)) }
                let settings = LocalWorkflowRunner.Settings(
                    bootstrap: binary, workDirectory: dir, policy: other, safety: margin.safety, percentile: margin.percentile,
                    workScale: scale.workScale, platform: platform, prewarm: prewarm)
                let run = try await LocalWorkflowRunner(settings: settings).run(graph, model: model, sloSeconds: sloSeconds, inputKeys: input)
                rows.append(.init(
                    policy: other.rawValue, makespanSeconds: run.makespanSeconds, costUSD: run.costUSD, met: run.met,
                    completed: run.completed))
            }
            report.comparison = rows
        }
        if json {
            try printJSON(report)
        } else {
            printReport(report, platform: platform, calibrated: usesCalibration)
            print("""
                next: `stepconf evaluate --workflow \(options.workflow) --out DIR` compares every policy on 200 simulated requests \
                (cost against attainment, an HTML report); `stepconf local up` then `stepconf invoke --local` runs it on \
                moto's Step Functions as in the cloud; deploying to AWS: docs/deploy.md.
                """)
        }
        if !report.completed { throw ExitCode(1) }
        if failOnMiss && !report.met { throw ExitCode(3) }
    }

    private func printReport(_ report: LocalRunReport, platform: Platform, calibrated: Bool) {
        var table = TextTable(
            ["step", "memory_mb", "p", "q", "configure_ms", "start_s", "end_s", "function_s", "overhead_ms", "instances", "note"],
            leftAligned: [0, 9, 10])
        for s in report.steps {
            table.add([
                s.id, "\(s.memoryMB)", "\(s.inter)", "\(s.intra)", fixed((s.configureEnd - s.configureStart) * 1000, 1),
                fixed(s.configureEnd, 3), fixed(s.end, 3), fixed(s.functionSeconds, 3), fixed(s.overheadSeconds * 1000, 1),
                "\(s.cold) cold, \(s.warm) warm",
                [
                    s.decidedAhead ? "decided ahead" : nil, s.fallback ? "fastest θ: budget unmet" : nil,
                    s.recovery.map { "configurator failed: ran on " + ($0.configSource == .fastest ? "the fastest θ" : "an earlier plan") },
                    s.reruns > 0 ? "\(s.reruns) instance(s) lost and run again" : nil,
                ].compactMap { $0 }.joined(separator: "; "),
            ])
        }
        print(table.render())
        for s in report.steps {
            if let recovery = s.recovery {
                print("step \(s.id): the configurator could not answer (\(recovery.error.error): \(recovery.error.cause ?? "")); it ran on \(recovery.configSource.rawValue)")
            }
        }
        if let failure = report.failure {
            print("FAILED at step \(failure.step): \(failure.error)")
            return
        }
        let verdict =
            report.met
            ? "SLO met with \(fixed(-report.missSeconds, 3)) s to spare"
            : "SLO MISSED by \(fixed(report.missSeconds, 3)) s"
        print("makespan \(fixed(report.makespanSeconds, 3)) s of \(fixed(report.sloSeconds, 3)) s: \(verdict) · cost \(usd(report.costUSD)) (as AWS would bill it)")
        printComparison(report)
        if let size = report.inputSize, size != 1 {
            print("input: \(fixed(size, 3)) × the workflow's nominal size, as the first configurator measured it; every step was planned for it")
        }
        let warmUps = report.steps.map(\.warmUps).reduce(0, +)
        if warmUps > 0 {
            print("warm-ups: \(warmUps) sent by the configurators for the steps they planned ahead (not in the cost above)")
        }
        let overhead = report.steps.map(\.overheadSeconds)
        let warmOnly = report.steps.filter { $0.cold == 0 }.map(\.overheadSeconds)
        var line = "orchestration overhead per step: median \(fixed(median(overhead) * 1000, 1)) ms"
        if !warmOnly.isEmpty { line += ", \(fixed(median(warmOnly) * 1000, 1)) ms on steps with no cold start" }
        print(line + " (outside the configurator's decision and the functions; cold starts included)")
        print("critical path \(report.criticalPath.joined(separator: " → ")): \(fixed(report.criticalPathFunctionSeconds, 3)) s inside "
            + "functions, \(fixed(report.outsideFunctionsShare * 100, 1)) % of the makespan outside them")
        if !report.met {
            // Which steps ran long against their prediction: the miss, explained by what happened.
            let late = report.steps.map { ($0.id, $0.end - $0.configureEnd - $0.predictedSeconds) }
                .filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }.prefix(3)
            if !late.isEmpty {
                print("ran longer than predicted: " + late.map { "\($0.0) +\(fixed($0.1, 3)) s" }.joined(separator: ", "))
            }
            if platform.coreTiers.contains(where: \.shared) {
                print("note: planned with \(calibrated ? "this machine's calibration" : "a local platform") "
                    + "(\(platform.coreTiers.map(\.cores).max() ?? 1) shared cores); a step that ran long met a busier machine "
                    + "than at calibration, or noise beyond the model's")
            } else {
                print("note: the model predicts AWS Lambda (up to 32 instances of up to 6 vCPUs per step); this machine has "
                    + "\(ProcessInfo.processInfo.activeProcessorCount) cores. Run without --model/--platform to plan with this "
                    + "machine's calibration, or give a --slo this machine can meet.")
            }
        }
    }
    /// The other policies on the same SLO, with what stepconf saves against each, and a plan made once that met it for less.
    private func printComparison(_ report: LocalRunReport) {
        guard let comparison = report.comparison, !comparison.isEmpty else { return }
        var table = TextTable(["policy", "makespan_s", "cost_usd", "slo", report.policy + "_vs_it"])
        table.add([report.policy, fixed(report.makespanSeconds, 3), usd(report.costUSD), report.met ? "met" : "MISSED", "-"])
        for c in comparison {
            let saving = c.costUSD > 0 ? (1 - report.costUSD / c.costUSD) * 100 : 0
            table.add([
                c.policy + (c.completed ? "" : " (failed)"), fixed(c.makespanSeconds, 3), usd(c.costUSD), c.met ? "met" : "MISSED",
                fixed(abs(saving), 1) + (saving >= 0 ? " % cheaper" : " % dearer"),
            ])
        }
        print("Same SLO, other policies:")
        print(table.render())
        let cheaper = comparison.filter { $0.completed && $0.met && $0.costUSD < report.costUSD }.map(\.policy)
        if report.met, !cheaper.isEmpty {
            print("\(cheaper.joined(separator: " and ")) met it too, for less: on one run on a quiet machine a plan made once "
                + "holds; \(report.policy) re-plans when steps run long, which `stepconf evaluate` measures over many requests.")
        }
    }
}

/// The bootstrap to run, and a message saying which: `given`; else the one next to this stepconf (its resolved
/// path); else `STEPCONF_BOOTSTRAP`; else, run from a StepConf checkout, built there with `swift build` in this
/// stepconf's configuration (release or debug), saying so — never silently a debug one behind a release CLI.
func ensureBootstrap(_ given: String?) throws -> String {
    if given != nil { return try locateBootstrap(given) }
    func note(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    if let found = try? locateBootstrap(nil) { return found }
    if let variable = ProcessInfo.processInfo.environment["STEPCONF_BOOTSTRAP"], !variable.isEmpty {
        guard FileManager.default.isExecutableFile(atPath: variable) else {
            throw CLIError(.input, "STEPCONF_BOOTSTRAP=\(variable): no executable file there")
        }
        note("using the bootstrap of STEPCONF_BOOTSTRAP: \(variable)")
        return variable
    }
    let executable = SelfLocation.executable
    let next = executable.deletingLastPathComponent().appendingPathComponent("bootstrap").path
    let manifest = (try? String(contentsOfFile: "Package.swift", encoding: .utf8)) ?? ""
    guard manifest.contains("name: \"StepConf\"") else {
        throw CLIError(
            .environment,
            "no bootstrap next to stepconf (\(next)) and STEPCONF_BOOTSTRAP is not set: install both (scripts/install.sh), "
                + "set STEPCONF_BOOTSTRAP, or pass --bootstrap PATH")
    }
    let release = executable.path.contains("/release/")
    note("no bootstrap next to stepconf (\(next)): building it here (swift build --product bootstrap\(release ? " -c release" : ""), "
        + "the \(release ? "release" : "debug") configuration of this stepconf)…")
    let build = Process()
    build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    build.arguments = ["swift", "build", "--product", "bootstrap"] + (release ? ["-c", "release"] : [])
    do {
        try build.run()
        build.waitUntilExit()
    } catch {
        throw CLIError(.environment, "cannot run swift build to make the bootstrap: \(error.localizedDescription); pass --bootstrap PATH")
    }
    guard build.terminationStatus == 0 else { throw CLIError(.environment, "swift build --product bootstrap failed; pass --bootstrap PATH") }
    return try locateBootstrap(nil)
}
