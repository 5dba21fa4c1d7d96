import Foundation
import Testing

/// The deploy-side verbs as a user runs them: asl, template, check-bundle, run, invoke, local.
extension CLITests {
    @Test func aslPrintsAStateMachineAndRefusesAnUnknownWorkflow() throws {
        let asl = try run(["asl", "--workflow", "video"])
        #expect(asl.status == 0)
        let parsed = try JSONSerialization.jsonObject(with: Data(asl.stdout.utf8)) as? [String: Any]
        #expect((parsed?["States"] as? [String: Any])?["Configure extract"] != nil)
        let missing = try run(["asl", "--workflow", "nope.json"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope.json"))
    }

    @Test func aslWritesItsFileAndReportsAddedWaitsForANonSeriesParallelDAG() throws {
        let workflow = """
            {"name": "n", "steps": [
              {"id": "s", "kind": "synthetic", "jobs": 2},
              {"id": "a", "kind": "synthetic", "jobs": 2, "depends_on": ["s"]},
              {"id": "b", "kind": "synthetic", "jobs": 2, "depends_on": ["s"]},
              {"id": "c", "kind": "synthetic", "jobs": 2, "depends_on": ["a"]},
              {"id": "d", "kind": "synthetic", "jobs": 2, "depends_on": ["a", "b"]},
              {"id": "t", "kind": "synthetic", "jobs": 2, "depends_on": ["c", "d"]}]}
            """
        let path = try temporaryFile(workflow, name: "n.json")
        let out = path + ".asl.json"
        // Without a model the state machine cannot carry each step's fastest configuration: the error says so.
        let noModel = try run(["asl", "--workflow", path, "--out", out])
        #expect(noModel.status == 1 && noModel.stderr.contains("--model"), "\(noModel.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        // With one (each step shaped like synthetic16's s01).
        let base = try JSONSerialization.jsonObject(with: Data(try String(contentsOfFile: Self.root.path + "/examples/synthetic16.model.json", encoding: .utf8).utf8)) as? [String: Any]
        let s01 = try #require((base?["steps"] as? [String: Any])?["s01"])
        var model = base ?? [:]
        model["workflow"] = "n"
        model["steps"] = Dictionary(uniqueKeysWithValues: ["s", "a", "b", "c", "d", "t"].map { ($0, s01) })
        let modelPath = try temporaryFile(String(decoding: try JSONSerialization.data(withJSONObject: model), as: UTF8.self), name: "n.model.json")
        let result = try run(["asl", "--workflow", path, "--model", modelPath, "--out", out, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(summary?["series_parallel"] as? Bool == false)
        #expect((summary?["added_waits"] as? [[String]]) == [["c", "b"]])
        #expect(FileManager.default.fileExists(atPath: out))
    }

    @Test func templateNamesEveryFunctionAndCheckBundleRefusesWhatIsNotABinary() throws {
        let template = try run(["template", "--workflow", "synthetic16"])
        #expect(template.status == 0)
        #expect(template.stdout.contains("SyntheticM10240Function:"))
        #expect(!template.stdout.contains("VideoDetect"))
        let notELF = try temporaryFile("#!/bin/sh\n", name: "bootstrap")
        let check = try run(["check-bundle", notELF])
        #expect(check.status == 1)
        #expect(check.stderr.contains("not an ELF file"))
        let usage = try run(["check-bundle", "--runtime", "provided.al1", notELF])
        #expect(usage.status == 2)
    }

    @Test func runAndInvokeRefuseBadInputWithUsageOrInputErrors() throws {
        #expect(try run(["run", "--slo", "0"]).status == 2)
        let invoke = try run(["invoke", "--local", "--local-dir", "/nonexistent-stepconf", "--workflow", "synthetic16", "--slo", "5"])
        #expect(invoke.status == 1)
        #expect(invoke.stderr.contains("stepconf local up"))
        let down = try run(["local", "down", "--dir", "/nonexistent-stepconf"])
        #expect(down.status == 0)
        #expect(down.stdout.contains("no local stack"))
    }
}

extension CLITests {
    @Test func paretoRunsTheExperimentOnATableAndWritesItsFiles() throws {
        var rows = ["memory_mb,concurrency,batch_pct,duration_s,cost_usd"]
        for m in [128, 192, 256] { for c in 1...4 { for b in [50, 100] {
            rows.append("\(m),\(c),\(b),\(Double(1000 / m) + 1.0 / Double(c)),\(Double(m * b) / 1e6)")
        } } }
        let table = try temporaryFile(rows.joined(separator: "\n") + "\n", name: "t.csv")
        let out = table + ".out"
        let result = try run(["pareto", "--table", table, "--runs", "6", "--evaluations", "60,120", "--population", "8", "--out", out, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(summary?["configurations"] as? Int == 24)
        #expect((summary?["cells"] as? [Any])?.count == 6)
        #expect((summary?["comparisons"] as? [Any])?.count == 6)
        #expect(FileManager.default.fileExists(atPath: out + "/pareto.svg"))
        let svg = try String(contentsOfFile: out + "/pareto.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("nsga2") && svg.contains("exhaustive"))
        #expect(try run(["pareto", "--algorithms", "nsga4"]).status == 2)
        #expect(try run(["pareto", "--evaluations", "10:5:1"]).status == 2)
        let missing = try run(["pareto", "--table", "/nonexistent.csv"])
        #expect(missing.status == 1 && missing.stderr.contains("/nonexistent.csv"))
    }
}
