import Foundation
import StepConfCore
import StepConfExamples
import StepConfLocal
import Testing

@Suite struct LocalCalibrationTests {
    private func temporary() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-calibration-\(UUID().uuidString.prefix(8))").path
    }

    @Test func theMachinePlatformSharesItsCoresAndStopsAtTheirCredit() {
        let platform = LocalCalibration.machinePlatform(cores: 2)
        #expect(platform.coreTiers.count == 1 && platform.coreTiers[0].shared && platform.coreTiers[0].cores == 2)
        #expect(platform.grid.memoryMB.max() == 3538 && platform.grid.memoryMB.min() == 512)
        #expect(platform.grid.inter == [1, 2, 4])
        #expect(platform.grid.intra == [1, 2])
        // Two instances on two shared cores get one core each; four get half a core.
        #expect(platform.usableCores(memoryMB: 3538, instances: 2) == 1)
        #expect(platform.usableCores(memoryMB: 3538, instances: 4) == 0.5)
    }

    @Test func stepsAtOneDepthShareTheMachineOnlyWhereItsCoresAreShared() throws {
        let workflow = try EmbeddedExamples.workflow("video")
        let graph = try WorkflowGraph(workflow)
        #expect(ConfigurationSpace.sideBySide(graph, platform: .aws).allSatisfy { $0 == 1 })
        let local = ConfigurationSpace.sideBySide(graph, platform: LocalCalibration.machinePlatform(cores: 2))
        // extract → superres → (detect ∥ colorfilter) → encode.
        #expect(local[graph.index["detect"]!] == 2 && local[graph.index["colorfilter"]!] == 2)
        #expect(local[graph.index["extract"]!] == 1 && local[graph.index["encode"]!] == 1)
        // A step sharing the machine is predicted slower than alone.
        let model = try EmbeddedExamples.model("video", for: workflow)
        let theta = Configuration(memoryMB: 3538, inter: 1, intra: 2)
        let step = graph[graph.index["detect"]!]
        let platform = LocalCalibration.machinePlatform(cores: 2)
        let alone = ConfigurationSpace.estimate(theta, step: step, model: model.steps["detect"]!, platform: platform)
        let shared = ConfigurationSpace.estimate(theta, step: step, model: model.steps["detect"]!, platform: platform, sharedWith: 2)
        #expect(shared.seconds > alone.seconds)
    }

    @Test func aStoredCalibrationIsFoundOnlyForItsMachineAndBootstrapAndOnlyWhenComplete() throws {
        let root = temporary()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let binary = root + "/bootstrap"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try Data("v1".utf8).write(to: URL(fileURLWithPath: binary))
        let key = try LocalCalibration.Key.current(bootstrap: binary, workScale: 0.02)
        #expect(key.cores == ProcessInfo.processInfo.activeProcessorCount)
        #expect(key.digest == (try LocalCalibration.Key.current(bootstrap: binary, workScale: 0.02)).digest)
        #expect(key.digest != (try LocalCalibration.Key.current(bootstrap: binary, workScale: 0.5)).digest)
        let workflow = try EmbeddedExamples.workflow("video")
        let model = try EmbeddedExamples.model("video", for: workflow)
        let calibration = LocalCalibration(key: key, root: root + "/cache")
        #expect(calibration.load(workflow: workflow) == nil)
        let platform = LocalCalibration.machinePlatform(cores: 2)
        let record = LocalCalibration.Record(key: key, workflow: "video", samples: 10, seconds: 1, created: 0)
        try calibration.store(platform: platform, model: model, record: record)
        let loaded = try #require(calibration.load(workflow: workflow))
        #expect(loaded.0 == platform)
        #expect(loaded.1.steps.keys.sorted() == model.steps.keys.sorted())
        // A calibration interrupted before its record was written is not found (and is made again).
        try FileManager.default.removeItem(atPath: calibration.folder + "/video.record.json")
        #expect(calibration.load(workflow: workflow) == nil)
        // A record from another machine or bootstrap in the folder is ignored, with a note.
        var other = record
        other.key.cores += 1
        try JSONEncoder().encode(other).write(to: URL(fileURLWithPath: calibration.folder + "/video.record.json"))
        var notes: [String] = []
        #expect(calibration.load(workflow: workflow) { notes.append($0) } == nil)
        #expect(notes.first?.contains("another machine or bootstrap") == true)
    }
}
