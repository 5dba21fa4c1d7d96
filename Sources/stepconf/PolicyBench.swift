import Foundation
import ArgumentParser
import StepConfCore

struct PolicyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policies",
        abstract: "Cost of each policy against optimal and the best dynamic plan, on predicted times, at several SLOs.",
        discussion: """
            The SLOs are factors of the fastest makespan (every step through its configurator and cold; the `auto` \
            SLO is 1.5 × it). Policies plan on predicted times unless --percentile is given. `best-dynamic` is `optimal` on the options a dynamic \
            policy decides from, where each step pays its configurator's time and cost: the cheapest any dynamic \
            policy can be. Targets (issue 17): stepconf-exact meets every SLO optimal meets, at ≤ 1.03 × optimal plus \
            the configurators' cost; stepconf ≤ 1.1648 × optimal (the paper's bound).

            Example: swift run -c release stepconf bench policies --workflow video
            """)

    @OptionGroup var options: WorkflowOptions
    @Option(help: ArgumentHelp(
        "Plan for this SLO percentile (0 < P < 100). Default: none, predicted times alone (the issue's setting).",
        valueName: "P"))
    var percentile: Double?

    @Option(help: ArgumentHelp("Comma-separated factors of the fastest makespan.", valueName: "list"))
    var factors: String = "1.2,1.5,2,2.5,3"

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
        if let percentile {
            do { _ = try ChanceConstraint(percentile: percentile) } catch let error as InputError {
                throw ValidationError("--percentile: \(error.message)")
            }
        }
    }

    func run() throws {
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
        if let configurators = rows.first(where: { $0.configuratorsUSD > 0 })?.configuratorsUSD {
            print("configurators' own cost per dynamic run: \(usd(configurators)) (\(graph.count) decisions)")
        }
    }
}
