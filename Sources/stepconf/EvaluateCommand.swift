import ArgumentParser
import Foundation
import StepConfCore
import StepConfSimulator
import StepConfStorage

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Compare policies on simulated requests and write results.json and an HTML report.",
        discussion: """
            For each SLO and policy, N requests arrive with exponential gaps (--rate, default 12 an \
            hour: a mean gap of 300 s, half the keep-alive), so some find warm instances and some cold ones. Dynamic policies decide each step at its actual start \
            in the simulator, with the time left and the global cache, and pay for the configurator; static ones \
            (static, nono, optimal) decide once before the run. `auto` SLOs are 1.1, 1.2, 1.5, 2, 2.5 and 3 × \
            the fastest achievable mean makespan (every step at its fastest predicted configuration). Each row \
            carries the plan's predicted attainment (sampled over the whole DAG) beside the measured one; the \
            `fastest` row runs every step at its fastest configuration, decided once: the most a plan without \
            prewarming attains.

            Writes DIR/results.json, DIR/report.html (self-contained, inline SVG) and DIR/cost-attainment.svg (each \
            policy's mean cost against its attainment, one point per SLO). DIR must not exist or be \
            empty, unless --force; the files appear only when complete.

            Example: swift run -c release stepconf evaluate --workflow synthetic16 --out out/synthetic16
            """)

    @OptionGroup var options: WorkflowOptions

    @Option(help: ArgumentHelp("Comma-separated SLOs in seconds, or `auto`.", valueName: "list|auto"))
    var slos = SLOList.auto

    @Option(help: "Requests per SLO and policy.")
    var requests: Int = 200

    @OptionGroup var random: SeedOption

    @Option(help: ArgumentHelp("Comma-separated policies, or `all`.", valueName: "list|all"))
    var policies = PolicySelection.all

    @OptionGroup var margin: SafetyOption

    @Option(help: ArgumentHelp(
        "Requests per hour (Poisson arrivals): how often functions are found warm. Static plans are made for it.",
        valueName: "N"))
    var rate: Double = Traffic.defaultRequestsPerHour

    @Option(help: ArgumentHelp(
        "How large each request's input is, × the workflow's nominal size: `fixed` (every request nominal), "
            + "`lognormal:SIGMA` (median 1), or `file:PATH` (one observed size per line, drawn with replacement). Dynamic "
            + "policies plan each request for its size; plans made once are made for the sizes' P quantile.",
        valueName: "fixed|lognormal:SIGMA|file:PATH"))
    var inputSizes: String = "fixed"

    @Option(help: ArgumentHelp("Output directory.", valueName: "dir"))
    var out: String

    @Flag(inversion: .prefixedNo, help: "Compute the hindsight optimum per request (the true lower bound; policy `hindsight`).")
    var hindsight = true

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Warm each step's planned function ahead of it, for every policy (a static plan from the execution's start, a "
            + "dynamic policy as it decides steps ahead); warm-ups are billed and counted. --no-prewarm: none, and every "
            + "result is what it was before prewarming, seed for seed."))
    var prewarm = true

    @Flag(help: "Replace a non-empty output directory.")
    var force = false

    @Flag(help: "Print results.json on standard output and no progress.")
    var json = false

    func validate() throws {
        do { _ = try Traffic(requestsPerHour: rate) } catch let error as InputError {
            throw ValidationError("--rate: \(error.message)")
        }
        if !inputSizes.hasPrefix("file:") {
            do { _ = try InputSizes.load(inputSizes) } catch let error as InputError {
                throw ValidationError("--input-sizes: \(error.message)")
            }
        }
        guard requests >= 1, requests <= InputBounds.maxRequests else {
            throw ValidationError("--requests must lie in 1…\(InputBounds.maxRequests), got \(requests)")
        }
        let url = URL(fileURLWithPath: out)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ValidationError("--out \(out) exists and is not a directory") }
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            if !contents.isEmpty && !force {
                throw ValidationError("--out \(out) exists and is not empty; pass --force to replace it")
            }
        }
    }

    func run() throws {
        let (graph, model, platform) = try options.load()
        let evaluation = try Evaluation(graph: graph, model: model, simulator: LambdaSimulator(platform: platform))
        var settings = Evaluation.Settings(
            requests: requests, seed: random.seed, policies: policies.names, traffic: try Traffic(requestsPerHour: rate))
        settings.safety = margin.safety
        settings.percentile = margin.percentile
        settings.hindsight = hindsight
        settings.prewarm = prewarm
        settings.inputSizes = try InputSizes.load(inputSizes)
        settings.sloSeconds = slos.seconds
        let clock = ContinuousClock()
        let started = clock.now
        let bar = ProgressBar(label: "evaluating", enabled: !json && isatty(2) != 0, clock: clock)
        let (results, cells) = try evaluation.evaluate(settings: settings, frontier: true) { done, total in bar.update(done, total) }
        bar.finish()
        let report = EvaluationReport(results: results, cells: cells)
        try writeOutput(results: results, html: report.html(), figure: report.costAgainstAttainmentSVG())
        if json {
            try printJSON(results)
            return
        }
        printSummary(results)
        print("wrote \(out)/results.json, \(out)/report.html and \(out)/cost-attainment.svg in \(fixed((clock.now - started).seconds, 1)) s")
    }

    /// Writes both files into a staging directory beside `--out`, which replaces it once both are written.
    private func writeOutput(results: EvaluationResults, html: String, figure: String) throws {
        let directory = try StagedDirectory(out)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json: Data
        do {
            json = try encoder.encode(results) + Data("\n".utf8)
        } catch {
            directory.discard()
            throw CLIError(.internalFailure, "internal: the results cannot be encoded (\(error))")
        }
        try directory.write(json, as: "results.json")
        try directory.write(Data(html.utf8), as: "report.html")
        try directory.write(Data(figure.utf8), as: "cost-attainment.svg")
        try directory.commit()
    }

    private func printSummary(_ r: EvaluationResults) {
        print("`\(r.workflow)` · \(r.requests) requests per SLO and policy · fastest mean makespan "
            + "\(fixed(r.fastestMeanMakespanSeconds, 3)) s · SLOs " + r.slos.map { fixed($0, 2) }.joined(separator: ", ") + " s")
        var table = TextTable(
            ["policy", "attainment", "min_att_≥1.2x", "mean_cost", "p95_s", "saving_vs_nono", "speedup_vs_nono", "cost/optimal",
             "cost/hindsight_≥1.2x"])
        for name in r.policies {
            guard let s = r.summary[name] else { continue }
            table.add([
                name, pct(s.sloAttainment), s.minAttainmentFrom1_2x.map(pct) ?? "-", usd(s.meanCostUSD), fixed(s.p95Seconds, 3),
                s.costSavingVsNono.map(pct) ?? "-", s.speedupVsNono.map { fixed($0, 2) + "×" } ?? "-",
                s.costVsOptimal.map { fixed($0, 3) + "×" } ?? "-", s.costVsHindsightFrom1_2x.map { fixed($0, 3) + "×" } ?? "-",
            ])
        }
        print(table.render())
        let target = fixed(r.percentile ?? 99, 1)
        if r.stepconfSavingVsStatic.isEmpty {
            print("stepconf and static do not both attain \(target) % at any SLO evaluated")
        } else {
            print("stepconf's saving over static where both attain \(target) %: "
                + r.stepconfSavingVsStatic.map { "\(fixed($0.sloFactor, 2))× \(pct($0.saving))" }.joined(separator: ", "))
        }
        printBySize(r)
    }

    /// With input sizes: attainment and mean cost by quarter of the requests' sizes, at the tightest SLO ≥ 1.2 × F.
    private func printBySize(_ r: EvaluationResults) {
        guard let sizes = r.inputSizes, let slo = r.rows.filter({ $0.sloFactor >= 1.2 - 1e-9 }).map(\.sloSeconds).min() else { return }
        let rows = r.policies.compactMap { name in r.rows.first { $0.policy == name && $0.sloSeconds == slo } }
        guard let bands = rows.first?.bySize, !bands.isEmpty else { return }
        print("By input size (\(sizes)), SLO \(fixed(slo, 3)) s (\(fixed(slo / r.fastestMeanMakespanSeconds, 2)) × F): attainment / mean cost")
        var table = TextTable(["size × nominal"] + rows.map(\.policy))
        for (b, band) in bands.enumerated() {
            table.add(["\(fixed(band.fromSize, 2))–\(fixed(band.toSize, 2))"] + rows.map { row in
                guard let mine = row.bySize, b < mine.count else { return "-" }
                return "\(pct(mine[b].sloAttainment)) / \(usd(mine[b].meanCostUSD))"
            })
        }
        print(table.render())
    }

    private func pct(_ x: Double) -> String { fixed(x * 100, 1) + " %" }
}
