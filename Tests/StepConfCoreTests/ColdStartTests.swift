import Foundation
import StepConfCore
import StepConfExamples
import Testing

/// When a step's function is cold, as the configurator and every plan replay read it from the global cache.
@Suite struct ColdStartTests {
    /// The video example: its steps carry fitted cold-start costs.
    static func space() throws -> ConfigurationSpace {
        let workflow = try EmbeddedExamples.workflow("video")
        let graph = try WorkflowGraph(workflow)
        return try ConfigurationSpace(
            graph: graph, model: try EmbeddedExamples.model("video", for: workflow), platform: .aws, includesConfigurator: true)
    }

    static func coldStep(_ space: ConfigurationSpace) throws -> Int {
        try #require((0..<space.graph.count).first { space.coldPenaltiesEverywhere(step: $0) != nil })
    }

    @Test func aFunctionIsColdUntilItRunsThenWarmForTheKeepAlive() throws {
        let space = try Self.space()
        let v = try Self.coldStep(space)
        let theta = space.steps[v].configurations[0]
        let function = space.functionName(step: v, memoryMB: theta.memoryMB)
        let cache = InMemoryGlobalCache()
        let never = try #require(try space.coldPenalties(step: v, now: 100, cache: cache))
        #expect(never[0] > 0, "never run: cold")
        try cache.recordUse(function: function, until: 100, instances: theta.inter)
        #expect(try space.coldPenalties(step: v, now: 100.0005, cache: cache)?[0] == 0, "just ended: warm")
        #expect(try space.coldPenalties(step: v, now: 100 + space.platform.keepAliveSeconds, cache: cache)?[0] == 0)
        #expect(try space.coldPenalties(step: v, now: 101 + space.platform.keepAliveSeconds, cache: cache)?[0] == never[0], "expired")
        #expect(try space.coldPenalties(step: v, now: 50, cache: cache)?[0] == never[0], "still running: its instances are busy")
    }

    @Test func onlyTheRanMemorySizeIsWarmAndThePenaltyGrowsWithTheFanOut() throws {
        let space = try Self.space()
        let v = try Self.coldStep(space)
        let options = space.steps[v].configurations
        let memory = options[0].memoryMB
        let cache = InMemoryGlobalCache()
        try cache.recordUse(function: space.functionName(step: v, memoryMB: memory), until: 10, instances: InputBounds.maxInter)
        let penalties = try #require(try space.coldPenalties(step: v, now: 20, cache: cache))
        for (k, theta) in options.enumerated() {
            #expect((penalties[k] == 0) == (theta.memoryMB == memory), "\(theta)")
        }
        let everywhere = try #require(space.coldPenaltiesEverywhere(step: v))
        let byFanOut = Dictionary(options.indices.map { (options[$0].inter, everywhere[$0]) }, uniquingKeysWith: { a, _ in a })
        let fanOuts = byFanOut.keys.sorted()
        #expect(zip(fanOuts, fanOuts.dropFirst()).allSatisfy { byFanOut[$0]! <= byFanOut[$1]! }, "the slowest of more cold starts")
        #expect(space.chargedSeconds(step: v, option: 0, penalties: everywhere) == space.steps[v].seconds[0] + everywhere[0])
        #expect(space.chargedSeconds(step: v, option: 0, penalties: nil) == space.steps[v].seconds[0])
    }

    @Test func aWiderFanOutThanTheIdleInstancesPaysForTheInstancesItLacks() throws {
        let space = try Self.space()
        let v = try Self.coldStep(space)
        let options = space.steps[v].configurations
        let memory = options[0].memoryMB
        let cold = try #require(space.coldStart[v])
        let cache = InMemoryGlobalCache()
        try cache.recordUse(function: space.functionName(step: v, memoryMB: memory), until: 10, instances: 2)
        let penalties = try #require(try space.coldPenalties(step: v, now: 20, cache: cache))
        let wide = options.indices.filter { options[$0].memoryMB == memory && options[$0].inter > 2 }
        #expect(!wide.isEmpty, "the grid has wider fan-outs at \(memory) MB")
        for (k, theta) in options.enumerated() where theta.memoryMB == memory {
            #expect(penalties[k] == (theta.inter <= 2 ? 0 : cold.penalty(inter: theta.inter - 2)), "\(theta)")
        }
        // A use of 4 running beside the 2 idle ones holds them all: every fan-out is cold.
        try cache.recordUse(function: space.functionName(step: v, memoryMB: memory), until: 30, instances: 4)
        let busy = try #require(try space.coldPenalties(step: v, now: 20, cache: cache))
        for (k, theta) in options.enumerated() where theta.memoryMB == memory {
            #expect(busy[k] == cold.penalty(inter: theta.inter), "\(theta)")
        }
    }

    @Test func theAutoSLOCoversTheFastestColdRun() throws {
        let workflow = try EmbeddedExamples.workflow("video")
        let graph = try WorkflowGraph(workflow)
        let model = try EmbeddedExamples.model("video", for: workflow)
        let slo = try Policies.autoSLOSeconds(graph: graph, model: model, platform: .aws)
        let space = try ConfigurationSpace(graph: graph, model: model, platform: .aws, includesConfigurator: true, safety: Policies.defaultSafety)
        #expect(slo > space.fastestMakespanSeconds(coldEverywhere: true))
        #expect(space.fastestMakespanSeconds(coldEverywhere: true) >= space.fastestMakespanSeconds)
        #expect(abs(slo / space.fastestMakespanSeconds(coldEverywhere: true) - Policies.autoSLOFactor) < 1e-12)
    }
}
