import Foundation
import PropertyBased
import StepConfCore
import Testing

@Suite struct NoiseModelTests {
    @Test(arguments: [(0.5, 0.0), (0.8413447460685429, 1.0), (0.975, 1.959963984540054), (0.99, 2.3263478740408408), (0.01, -2.3263478740408408)])
    func theNormalQuantileIsTheInverseOfThePhiTable(u: Double, z: Double) {
        #expect(abs(NoiseModel.standardNormalQuantile(u) - z) < 1e-9)
    }

    @Test func theQuantileIsInfiniteAtTheEndsAndMonotoneInside() {
        #expect(NoiseModel.standardNormalQuantile(0) == -.infinity && NoiseModel.standardNormalQuantile(1) == .infinity)
        let us = stride(from: 0.001, to: 1, by: 0.001).map { $0 }
        let zs = us.map(NoiseModel.standardNormalQuantile)
        #expect(zip(zs, zs.dropFirst()).allSatisfy { $0 < $1 })
    }

    /// The median of the largest of p standard normals, checked by sampling.
    @Test(arguments: [2, 4, 16, 300])
    func theMedianMaximumOfNormalsMatchesSampling(p: Int) {
        var rng = SeededRandom(seed: UInt64(p))
        let maxima = (0..<4001).map { _ in (0..<p).map { _ in rng.normal() }.max()! }.sorted()
        #expect(abs(maxima[2000] - NoiseModel.medianMaximumOfNormals(p)) < 0.06)
        #expect(NoiseModel.medianMaximumOfNormals(1) == 0 && NoiseModel.medianMaximumOfNormals(0) == 0)
    }

    @Test func theSlowestOfMoreInstancesIsSlowerAndAColdStartMoreLikely() {
        let noise = NoiseModel(instanceSpread: 0.08)
        let factors = [1, 2, 4, 8, 16, 32, 64].map(noise.slowestFactor)
        #expect(factors.first == 1 && zip(factors, factors.dropFirst()).allSatisfy { $0 < $1 })
        let cold = NoiseModel.ColdStart(penaltySeconds: 0.3, perZSeconds: 0.05, instanceProbability: 0.1)
        #expect(cold.penalty(inter: 1) == 0.3 && cold.penalty(inter: 8) > 0.3)
        #expect(abs(cold.probability(inter: 1) - 0.1) < 1e-12 && abs(cold.probability(inter: 2) - 0.19) < 1e-12)
        #expect(cold.probability(inter: 0) == cold.probability(inter: 1))
    }

    @Test func percentileKeysRoundTrip() {
        for p in NoiseModel.percentiles + [99.9, 75.5] {
            #expect(NoiseModel.percentile(NoiseModel.key(percentile: p)) == p)
        }
        #expect(NoiseModel.key(percentile: 95) == "p95" && NoiseModel.percentile("x95") == nil)
    }

    @Test func aNoiseModelRoundTripsThroughItsJSON() throws {
        let noise = NoiseModel(
            instanceSpread: 0.05, stepQuantiles: ["p50": 1.0, "p99": 1.3], slowdownProbability: 0.01, slowdownFactor: 3,
            coldStart: .init(penaltySeconds: 0.4, perZSeconds: 0.02, instanceProbability: 0.2))
        #expect(try JSONDecoder().decode(NoiseModel.self, from: try JSONEncoder().encode(noise)) == noise)
    }
}

@Suite struct ChanceConstraintMarginTests {
    @Test func aHigherPercentileNeedsAWiderMarginAndNoNoiseNeedsNone() throws {
        let levels = try [50.0, 90, 95, 99, 99.9].map { try ChanceConstraint(percentile: $0) }
        let margins = levels.map { $0.margin(variance: 0.04) }
        #expect(abs(margins[0]) < 1e-9, "the median needs no margin")
        #expect(zip(margins, margins.dropFirst()).allSatisfy { $0 < $1 })
        #expect(levels.allSatisfy { $0.margin(variance: 0) == 0 && $0.margin(variance: -1) == 0 })
        let p99 = levels[3]
        #expect(abs(p99.margin(error: 0.1, variance: 0.04) - (0.1 + p99.z * 0.2)) < 1e-12)
        #expect(p99.margin(error: -5, variance: 0) == 0, "a negative model error never shrinks the margin below zero")
    }
}

@Suite struct ProfilePlanTests {
    @Test(arguments: [("grid", "grid"), ("spread", "spread:10"), ("adaptive", "spread:10"), ("spread:4", "spread:4"), ("sample:3", "sample:3")])
    func plansParseAndPrint(text: String, printed: String) throws {
        #expect(try ProfilePlan.parse(text).description == printed)
    }

    @Test(arguments: ["", "spread:1", "sample:0", "sample:x", "everything", "spread:-2"])
    func anUnknownPlanIsRefusedWithTheChoices(text: String) {
        do {
            _ = try ProfilePlan.parse(text)
            Issue.record("accepted \(text)")
        } catch let error as InputError {
            #expect(error.message.contains("spread:N") && error.message.contains("`\(text)`"))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func aSpreadDesignStaysWithinItsBudgetAndOpensEachMemorySizeCold() async {
        let grid = ConfigurationGrid.paper
        await propertyCheck(count: 60, input: Gen.int(in: 1...512)) { jobs in
            let step = Workflow.Step(id: "s", kind: "synthetic", jobs: jobs, params: ["worker_memory_mb": 64])
            let runnable = grid.runnable(by: step)
            let design = ProfilePlan.spread(runnable: runnable, jobs: jobs, perMemory: 10)
            #expect(Set(design).count == design.count, "no configuration twice (jobs \(jobs))")
            #expect(design.allSatisfy { runnable.contains($0) }, "only runnable configurations (jobs \(jobs))")
            for m in Set(design.map(\.memoryMB)) {
                let here = design.filter { $0.memoryMB == m }
                #expect(here.count <= 10, "at most ten per memory size (jobs \(jobs))")
                let options = runnable.filter { $0.memoryMB == m }
                if options.count >= 2 {
                    // Its two cold starts come first: one instance with the most workers, then the widest fan-out with one.
                    #expect(here[0].inter == 1, "jobs \(jobs), m \(m)")
                    #expect(here[1].inter == options.map(\.inter).max() && here[1].intra == 1, "jobs \(jobs), m \(m)")
                }
            }
        }
    }

    @Test func theGridPlanIsTheRunnableSetAndSamplingTakesAtMostN() {
        let runnable = ConfigurationGrid.paper.runnable(by: Workflow.Step(id: "s", kind: "k", jobs: 64))
        #expect(ProfilePlan.grid.configurations(runnable: runnable, jobs: 64, shuffle: { $0 }) == runnable)
        let sampled = ProfilePlan.sample(7).configurations(runnable: runnable, jobs: 64, shuffle: { $0.reversed() })
        #expect(sampled.count == 7 && sampled.allSatisfy { runnable.contains($0) })
        #expect(ProfilePlan.standard.opensWithColdStarts && !ProfilePlan.grid.opensWithColdStarts)
    }
}
