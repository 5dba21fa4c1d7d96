import Foundation
import StepConfCore
import StepConfStorage
import Testing

@Suite struct StepModelTests {
    let model = StepModel(
        case1: .init(alpha1: 0.4, beta1: 0.1, alpha2: 0.3, phi1: 0.05),
        case2: .init(alpha2: 0.5, beta2: 0.2, phi2: 0.1),
        mapping: .init(baseSeconds: 0.1, perInstanceSeconds: 0.01, knee: 30, pastKneeSeconds: 0.004))

    @Test func caseTwoAppliesBelowTheSingleCoreMemory() {
        // γ̄ = 10/2 = 5, x = min(1024/1769, 4); 0.5·5/(x + 0.2) + 0.1.
        let t = model.computeSeconds(Configuration(memoryMB: 1024, inter: 2, intra: 4), jobs: 10, singleCoreMemoryMB: 1769)
        #expect(abs(t - 3.3098272608506316) < 1e-12)
    }

    @Test func caseOneAppliesAtOrAboveTheSingleCoreMemory() {
        // Busiest instance γ̄ = ⌈9/2⌉ = 5, x = min(4096/1769, 2) = 2; (0.4·5 + 0.1)·e^(−0.6) + 0.05.
        let t = model.busiestComputeSeconds(Configuration(memoryMB: 4096, inter: 2, intra: 2), jobs: 9, singleCoreMemoryMB: 1769)
        #expect(abs(t - 1.2025044357974555) < 1e-12)
    }

    @Test func averageInstanceUsesGammaOverP() {
        // γ̄ = 9/2 = 4.5 for t̂ (the paper's definition), which prices the step.
        let t = model.computeSeconds(Configuration(memoryMB: 4096, inter: 2, intra: 2), jobs: 9, singleCoreMemoryMB: 1769)
        #expect(abs(t - ((0.4 * 4.5 + 0.1) * exp(-0.6) + 0.05)) < 1e-12)
    }

    @Test func singleThreadStepStopsImprovingPastOneCoreWithOneWorker() {
        let single = StepModel(case1: nil, case2: model.case2, mapping: model.mapping)
        let at1769 = single.computeSeconds(Configuration(memoryMB: 1769, inter: 1, intra: 1), jobs: 8, singleCoreMemoryMB: 1769)
        let at4096 = single.computeSeconds(Configuration(memoryMB: 4096, inter: 1, intra: 1), jobs: 8, singleCoreMemoryMB: 1769)
        let workers = single.computeSeconds(Configuration(memoryMB: 4096, inter: 1, intra: 2), jobs: 8, singleCoreMemoryMB: 1769)
        #expect(at1769 == at4096)
        #expect(workers < at4096)
    }

    @Test(arguments: [(1, 0.1), (2, 0.11), (30, 0.39), (40, 0.89)])
    func mappingDelayIsFlatThenGrowsPastTheKnee(p: Int, expected: Double) {
        #expect(abs(model.mapping.seconds(inter: p) - expected) < 1e-12)
    }

    @Test func stepTimeAndCostFollowTheDesignFormulas() throws {
        let step = Workflow.Step(id: "a", kind: "k", jobs: 10)
        let estimate = ConfigurationSpace.estimate(
            Configuration(memoryMB: 1024, inter: 2, intra: 4), step: step, model: model, platform: .aws)
        #expect(abs(estimate.computeSeconds - 3.3098272608506316) < 1e-12)
        #expect(abs(estimate.seconds - (0.11 + 3.3098272608506316)) < 1e-12)
        // 2·(t̂ billed to the ms (3.310 s)·1 GB·μ0 + μ1) + (1 + 2)·μ2
        let p = Platform.aws
        let expected = 2 * (3.310 * p.pricePerGBSecond + p.pricePerRequest) + Double(p.transitionsPerStep + 2 * p.transitionsPerInstance) * p.pricePerTransition
        #expect(abs(estimate.costUSD - expected) < 1e-15)
    }

    @Test func platformDefaultsAreThePapers() throws {
        let platform = try Platform.aws.validated()
        #expect(platform.grid.count == 192)
        #expect(platform.visibleCores(memoryMB: 3008) == 2)
        #expect(platform.visibleCores(memoryMB: 3009) == 3)
        #expect(platform.visibleCores(memoryMB: 10_240) == 6)
        #expect(platform.visibleCores(memoryMB: 64) == nil)
        #expect(abs(platform.vcpuCredit(memoryMB: 1769) - 1) < 1e-12)
        var arm = platform
        arm.architecture = .arm64
        #expect(arm.pricePerGBSecond == 0.0000133334)
    }

    @Test(arguments: [64, 10_241])
    func gridOutsideLambdasRangeIsRejected(memory: Int) {
        var platform = Platform.aws
        platform.grid.memoryMB.append(memory)
        #expect(throws: InputError.self) { try platform.validated() }
    }

    @Test func mostCostEffectiveMinimisesCostTimesTime() {
        // Eq. (12) as printed (argmax c·t) would pick the slow, expensive option.
        let options = StepOptions(
            configurations: (0..<3).map { Configuration(memoryMB: 512 * ($0 + 1), inter: 1, intra: 1) },
            seconds: [1, 2, 4], costUSD: [3, 1, 2])
        #expect(options.mostCostEffective == 1)
        #expect(options.fastest == 0)
        #expect(options.cheapest == 1)
        #expect(options.cheapest(within: 1.5) == 0)
        #expect(options.cheapest(within: 0.5) == nil)
        #expect(options.paretoIndices() == [0, 1])
    }

    @Test func configurationsThatCannotRunAreLeftOut() throws {
        let workflow = Workflow(name: "w", steps: [
            Workflow.Step(id: "a", kind: "k", jobs: 4, params: ["worker_memory_mb": 300])
        ])
        let graph = try WorkflowGraph(workflow)
        let space = try ConfigurationSpace(
            graph: graph, model: PerformanceModel(workflow: "w", steps: ["a": model]), platform: .aws,
            includesConfigurator: false)
        for theta in space.steps[0].configurations {
            #expect(theta.inter <= 4)
            #expect(theta.intra <= StepModel.jobsPerInstance(jobs: 4, inter: theta.inter))
            #expect(Double(theta.intra) * 300 <= Double(theta.memoryMB))
        }
        #expect(space.steps[0].configurations.contains(Configuration(memoryMB: 1024, inter: 1, intra: 2)))
        #expect(!space.steps[0].configurations.contains(Configuration(memoryMB: 512, inter: 1, intra: 2)))
    }
}

@Suite struct ModelFileTests {
    let workflow = Workflow(name: "w", steps: [
        Workflow.Step(id: "a", kind: "k", jobs: 1), Workflow.Step(id: "b", kind: "k", jobs: 1, dependsOn: ["a"]),
    ])
    let stepModel = StepModel(
        case1: nil, case2: .init(alpha2: 0.5, beta2: 0, phi2: 0.1),
        mapping: .init(baseSeconds: 0.1, perInstanceSeconds: 0.01, pastKneeSeconds: 0))

    @Test func missingStepIsNamed() {
        let model = PerformanceModel(workflow: "w", steps: ["a": stepModel])
        #expect {
            try model.validated(for: workflow, source: "m.json")
        } throws: { ($0 as? InputError)?.message.contains("m.json: no model for step `b`") ?? false }
    }

    @Test func negativeOrNaNParametersAreNamed() {
        var bad = stepModel
        bad.case2.phi2 = -1
        #expect {
            try PerformanceModel(workflow: "w", steps: ["a": stepModel, "b": bad]).validated(for: workflow, source: "m.json")
        } throws: { ($0 as? InputError)?.message.contains("step `b`: parameter `case2.phi2`") ?? false }
        bad = stepModel
        bad.mapping.baseSeconds = .nan
        #expect(throws: InputError.self) {
            try PerformanceModel(workflow: "w", steps: ["a": stepModel, "b": bad]).validated(for: workflow)
        }
    }

    @Test func shippedModelsValidateAgainstTheirWorkflows() throws {
        for name in ["synthetic16", "video"] {
            let workflow = try Workflow.load(from: Fixtures.example("\(name).json"))
            _ = try PerformanceModel.load(from: Fixtures.example("\(name).model.json"), for: workflow)
        }
    }
}
