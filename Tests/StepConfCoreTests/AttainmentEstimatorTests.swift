import Foundation
import StepConfCore
import StepConfStorage
import StepConfTestSupport
import Testing

@Suite struct AttainmentEstimatorTests {
    /// A workflow of `ids`, each depending on the steps `edges` name.
    private func graph(_ ids: [String], _ edges: [String: [String]] = [:]) throws -> WorkflowGraph {
        try WorkflowGraph(Workflow(
            name: "w", steps: ids.map { Workflow.Step(id: $0, kind: "synthetic", jobs: 4, dependsOn: edges[$0] ?? []) }))
    }

    /// A step whose residual is uniform on [0, 0.4] over u in [0.5, 0.9] (linear quantiles).
    private let linear = NoiseModel(stepQuantiles: ["p50": 0, "p90": 0.4, "p95": 0.45, "p99": 0.49])

    private func step(_ function: String = "f", p: Int = 1, seconds: Double = 1) -> AttainmentEstimator.PlannedStep {
        .init(function: function, inter: p, seconds: seconds)
    }

    @Test func withoutNoiseEverySampleEndsWhenTheForwardPassSays() throws {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<20 {
            let workflow = RandomWorkflows.make(count: Int.random(in: 1...8, using: &rng), rng: &rng, jobs: 1...4)
            let g = try WorkflowGraph(workflow)
            let seconds = (0..<g.count).map { _ in Double.random(in: 0.1...2, using: &rng) }
            let delay = (0..<g.count).map { _ in Double.random(in: 0...0.1, using: &rng) }
            let estimator = AttainmentEstimator(graph: g, noise: Array(repeating: NoiseModel(), count: g.count), samples: 50)
            let steps = (0..<g.count).map { AttainmentEstimator.PlannedStep(function: "f\($0)", inter: 2, seconds: seconds[$0], delaySeconds: delay[$0]) }
            let makespan = g.makespan { seconds[$0] + delay[$0] }
            for end in estimator.ends(steps, warmth: .cold) { #expect(abs(end - makespan) < 1e-9) }
            #expect(estimator.attainment(steps, deadline: makespan, warmth: .cold) == 1)
            #expect(estimator.attainment(steps, deadline: makespan * 0.999, warmth: .cold) == 0)
        }
    }

    @Test func oneStepAttainsWhatItsStoredQuantilesSay() throws {
        let estimator = AttainmentEstimator(graph: try graph(["a"]), noise: [linear], samples: 20_000)
        // r(u) = u − 0.5 between the median and p90: P(t ≤ 1.2) = P(u ≤ 0.7) = 0.7.
        let attained = estimator.attainment([step()], deadline: 1.2, warmth: .cold)
        #expect(abs(attained - 0.7) < 0.015)
        // Below the median the distribution is mirrored: P(t ≤ 0.8) = 0.3.
        #expect(abs(estimator.attainment([step()], deadline: 0.8, warmth: .cold) - 0.3) < 0.015)
        // Past the highest stored quantile the tail goes on growing.
        #expect(estimator.quantile([step()], level: 0.999, warmth: .cold) > 1.49)
    }

    @Test func aSlowedInstanceIsMetMoreOftenTheWiderTheStep() throws {
        // One instance in a hundred takes twice the median instance; nothing else varies.
        let slow = NoiseModel(instanceSlowdownProbability: 0.01, instanceSlowdownQuantiles: ["p10": 1, "p50": 1, "p90": 1])
        let estimator = AttainmentEstimator(graph: try graph(["a"]), noise: [slow], samples: 20_000)
        for p in [1, 8, 32] {
            let late = 1 - estimator.attainment([step(p: p)], deadline: 1.5, warmth: .cold)
            // The step waits for its slowest instance: it is late when any of p is slowed, 1 − 0.99^p.
            #expect(abs(late - (1 - pow(0.99, Double(p)))) < 0.01, "p = \(p): \(late)")
        }
        #expect(estimator.quantile([step(p: 32)], level: 0.99, warmth: .cold) == 2)
        // Without instance slow-downs the draws are what they were: the same ends as a model that never had the fields.
        let plain = AttainmentEstimator(graph: try graph(["a"]), noise: [linear], samples: 500)
        var withField = linear
        withField.instanceSlowdownQuantiles = [:]
        #expect(plain.ends([step(p: 8)], warmth: .cold) == AttainmentEstimator(graph: try graph(["a"]), noise: [withField], samples: 500).ends([step(p: 8)], warmth: .cold))
    }

    @Test func instanceSlowDownsAreFittedFromEveryInstancesDurationAndRoundTripThroughTheModelFile() throws {
        var rng = SeededRandom(seed: 5)
        var rows: [ProfileSample] = []
        var slowed = 0
        var total = 0
        for k in 0..<40 {
            let p = [4, 8, 16][k % 3]
            let times = (0..<p).map { _ -> Double in
                total += 1
                let base = 1 + 0.02 * (rng.unit() - 0.5)
                if rng.unit() < 0.03 { slowed += 1; return base * 2.5 }
                return base
            }
            rows.append(ProfileSample(
                step: "a", configuration: Configuration(memoryMB: 1024, inter: p, intra: 1), jobs: 64, mappingDelaySeconds: 0,
                computeSeconds: 1, totalSeconds: times.max()!, cold: false, instanceSeconds: times))
        }
        let fitted = try #require(Estimator.instanceSlowdowns(rows))
        #expect(abs(fitted.probability - Double(slowed) / Double(total)) < 1e-9)
        #expect(abs(fitted.quantiles["p50"]! - 1.5) < 0.05)
        // Instances holding unequal work (jobs not a multiple of p), or too few durations, teach nothing.
        #expect(Estimator.instanceSlowdowns(rows.map { var r = $0; r.jobs = 63; return r }) == nil)
        #expect(Estimator.instanceSlowdowns(Array(rows.prefix(3))) == nil)
        let noise = NoiseModel(instanceSlowdownProbability: fitted.probability, instanceSlowdownQuantiles: fitted.quantiles)
        #expect(try JSONDecoder().decode(NoiseModel.self, from: JSONEncoder().encode(noise)) == noise)
        // A model without them writes no such keys.
        #expect(!String(decoding: try JSONEncoder().encode(NoiseModel()), as: UTF8.self).contains("instance_slowdown"))
        // The profile CSV carries the durations.
        #expect(try ProfileCSV.decode(ProfileCSV.encode(rows)) == rows)
    }

    @Test func parallelBranchesAttainTheProductOfTheirChances() throws {
        let g = try graph(["s", "a", "b", "e"], ["a": ["s"], "b": ["s"], "e": ["a", "b"]])
        let none = NoiseModel()
        let estimator = AttainmentEstimator(graph: g, noise: [none, linear, linear, none], samples: 20_000)
        let steps = [step("s", seconds: 0), step("a"), step("b"), step("e", seconds: 0)]
        // Each branch ends by 1.2 with chance 0.7, independently: the join by then with 0.49.
        #expect(abs(estimator.attainment(steps, deadline: 1.2, warmth: .cold) - 0.49) < 0.015)
    }

    @Test func coldStartsArePaidWhereThePoolHasTooFewIdleInstances() throws {
        let g = try graph(["a", "b", "c"], ["b": ["a"], "c": ["b"]])
        let cold = NoiseModel(coldStart: .init(penaltySeconds: 1))
        let estimator = AttainmentEstimator(graph: g, noise: [cold, cold, cold], samples: 4_000)
        // b reuses a's two instances; c needs four, so it meets cold ones.
        let steps = [step(p: 2), step(p: 2), step(p: 4)]
        let allCold = estimator.ends(steps, warmth: .cold)
        #expect(allCold.allSatisfy { abs($0 - 5) < 1e-9 })
        // Warm at the start with four idle instances: nothing is cold.
        let warm = AttainmentEstimator.Warmth(instances: ["f": 4], chance: 1)
        #expect(estimator.ends(steps, warmth: warm).allSatisfy { abs($0 - 3) < 1e-9 })
        // Steady traffic: a request finds them warm with the traffic's chance.
        let steady = AttainmentEstimator.Warmth.steady(steps, chance: 0.25)
        #expect(steady.instances == ["f": 4])
        #expect(abs(estimator.attainment(steps, deadline: 3, warmth: steady) - 0.25) < 0.03)
    }

    @Test func finishedStepsKeepTheirEndAndStepsStillToRunStartNoEarlierThanNow() throws {
        let g = try graph(["a", "b"], ["b": ["a"]])
        let estimator = AttainmentEstimator(graph: g, noise: [NoiseModel(), NoiseModel()], samples: 10)
        var steps = [step(), step()]
        steps[0].finish = 2
        #expect(estimator.ends(steps, now: 3, warmth: .cold).allSatisfy { abs($0 - 4) < 1e-9 })
        #expect(estimator.ends(steps, now: 1, warmth: .cold).allSatisfy { abs($0 - 3) < 1e-9 })
    }

    @Test func estimatesAreReproducibleAndShareTheirDraws() throws {
        let g = try graph(["a"])
        let one = AttainmentEstimator(graph: g, noise: [linear], samples: 500, seed: 3)
        let two = AttainmentEstimator(graph: g, noise: [linear], samples: 500, seed: 3)
        #expect(one.ends([step()], warmth: .cold) == two.ends([step()], warmth: .cold))
        // Common random numbers: a faster plan is faster on every sample.
        let slow = one.ends([step(seconds: 2)], warmth: .cold)
        let fast = one.ends([step(seconds: 1)], warmth: .cold)
        #expect(zip(fast, slow).allSatisfy { $0 < $1 })
    }

    @Test func trafficWarmChanceIsTheChanceTheLastGapFitsTheKeepAlive() throws {
        let traffic = try Traffic(requestsPerHour: 12)
        #expect(abs(traffic.meanGapSeconds - 300) < 1e-12)
        #expect(abs(traffic.warmChance(keepAliveSeconds: 600) - (1 - exp(-2.0))) < 1e-12)
        #expect(traffic.warmChance(keepAliveSeconds: 0) == 0)
        for bad in [0, -1, .nan, .infinity, 1e9] {
            #expect(throws: InputError.self) { try Traffic(requestsPerHour: bad) }
        }
    }

    @Test func aStaticPlanMadeForAPercentilePredictsItWhereAnyPlanCan() throws {
        let workflow = try Workflow.load(from: Fixtures.example("synthetic16.json"))
        let model = try PerformanceModel.load(from: Fixtures.example("synthetic16.model.json"), for: workflow)
        let graph = try WorkflowGraph(workflow)
        let fastest = try Policies.autoSLOSeconds(graph: graph, model: model, platform: .aws) / Policies.autoSLOFactor
        for factor in [1.5, 2.5] {
            let policy = try Policies.make(.static, graph: graph, model: model, platform: .aws, percentile: 99)
            let plan = try Plan.make(policy: policy, sloSeconds: fastest * factor)
            #expect(plan.predictedAttainment >= 0.99)
            #expect(plan.feasibleAtPercentile == true)
            #expect(plan.makespanAtPercentileSeconds! <= plan.sloSeconds)
        }
    }
}
