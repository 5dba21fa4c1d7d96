import Foundation
import Testing

/// `profile` then `fit` on their defaults, for every embedded workflow: the chain a new user walks first.
@Suite struct DefaultsChainTests {
    let cli = CLITests()

    @Test(arguments: ["synthetic16", "video", "wordcount", "chain9", "fanout4"])
    func profileThenFitWorksOnDefaults(workflow: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-chain-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let csv = directory + "/\(workflow).csv"
        let profiled = try cli.run(["profile", "--workflow", workflow, "--out", csv])
        #expect(profiled.status == 0, "\(profiled.stderr)")
        let fitted = try cli.run(["fit", "--samples", csv, "--out", directory + "/\(workflow).model.json"])
        #expect(fitted.status == 0, "\(fitted.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory + "/\(workflow).model.json"))
    }
}
