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
    let grid = ConfigurationGrid.paper

    /// A profile drawn from `model` itself (with optional noise), at Q(m) = 8 for every memory size.
    private func samples(of model: StepModel, jobs: Int = 256, noise: Double = 0, seed: UInt64 = 1) -> [ProfileSample] {
        var rng = SeededRandom(seed: seed)
        var rows: [ProfileSample] = []
        for m in grid.memoryMB {
            for p in grid.inter {
                for q in (p == 4 ? grid.intra : [8]) {
                    let theta = Configuration(memoryMB: m, inter: p, intra: q)
                    let compute = model.computeSeconds(theta, jobs: jobs, singleCoreMemoryMB: 1769) * rng.meanOneLogNormal(cv: noise)
                    let mapping = model.mapping.seconds(inter: p)
                    // Q(m) must come out as 8: make smaller q measurably slower than the model says.
                    let slower = q == 8 ? 1.0 : 1.5
                    rows.append(ProfileSample(
                        step: "a", configuration: theta, jobs: jobs, mappingDelaySeconds: mapping,
                        computeSeconds: compute * slower, totalSeconds: mapping + compute * slower, cold: false))
                }
            }
        }
        return rows
    }

    let singleThread = StepModel(
        case1: nil, case2: .init(alpha2: 0.05, beta2: 0.2, phi2: 0.1),
        mapping: .init(baseSeconds: 0.1, perInstanceSeconds: 0.004, pastKneeSeconds: 0.004))
    let multicore = StepModel(
        case1: .init(alpha1: 0.2, beta1: 0.5, alpha2: 0.45, phi1: 0.2), case2: .init(alpha2: 0.12, beta2: 0, phi2: 0.05),
        mapping: .init(baseSeconds: 0.12, perInstanceSeconds: 0.006, pastKneeSeconds: 0.004))

    @Test func recoversCaseTwoParametersFromNoiselessSamples() throws {
        let (model, reports) = try Estimator().fit(samples(of: singleThread), workflowName: "w")
        let fitted = try #require(model.steps["a"])
        #expect(fitted.case1 == nil)
        #expect(abs(fitted.case2.alpha2 - 0.05) < 1e-4)
        #expect(abs(fitted.case2.beta2 - 0.2) < 1e-3)
        #expect(abs(fitted.case2.phi2 - 0.1) < 1e-3)
        #expect(abs(fitted.mapping.baseSeconds - 0.1) < 1e-4)
        #expect(abs(fitted.mapping.perInstanceSeconds - 0.004) < 1e-5)
        #expect(reports[0].fitted.max < 1e-3)
        #expect(fitted.bestIntra(memoryMB: 4096) == 8)
        #expect(abs(fitted.mapping.pastKneeSeconds - 0.004) < 1e-4)
    }

    @Test func choosesCaseOneForAMultiCoreStep() throws {
        let (model, reports) = try Estimator().fit(samples(of: multicore), workflowName: "w")
        let fitted = try #require(model.steps["a"])
        let c1 = try #require(fitted.case1)
        #expect(abs(c1.alpha1 - 0.2) < 1e-3)
        #expect(abs(c1.alpha2 - 0.45) < 1e-3)
        #expect(reports[0].fitted.max < 1e-3)
        #expect(fitted.fit?.chosenCase == "case1")
    }

    @Test func noisySamplesStillPredictWithinTheNoise() throws {
        let (_, reports) = try Estimator(options: .init(holdoutFraction: 0.3, seed: 4))
            .fit(samples(of: multicore, noise: 0.02, seed: 3), workflowName: "w")
        let holdout = try #require(reports[0].holdout)
        #expect(holdout.configurations >= 10)
        #expect(holdout.mean < 0.03)
        #expect(holdout.max < 0.08)
    }

    @Test func tooFewConfigurationsSayHowManyAreNeeded() {
        let rows = Array(samples(of: singleThread).filter { $0.configuration.intra == 8 }.prefix(3))
        #expect {
            try Estimator().fit(rows, workflowName: "w")
        } throws: { ($0 as? InputError)?.message.contains("needs at least 4") ?? false }
    }

    @Test func nonConvergenceFallsBackToTheLinearFitAndFlagsIt() throws {
        let (model, reports) = try Estimator(options: .init(maxIterations: 1)).fit(samples(of: multicore), workflowName: "w")
        let fitted = try #require(model.steps["a"])
        #expect(!reports[0].converged)
        #expect(fitted.case1 == nil && fitted.case2.beta2 == 0)
        #expect(fitted.flags.contains { $0.hasPrefix("fallback-fit") })
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
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold\ns,1024,1,1,4,0.1,-2,1,false\n", "line 2: `compute_s` is negative"),
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold\ns,1024,1,1,4,0.1,2,1\n", "line 2: 8 fields"),
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold\ns,64,1,1,4,0.1,2,1,false\n", "`memory_mb` must be an integer ≥ 128"),
        ("", "empty file"),
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
    @Test func coldFunctionsCarryTheMeasuredColdStartCost() throws {
        let workflow = Workflow(name: "w", steps: [Workflow.Step(id: "a", kind: "k", jobs: 8)])
        var stepModel = StepModel(
            case1: nil, case2: .init(alpha2: 0.5, beta2: 0, phi2: 0.1),
            mapping: .init(baseSeconds: 0.1, perInstanceSeconds: 0.01, pastKneeSeconds: 0))
        stepModel.coldStartSeconds = 0.3
        let model = PerformanceModel(workflow: "w", steps: ["a": stepModel])
        let graph = try WorkflowGraph(workflow)
        let dynamic = try ConfigurationSpace(graph: graph, model: model, platform: .aws, includesConfigurator: true)
        let cache = InMemoryGlobalCache()
        cache.recordUse(function: "k-m2048", until: 100)
        let penalties = try #require(try dynamic.coldPenalties(step: 0, now: 200, cache: cache))
        for (theta, penalty) in zip(dynamic.steps[0].configurations, penalties) {
            #expect(penalty == (theta.memoryMB == 2048 ? 0 : 0.3), "\(theta)")
        }
        // Past the keep-alive the function is cold again.
        let later = try #require(try dynamic.coldPenalties(step: 0, now: 100 + Platform.aws.keepAliveSeconds + 1, cache: cache))
        #expect(later.allSatisfy { $0 == 0.3 })
        // A static plan cannot know which functions are warm.
        let staticSpace = try ConfigurationSpace(graph: graph, model: model, platform: .aws, includesConfigurator: false)
        #expect(try staticSpace.coldPenalties(step: 0, now: 200, cache: cache) == nil)
    }

    @Test func estimatorMeasuresColdStartCostAndSpread() {
        func row(_ mapping: Double, _ total: Double, cold: Bool, p: Int = 4) -> ProfileSample {
            ProfileSample(
                step: "a", configuration: Configuration(memoryMB: 1024, inter: p, intra: 1), jobs: 8,
                mappingDelaySeconds: mapping, computeSeconds: total - mapping, totalSeconds: total, cold: cold)
        }
        let rows = [
            row(0.1, 2.0, cold: false), row(0.1, 2.2, cold: false), row(0.12, 1.8, cold: false), row(0.1, 2.0, cold: false),
            row(0.45, 2.4, cold: true), row(0.9, 2.9, cold: true, p: 8),
        ]
        // Only the p = 4 cold run has warm runs at the same fan-out: 0.45 − 0.1.
        #expect(abs(Estimator.coldStartPenalty(rows)! - 0.35) < 1e-12)
        // Warm runs over their median 2.0: −0.1, 0, 0, +0.1; the 95th percentile is +0.1.
        #expect(abs(Estimator.timeSpread(rows, quantile: 0.95)! - 0.1) < 1e-12)
    }
}
