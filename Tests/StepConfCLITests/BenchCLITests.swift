import Foundation
import StepConfCore
import Testing

/// The benchmarks and the policy refusals as a user meets them: the figures each bench prints (not their values,
/// which are the benchmark's business) and the message that names why a policy cannot run.
@Suite(.serialized) struct BenchCLITests {
    let cli = CLITests()

    struct Figure: Decodable {
        var name: String
        var iterations: Int
        var median_us: Double
        var p99_us: Double
        var detail: String
    }

    func figures(_ arguments: [String]) throws -> [Figure] {
        let r = try cli.run(arguments)
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONDecoder().decode([Figure].self, from: Data(r.stdout.utf8))
    }

    @Test func theOptimizerBenchTimesEveryDecisionAndSolve() throws {
        let figures = try figures(["bench", "optimizer", "--workflow", "synthetic16", "--iterations", "10", "--json"])
        #expect(figures.map(\.name) == [
            "stepconf decision", "stepconf decision with its decisions ahead", "stepconf decision, predicted-fastest q",
            "stepconf-exact decision", "stepconf-exact re-solve", "optimal, one exact solve", "optimal plan (warm-pattern search)",
            "options build (once per model load)",
        ])
        #expect(figures.allSatisfy { $0.iterations > 0 && $0.median_us >= 0 && $0.p99_us >= $0.median_us })
        #expect(figures[0].iterations == 10 && figures[3].iterations == 5, "stepconf-exact runs a tenth as often, at least 5")
        #expect(figures[4].iterations == 5)
    }

    @Test func theTablePrintsTheSameFigures() throws {
        let r = try cli.run(["bench", "optimizer", "--workflow", "video", "--iterations", "5"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Optimizer benchmark · `video`"))
        for column in ["operation", "runs", "median_us", "p99_us", "detail", "stepconf-exact decision"] {
            #expect(r.stdout.contains(column), "\(column)")
        }
    }

    @Test func theEmulatorBenchReportsColdWarmLoadAndTheBinary() throws {
        let figures = try figures(["bench", "emulator", "--cold", "2", "--warm", "30", "--load", "40", "--concurrency", "4", "--json"])
        #expect(figures.map(\.name) == [
            "cold start (spawn → first /next)", "server alone (404 answer)", "warm no-op invoke (Invoke API)",
            "40 invokes at concurrency 4", "configurator handler (in-memory cache)", "bootstrap binary",
        ])
        #expect(figures[0].iterations == 2 && figures[2].iterations == 30)
        #expect(figures[3].detail.hasPrefix("0 errors"), "\(figures[3].detail)")
    }

    @Test func invokeExplainsTheExecutionInputByItsWireNames() throws {
        let r = try cli.run(["invoke", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains(#"{"slo_s": S, "slo_percentile": P, "input": {"keys": […]}}"#), "\(r.stdout)")
    }

    @Test func runNamesEveryPolicyItTakesInItsHelp() throws {
        let r = try cli.run(["run", "--help"])
        #expect(r.status == 0)
        for policy in PolicyName.allCases { #expect(r.stdout.contains(policy.rawValue), "\(policy.rawValue)") }
    }
}

/// Every bench refuses an option outside its range with a usage error, never a trap.
@Suite(.serialized) struct BenchOptionTests {
    let cli = CLITests()

    @Test(arguments: [
        ["bench", "emulator", "--cold", "-1"], ["bench", "emulator", "--warm", "-5"], ["bench", "emulator", "--warm", "0"],
        ["bench", "emulator", "--load", "-1"], ["bench", "emulator", "--concurrency", "0"], ["bench", "emulator", "--concurrency", "-2"],
        ["bench", "emulator", "--cold", "99999999999999999999"], ["bench", "optimizer", "--iterations", "0"],
        ["bench", "simulator", "--requests", "0"], ["bench", "worker", "--jobs", "1"], ["bench", "worker", "--repeats", "-1"],
    ])
    func anOptionOutsideItsRangeIsAUsageError(arguments: [String]) throws {
        let r = try cli.run(arguments)
        #expect(r.status == 2, "\(arguments): status \(r.status), \(r.stderr.prefix(300))")
        #expect(!r.stderr.contains("Fatal error"), "\(arguments)")
    }
}
