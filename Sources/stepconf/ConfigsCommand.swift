import ArgumentParser
import Foundation
import StepConfCore

/// One configuration of `stepconf configs --json`.
struct ConfigRow: Encodable {
    var memoryMB: Int
    var inter: Int
    var intra: Int
    var timeSeconds: Double
    var costUSD: Double

    enum CodingKeys: String, CodingKey {
        case inter, intra
        case memoryMB = "memory_mb"
        case timeSeconds = "time_s"
        case costUSD = "cost_usd"
    }
}

struct ConfigsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "configs",
        abstract: "List every configuration θ of one step with its predicted time and cost.",
        discussion: """
            Every q is listed; `Q` marks, per memory size and fan-out, the q the model predicts fastest — the only \
            one `plan` considers. Times are t_map(p) + the busiest instance (the model's extended Eq. (1)); costs \
            p·(t̂·m/1024·μ0 + μ1) plus state transitions, without \
            the configurator. Configurations that cannot run (more instances than jobs, more workers than jobs \
            per instance, workers that do not fit in memory) are left out.

            Example: stepconf configs --step s01 --json
            """)

    @OptionGroup var options: WorkflowOptions

    @Option(help: ArgumentHelp("Step id.", valueName: "id"))
    var step: String

    @Option(help: ArgumentHelp("Restrict to a policy's grid (e.g. nono, intra-only).", valueName: "name"))
    var policy: PolicyName = .stepconf

    @OptionGroup var output: OutputFormat

    func run() throws {
        let (graph, model, platform) = try options.load()
        guard let index = graph.index[step] else {
            throw CLIError(.input, "workflow `\(graph.workflow.name)` has no step `\(step)`; its steps: "
                    + graph.ids.joined(separator: ", "))
        }
        let space = try ConfigurationSpace(
            graph: graph, model: model, platform: platform, grid: policy.grid(from: platform.grid),
            includesConfigurator: false, considerEveryIntra: true)
        let options = space.steps[index]
        // The q the optimizer is offered at each (m, p): the fastest predicted (the paper's Q, per fan-out).
        var bestAt: [[Int]: Int] = [:]
        for k in 0..<options.count {
            let theta = options.configurations[k]
            let key = [theta.memoryMB, theta.inter]
            if let b = bestAt[key], options.seconds[b] <= options.seconds[k] { continue }
            bestAt[key] = k
        }
        let offered = Set(bestAt.values)
        let rows = (0..<options.count).map { k in
            ConfigRow(
                memoryMB: options.configurations[k].memoryMB, inter: options.configurations[k].inter,
                intra: options.configurations[k].intra, timeSeconds: options.seconds[k], costUSD: options.costUSD[k])
        }
        if output.json {
            try printJSON(rows)
            return
        }
        let pareto = Set(options.paretoIndices())
        print("Step `\(step)` of `\(graph.workflow.name)`: \(rows.count) configurations "
            + "(jobs \(graph[index].jobs)); * Pareto-efficient, θ* most cost-effective (min c·t)")
        var table = TextTable(["memory_mb", "p", "q", "time_s", "cost_usd", "c·t", "note"], leftAligned: [6])
        for (k, row) in rows.enumerated() {
            var notes: [String] = []
            if pareto.contains(k) { notes.append("*") }
            if k == options.mostCostEffective { notes.append("θ*") }
            if k == options.fastest { notes.append("fastest") }
            if k == options.cheapest { notes.append("cheapest") }
            if offered.contains(k) { notes.append("Q") }
            table.add([
                "\(row.memoryMB)", "\(row.inter)", "\(row.intra)", fixed(row.timeSeconds, 3), usd(row.costUSD),
                String(format: "%.3e", row.costUSD * row.timeSeconds), notes.joined(separator: " "),
            ])
        }
        print(table.render())
    }
}
