import Foundation
@testable import StepConfCore
import Testing

@Suite struct LevenbergMarquardtTests {
    /// y = a·e^(−b·x) + c at x = 0, 0.25, …, 5.
    private func data(_ a: Double, _ b: Double, _ c: Double, noise: Double, seed: UInt64) -> [(Double, Double)] {
        var rng = SeededRandom(seed: seed)
        return (0...20).map { i in
            let x = Double(i) / 4
            return (x, (a * exp(-b * x) + c) * rng.meanOneLogNormal(cv: noise))
        }
    }

    @Test func recoversKnownParametersFromNoiselessData() {
        let points = data(3, 0.7, 0.5, noise: 0, seed: 1)
        let result = LevenbergMarquardt().minimize(initial: [1, 0.1, 0]) { w in
            points.map { w[0] * exp(-w[1] * $0.0) + w[2] - $0.1 }
        }
        #expect(result.converged)
        #expect(abs(result.parameters[0] - 3) < 1e-6)
        #expect(abs(result.parameters[1] - 0.7) < 1e-6)
        #expect(abs(result.parameters[2] - 0.5) < 1e-6)
    }

    @Test func recoversKnownParametersFromNoisyData() {
        let points = data(3, 0.7, 0.5, noise: 0.02, seed: 2)
        let result = LevenbergMarquardt().minimize(initial: [1, 0.1, 0]) { w in
            points.map { w[0] * exp(-w[1] * $0.0) + w[2] - $0.1 }
        }
        #expect(result.converged)
        #expect(abs(result.parameters[0] - 3) < 0.15)
        #expect(abs(result.parameters[1] - 0.7) < 0.07)
        #expect(abs(result.parameters[2] - 0.5) < 0.1)
    }

    @Test func respectsLowerBounds() {
        // The unconstrained optimum has c = −1; bounded at 0 it stays there.
        let points = (0...10).map { (Double($0), 2 * Double($0) - 1) }
        let result = LevenbergMarquardt().minimize(initial: [1, 1], lower: [0, 0]) { w in
            points.map { w[0] * $0.0 + w[1] - $0.1 }
        }
        #expect(result.converged)
        #expect(result.parameters[1] == 0)
        #expect(result.parameters[0] > 1.8)
    }

    @Test func reportsNonConvergenceAtTheIterationLimit() {
        let points = data(3, 0.7, 0.5, noise: 0, seed: 1)
        let result = LevenbergMarquardt(maxIterations: 1).minimize(initial: [100, 5, 9]) { w in
            points.map { w[0] * exp(-w[1] * $0.0) + w[2] - $0.1 }
        }
        #expect(!result.converged)
    }
}

@Suite struct EstimatorTests {
    let platform = Platform.aws

    /// A profile drawn from `model` itself on the space-filling design of a step with `jobs` jobs (optional
    /// log-normal noise per run), each memory size opening with its two cold runs.
    private func samples(
        of model: StepModel, jobs: Int = 64, noise: Double = 0, seed: UInt64 = 1, perMemory: Int = 10,
        cold: NoiseModel.ColdStart? = nil
    ) -> [ProfileSample] {
        var rng = SeededRandom(seed: seed)
        let step = Workflow.Step(id: "a", kind: "k", jobs: jobs, params: ["worker_memory_mb": 64])
        let design = ProfilePlan.spread(perMemory).configurations(runnable: platform.grid.runnable(by: step), jobs: jobs) { $0 }
        // The first two runs at each memory size start cold (p = 1, then the widest fan-out), as profiled.
        var seen: [Int: Int] = [:]
        return design.map { theta in
            seen[theta.memoryMB, default: 0] += 1
            let first = seen[theta.memoryMB]! <= 2
            let compute = model.computeSeconds(theta, jobs: jobs, platform: platform) * rng.meanOneLogNormal(cv: noise)
            let mapping = model.mapping.seconds(inter: theta.inter)
            var total = model.stepSeconds(theta, jobs: jobs, platform: platform) * rng.meanOneLogNormal(cv: noise)
            let isCold = cold != nil && first
            if isCold, let cold { total += cold.penalty(inter: theta.inter) }
            return ProfileSample(
                step: "a", configuration: theta, jobs: jobs, mappingDelaySeconds: mapping, computeSeconds: compute,
                totalSeconds: total, cold: isCold)
        }
    }

    let singleThread = StepModel(
        instance: .init(
            workSecondsPerJob: 0.06, multicoreRatio: 0.1, ioSecondsPerJob: 0.004, ioShareCap: 4.5, perJobSeconds: 0.0004,
            perWorkerSeconds: 0.0015, baseSeconds: 0.033),
        mapping: .init(baseSeconds: 0.044, perInstanceSeconds: 0.004, pastKneeSeconds: 0.004),
        noise: NoiseModel(instanceSpread: 0.05))
    let multicore = StepModel(
        instance: .init(
            workSecondsPerJob: 0.2, multicoreRatio: 0.85, ioSecondsPerJob: 0.01, ioShareCap: 5.79, perJobSeconds: 0,
            perWorkerSeconds: 0.002, baseSeconds: 0.04),
        mapping: .init(baseSeconds: 0.06, perInstanceSeconds: 0.003, pastKneeSeconds: 0.004),
        noise: NoiseModel(instanceSpread: 0.03))

    @Test(arguments: [0, 1])
    func recoversKnownParametersFromNoiselessSamples(which: Int) throws {
        let truth = which == 0 ? singleThread : multicore
        let (model, reports) = try Estimator(options: .init(holdoutFraction: 0.3)).fit(samples(of: truth), workflowName: "w")
        let fitted = try #require(model.steps["a"])
        let (i, t) = (fitted.instance, truth.instance)
        // On AWS's core tiers an instance can always use its whole credit (u = m/m_s), so the serial work
        // α(1 − ρ) and the work that scales with memory αρ + ι are what the profile determines; how the
        // latter splits between CPU and storage changes no prediction.
        #expect(abs(i.workSecondsPerJob * (1 - i.multicoreRatio) - t.workSecondsPerJob * (1 - t.multicoreRatio)) < 1e-4)
        let scaling = { (x: StepModel.InstanceTime) in x.workSecondsPerJob * x.multicoreRatio + x.ioSecondsPerJob }
        #expect(abs(scaling(i) - scaling(t)) / scaling(t) < 0.01)
        #expect(abs(i.perWorkerSeconds - t.perWorkerSeconds) < 2e-4)
        #expect(abs(i.baseSeconds - t.baseSeconds) < 2e-3)
        #expect(abs(fitted.mapping.baseSeconds - truth.mapping.baseSeconds) < 2e-3)
        #expect(abs(fitted.mapping.perInstanceSeconds - truth.mapping.perInstanceSeconds) < 2e-4)
        #expect(abs(fitted.noise.instanceSpread - truth.noise.instanceSpread) < 0.005)
        let report = reports[0]
        #expect(report.fitted.max < 1e-3)
        let holdout = try #require(report.holdout)
        #expect(holdout.max < 1e-3)
        #expect(report.samplesPerMemorySize <= 10)
        // Every configuration the optimizer may choose, not only the profiled ones.
        let step = Workflow.Step(id: "a", kind: "k", jobs: 64)
        for theta in platform.grid.runnable(by: step) {
            let want = truth.stepSeconds(theta, jobs: 64, platform: platform)
            #expect(abs(fitted.stepSeconds(theta, jobs: 64, platform: platform) - want) / want < 2e-3, "\(theta)")
        }
    }

    @Test func whereCoresBindTheMultiCoreRatioIsDetermined() throws {
        // A machine of two cores: above 2 × m_s the credit exceeds the cores, and ρ shows.
        var twoCores = Platform.aws
        twoCores.coreTiers = [.init(upToMemoryMB: 10_240, cores: 2)]
        let truth = multicore
        var rows: [ProfileSample] = []
        let step = Workflow.Step(id: "a", kind: "k", jobs: 64)
        for theta in ProfilePlan.spread(10).configurations(runnable: twoCores.grid.runnable(by: step), jobs: 64, shuffle: { $0 }) {
            let t = truth.computeSeconds(theta, jobs: 64, platform: twoCores)
            rows.append(ProfileSample(
                step: "a", configuration: theta, jobs: 64, mappingDelaySeconds: 0, computeSeconds: t,
                totalSeconds: truth.stepSeconds(theta, jobs: 64, platform: twoCores), cold: false))
        }
        let (model, _) = try Estimator(options: .init(platform: twoCores)).fit(rows, workflowName: "w")
        let fitted = try #require(model.steps["a"]).instance
        #expect(abs(fitted.multicoreRatio - 0.85) < 0.01)
        #expect(abs(fitted.workSecondsPerJob - 0.2) / 0.2 < 0.01)
    }

    @Test func noisySamplesStillPredictWithinTheNoiseIncludingOneJobPerWorker() throws {
        // Few jobs, so that the design holds configurations with one job per worker.
        let (_, reports) = try Estimator(options: .init(holdoutFraction: 0.3, seed: 4))
            .fit(samples(of: multicore, jobs: 6, noise: 0.02, seed: 3), workflowName: "w")
        let holdout = try #require(reports[0].holdout)
        #expect(holdout.configurations >= 10)
        #expect(holdout.mean < 0.03)
        #expect(holdout.max < 0.08)
        let capped = try #require(reports[0].holdoutCapped)
        #expect(capped.configurations >= 1)
        #expect(capped.max < 0.08)
    }

    @Test func recoversTheColdStartPenaltyAsAFunctionOfP() throws {
        let cold = NoiseModel.ColdStart(penaltySeconds: 0.1, perZSeconds: 0.06)
        let (model, _) = try Estimator().fit(samples(of: singleThread, cold: cold), workflowName: "w")
        let fitted = try #require(model.steps["a"]?.noise.coldStart)
        #expect(abs(fitted.penaltySeconds - 0.1) < 0.01)
        #expect(abs(fitted.perZSeconds - 0.06) < 0.01)
        #expect(fitted.instanceProbability == 0)
    }

    @Test func tooFewConfigurationsSayHowManyAreNeeded() {
        let rows = Array(samples(of: singleThread).prefix(6))
        #expect {
            try Estimator().fit(rows, workflowName: "w")
        } throws: { ($0 as? InputError)?.message.contains("needs at least 10 configurations over 2 memory sizes") ?? false }
        let oneMemory = samples(of: singleThread, perMemory: 20).filter { $0.configuration.memoryMB == 2048 }
        #expect {
            try Estimator().fit(oneMemory, workflowName: "w")
        } throws: { ($0 as? InputError)?.message.contains("over 1 memory size(s)") ?? false }
    }

    @Test func aProfileWithOnlyOneWorkerCountIsFittedAndFlagged() throws {
        let rows = samples(of: singleThread, perMemory: 24).filter { $0.configuration.intra == 1 }
        let (model, _) = try Estimator().fit(rows, workflowName: "w")
        #expect(model.steps["a"]!.flags.contains { $0.hasPrefix("one-worker-count") })
    }

}

@Suite struct ProfileCSVTests {
    let rows = [
        ProfileSample(
            step: "s01", configuration: Configuration(memoryMB: 1024, inter: 4, intra: 2), jobs: 64,
            mappingDelaySeconds: 0.125, computeSeconds: 3.5, totalSeconds: 3.7, cold: false),
        ProfileSample(
            step: "odd, \"name\"", configuration: Configuration(memoryMB: 10_240, inter: 32, intra: 8), jobs: 256,
            mappingDelaySeconds: 0.3, computeSeconds: 0.1 + 0.2, totalSeconds: 0.5, cold: true),
    ]

    @Test func roundTripsExactly() throws {
        #expect(try ProfileCSV.decode(ProfileCSV.encode(rows)) == rows)
    }

    @Test(arguments: [
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s\n", "missing column(s) cold"),
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold,extra\n", "unknown column(s) extra"),
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold\ns,1024,1,1,4,0.1,fast,1,false\n", "line 2: `compute_s` is not a number"),
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold\ns,1024,1,1,4,0.1,-2,1,false\n", "line 2: `compute_s` must be a number in 0…10000000 seconds, got -2"),
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold\ns,1024,1,1,4,0.1,2,1\n", "line 2: 8 fields"),
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold\ns,64,1,1,4,0.1,2,1,false\n", "`memory_mb` must be an integer in 128…1048576, got `64`"),
        ("", "empty file"),
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold,instance_s\ns,1024,2,1,4,0.1,2,1,false,1;2;3\n", "`instance_s` has 3 durations, more than inter = 2"),
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold,instance_s\ns,1024,2,1,4,0.1,2,1,false,1;nan\n", "`instance_s` holds `nan`"),
    ])
    func badInputIsNamedByLineAndColumn(text: String, fragment: String) {
        #expect {
            try ProfileCSV.decode(text, source: "p.csv")
        } throws: { error in
            let message = (error as? InputError)?.message ?? ""
            return message.contains("p.csv") && message.contains(fragment)
        }
    }

    @Test func columnsMayComeInAnyOrder() throws {
        let text = "cold,total_s,compute_s,mapping_delay_s,jobs,intra,inter,memory_mb,step\nfalse,2,1.5,0.5,8,1,2,2048,x\n"
        let parsed = try ProfileCSV.decode(text)
        #expect(parsed[0].configuration == Configuration(memoryMB: 2048, inter: 2, intra: 1))
        #expect(parsed[0].totalSeconds == 2)
    }
}

@Suite struct WarmthTests {
    @Test func coldFunctionsCarryTheMeasuredColdStartCostAtTheirFanOut() throws {
        let workflow = Workflow(name: "w", steps: [Workflow.Step(id: "a", kind: "k", jobs: 8)])
        var stepModel = StepModel(
            instance: .init(workSecondsPerJob: 0.5, baseSeconds: 0.1),
            mapping: .init(baseSeconds: 0.1, perInstanceSeconds: 0.01, pastKneeSeconds: 0))
        let cold = NoiseModel.ColdStart(penaltySeconds: 0.3, perZSeconds: 0.1)
        stepModel.noise.coldStart = cold
        let model = PerformanceModel(workflow: "w", steps: ["a": stepModel])
        let graph = try WorkflowGraph(workflow)
        let dynamic = try ConfigurationSpace(graph: graph, model: model, platform: .aws, includesConfigurator: true)
        let cache = InMemoryGlobalCache()
        cache.recordUse(function: "k-m2048", until: 100, instances: InputBounds.maxInter)
        let penalties = try #require(try dynamic.coldPenalties(step: 0, now: 200, cache: cache))
        for (theta, penalty) in zip(dynamic.steps[0].configurations, penalties) {
            #expect(penalty == (theta.memoryMB == 2048 ? 0 : cold.penalty(inter: theta.inter)), "\(theta)")
        }
        #expect(cold.penalty(inter: 8) > cold.penalty(inter: 1))
        // Past the keep-alive the function is cold again.
        let later = try #require(try dynamic.coldPenalties(step: 0, now: 100 + Platform.aws.keepAliveSeconds + 1, cache: cache))
        #expect(zip(dynamic.steps[0].configurations, later).allSatisfy { $1 == cold.penalty(inter: $0.inter) })
        // A static plan pays cold starts too (it knows which functions its own earlier steps warm).
        let staticSpace = try ConfigurationSpace(graph: graph, model: model, platform: .aws, includesConfigurator: false)
        #expect(try staticSpace.coldPenalties(step: 0, now: 200, cache: cache) == penalties)
        // With nothing known, every option is cold.
        let everywhere = try #require(staticSpace.coldPenaltiesEverywhere(step: 0))
        #expect(zip(staticSpace.steps[0].configurations, everywhere).allSatisfy { $1 == cold.penalty(inter: $0.inter) })
    }

    @Test func noiseQuantilesAndSlowDownsComeFromTheRuns() throws {
        // Residuals of warm runs over the prediction: the quantiles are theirs, and runs far above are slow-downs.
        let model = StepModel(
            instance: .init(workSecondsPerJob: 0.5, baseSeconds: 0.1),
            mapping: .init(baseSeconds: 0.1, perInstanceSeconds: 0.01, pastKneeSeconds: 0))
        let theta = Configuration(memoryMB: 1024, inter: 1, intra: 1)
        let predicted = model.stepSeconds(theta, jobs: 4, platform: .aws)
        let ratios = (0..<99).map { -0.049 + Double($0) * 0.001 } + [2.0]
        let rows = ratios.map { r in
            ProfileSample(
                step: "a", configuration: theta, jobs: 4, mappingDelaySeconds: 0.1, computeSeconds: 1,
                totalSeconds: predicted * (1 + r), cold: false)
        }
        let noise = Estimator().noise(rows, model: model)
        #expect(abs(noise.stepQuantiles["p50"]! - 0.0005) < 1e-9)
        #expect(abs(noise.slowdownProbability - 0.01) < 1e-12)
        #expect(abs(noise.slowdownFactor - 3) < 1e-9)
        #expect(noise.coldStart == nil)
    }
}
