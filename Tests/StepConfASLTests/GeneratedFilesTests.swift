import Foundation
import StepConfASL
import StepConfCore
import StepConfStorage
import Testing

/// The committed statemachine/ and template.yaml are what the generators write today (CI's drift check).
@Suite struct GeneratedFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func workflow(_ name: String) throws -> Workflow {
        try Workflow.load(from: root.appendingPathComponent("examples/\(name).json").path)
    }

    @Test(arguments: ["synthetic16", "video", "wordcount"])
    func committedStateMachineIsCurrent(name: String) throws {
        let committed = try String(contentsOf: Self.root.appendingPathComponent("statemachine/\(name).asl.json"), encoding: .utf8)
        let workflow = try Self.workflow(name)
        let model = try PerformanceModel.load(from: Self.root.appendingPathComponent("examples/\(name).model.json").path, for: workflow)
        let generated = try StateMachineGenerator(graph: try WorkflowGraph(workflow), model: model, platform: .aws).generate().text
        #expect(committed == generated, "statemachine/\(name).asl.json is stale: run stepconf asl --workflow examples/\(name).json --out statemachine/\(name).asl.json")
    }

    @Test func committedTemplateIsCurrent() throws {
        let committed = try String(contentsOf: Self.root.appendingPathComponent("template.yaml"), encoding: .utf8)
        let generated = SAMTemplateGenerator(workflows: try ["synthetic16", "video", "wordcount"].map(Self.workflow)).generate()
        #expect(committed == generated, "template.yaml is stale: run stepconf template --out template.yaml")
    }

    @Test func aTemplateForAnotherGridTellsTheConfiguratorToDecideOnIt() throws {
        let grid = ConfigurationGrid(memoryMB: [1024, 3008], inter: [1, 2, 4], intra: [1, 2])
        let text = SAMTemplateGenerator(workflows: [try Self.workflow("video")], grid: grid, platformFile: true).generate()
        #expect(text.contains("STEPCONF_PLATFORM: \"platform.json\""))
        #expect(text.contains("VideoDetectM3008Function:") && !text.contains("VideoDetectM2048Function:"))
        #expect(!SAMTemplateGenerator(workflows: [try Self.workflow("video")]).generate().contains("STEPCONF_PLATFORM"))
    }

    @Test func templateHasOneFunctionPerKindAndMemoryAndLeastPrivilegeStateMachines() throws {
        let workflows = [try Self.workflow("synthetic16"), try Self.workflow("video")]
        let text = SAMTemplateGenerator(workflows: workflows).generate()
        let grid = Platform.aws.grid.memoryMB
        for kind in ["synthetic", "video.extract", "video.superres", "video.detect", "video.colorfilter", "video.encode"] {
            for m in grid {
                let name = Workflow.Step.functionName(kind: kind, memoryMB: m)
                #expect(text.contains("\"${FunctionPrefix}-\(name)\""), "function \(name)")
            }
        }
        #expect(text.components(separatedBy: "Type: \"AWS::Serverless::Function\"").count - 1 == 6 * grid.count + 1)
        #expect(text.contains("BuildMethod: \"makefile\""))
        #expect(text.contains("TimeToLiveSpecification:"))
        #expect(text.contains("DefinitionUri: \"statemachine/video.asl.json\""))
        // Both runtime warnings are acknowledged, each with the dates and the way to move on.
        #expect(text.contains("- \"W1030\""))
        #expect(text.contains("- \"W2531\""))
        #expect(text.contains("W1030: \"Acknowledged:"))
        #expect(text.contains("2027-02-01") && text.contains("2027-03-03") && text.contains("Runtime=provided.al2023"))
        // The video state machine may invoke the configurator and the video functions, not the synthetic ones.
        let video = try #require(text.range(of: "VideoStateMachine:"))
        let section = String(text[video.lowerBound...].prefix { _ in true }).components(separatedBy: "CacheTable:")[0]
        #expect(section.contains("\"VideoDetectM2048Function\""))
        #expect(!section.contains("Synthetic"))
    }
}
