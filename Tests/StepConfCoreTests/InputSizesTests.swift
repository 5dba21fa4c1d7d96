import Foundation
import StepConfCore
import StepConfStorage
import Testing

/// Requests of different sizes: the workflow's scaling rule and the size distributions `evaluate` draws from.
@Suite struct InputSizesTests {
    @Test func aProportionalStepScalesItsJobsAndInputAndAFixedOneKeepsThem() throws {
        let workflow = Workflow(name: "w", steps: [
            .init(id: "map", kind: "synthetic", jobs: 100, inputMB: 10),
            .init(id: "reduce", kind: "synthetic", jobs: 1, dependsOn: ["map"], inputMB: 1, inputScaling: .fixed),
        ])
        #expect(try workflow.scaled(by: 1) == workflow)
        let big = try workflow.scaled(by: 2.5)
        #expect(big.steps.map(\.jobs) == [250, 1])
        #expect(big.steps.map(\.inputMB) == [25, 1])
        // A step never drops below one job.
        #expect(try workflow.scaled(by: 0.001).steps[0].jobs == 1)
        for bad in [0.0, -1, .nan, .infinity, 1e9] {
            #expect(throws: InputError.self) { try workflow.scaled(by: bad) }
        }
        #expect(throws: InputError.self) { try Workflow(name: "w", steps: [.init(id: "a", kind: "synthetic", jobs: 900_000)]).scaled(by: 2) }
    }

    @Test func theScalingRuleIsReadAndWrittenOnlyWhereGiven() throws {
        let text = #"{"name": "w", "steps": [{"id": "a", "kind": "synthetic", "jobs": 4}, {"id": "b", "kind": "synthetic", "jobs": 1, "depends_on": ["a"], "input_scaling": "fixed"}]}"#
        let workflow = try Workflow.decode(Data(text.utf8), source: "test")
        #expect(workflow.steps.map(\.inputScaling) == [nil, .fixed])
        let written = String(decoding: try JSONEncoder().encode(workflow), as: UTF8.self)
        #expect(written.components(separatedBy: "input_scaling").count == 2)
        let bad = text.replacingOccurrences(of: #""fixed""#, with: #""linear""#)
        #expect(throws: (any Error).self) { try Workflow.decode(Data(bad.utf8), source: "test") }
    }

    @Test func distributionsParseDrawAndRefuseWhatTheyCannotBe() throws {
        #expect(try InputSizes.load("fixed") == .fixed)
        #expect(InputSizes.fixed.draw(count: 5, seed: 1) == nil)
        let lognormal = try InputSizes.load("lognormal:0.5")
        let drawn = try #require(lognormal.draw(count: 4_000, seed: 7))
        #expect(drawn == lognormal.draw(count: 4_000, seed: 7))
        // Median 1, spread σ: the middle of the draws, and the 99th percentile near e^(0.5 · 2.326).
        let sorted = drawn.sorted()
        #expect(abs(log(sorted[2_000])) < 0.05)
        #expect(abs(log(sorted[3_960]) - 0.5 * 2.326) < 0.15)
        #expect(abs(log(lognormal.quantile(0.99)) - 0.5 * 2.326) < 0.03)
        for bad in ["lognormal:0", "lognormal:-1", "lognormal:x", "lognormal:9", "normal:1", "", "file:/nonexistent-stepconf"] {
            #expect(throws: InputError.self, "\(bad)") { try InputSizes.load(bad) }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sizes-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "# observed\n0.5\n\n2\n".write(toFile: directory + "/ok", atomically: true, encoding: .utf8)
        let observed = try InputSizes.load("file:\(directory)/ok")
        #expect(observed == .observed([0.5, 2]))
        #expect(Set(try #require(observed.draw(count: 200, seed: 3))) == [0.5, 2])
        try "1\n0\n".write(toFile: directory + "/bad", atomically: true, encoding: .utf8)
        #expect { try InputSizes.load("file:\(directory)/bad") } throws: { "\($0)".contains("line 2") }
        // A device is read no further than a sizes file may be long.
        #expect { try InputSizes.load("file:/dev/zero") } throws: { "\($0)".contains("MiB") }
        try "# nothing\n".write(toFile: directory + "/empty", atomically: true, encoding: .utf8)
        #expect(throws: InputError.self) { try InputSizes.load("file:\(directory)/empty") }
    }
}
