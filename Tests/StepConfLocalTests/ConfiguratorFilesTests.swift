import Foundation
import StepConfCore
import StepConfExamples
import StepConfLocal
import StepConfStorage
import StepConfTestSupport
import Testing

@Suite struct ConfiguratorFilesTests {
    @Test func whatIsWrittenIsWhatAConfiguratorLoads() throws {
        let directory = PrivateDirectory("cfgfiles")
        let pairs = try ["video", "wordcount"].map { name -> (Workflow, PerformanceModel) in
            let workflow = try EmbeddedExamples.workflow(name)
            return (workflow, try EmbeddedExamples.model(name, for: workflow))
        }
        var platform = Platform.aws
        platform.grid = platform.grid.restricted(inter: [1, 2, 4])
        let target = directory.file("workflows")
        try ConfiguratorFiles.write(pairs, platform: platform, to: target)
        for (workflow, model) in pairs {
            let loaded = try Workflow.load(from: "\(target)/\(workflow.name).json")
            #expect(loaded.steps.map(\.id) == workflow.steps.map(\.id))
            let loadedModel = try PerformanceModel.load(from: "\(target)/\(workflow.name).model.json", for: loaded)
            #expect(Set(loadedModel.steps.keys) == Set(model.steps.keys))
        }
        let loadedPlatform = try Platform.load(from: "\(target)/\(ConfiguratorFiles.platformFile)")
        #expect(loadedPlatform.grid == platform.grid)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: target)) == [
            "video.json", "video.model.json", "wordcount.json", "wordcount.model.json", "platform.json",
        ])
    }

    @Test func aPathThatIsAFileCannotHoldTheDirectory() throws {
        let directory = PrivateDirectory("cfgfiles")
        let file = try directory.write("taken", Data("x".utf8))
        #expect(throws: LocalError.self) { try ConfiguratorFiles.write([], platform: .aws, to: file) }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "x")
    }
}
