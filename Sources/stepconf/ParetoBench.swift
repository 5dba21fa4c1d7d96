import ArgumentParser
import Foundation
import StepConfCore
import StepConfLocal
import StepConfPareto
import StepConfSimulator
import StepConfStorage

struct ParetoBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pareto",
        abstract: "Time 100 runs × 1,000 evaluations of each algorithm on the word-count table, and the hypervolume reached.",
        discussion: """
            The table (36,800 simulated configurations, or --table FILE) is built first and not timed; each \
            algorithm then runs --runs times on one thread, population 100.

            Against Platypus (the library the multi-objective study ran), when the `python3` on PATH imports \
            it: the same table, algorithms and budget, --platypus-runs runs each, timed in the same process \
            run; the table gains Platypus's time per run, its median hypervolume, and the speed-up at that \
            hypervolume ratio. Target: every algorithm ≥ 100× Platypus per run at equal hypervolume. \
            `scripts/python-tools.sh bench` installs the pinned Platypus and prints the bin/ to put first on PATH.

            Example: PATH="$(scripts/python-tools.sh bench):$PATH" swift run -c release stepconf bench pareto
            """)

    @Option(help: ArgumentHelp("Objective values from this CSV (as stepconf pareto --export-table writes).", valueName: "file"))
    var table: String?

    @Option(help: "Runs per algorithm.")
    var runs: Int = 100

    @Option(help: "Evaluations per run.")
    var evaluations: Int = 1000

    @OptionGroup var random: SeedOption

    @Option(help: "Runs of each Platypus algorithm (0: do not run Platypus).")
    var platypusRuns: Int = 10

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard (1...100_000).contains(runs), (1...10_000_000).contains(evaluations) else {
            throw ValidationError("--runs must lie in 1…100000 and --evaluations in 1…10000000")
        }
        guard (0...1_000).contains(platypusRuns) else { throw ValidationError("--platypus-runs must lie in 0…1000") }
    }

    struct Figure: Encodable {
        var algorithm: String
        var runs: Int
        var evaluations: Int
        var wallSeconds: Double
        var perRunMilliseconds: Double
        var medianHypervolume: Double
        var referenceHypervolume: Double
        /// Platypus's median time per run and median hypervolume, when it ran.
        var platypusPerRunMilliseconds: Double?
        var platypusMedianHypervolume: Double?

        /// How many times faster per run than Platypus.
        var speedup: Double? { platypusPerRunMilliseconds.map { $0 / perRunMilliseconds } }
        /// Our median hypervolume over Platypus's.
        var hypervolumeRatio: Double? { platypusMedianHypervolume.map { medianHypervolume / $0 } }

        enum CodingKeys: String, CodingKey {
            case algorithm, runs, evaluations, speedup
            case wallSeconds = "wall_s"
            case perRunMilliseconds = "per_run_ms"
            case medianHypervolume = "median_hypervolume"
            case referenceHypervolume = "reference_hypervolume"
            case platypusPerRunMilliseconds = "platypus_per_run_ms"
            case platypusMedianHypervolume = "platypus_median_hypervolume"
            case hypervolumeRatio = "hypervolume_ratio"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(algorithm, forKey: .algorithm)
            try c.encode(runs, forKey: .runs)
            try c.encode(evaluations, forKey: .evaluations)
            try c.encode(wallSeconds, forKey: .wallSeconds)
            try c.encode(perRunMilliseconds, forKey: .perRunMilliseconds)
            try c.encode(medianHypervolume, forKey: .medianHypervolume)
            try c.encode(referenceHypervolume, forKey: .referenceHypervolume)
            try c.encodeIfPresent(platypusPerRunMilliseconds, forKey: .platypusPerRunMilliseconds)
            try c.encodeIfPresent(platypusMedianHypervolume, forKey: .platypusMedianHypervolume)
            try c.encodeIfPresent(speedup, forKey: .speedup)
            try c.encodeIfPresent(hypervolumeRatio, forKey: .hypervolumeRatio)
        }
    }

    /// Platypus's runs, by algorithm: the seconds of each and the objectives of its result.
    struct PlatypusRuns: Decodable {
        var seconds: [Double]
        var fronts: [[[Double]]]
    }

    /// Runs Platypus on `table` with the `python3` on PATH; nil (and why, on standard error) when it cannot.
    func platypus(_ table: ConfigurationTable) -> [String: PlatypusRuns]? {
        guard platypusRuns > 0 else { return nil }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-platypus-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            try AtomicFile.write(Data(table.csv().utf8), to: directory + "/table.csv")
            let script = try PythonScripts.install(.platypusBench, in: directory)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3"] + script + [
                directory + "/table.csv", "\(platypusRuns)", "\(evaluations)", "\(random.seed % 1_000_000)", directory + "/out.json",
            ]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let message = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                let text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                let why = "bench pareto: no Platypus figures: \(text.suffix(300)) "
                    + "(scripts/python-tools.sh bench installs it: put the bin/ it prints first on PATH)\n"
                FileHandle.standardError.write(Data(why.utf8))
                return nil
            }
            return try JSONDecoder().decode([String: PlatypusRuns].self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/out.json")))
        } catch {
            FileHandle.standardError.write(Data("bench pareto: no Platypus figures: \(error)\n".utf8))
            return nil
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
        if let platypus = platypus(source) {
            for k in figures.indices {
                guard let runs = platypus[figures[k].algorithm], !runs.seconds.isEmpty else { continue }
                let seconds = runs.seconds.sorted()
                let volumes = runs.fronts.map { front in
                    indicators.hypervolume(front.compactMap { $0.count == 2 ? ObjectivePoint($0[0], $0[1]) : nil })
                }.sorted()
                figures[k].platypusPerRunMilliseconds = seconds[seconds.count / 2] * 1000
                figures[k].platypusMedianHypervolume = volumes[volumes.count / 2]
            }
        }
        if json { try printJSON(figures); return }
        var out = TextTable([
            "algorithm", "runs", "evaluations", "wall_s", "per_run_ms", "median_hv", "hv_of_reference", "platypus_ms", "speedup",
            "hv_vs_platypus",
        ])
        for f in figures {
            out.add([
                f.algorithm, "\(f.runs)", "\(f.evaluations)", fixed(f.wallSeconds, 3), fixed(f.perRunMilliseconds, 2),
                fixed(f.medianHypervolume, 4), fixed(f.medianHypervolume / f.referenceHypervolume * 100, 1) + " %",
                f.platypusPerRunMilliseconds.map { fixed($0, 1) } ?? "-", f.speedup.map { fixed($0, 0) + "×" } ?? "-",
                f.hypervolumeRatio.map { fixed($0, 3) + "×" } ?? "-",
            ])
        }
        print(out.render())
    }
}
