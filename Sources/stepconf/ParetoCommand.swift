import ArgumentParser
import Foundation
import StepConfCore
import StepConfExamples
import StepConfPareto
import StepConfSimulator
import StepConfStorage

struct ParetoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pareto",
        abstract: "Search Lambda configurations for the duration/cost Pareto front: exhaustive, NSGA-II, NSGA-III, SPEA2.",
        discussion: """
            The multi-objective study of Christoforou & Andreou: word count over 100 files × 638 words; memory \
            128–3,008 MB in steps of 64, maximum concurrency 1–100, batch size 1/2/5/10/20/25/50/100 % of the \
            files (36,800 configurations). Objective values come from the simulator (--problem wordcount) or from \
            a table (--table FILE.csv, columns memory_mb,concurrency,batch_pct,duration_s,cost_usd; \
            --export-table writes the simulator's). The exhaustive front is the reference; each algorithm runs \
            --runs times per evaluation budget (population 100, SBX + polynomial mutation on integers, seeded).

            Prints the median hypervolume and IGD per algorithm and budget (the paper's Tables 1–2) and the \
            Holm-adjusted Wilcoxon signed-rank p-values of each pair (Tables 3–4); writes DIR/pareto.svg (one \
            run's fronts at --front-evaluations against the reference) and DIR/pareto.json. Hypervolume: both \
            objectives normalized by the reference front's ideal (0) and nadir (1), reference point (1.1, 1.1).

            Examples:
              stepconf pareto --runs 100 --evaluations 500:4500:500 --out pareto
              stepconf pareto --export-table wordcount.csv --runs 0
              stepconf pareto --table wordcount.csv --algorithms nsga2 --evaluations 1000 --runs 30 --json
            """)

    /// The built-in problems.
    enum Problem: String, CaseIterable, ExpressibleByArgument {
        /// The word-count workflow of the GA study, simulated.
        case wordcount
    }

    @Option(help: ArgumentHelp("The problem: wordcount (simulated).", valueName: "name"))
    var problem: Problem = .wordcount

    @Option(help: ArgumentHelp(
        "Search a workflow's static (makespan, cost) plans instead: a file or an embedded name (" + EmbeddedExamples.workflowNames.joined(separator: ", ") + ").",
        valueName: "file|name"))
    var workflow: String?

    @Option(help: ArgumentHelp("The workflow's model (default as for plan).", valueName: "file"))
    var model: String?

    @Option(help: ArgumentHelp("Read objective values from this CSV instead of simulating.", valueName: "file"))
    var table: String?

    @Option(help: ArgumentHelp("Write the exhaustive table (CSV) here.", valueName: "file"))
    var exportTable: String?

    @Option(help: ArgumentHelp("Comma-separated: nsga2, nsga3, spea2.", valueName: "list"))
    var algorithms = AlgorithmList(MOGA.allCases)

    @Option(help: ArgumentHelp("Budgets: FROM:TO:STEP or a comma-separated list.", valueName: "spec"))
    var evaluations = Budgets(stride(from: 500, through: 4500, by: 500).map { $0 })

    @Option(help: "Runs per algorithm and budget (0: only the exhaustive front).")
    var runs: Int = 100

    @OptionGroup var random: SeedOption

    @Option(help: "Population (and SPEA2 archive) size.")
    var population: Int = 100

    @Option(help: ArgumentHelp("Budget of the runs drawn in pareto.svg.", valueName: "n"))
    var frontEvaluations: Int = 1000

    @Option(help: ArgumentHelp("Directory for pareto.svg and pareto.json.", valueName: "dir"))
    var out: String?

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard workflow == nil || table == nil else { throw ValidationError("give --workflow or --table, not both") }
        guard workflow == nil || exportTable == nil else { throw ValidationError("--export-table needs the word-count problem") }
        guard runs >= 0 else { throw ValidationError("--runs must be ≥ 0") }
        guard population >= 4 else { throw ValidationError("--population must be at least 4") }
        guard frontEvaluations > 0 else { throw ValidationError("--front-evaluations must be positive") }
    }

    func run() throws {
        if let workflow { return try runWorkflow(workflow) }
        let clock = ContinuousClock()
        var started = clock.now
        let source = try wordCountTable(file: table, seed: random.seed)
        let tableSeconds = (clock.now - started).seconds
        if let exportTable { try AtomicFile.write(Data(source.csv().utf8), to: exportTable) }
        started = clock.now
        let reference = ParetoFront.nonDominated(source.values)
        let indicators = Indicators(reference: reference)
        let exhaustiveSeconds = (clock.now - started).seconds
        if !json {
            print("\(source.values.count) configurations (\(table ?? "simulated") in \(fixed(tableSeconds, 2)) s); exhaustive front: \(reference.count) points "
                + "in \(fixed(exhaustiveSeconds * 1000, 1)) ms, hypervolume \(fixed(indicators.referenceHypervolume, 4))")
            if let exportTable { print("wrote \(exportTable)") }
        }
        guard runs > 0 else {
            if json { try printJSON(Summary(configurations: source.values.count, referenceFront: reference.map { [$0.f1, $0.f2] },
                                            referenceHypervolume: indicators.referenceHypervolume, cells: [], comparisons: [], wallSeconds: 0)) }
            return
        }
        var experiment = ParetoExperiment(algorithms: algorithms.values, budgets: evaluations.values, runs: runs, seed: random.seed)
        experiment.populationSize = population
        let quiet = json
        let outcome = experiment.run(source, reference: reference, frontBudget: frontEvaluations) { done, total in
            if !quiet { FileHandle.standardError.write(Data("\r  \(done)/\(total) algorithm × budget cells".utf8)) }
        }
        if !json { FileHandle.standardError.write(Data("\n".utf8)) }
        try finish(outcome, experiment: experiment, configurations: source.values.count)
    }

    /// Writes the files and prints the tables (or the JSON) of an experiment.
    func finish(_ outcome: ParetoExperiment.Outcome, experiment: ParetoExperiment, configurations: Int, xLabel: String = "duration (s)") throws {
        let summary = Summary(
            configurations: configurations, referenceFront: outcome.reference.map { [$0.f1, $0.f2] },
            referenceHypervolume: outcome.referenceHypervolume,
            cells: outcome.cells.map {
                .init(algorithm: $0.algorithm.rawValue, evaluations: $0.evaluations, medianHypervolume: $0.medianHypervolume,
                      medianIGD: $0.medianIGD, hypervolume: $0.hypervolume, igd: $0.igd)
            },
            comparisons: outcome.comparisons, wallSeconds: outcome.wallSeconds)
        if let out {
            // Both files or neither: staged beside --out, which keeps any other files it holds.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let svg = Data(plot(outcome, reference: outcome.reference, xLabel: xLabel).utf8)
            let json = try encoder.encode(summary)
            let existed = FileManager.default.fileExists(atPath: out)
            do {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                try AtomicFile.write(svg, to: out + "/pareto.svg")
                try AtomicFile.write(json, to: out + "/pareto.json")
            } catch {
                // Neither file half-there: what was written goes, and a directory this run created goes too.
                try? FileManager.default.removeItem(atPath: out + "/pareto.svg")
                if !existed { try? FileManager.default.removeItem(atPath: out) }
                throw (error as? InputError) ?? InputError(.unwritable, "cannot write \(out): \(error.localizedDescription)")
            }
        }
        if json { try printJSON(summary); return }
        printTables(outcome, experiment: experiment)
        print("\(runs) runs × \(experiment.budgets.count) budgets × \(experiment.algorithms.count) algorithms in \(fixed(outcome.wallSeconds, 2)) s"
            + (out.map { "; wrote \($0)/pareto.svg and \($0)/pareto.json" } ?? ""))
    }

    func printTables(_ outcome: ParetoExperiment.Outcome, experiment: ParetoExperiment) {
        for (title, value) in [("Median hypervolume (higher is better; reference front \(fixed(outcome.referenceHypervolume, 4)))", \ParetoExperiment.Cell.medianHypervolume),
                               ("Median IGD (lower is better)", \ParetoExperiment.Cell.medianIGD)] {
            print("\n" + title)
            var table = TextTable(["evaluations"] + experiment.algorithms.map(\.rawValue))
            for budget in experiment.budgets {
                table.add(["\(budget)"] + experiment.algorithms.map { a in
                    fixed(outcome.cells.first { $0.algorithm == a && $0.evaluations == budget }![keyPath: value], 4)
                })
            }
            print(table.render())
        }
        for (title, indicator) in [("hypervolume", \ParetoExperiment.Comparison.hypervolumeP), ("IGD", \ParetoExperiment.Comparison.igdP)] {
            print("\nWilcoxon signed-rank p-values, Holm-adjusted, \(title)")
            let pairs = outcome.comparisons.filter { $0.evaluations == experiment.budgets[0] }.map { "\($0.first.rawValue)–\($0.second.rawValue)" }
            var table = TextTable(["evaluations"] + pairs)
            for budget in experiment.budgets {
                table.add(["\(budget)"] + outcome.comparisons.filter { $0.evaluations == budget }.map { pValue($0[keyPath: indicator]) })
            }
            print(table.render())
        }
    }

    /// The static plans of a workflow: too many to enumerate, so the indicators are taken against the union of
    /// every run's front and the all-fastest / all-cheapest plans.
    func runWorkflow(_ name: String) throws {
        var options = try WorkflowOptions.parse([])
        options.source.workflow = name
        options.model = model
        let (graph, modelValue, platform) = try options.load()
        let space = try ConfigurationSpace(graph: graph, model: modelValue, platform: platform, includesConfigurator: false)
        let problem = WorkflowProblem(space: space)
        if !json {
            print("`\(graph.workflow.name)`: \(graph.count) steps, \(problem.choices.map(\.count).reduce(0, +)) Pareto-efficient step configurations, "
                + "10^\(fixed(problem.log10Size, 1)) static plans; reference: the best front any run finds, with the all-fastest and all-cheapest plans")
        }
        var experiment = ParetoExperiment(algorithms: algorithms.values, budgets: evaluations.values, runs: max(1, runs), seed: random.seed)
        experiment.populationSize = population
        let quiet = json
        let outcome = experiment.run(problem, reference: nil, anchors: problem.anchors, frontBudget: frontEvaluations) { done, total in
            if !quiet { FileHandle.standardError.write(Data("\r  \(done)/\(total) algorithm × budget cells".utf8)) }
        }
        if !json {
            FileHandle.standardError.write(Data("\n".utf8))
            print("best front found: \(outcome.reference.count) plans, makespan \(fixed(outcome.reference.first?.f1 ?? 0, 3))–"
                + "\(fixed(outcome.reference.last?.f1 ?? 0, 3)) s, cost \(usd(outcome.reference.last?.f2 ?? 0))–\(usd(outcome.reference.first?.f2 ?? 0))")
        }
        try finish(outcome, experiment: experiment, configurations: 0, xLabel: "makespan (s)")
    }

    func pValue(_ p: Double) -> String { (p < 0.0001 ? "<0.0001" : fixed(p, 4)) + (p < 0.05 ? " *" : "") }

    func plot(_ outcome: ParetoExperiment.Outcome, reference: [ObjectivePoint], xLabel: String) -> String {
        let all = reference + outcome.fronts.values.flatMap { $0 }
        var chart = SVGPlot(
            title: "Duration / cost fronts at \(frontEvaluations) evaluations against the exhaustive front",
            xLabel: xLabel, yLabel: "cost (µUSD)",
            x: (all.map(\.f1).min() ?? 0)...(all.map(\.f1).max() ?? 1),
            y: (all.map { $0.f2 * 1e6 }.min() ?? 0)...(all.map { $0.f2 * 1e6 }.max() ?? 1))
        chart.legendCorner = .topRight
        chart.line(workflow == nil ? "exhaustive" : "best found", reference.map { ($0.f1, $0.f2 * 1e6) }, style: .init(color: "#222222", dash: "4 3", marker: .none), markers: false, steps: true)
        for (k, algorithm) in MOGA.allCases.enumerated() {
            guard let front = outcome.fronts[algorithm] else { continue }
            chart.line(algorithm.rawValue, front.map { ($0.f1, $0.f2 * 1e6) }, style: SVGPlot.palette[k % SVGPlot.palette.count], steps: true)
        }
        return chart.render()
    }

    struct Summary: Encodable {
        var configurations: Int
        var referenceFront: [[Double]]
        var referenceHypervolume: Double
        var cells: [CellSummary]
        var comparisons: [ParetoExperiment.Comparison]
        var wallSeconds: Double

        struct CellSummary: Encodable {
            var algorithm: String
            var evaluations: Int
            var medianHypervolume: Double
            var medianIGD: Double
            var hypervolume: [Double]
            var igd: [Double]

            enum CodingKeys: String, CodingKey {
                case algorithm, evaluations, hypervolume, igd
                case medianHypervolume = "median_hypervolume"
                case medianIGD = "median_igd"
            }
        }

        enum CodingKeys: String, CodingKey {
            case configurations, cells, comparisons
            case referenceFront = "reference_front"
            case referenceHypervolume = "reference_hypervolume"
            case wallSeconds = "wall_s"
        }
    }
}

/// The word-count problem's table: read from `file` (CSV), or every configuration run in the simulator.
func wordCountTable(file: String?, seed: UInt64) throws -> ConfigurationTable {
    if let file {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError(.input, "\(file): cannot read the file") }
        return try ConfigurationTable.parse(String(decoding: data, as: UTF8.self), source: file)
    }
    let experiment = WordCountExperiment(seed: seed)
    return ConfigurationTable.build(
        axes: [WordCountExperiment.memorySizes, WordCountExperiment.concurrencies, WordCountExperiment.batchPercents]
    ) { v in
        let outcome = experiment.evaluate(memoryMB: v[0], concurrency: v[1], batchPercent: v[2])
        return ObjectivePoint(outcome.durationSeconds, outcome.costUSD)
    }
}
