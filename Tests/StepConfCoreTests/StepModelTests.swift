import Foundation
import StepConfCore
import StepConfStorage
import Testing

@Suite struct StepModelTests {
    let model = StepModel(
        instance: .init(
            workSecondsPerJob: 0.5, multicoreRatio: 0.4, ioSecondsPerJob: 0.02, ioShareCap: 4, perJobSeconds: 0.001,
            perWorkerSeconds: 0.002, baseSeconds: 0.05),
        mapping: .init(baseSeconds: 0.1, perInstanceSeconds: 0.01, knee: 30, pastKneeSeconds: 0.004),
        noise: NoiseModel(instanceSpread: 0.05))

    /// The instance time written out by hand for n jobs, share s = m/1769, u usable cores, q workers.
    private func byHand(n: Int, m: Int, q: Int) -> Double {
        let share = Double(m) / 1769
        let u = Platform.aws.usableCores(memoryMB: m)
        let qe = min(q, n)
        let waves = Double((n + qe - 1) / qe)
        let work = max(Double(n) / u, waves * (0.6 / min(1, share) + 0.4 / u))
        return 0.5 * work + 0.02 * Double(n) / min(share, 4) + 0.001 * Double(n) + 0.002 * Double(qe) + 0.05
    }

    @Test func instanceTimeFollowsTheWrittenFormula() {
        for (n, m, q) in [(5, 1024, 4), (5, 4096, 2), (8, 10_240, 8), (1, 512, 1), (3, 8192, 3), (12, 2048, 8)] {
            let t = model.instance.seconds(jobs: n, memoryMB: m, intra: q, instances: 1, platform: .aws)
            #expect(abs(t - byHand(n: n, m: m, q: q)) < 1e-12, "n=\(n) m=\(m) q=\(q)")
        }
    }

    @Test func reducesToEquationOneCaseTwoWhereItsAssumptionsHold() {
        // ρ = 0, no overheads, q | n, cores not binding: α·γ̄ / min(m/m_s, q).
        let eq1 = StepModel.InstanceTime(workSecondsPerJob: 0.3)
        for (m, q) in [(1024, 1), (1024, 4), (2048, 1), (3008, 2), (4096, 2)] {
            let t = eq1.seconds(jobs: 8, memoryMB: m, intra: q, instances: 1, platform: .aws)
            #expect(abs(t - 0.3 * 8 / min(Double(m) / 1769, Double(q))) < 1e-12, "m=\(m) q=\(q)")
        }
    }

    @Test func jobWavesAndOneJobPerWorkerAreSeen() {
        // 5 jobs on 4 workers run in two waves: slower than 4 jobs on 4 workers by a whole job's serial time.
        let one = StepModel.InstanceTime(workSecondsPerJob: 1)
        let four = one.seconds(jobs: 4, memoryMB: 10_240, intra: 4, instances: 1, platform: .aws)
        let five = one.seconds(jobs: 5, memoryMB: 10_240, intra: 4, instances: 1, platform: .aws)
        #expect(abs(four - 1) < 1e-12)
        #expect(abs(five - 2) < 1e-12)
        // A multi-core step with one job per worker: its parallel part spreads over the usable cores.
        let multi = StepModel.InstanceTime(workSecondsPerJob: 1, multicoreRatio: 1)
        #expect(abs(multi.seconds(jobs: 1, memoryMB: 10_240, intra: 1, instances: 1, platform: .aws) - 1 / Platform.aws.usableCores(memoryMB: 10_240)) < 1e-12)
    }

    @Test func instancesOnASharedHostSplitItsCores() {
        var host = Platform.aws
        host.coreTiers = [.init(upToMemoryMB: 10_240, cores: 2, shared: true)]
        let one = StepModel.InstanceTime(workSecondsPerJob: 1, multicoreRatio: 1)
        // 3538 MB buys 2 cores; alone an instance has them, four at once get half a core each.
        #expect(abs(one.seconds(jobs: 4, memoryMB: 3538, intra: 1, instances: 1, platform: host) - 2) < 1e-9)
        #expect(abs(one.seconds(jobs: 4, memoryMB: 3538, intra: 1, instances: 4, platform: host) - 8) < 1e-9)
        // On Lambda each instance has its own.
        #expect(abs(one.seconds(jobs: 4, memoryMB: 3538, intra: 1, instances: 4, platform: .aws) - 2) < 1e-9)
    }

    @Test func costUsesEachInstancesJobsAndStepTimeTheBusiest() {
        // 9 jobs over 2 instances: one of 5, one of 4.
        let theta = Configuration(memoryMB: 4096, inter: 2, intra: 2)
        let mean = model.computeSeconds(theta, jobs: 9, platform: .aws)
        #expect(abs(mean - (byHand(n: 5, m: 4096, q: 2) + byHand(n: 4, m: 4096, q: 2)) / 2) < 1e-12)
        // The heavy instance is ready after t_map(1), the last after t_map(2); the step ends with the later.
        let step = model.stepSeconds(theta, jobs: 9, platform: .aws)
        let f = 1 + 0.05 * NoiseModel.medianMaximumOfNormals(2)
        let heavy = 0.1 + byHand(n: 5, m: 4096, q: 2) * f
        let last = 0.11 + byHand(n: 4, m: 4096, q: 2) * f
        #expect(abs(step - max(heavy, last)) < 1e-12)
        #expect(heavy != last)
    }

    @Test func medianOfTheSlowestInstanceGrowsWithP() {
        #expect(NoiseModel.medianMaximumOfNormals(1) == 0)
        // P(max of 2 ≤ z) = Φ(z)² = 1/2.
        #expect(abs(NoiseModel.medianMaximumOfNormals(2) - 0.5449521) < 1e-6)
        #expect(abs(NoiseModel.medianMaximumOfNormals(32) - NoiseModel.standardNormalQuantile(pow(0.5, 1 / 32.0))) < 1e-12)
        #expect(NoiseModel.medianMaximumOfNormals(300) > NoiseModel.medianMaximumOfNormals(32))
        #expect(abs(NoiseModel.standardNormalQuantile(0.975) - 1.959964) < 1e-6)
    }

    @Test(arguments: [(1, 0.1), (2, 0.11), (30, 0.39), (40, 0.89)])
    func mappingDelayIsFlatThenGrowsPastTheKnee(p: Int, expected: Double) {
        #expect(abs(model.mapping.seconds(inter: p) - expected) < 1e-12)
    }

    @Test func stepTimeAndCostFollowTheDesignFormulas() throws {
        let step = Workflow.Step(id: "a", kind: "k", jobs: 10)
        let estimate = ConfigurationSpace.estimate(
            Configuration(memoryMB: 1024, inter: 2, intra: 4), step: step, model: model, platform: .aws)
        let t = byHand(n: 5, m: 1024, q: 4)
        #expect(abs(estimate.computeSeconds - t) < 1e-12)
        #expect(abs(estimate.seconds - (0.11 + t * (1 + 0.05 * NoiseModel.medianMaximumOfNormals(2)))) < 1e-12)
        // 2·(t̂ billed to the ms·1 GB·μ0 + μ1) + (1 + 2)·μ2
        let p = Platform.aws
        let billed = (t * 1000).rounded(.up) / 1000
        let expected = 2 * (billed * p.pricePerGBSecond + p.pricePerRequest) + Double(p.transitionsPerStep + 2 * p.transitionsPerInstance) * p.pricePerTransition
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
            #expect(48 + Double(theta.intra) * 300 <= Double(theta.memoryMB))
        }
        let every = try ConfigurationSpace(
            graph: graph, model: PerformanceModel(workflow: "w", steps: ["a": model]), platform: .aws,
            includesConfigurator: false, considerEveryIntra: true)
        #expect(every.steps[0].configurations.contains(Configuration(memoryMB: 1024, inter: 1, intra: 2)))
        #expect(!every.steps[0].configurations.contains(Configuration(memoryMB: 512, inter: 1, intra: 2)))
        // 2 × 300 MB fits in 640 MB but not with the runtime's 48 MB: the rule the simulator's memory pressure uses.
        #expect(!workflow.steps[0].canRun(Configuration(memoryMB: 640, inter: 1, intra: 2)))
        #expect(workflow.steps[0].canRun(Configuration(memoryMB: 648, inter: 1, intra: 2)))
    }

    @Test func theChoiceSetOffersTheFastestPredictedQPerMemoryAndFanOut() throws {
        let workflow = Workflow(name: "w", steps: [Workflow.Step(id: "a", kind: "k", jobs: 16)])
        let graph = try WorkflowGraph(workflow)
        let models = PerformanceModel(workflow: "w", steps: ["a": model])
        let offered = try ConfigurationSpace(graph: graph, model: models, platform: .aws, includesConfigurator: false)
        let every = try ConfigurationSpace(
            graph: graph, model: models, platform: .aws, includesConfigurator: false, considerEveryIntra: true)
        let all = every.steps[0]
        for (k, theta) in offered.steps[0].configurations.enumerated() {
            let sameCell = all.configurations.indices.filter {
                all.configurations[$0].memoryMB == theta.memoryMB && all.configurations[$0].inter == theta.inter
            }
            #expect(sameCell.allSatisfy { all.seconds[$0] >= offered.steps[0].seconds[k] }, "\(theta)")
        }
    }
}

@Suite struct ModelFileTests {
    let workflow = Workflow(name: "w", steps: [
        Workflow.Step(id: "a", kind: "k", jobs: 1), Workflow.Step(id: "b", kind: "k", jobs: 1, dependsOn: ["a"]),
    ])
    let stepModel = StepModel(
        instance: .init(workSecondsPerJob: 0.5, baseSeconds: 0.1),
        mapping: .init(baseSeconds: 0.1, perInstanceSeconds: 0.01, pastKneeSeconds: 0))

    @Test func missingStepIsNamed() {
        let model = PerformanceModel(workflow: "w", steps: ["a": stepModel])
        #expect {
            try model.validated(for: workflow, source: "m.json")
        } throws: { ($0 as? InputError)?.message.contains("m.json: no model for step `b`") ?? false }
    }

    @Test func negativeOrNaNParametersAreNamed() {
        var bad = stepModel
        bad.instance.baseSeconds = -1
        #expect {
            try PerformanceModel(workflow: "w", steps: ["a": stepModel, "b": bad]).validated(for: workflow, source: "m.json")
        } throws: { ($0 as? InputError)?.message.contains("step `b`: parameter `instance.base_s`") ?? false }
        bad = stepModel
        bad.instance.multicoreRatio = 1.5
        #expect {
            try PerformanceModel(workflow: "w", steps: ["a": stepModel, "b": bad]).validated(for: workflow, source: "m.json")
        } throws: { ($0 as? InputError)?.message.contains("`instance.multicore_ratio` must be at most 1") ?? false }
        bad = stepModel
        bad.mapping.baseSeconds = .nan
        #expect(throws: InputError.self) {
            try PerformanceModel(workflow: "w", steps: ["a": stepModel, "b": bad]).validated(for: workflow)
        }
    }

    @Test func aFormatOneModelIsRefusedWithTheReason() {
        let old = #"{"workflow":"w","steps":{"a":{"case2":{"alpha2":0.5,"beta2":0,"phi2":0.1},"mapping":{"base_s":0.1,"per_instance_s":0,"knee":30,"past_knee_s":0}}}}"#
        #expect {
            try PerformanceModel.decode(Data(old.utf8), source: "old.json", for: workflow)
        } throws: { error in
            let message = (error as? InputError)?.message ?? ""
            return message.contains("old.json") && message.contains("format-1 model") && message.contains("stepconf fit")
        }
        let future = #"{"workflow":"w","steps":{"a":{"format":3,"instance":{},"mapping":{}}}}"#
        #expect {
            try PerformanceModel.decode(Data(future.utf8), source: "new.json", for: workflow)
        } throws: { ($0 as? InputError)?.message.contains("model format 3") ?? false }
    }

    @Test func modelFilesRoundTrip() throws {
        var noisy = stepModel
        noisy.noise = NoiseModel(
            instanceSpread: 0.05, stepQuantiles: ["p50": -0.01, "p95": 0.08], slowdownProbability: 0.01, slowdownFactor: 2.5,
            coldStart: .init(penaltySeconds: 0.1, perZSeconds: 0.05, instanceProbability: 0.001))
        let model = PerformanceModel(workflow: "w", steps: ["a": noisy, "b": stepModel])
        let data = try JSONEncoder().encode(model)
        #expect(try PerformanceModel.decode(data, source: "m.json", for: workflow) == model)
    }

    @Test func shippedModelsValidateAgainstTheirWorkflows() throws {
        for name in ["synthetic16", "video", "wordcount"] {
            let workflow = try Workflow.load(from: Fixtures.example("\(name).json"))
            _ = try PerformanceModel.load(from: Fixtures.example("\(name).model.json"), for: workflow)
        }
    }
}
