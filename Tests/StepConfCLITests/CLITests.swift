import Foundation
import StepConfTestSupport
import Testing

/// Runs the built `stepconf` binary as a user would and checks output and exit codes.
@Suite(.serialized) struct CLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("stepconf")
    }

    /// Runs the built binary, or with `executable` another one (e.g. `/usr/bin/env` for a name found on PATH), in
    /// `directory` (the package root by default); `environment` values override, an empty value unsets.
    func run(
        _ arguments: [String], environment: [String: String] = [:], executable: URL? = nil, directory: String? = nil
    ) throws -> Run {
        let r = try TestProcess.run(
            (executable ?? Self.binary).path, arguments, environment: environment, directory: directory ?? Self.root.path)
        return Run(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    func temporaryFile(_ text: String, name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func binaryIsBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary.path), "\(Self.binary.path)")
    }

    @Test func planJSONHasTheStableKeys() throws {
        let r = try run(["plan", "--workflow", "examples/synthetic16.json", "--slo", "12", "--policy", "stepconf", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        for key in ["policy", "slo_s", "feasible", "makespan_s", "cost_usd", "decision_us", "steps"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["policy"] as? String == "stepconf")
        #expect(object["slo_s"] as? Double == 12)
        let steps = object["steps"] as! [[String: Any]]
        #expect(steps.count == 16)
        for key in ["id", "memory_mb", "inter", "intra", "time_s", "cost_usd"] { #expect(steps[0][key] != nil, "missing \(key)") }
        // The default percentile SLO: P99, and the replayed plan's makespan there.
        #expect(object["percentile"] as? Double == 99)
        #expect((object["makespan_at_percentile_s"] as? Double ?? 0) >= (object["makespan_s"] as? Double ?? 1))
        #expect(object["feasible_at_percentile"] is Bool)
        let bad = try run(["plan", "--percentile", "100"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("100 %"))
    }

    @Test func defaultPlanRunsOnTheEmbeddedExample() throws {
        let r = try run(["plan"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("synthetic16"))
        #expect(r.stdout.contains("meets the SLO"))
    }

    @Test func allPoliciesCompareInOneTable() throws {
        let r = try run(["plan", "--workflow", "video", "--policy", "all", "--slo", "30"])
        #expect(r.status == 0, "\(r.stderr)")
        for name in ["stepconf", "static", "nono", "intra-only", "inter-only", "optimal", "stepconf-exact"] {
            #expect(r.stdout.contains(name))
        }
    }

    @Test func benchPoliciesComparesEveryPolicyWithTheBestDynamicPlan() throws {
        let r = try run(["bench", "policies", "--workflow", "video", "--factors", "1.5,3", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
        #expect(rows.count == 10)
        for row in rows {
            for key in ["factor", "slo_s", "policy", "met", "makespan_s", "cost_usd", "configurators_usd", "mismatches"] {
                #expect(row[key] != nil, "missing \(key)")
            }
            // What each policy decided on is what the replay charged.
            #expect(row["mismatches"] as? Int == 0, "\(row)")
        }
        let optimal = rows.filter { $0["policy"] as? String == "optimal" }
        #expect(optimal.count == 2 && optimal.allSatisfy { $0["met"] as? Bool == true && $0["vs_optimal"] as? Double == 1 })
        #expect(rows.contains { $0["policy"] as? String == "best-dynamic" })
        let bad = try run(["bench", "policies", "--factors", "1.5,x"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--factors"))
    }

    @Test func benchPoliciesWithRequestsJudgesStepConfExactOnSimulatedRequests() throws {
        let r = try run(["bench", "policies", "--requests", "4", "--workflow", "wordcount", "--factors", "1.1,1.2,2", "--seed", "3", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let all = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
        let targets = try #require(all.first)
        #expect(all.count == 1 && targets["workflow"] as? String == "wordcount" && targets["requests"] as? Int == 4)
        // The targets are stated from 1.2 × F up.
        let rows = try #require(targets["rows"] as? [[String: Any]])
        #expect(rows.compactMap { $0["slo_factor"] as? Double } == [1.2, 2])
        for row in rows {
            for key in ["attainment", "required_attainment", "fastest_attainment", "cost_usd", "cost_express_usd", "configurators_per_request"] {
                #expect(row[key] != nil, "missing \(key)")
            }
        }
        let text = try run(["bench", "policies", "--requests", "4", "--workflow", "wordcount", "--factors", "1.5"])
        #expect(text.status == 0 && text.stdout.contains("configurators per request") && text.stdout.contains("hindsight"), "\(text.stdout)")
        let noRequests = try run(["bench", "policies", "--workflow", "all"])
        #expect(noRequests.status == 2 && noRequests.stderr.contains("--requests"))
        let tooLoose = try run(["bench", "policies", "--requests", "2", "--workflow", "wordcount", "--factors", "1.1"])
        #expect(tooLoose.status != 0 && tooLoose.stderr.contains("1.2"))
    }

    @Test func runCalibratesOnFirstUseThenPlansWithThisMachineAndComparesPolicies() throws {
        // A two-step workflow: calibration runs in seconds.
        let workflow = #"{"name": "tiny", "steps": [{"id": "a", "kind": "synthetic", "jobs": 4, "params": {"difficulty": 1000}}, "#
            + #"{"id": "b", "kind": "synthetic", "jobs": 4, "depends_on": ["a"], "params": {"difficulty": 1000}}]}"#
        let file = try temporaryFile(workflow, name: "tiny.json")
        let cache = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("cache").path
        let dir = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("work").path
        func run(_ arguments: [String]) throws -> Run { try self.run(arguments, environment: ["STEPCONF_CACHE_DIR": cache]) }
        let first = try run(["run", "--workflow", file, "--dir", dir, "--work-scale", "0.002", "--compare", "static", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("calibrating once"))
        let report = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as! [String: Any]
        for key in ["met", "makespan_s", "slo_s", "steps", "comparison"] { #expect(report[key] != nil, "missing \(key)") }
        let comparison = try #require(report["comparison"] as? [[String: Any]])
        #expect(comparison.count == 1 && comparison[0]["policy"] as? String == "static")
        for key in ["policy", "makespan_s", "cost_usd", "met"] { #expect(comparison[0][key] != nil, "missing \(key)") }
        // The calibration is kept: the next run and `calibrate` find it.
        let again = try run(["calibrate", "--workflow", file, "--work-scale", "0.002"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("already calibrated"))
        let second = try run(["run", "--workflow", file, "--dir", dir, "--work-scale", "0.002", "--compare", "none", "--json"])
        #expect(second.status == 0 && !second.stderr.contains("calibrating once"), "\(second.stderr)")
        let plain = try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as! [String: Any]
        #expect(plain["comparison"] == nil)
    }

    @Test func configsJSONListsEveryConfiguration() throws {
        let r = try run(["configs", "--workflow", "examples/synthetic16.json", "--model", "examples/synthetic16.model.json",
                         "--step", "s01", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
        // Every configuration of the paper's 192 that s01 can run: 8 workers of 64 MB do not fit in 512 MB
        // beside the runtime's 48 MB (6 fan-outs).
        #expect(rows.count == 186)
        for key in ["memory_mb", "inter", "intra", "time_s", "cost_usd"] { #expect(rows[0][key] != nil) }
    }

    @Test(arguments: [
        ["plan", "--slo", "0"], ["plan", "--slo", "-3"], ["plan", "--slo", "soon"], ["plan", "--policy", "greedy"],
        ["plan", "--bogus"], ["configs"], ["plan", "--safety=-1"], ["run", "--work-scale=0"],
        ["profile", "--memory", "1024,x", "--out", "/tmp/never.csv"], ["profile", "--configs", "sample:0", "--out", "/tmp/never.csv"],
        ["evaluate", "--policies", "stepconf,greedy", "--out", "/tmp/never"], ["pareto", "--evaluations", "500:100:10"],
        ["pareto", "--algorithms", "nsga2,moead"], ["profile", "--backend", "aws", "--out", "/tmp/never.csv"],
        ["run", "--compare", "static,greedy"], ["plan", "--percentile", "0"],
    ])
    func usageErrorsExitTwo(arguments: [String]) throws {
        let r = try run(arguments)
        #expect(r.status == 2, "\(arguments): \(r.stderr)")
        #expect(!r.stderr.isEmpty)
    }

    @Test func aPolicyListPlansEachPolicyOnce() throws {
        let r = try run(["plan", "--policy", "Static,nono", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let plans = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(plans.map { $0["policy"] as? String } == ["static", "nono"])
    }

    @Test func unknownPolicyListsTheKnownOnes() throws {
        let r = try run(["plan", "--policy", "greedy"])
        #expect(r.stderr.contains("stepconf-exact") && r.stderr.contains("nono"))
    }

    @Test func invalidWorkflowExitsOneNamingTheFileAndTheSteps() throws {
        let path = try temporaryFile(
            #"{"name":"w","steps":[{"id":"a","kind":"k","jobs":1,"depends_on":["b"]},{"id":"b","kind":"k","jobs":1,"depends_on":["a"]}]}"#,
            name: "cyclic.json")
        let r = try run(["plan", "--workflow", path, "--model", "examples/synthetic16.model.json", "--slo", "5"])
        #expect(r.status == 1)
        #expect(r.stderr.contains(path) && r.stderr.contains("cycle") && r.stderr.contains("`a`"))
        #expect(!r.stderr.contains("Fatal error"))
    }

    @Test func modelMissingAStepExitsOne() throws {
        let path = try temporaryFile(#"{"workflow":"synthetic16","steps":{}}"#, name: "empty.model.json")
        let r = try run(["plan", "--workflow", "examples/synthetic16.json", "--model", path, "--slo", "5"])
        #expect(r.status == 1)
        #expect(r.stderr.contains(path) && r.stderr.contains("no model for step"))
    }

    @Test func gridOutsideLambdasRangeExitsOne() throws {
        let path = try temporaryFile(#"{"grid":{"memory_mb":[64,1024],"inter":[1],"intra":[1]}}"#, name: "platform.json")
        let r = try run(["plan", "--platform", path, "--slo", "5"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("grid.memory_mb[0]") && r.stderr.contains(path))
    }

    @Test func unknownStepExitsOneListingTheSteps() throws {
        let r = try run(["configs", "--step", "s99"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("s99") && r.stderr.contains("s01"))
    }

    /// Every module's coded error reaches the user the same way: `error: …` on stderr, exit 1, no trace.
    @Test(arguments: [
        (["emulator", "--functions", "/nonexistent/functions.json"], "cannot read the functions file"),
        (["cache", "show", "--db", "/nonexistent/dir/cache.sqlite", "--execution", "e"], "cannot open the cache database"),
        (["check-bundle", "/nonexistent/bootstrap"], "no such file or directory"),
    ])
    func aCodedErrorFromAnyModuleExitsOneWithItsMessage(arguments: [String], message: String) throws {
        let r = try run(arguments)
        #expect(r.status == 1, "\(arguments): \(r.stderr)")
        #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains(message), "\(arguments): \(r.stderr)")
    }

    @Test func helpExitsZero() throws {
        let r = try run(["plan", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("--slo"))
    }

    @Test func profileThenFitThenPlanWithTheFittedModel() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-fit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let csv = dir.appendingPathComponent("video.csv").path
        let model = dir.appendingPathComponent("video.model.json").path
        let profiled = try run(["profile", "--workflow", "examples/video.json", "--backend", "sim", "--repeats", "1", "--out", csv])
        #expect(profiled.status == 0, "\(profiled.stderr)")
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        #expect(text.hasPrefix("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold,instance_s\n"))
        let check = dir.appendingPathComponent("check.csv").path
        let second = try run([
            "profile", "--workflow", "video", "--configs", "sample:12", "--repeats", "3", "--seed", "2", "--out", check,
        ])
        #expect(second.status == 0, "\(second.stderr)")
        let fitted = try run([
            "fit", "--samples", csv, "--holdout", "0.3", "--validate", check, "--check", "video", "--check-repeats", "3",
            "--workflow", "video", "--out", model, "--json",
        ])
        #expect(fitted.status == 0, "\(fitted.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(fitted.stdout.utf8)) as! [String: Any]
        let steps = report["steps"] as! [[String: Any]]
        #expect(steps.count == 5)
        #expect(steps.allSatisfy { $0["holdout"] != nil && $0["samples"] != nil })
        let holdout = steps[0]["holdout"] as! [String: Any]
        #expect(holdout["max_rel_error"] is Double && holdout["mean_rel_error"] is Double)
        #expect((report["validation"] as! [[String: Any]]).count == 5)
        let decisions = report["decisions"] as! [[String: Any]]
        #expect(decisions.count == 8)  // optimal and static at four SLOs
        #expect(decisions.allSatisfy { ($0["picks"] as! Int) == 5 && ($0["time"] as! [String: Any])["max_rel_error"] != nil })
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: model))) as! [String: Any]
        let encode = (written["steps"] as! [String: Any])["encode"] as! [String: Any]
        #expect(encode["format"] as? Int == 2)
        #expect((encode["noise"] as! [String: Any])["step_quantiles"] != nil)
        let planned = try run(["plan", "--workflow", "examples/video.json", "--model", model, "--slo", "10", "--json"])
        #expect(planned.status == 0, "\(planned.stderr)")
    }

    @Test func fitLeavesOutRowsTheWorkflowCannotRunAndRefusesAStepLeftWithNone() throws {
        // s09 needs 48 + q × 256 MB: at 512 MB not even one worker of a second fits, so q = 2 is memory pressure.
        var text = "step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold\n"
        for p in [1, 2, 4] { text += "s09,512,\(p),2,48,0.05,\(8.0 / Double(p)),\(8.1 / Double(p)),false\n" }
        let path = try temporaryFile(text, name: "pressured.csv")
        let out = path + ".model.json"
        let r = try run(["fit", "--samples", path, "--workflow", "synthetic16", "--out", out])
        #expect(r.status == 1)
        #expect(r.stderr.contains("every profiled configuration of step `s09` is one it cannot run"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func fitOnACSVWithAMissingColumnExitsOne() throws {
        let path = try temporaryFile("step,memory_mb,inter,intra,jobs,compute_s,total_s,cold\n", name: "bad.csv")
        let out = path + ".model.json"
        let r = try run(["fit", "--samples", path, "--out", out])
        #expect(r.status == 1)
        #expect(r.stderr.contains("mapping_delay_s") && r.stderr.contains(path))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test(arguments: [
        ["fit", "--samples", "x.csv", "--out", "m.json", "--holdout", "1.5"],
        ["fit", "--samples", "x.csv", "--out", "m.json", "--check-repeats", "0"],
        ["profile", "--configs", "spread:1", "--out", "x.csv"],
        ["profile", "--backend", "aws", "--out", "x.csv"],
        ["profile", "--configs", "sample:0", "--out", "x.csv"],
        ["profile", "--repeats", "0", "--out", "x.csv"],
        ["profile", "--backend", "local", "--memory", "512,lots", "--out", "x.csv"],
        ["profile", "--backend", "local", "--work-scale", "0", "--out", "x.csv"],
        ["generate", "pictures", "--out", "x"],
        ["generate", "video", "--width", "33", "--out", "x"],
    ])
    func profileAndFitUsageErrorsExitTwo(arguments: [String]) throws {
        let r = try run(arguments)
        #expect(r.status == 2, "\(arguments): \(r.stderr)")
    }

    @Test func generateWritesTheCorpusAndAVideoWithItsTruth() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-gen-\(UUID().uuidString)").path
        let words = try run(["generate", "wordcount", "--files", "3", "--words", "10", "--out", dir + "/words"])
        #expect(words.status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/words").sorted()
        #expect(files == ["text-000.txt", "text-001.txt", "text-002.txt"])
        let text = try String(contentsOfFile: dir + "/words/text-001.txt", encoding: .utf8)
        #expect(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).count == 10)
        let video = try run(["generate", "video", "--width", "64", "--height", "48", "--frames", "4", "--out", dir + "/video"])
        #expect(video.status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/video/video.y4m"))
        #expect(String(decoding: bytes.prefix(19), as: UTF8.self) == "YUV4MPEG2 W64 H48 F")
        #expect(bytes.count == 64 * 48 * 3 / 2 * 4 + 4 * 6 + 41)
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/video/truth.json"))) as? [[Any]]
        #expect(truth?.count == 4)
    }

    @Test func evaluateWritesResultsAndReportAndRefusesANonEmptyDirectory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-eval-\(UUID().uuidString)").path
        let args = ["evaluate", "--workflow", "video", "--requests", "5", "--slos", "5,10", "--policies", "stepconf,nono,optimal", "--out", dir]
        let first = try run(args + ["--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let results = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as! [String: Any]
        let summary = results["summary"] as! [String: [String: Any]]
        for key in ["slo_attainment", "mean_cost_usd", "p95_s", "cost_vs_optimal"] {
            #expect(summary["stepconf"]?[key] != nil, "missing \(key)")
        }
        // Three policies, the all-fastest ceiling and the hindsight optimum at two SLOs.
        let rows = results["rows"] as! [[String: Any]]
        #expect(rows.count == 10)
        // Every plan's predicted attainment sits beside what was measured (hindsight has no plan).
        for row in rows where row["policy"] as? String != "hindsight" {
            let predicted = row["predicted_attainment"] as? Double
            #expect(predicted.map { (0...1).contains($0) } == true, "\(row)")
        }
        #expect(rows.contains { $0["policy"] as? String == "fastest" })
        #expect((results["rows"] as! [[String: Any]]).contains { $0["policy"] as? String == "hindsight" && $0["cost_vs_hindsight"] as? Double == 1 })
        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("</html>"))
        #expect(FileManager.default.fileExists(atPath: dir + "/results.json"))
        let again = try run(args)
        #expect(again.status == 2)
        #expect(again.stderr.contains("--force"))
        let forced = try run(args + ["--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (dir as NSString).deletingLastPathComponent)
            .filter { $0.contains((dir as NSString).lastPathComponent) && $0.contains("partial") }
        #expect(leftovers.isEmpty)
    }

    @Test(arguments: [
        ["evaluate", "--slos", "5,fast", "--out", "/tmp/never-written"],
        ["evaluate", "--slos", "5,0", "--out", "/tmp/never-written"],
        ["evaluate", "--requests", "0", "--out", "/tmp/never-written"],
        ["evaluate", "--policies", "stepconf,greedy", "--out", "/tmp/never-written"],
    ])
    func evaluateUsageErrorsExitTwo(arguments: [String]) throws {
        let r = try run(arguments)
        #expect(r.status == 2, "\(arguments): \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written/results.json"))
    }

    @Test func evaluateWithAModelMissingAStepExitsOne() throws {
        let model = try temporaryFile(#"{"workflow":"video","steps":{}}"#, name: "video.model.json")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-eval-\(UUID().uuidString)").path
        let r = try run(["evaluate", "--workflow", "examples/video.json", "--model", model, "--requests", "2", "--out", dir])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no model for step"))
        #expect(!FileManager.default.fileExists(atPath: dir))
    }
}
