import ArgumentParser
import Foundation
import StepConfCore
import StepConfStorage

/// `stepconf fit --json` output.
struct FitOutput: Encodable {
    var model: String
    var holdout: Double
    var steps: [Estimator.StepReport]
}

struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit each step's Eq. (1) and mapping delay to a profile CSV and write a model file.",
        discussion: """
            Per step: the best intra parallelism per memory size (the paper's Q) is read off the profile; Eq. (1) \
            is fitted by Levenberg–Marquardt as case 2 throughout and as case 2 below m_s with case 1 above, and \
            the better is kept; t_map(p) is fitted to the rest of the step time. A fit that does not converge \
            falls back to case 2 with beta2 = 0 (linear least squares) and is flagged in the model file.

            --holdout F fits on (1 − F) of each step's configurations first and reports the relative error of \
            the predicted step time on the held-out F; the model written is then refitted on everything.

            Example: stepconf fit --samples synthetic16.csv --holdout 0.3 --out synthetic16.model.json
            """)

    @Option(help: ArgumentHelp("Profile CSV (see README: profile CSV).", valueName: "file"))
    var samples: String

    @Option(help: ArgumentHelp("Model file to write.", valueName: "file"))
    var out: String

    @Option(help: ArgumentHelp("Fraction of configurations to hold out (0 ≤ F < 1).", valueName: "F"))
    var holdout: Double = 0

    @OptionGroup var random: SeedOption

    @Option(help: ArgumentHelp("Workflow name recorded in the model (default: the CSV's file name).", valueName: "name"))
    var name: String?

    @OptionGroup var platform: PlatformOption

    @OptionGroup var output: OutputFormat

    func validate() throws {
        guard holdout.isFinite, holdout >= 0, holdout < 1 else {
            throw ValidationError("--holdout must be a fraction in [0, 1), got \(holdout)")
        }
    }

    func run() throws {
        let rows = try ProfileCSV.load(from: samples)
        let platformValue = try platform.load()
        let workflowName = name ?? URL(fileURLWithPath: samples).deletingPathExtension().lastPathComponent
        let estimator = Estimator(options: .init(
            holdoutFraction: holdout, seed: random.seed, singleCoreMemoryMB: platformValue.singleCoreMemoryMB))
        let (model, reports) = try estimator.fit(rows, workflowName: workflowName)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(model) + Data("\n".utf8), to: out)
        if output.json {
            try printJSON(FitOutput(model: out, holdout: holdout, steps: reports))
            return
        }
        var table = TextTable(
            ["step", "case", "samples", "per_m", "fit_mean", "fit_max", "ho_t̂_mean", "ho_t̂_max", "ho_step_mean",
             "ho_step_max", "Q(m) by memory"],
            leftAligned: [0, 1, 10])
        for r in reports {
            let q = (r.model.bestIntra ?? [:]).sorted { Int($0.key)! < Int($1.key)! }.map { "\($0.value)" }.joined(separator: " ")
            table.add([
                r.step, (r.model.case1 == nil ? "2" : "2|1") + (r.converged ? "" : " fallback"), "\(r.samples)",
                fixed(r.samplesPerMemorySize, 1), percent(r.fitted.mean), percent(r.fitted.max),
                r.holdoutCompute.map { percent($0.mean) } ?? "-", r.holdoutCompute.map { percent($0.max) } ?? "-",
                r.holdout.map { percent($0.mean) } ?? "-", r.holdout.map { percent($0.max) } ?? "-", q,
            ])
        }
        print(table.render())
        print("case 2|1: case 2 below m_s = \(fixed(platformValue.singleCoreMemoryMB, 0)) MB, case 1 at and above. "
            + "fit_*: step time on the fitted configurations; ho_t̂_*: Eq. (1) compute time, ho_step_*: step time "
            + "t_map(p) + t̂, on held-out configurations (relative errors)")
        for r in reports {
            let m = r.model
            var line = "  \(r.step): case2 α2=\(sci(m.case2.alpha2)) β2=\(sci(m.case2.beta2)) φ2=\(sci(m.case2.phi2))"
            if let c = m.case1 {
                line += " · case1 α1=\(sci(c.alpha1)) β1=\(sci(c.beta1)) α2=\(sci(c.alpha2)) φ1=\(sci(c.phi1))"
            }
            line += " · t_map base=\(sci(m.mapping.baseSeconds)) per=\(sci(m.mapping.perInstanceSeconds))"
            print(line)
            for flag in m.flags where flag.hasPrefix("fallback") { print("    warning: \(flag)") }
        }
        for (label, stats) in [("t̂", reports.map(\.holdoutCompute)), ("step time", reports.map(\.holdout))] {
            let known = zip(reports.map(\.step), stats).compactMap { id, s in s.map { (id, $0) } }
            guard let worst = known.max(by: { $0.1.max < $1.1.max }) else { continue }
            let mean = known.map(\.1.mean).reduce(0, +) / Double(known.count)
            let worstMean = known.map(\.1.mean).max() ?? 0
            print("hold-out \(fixed(holdout * 100, 0)) %, \(label): mean error \(percent(mean)) (worst step mean "
                + "\(percent(worstMean))), max \(percent(worst.1.max)) (step `\(worst.0)`)")
        }
        let capped = reports.compactMap(\.capped)
        if !capped.isEmpty {
            let count = capped.map(\.configurations).reduce(0, +)
            print("\(count) configuration(s) ran fewer than Q(m) workers (too few jobs per instance): outside the fit, "
                + "mean error \(percent(capped.map(\.mean).reduce(0, +) / Double(capped.count)))")
        }
        print("wrote \(out)")
    }

    private func percent(_ x: Double) -> String { fixed(x * 100, 2) + " %" }
    private func sci(_ x: Double) -> String { String(format: "%.4g", x) }
}
