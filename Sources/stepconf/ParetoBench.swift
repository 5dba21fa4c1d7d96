import ArgumentParser
import Foundation
import StepConfCore
import StepConfPareto
import StepConfSimulator

struct ParetoBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pareto",
        abstract: "Time 100 runs × 1,000 evaluations of each algorithm on the word-count table, and the hypervolume reached.",
        discussion: """
            The table (36,800 simulated configurations, or --table FILE) is built first and not timed; each \
            algorithm then runs --runs times on one thread, population 100. Target: NSGA-II, 100 runs \
            in under 1 s (Platypus takes about 0.2 s per run).

            Example: swift run -c release stepconf bench pareto
            """)

    @Option(help: ArgumentHelp("Objective values from this CSV (as stepconf pareto --export-table writes).", valueName: "file"))
    var table: String?

    @Option(help: "Runs per algorithm.")
    var runs: Int = 100

    @Option(help: "Evaluations per run.")
    var evaluations: Int = 1000

    @OptionGroup var random: SeedOption

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard runs >= 1, evaluations >= 1 else { throw ValidationError("--runs and --evaluations must be at least 1") }
    }

    struct Figure: Encodable {
        var algorithm: String
        var runs: Int
        var evaluations: Int
        var wallSeconds: Double
        var perRunMilliseconds: Double
        var medianHypervolume: Double
        var referenceHypervolume: Double

        enum CodingKeys: String, CodingKey {
            case algorithm, runs, evaluations
            case wallSeconds = "wall_s"
            case perRunMilliseconds = "per_run_ms"
            case medianHypervolume = "median_hypervolume"
            case referenceHypervolume = "reference_hypervolume"
        }
    }

    func run() throws {
        let source = try wordCountTable(file: table, seed: random.seed)
        let indicators = Indicators(reference: ParetoFront.nonDominated(source.values))
        var figures: [Figure] = []
        let clock = ContinuousClock()
        for algorithm in MOGA.allCases {
            var volumes: [Double] = []
            let started = clock.now
            for r in 0..<runs {
                let result = algorithm.run(source, evaluations: evaluations, seed: random.seed &+ UInt64(r) &* 0x9E37_79B9)
                volumes.append(indicators.hypervolume(result.front.map(\.objectives)))
            }
            let seconds = (clock.now - started).seconds
            volumes.sort()
            figures.append(Figure(
                algorithm: algorithm.rawValue, runs: runs, evaluations: evaluations, wallSeconds: seconds,
                perRunMilliseconds: seconds / Double(runs) * 1000, medianHypervolume: volumes[volumes.count / 2],
                referenceHypervolume: indicators.referenceHypervolume))
        }
        if json { try printJSON(figures); return }
        var out = TextTable(["algorithm", "runs", "evaluations", "wall_s", "per_run_ms", "median_hv", "hv_of_reference"])
        for f in figures {
            out.add([f.algorithm, "\(f.runs)", "\(f.evaluations)", fixed(f.wallSeconds, 3), fixed(f.perRunMilliseconds, 2),
                     fixed(f.medianHypervolume, 4), fixed(f.medianHypervolume / f.referenceHypervolume * 100, 1) + " %"])
        }
        print(out.render())
    }
}
