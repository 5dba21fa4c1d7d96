import Foundation
import ArgumentParser
import StepConfCore
import StepConfExamples
import StepConfSimulator
import StepConfStorage

struct PolicyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policies",
        abstract: "Cost of each policy against optimal and the best dynamic plan, on predicted times, at several SLOs; with --requests, stepconf-exact against its targets on simulated requests.",
        discussion: """
            With --requests N: every (SLO, policy) of stepconf-exact, static and optimal is run on N simulated requests \
            (as `stepconf evaluate` runs them, prewarming on, P = --percentile or 99), with hindsight and the all-fastest \
            plan, and stepconf-exact is judged against its targets: it attains ≥ min(P, fastest) − 1 point; it \
            costs ≤ 1.01 × the cheapest of static and optimal that attains as much, and ≥ 10 % less on average over \
            1.2–2 × F; ≤ 1.15 × hindsight; ≤ 1 configurator per request. With --input-sizes (requests of different \
            sizes): the same attainment, and ≥ 25 % less than that baseline on average over every SLO from 1.2 × F. \
            `--workflow all` runs every embedded workflow. \
            Costs are on a Standard state machine, with the Express figure beside.

            The SLOs are factors of the fastest makespan (every step through its configurator and cold; the `auto` \
            SLO is 1.5 × it). Policies plan on predicted times unless --percentile is given. `best-dynamic` is `optimal` on the options a dynamic \
            policy decides from, where each step pays its configurator's time and cost: the cheapest any dynamic \
            policy can be. Targets: stepconf-exact meets every SLO optimal meets, at ≤ 1.03 × optimal plus \
            the configurators' cost; stepconf ≤ 1.1648 × optimal (the paper's bound).

            Examples: swift run -c release stepconf bench policies --workflow video
                      swift run -c release stepconf bench policies --requests 1000 --workflow all --seed 11
                      swift run -c release stepconf bench policies --requests 1000 --workflow all --input-sizes lognormal:0.5
            """)

    @OptionGroup var options: WorkflowOptions
    @Option(help: ArgumentHelp(
        "Plan for this SLO percentile (0 < P < 100). Default: none, predicted times alone.",
        valueName: "P"))
    var percentile: Double?

    @Option(help: ArgumentHelp("Comma-separated factors of the fastest makespan.", valueName: "list"))
    var factors: String = "1.2,1.5,2,2.5,3"

    @Option(help: ArgumentHelp(
        "Simulate this many requests per SLO and policy and judge stepconf-exact against its targets.", valueName: "N"))
    var requests: Int?

    @OptionGroup var random: SeedOption

    @Option(help: ArgumentHelp("Requests per hour (with --requests): how often functions are found warm.", valueName: "N"))
    var rate: Double = Traffic.default.requestsPerHour

    @Option(help: ArgumentHelp(
        "With --requests: each request's input size relative to the nominal one: fixed, lognormal:SIGMA or file:PATH "
            + "(as `evaluate`); the targets are then those of requests that differ.", valueName: "dist"))
    var inputSizes: String = "fixed"

    @OptionGroup var output: OutputFormat

    func parsedFactors() throws -> [Double] {
        let parts = factors.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try parts.map { part in
            guard let value = Double(part), value.isFinite, value > 0, value <= 1000 else {
                throw ValidationError("--factors: `\(part)` is not a factor in (0, 1000]")
            }
            return value
        }
    }

    func validate() throws {
        _ = try parsedFactors()
        if let requests, requests < 1 || requests > InputBounds.maxRequests {
            throw ValidationError("--requests: \(requests) is not a count of requests in 1...\(InputBounds.maxRequests)")
        }
        do { _ = try Traffic(requestsPerHour: rate) } catch let error as InputError {
            throw ValidationError("--rate: \(error.message)")
        }
        if options.workflow == "all", requests == nil {
            throw ValidationError("--workflow all needs --requests (every embedded workflow, simulated)")
        }
        if inputSizes != "fixed", requests == nil {
            throw ValidationError("--input-sizes needs --requests (sizes are drawn per simulated request)")
        }
        if !inputSizes.hasPrefix("file:") {
            do { _ = try InputSizes.load(inputSizes) } catch let error as InputError {
                throw ValidationError("--input-sizes: \(error.message)")
            }
        }
        if let percentile {
            do { _ = try ChanceConstraint(percentile: percentile) } catch let error as InputError {
                throw ValidationError("--percentile: \(error.message)")
            }
        }
    }

    func run() throws {
        if let requests { return try simulate(requests: requests) }
        let (graph, model, platform) = try options.load()
        let rows = try PolicyComparison.run(
            graph: graph, model: model, platform: platform, factors: parsedFactors(),
            policies: [.optimal, .static, .stepconf, .stepconfExact], percentile: percentile)
        if output.json {
            try printJSON(rows)
            return
        }
        print("Policies on predicted times · `\(graph.workflow.name)` · SLO = factor × \(fixed(rows.first.map { $0.sloSeconds / $0.factor } ?? 0, 3)) s")
        var table = TextTable(["factor", "slo_s", "policy", "met", "makespan_s", "cost_usd", "vs_optimal", "vs_best_dynamic", "mismatches"], leftAligned: [2])
        func ratio(_ x: Double?) -> String { x.map { fixed($0, 3) + "×" } ?? "-" }
        for r in rows {
            table.add([
                fixed(r.factor, 2), fixed(r.sloSeconds, 3), r.policy, r.met ? "yes" : "no", fixed(r.makespanSeconds, 3),
                usd(r.costUSD), ratio(r.vsOptimal), ratio(r.vsBestDynamic), "\(r.mismatches)",
            ])
        }
        print(table.render())
        if let configurators = rows.first(where: { PolicyName(rawValue: $0.policy)?.isDynamic == true })?.configuratorsUSD {
            print("configurators' own cost per dynamic run: \(usd(configurators)) (\(graph.count) decisions)")
        }
        if let once = rows.first(where: { PolicyName(rawValue: $0.policy)?.isDynamic == false })?.configuratorsUSD {
            print("a static plan, as deployed, pays one configurator (\(usd(once))) and a Check per later step, in its cost")
        }
    }

    /// The simulated mode: each workflow's evaluation, and stepconf-exact's figures against its targets.
    private func simulate(requests: Int) throws {
        let names = options.workflow == "all" ? EmbeddedExamples.workflowNames : [options.workflow]
        var all: [PolicyTargets] = []
        for name in names {
            var each = options
            each.source.workflow = name
            let (graph, model, platform) = try each.load()
            let evaluation = try Evaluation(graph: graph, model: model, simulator: LambdaSimulator(platform: platform))
            var settings = Evaluation.Settings(
                sloFactors: try parsedFactors(), requests: requests, seed: random.seed,
                policies: [.stepconfExact, .static, .optimal], traffic: try Traffic(requestsPerHour: rate))
            settings.percentile = percentile ?? ChanceConstraint.defaultPercentile
            settings.inputSizes = try InputSizes.load(inputSizes)
            let clock = ContinuousClock()
            let started = clock.now
            let bar = ProgressBar(label: "simulating \(graph.workflow.name)", enabled: !output.json && isatty(2) != 0, clock: clock)
            let (results, _) = try evaluation.evaluate(settings: settings) { done, total in bar.update(done, total) }
            bar.finish()
            guard let targets = PolicyTargets(results) else {
                throw CLIError(.input, "no SLO of --factors is at least 1.2 × F: the targets are stated from 1.2 × F up")
            }
            all.append(targets)
            if !output.json { printTargets(targets, seconds: (clock.now - started).seconds) }
        }
        if output.json { try printJSON(all) }
    }

    private func printTargets(_ t: PolicyTargets, seconds: Double) {
        func pct(_ x: Double) -> String { fixed(x * 100, 1) + " %" }
        func ratio(_ x: Double?) -> String { x.map { fixed($0, 3) + "×" } ?? "-" }
        print("stepconf-exact against its targets · `\(t.workflow)` · \(t.requests) requests per SLO and policy · seed \(t.seed)"
            + (t.inputSizes.map { " · input sizes \($0)" } ?? ""))
        var table = TextTable([
            "factor", "slo_s", "attains", "needs", "fastest", "cost_usd", "express_usd", "baseline", "baseline_usd",
            "vs_baseline", "vs_hindsight", "configurators",
        ], leftAligned: [7])
        for r in t.rows {
            table.add([
                fixed(r.sloFactor, 2), fixed(r.sloSeconds, 3), pct(r.attainment) + (r.attains ? "" : " ✗"), pct(r.requiredAttainment),
                pct(r.fastestAttainment), usd(r.costUSD), r.costExpressUSD.map(usd) ?? "-", r.baseline ?? "none attains as much",
                r.baselineCostUSD.map(usd) ?? "-", ratio(r.costVsBaseline), ratio(r.costVsHindsight), fixed(r.configuratorsPerRequest, 2),
            ])
        }
        print(table.render())
        print("mean saving over 1.2–2 × F: \(t.meanSaving.map(pct) ?? "-") · over every SLO ≥ 1.2 × F: \(t.meanSavingAll.map(pct) ?? "-") · cost over hindsight: \(ratio(t.costVsHindsight)) · "
            + "configurators per request: \(fixed(t.configuratorsPerRequest, 2))")
        for verdict in t.verdicts { print("  \(verdict.met ? "met   " : "MISSED") \(verdict.target)") }
        print("(simulated in \(fixed(seconds, 1)) s)\n")
    }
}
