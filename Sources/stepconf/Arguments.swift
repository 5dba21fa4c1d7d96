import ArgumentParser
import StepConfCore
import StepConfPareto

// Option values are parsed once, by ArgumentParser, into the types the commands use: a bad value is a usage
// error (exit 2) naming the option and what it takes, and `run()` never parses or unwraps a string again.

extension PolicyName: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension ProfilePlan: ExpressibleByArgument {
    public init?(argument: String) {
        guard let plan = try? ProfilePlan.parse(argument) else { return nil }
        self = plan
    }
}

/// `--slo`: a positive number of seconds, or `auto` (``Policies/autoSLOSeconds(graph:model:platform:safety:)``).
enum SLOArgument: ExpressibleByArgument, CustomStringConvertible {
    case auto
    case seconds(Double)

    init?(argument: String) {
        if argument == "auto" {
            self = .auto
        } else if let value = Double(argument), value.isFinite, value > 0, value <= InputBounds.maxSeconds {
            self = .seconds(value)
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .auto: "auto"
        case .seconds(let value): "\(value)"
        }
    }

    var defaultValueDescription: String { description }

    var isAuto: Bool {
        if case .auto = self { true } else { false }
    }

    /// The SLO in seconds for `graph` under `model` on `platform`.
    /// The SLO in seconds; `auto` is ``Policies/autoSLOSeconds(graph:model:platform:safety:)``.
    func seconds(graph: WorkflowGraph, model: PerformanceModel, platform: Platform, safety: Double) throws -> Double {
        switch self {
        case .seconds(let value): return value
        case .auto: return try Policies.autoSLOSeconds(graph: graph, model: model, platform: platform, safety: safety)
        }
    }
}

/// `--slos`: comma-separated positive seconds, or `auto` (nil: the evaluation's own factors of the fastest makespan).
struct SLOList: ExpressibleByArgument {
    let seconds: [Double]?

    static let auto = SLOList(seconds: nil)

    init(seconds: [Double]?) { self.seconds = seconds }

    init?(argument: String) {
        if argument == "auto" {
            seconds = nil
            return
        }
        let values = argument.split(separator: ",", omittingEmptySubsequences: false).map {
            Double($0.trimmingCharacters(in: .whitespaces))
        }
        guard !values.isEmpty, values.allSatisfy({ $0.map { $0.isFinite && $0 > 0 } ?? false }) else { return nil }
        seconds = values.compactMap { $0 }
    }

    var defaultValueDescription: String { seconds.map { $0.map { "\($0)" }.joined(separator: ",") } ?? "auto" }
}

/// `--policy X|all` or `--policies a,b|all`: one or more policy names.
struct PolicySelection: ExpressibleByArgument {
    let names: [PolicyName]

    static let all = PolicySelection(PolicyName.allCases)

    init(_ names: [PolicyName]) { self.names = names }

    init?(argument: String) {
        if argument.lowercased() == "all" {
            names = PolicyName.allCases
            return
        }
        let parsed = argument.split(separator: ",").map { PolicyName(argument: $0.trimmingCharacters(in: .whitespaces)) }
        guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) else { return nil }
        names = parsed.compactMap { $0 }
    }

    static var allValueStrings: [String] { ["all"] + PolicyName.allValueStrings }
    var defaultValueDescription: String {
        names == PolicyName.allCases ? "all" : names.map(\.rawValue).joined(separator: ",")
    }
}

/// A comma-separated list of positive whole numbers (`--memory 1024,2048`), sorted.
struct PositiveIntegers: ExpressibleByArgument {
    let values: [Int]

    init?(argument: String) {
        let parsed = argument.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parsed.isEmpty, parsed.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        values = parsed.compactMap { $0 }.sorted()
    }
}

/// `--seed`, for every command that draws random numbers.
struct SeedOption: ParsableArguments {
    @Option(help: "Random seed (same seed, same results).")
    var seed: UInt64 = 1
}

/// `--percentile P` (the SLO's percentile) and `--safety K` (a fixed margin, subsumed by the percentile), for
/// every command that plans.
struct SafetyOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The SLO's percentile: a plan must end within the SLO with this probability (in %, 0 < P < 100) under the "
            + "model's noise. Dynamic policies shrink their margin as steps finish; static ones cover the whole "
            + "workflow once; optimal ignores it.",
        valueName: "P"))
    var percentile: Double = ChanceConstraint.defaultPercentile

    @Option(help: ArgumentHelp(
        "Fixed planning margin on top (default 0; the percentile subsumes it): each step planned at "
            + "t·(1 + K·spread), spread its measured 95th-percentile spread.",
        valueName: "K"))
    var safety: Double = Policies.defaultSafety

    func validate() throws {
        guard safety.isFinite, safety >= 0, safety <= 100 else { throw ValidationError("--safety must be a number in 0…100, got \(safety)") }
        do {
            _ = try ChanceConstraint(percentile: percentile)
        } catch let error as InputError {
            throw ValidationError("--percentile: \(error.message)")
        }
    }
}

/// `--work-scale`, for every command that runs the synthetic ALU on this machine.
struct WorkScaleOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Scale of the synthetic ALU's work (\(FunctionEnvironment.Variable.workScale.name)); 1 = the workflow's full size.",
        valueName: "x"))
    var workScale: Double = 0.02

    func validate() throws {
        guard workScale.isFinite, workScale > 0 else {
            throw ValidationError("--work-scale must be a positive number, got \(workScale)")
        }
    }
}

/// `--algorithms nsga2,nsga3,spea2`.
struct AlgorithmList: ExpressibleByArgument {
    let values: [MOGA]

    init(_ values: [MOGA]) { self.values = values }

    init?(argument: String) {
        let parsed = argument.split(separator: ",").map { MOGA(rawValue: $0.trimmingCharacters(in: .whitespaces).lowercased()) }
        guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) else { return nil }
        values = parsed.compactMap { $0 }
    }

    static var allValueStrings: [String] { MOGA.allCases.map(\.rawValue) }
    var defaultValueDescription: String { values.map(\.rawValue).joined(separator: ",") }
}

/// `--evaluations`: `FROM:TO:STEP` (0 < FROM ≤ TO, STEP > 0) or positive whole numbers separated by commas.
struct Budgets: ExpressibleByArgument {
    let values: [Int]

    init(_ values: [Int]) { self.values = values }

    init?(argument: String) {
        if argument.contains(":") {
            let parts = argument.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard parts.count == 3, let from = parts[0], let to = parts[1], let step = parts[2], from > 0, to >= from, step > 0
            else { return nil }
            values = Array(stride(from: from, through: to, by: step))
        } else {
            guard let list = PositiveIntegers(argument: argument) else { return nil }
            values = list.values
        }
    }

    var defaultValueDescription: String {
        values.count > 2 ? "\(values[0]):\(values[values.count - 1]):\(values[1] - values[0])" : values.map(String.init).joined(separator: ",")
    }
}

/// `--json`, for commands that print a table for people or JSON for machines.
struct OutputFormat: ParsableArguments {
    @Flag(help: "Print JSON instead of a table.")
    var json = false
}

/// `--platform FILE`: prices, memory→vCPU tiers and the grid (default: AWS us-east-1 and the paper's grid).
struct PlatformOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Platform file (JSON) overriding prices, memory→vCPU tiers and the grid. Default: AWS us-east-1 and "
                + "the paper's grid.", valueName: "file"))
    var platform: String?

    /// The platform the file describes, validated, or the defaults.
    func load() throws -> Platform { try platform.map { try Platform.load(from: $0) } ?? Platform.aws }
}
