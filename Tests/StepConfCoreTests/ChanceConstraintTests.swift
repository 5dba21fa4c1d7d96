import PropertyBased
import StepConfCore
import Testing

@Suite struct ChanceConstraintTests {
    private func randomCase(_ seed: Int) -> (WorkflowGraph, PerformanceModel, Platform, SplitMix64) {
        var rng = SplitMix64(seed: UInt64(seed))
        let workflow = Fixtures.randomWorkflow(count: Int.random(in: 1...5, using: &rng), rng: &rng, jobs: 1...12)
        let model = Fixtures.randomModel(for: workflow, rng: &rng)
        var platform = Platform.aws
        platform.grid = ConfigurationGrid(memoryMB: [1024, 4096, 8192], inter: [1, 2], intra: [1])
        return (try! WorkflowGraph(workflow), model, platform, rng)
    }

    @Test func aPercentileOutsideZeroToHundredIsRefusedWithTheReason() throws {
        for bad in [0, -1, 100, 150, Double.nan, .infinity] {
            #expect(throws: InputError.self) { try ChanceConstraint(percentile: bad) }
        }
        #expect {
            try ChanceConstraint(percentile: 100)
        } throws: { ($0 as? InputError)?.message.contains("never") == true || ($0 as? InputError)?.message.contains("100 %") == true }
        let p99 = try ChanceConstraint(percentile: 99)
        #expect(abs(p99.z - 2.3263478740408408) < 1e-9)
        #expect(abs(p99.margin(variance: 4) - 2 * p99.z) < 1e-12)
        #expect(abs(try ChanceConstraint(percentile: 50).margin(variance: 9)) < 1e-9)
    }

    @Test func withZeroNoiseEveryChanceConstrainedPolicyEqualsItsDeterministicVersion() async throws {
        // Seed 195560: `nono` missed on its predicted times, and the percentile plan shortened past the spread (none).
        let seeds = Gen.int(in: 0...1_000_000)
        for seed in [195560, 550237] { check(seed) }
        await propertyCheck(count: 30, input: seeds) { seed in check(seed) }
        func check(_ seed: Int) {
            var (graph, model, platform, rng) = randomCase(seed)
            for id in model.steps.keys { model.steps[id]!.noise = NoiseModel() }
            let fastest = try! Policies.autoSLOSeconds(graph: graph, model: model, platform: platform) / Policies.autoSLOFactor
            let slo = fastest * Double.random(in: 0.9...3, using: &rng)
            for name in [PolicyName.stepconf, .static, .stepconfExact, .nono, .interOnly] {
                let chance = try! Plan.make(
                    policy: Policies.make(name, graph: graph, model: model, platform: platform, percentile: 99), sloSeconds: slo)
                let plain = try! Plan.make(
                    policy: Policies.make(name, graph: graph, model: model, platform: platform, percentile: nil), sloSeconds: slo)
                guard plain.feasible else {
                    // 550237: no plan of Algorithm 2's meets the SLO on predicted times; its fallback keeps the plan it
                    // had, while at a percentile the plan that attains the most is run (here the all-fastest one,
                    // which meets it). Neither attains less than the other predicts.
                    #expect(chance.predictedAttainment >= plain.predictedAttainment, "\(name) seed \(seed)")
                    continue
                }
                #expect(chance.steps.map(\.memoryMB) == plain.steps.map(\.memoryMB), "\(name) seed \(seed)")
                #expect(chance.steps.map(\.inter) == plain.steps.map(\.inter), "\(name) seed \(seed)")
                #expect(chance.costUSD == plain.costUSD, "\(name) seed \(seed)")
            }
        }
    }

    @Test func aDynamicDecisionWithMoreTimeLeftNeverCostsMore() async throws {
        await propertyCheck(count: 40, input: Gen.int(in: 0...1_000_000)) { seed in
            var (graph, model, platform, rng) = randomCase(seed)
            let fastest = try! Policies.autoSLOSeconds(graph: graph, model: model, platform: platform) / Policies.autoSLOFactor
            let tight = fastest * Double.random(in: 0.8...2, using: &rng)
            let loose = tight * Double.random(in: 1...2, using: &rng)
            // stepconf's budget grows with the time left at any percentile; the exact policy's margin is read off a
            // reference plan, which is not monotone in the SLO, so it is checked on predicted times.
            for (name, percentile) in [(PolicyName.stepconf, 99.0), (.intraOnly, 99), (.stepconf, nil), (.stepconfExact, nil)] {
                let policy = try! Policies.make(
                    name, graph: graph, model: model, platform: platform, percentile: percentile) as! any DynamicPolicy
                func cost(_ slo: Double) -> Double {
                    let context = DecisionContext(
                        now: 0, executionStart: 0, sloSeconds: slo, execution: "e", cache: InMemoryGlobalCache(),
                        progress: Array(repeating: .pending, count: graph.count))
                    return try! policy.decide(step: graph.start, context: context).costUSD
                }
                if name != .stepconfExact {
                    #expect(cost(loose) <= cost(tight) + 1e-12, "\(name) seed \(seed)")
                } else {
                    // The exact policy's whole plan: with more time the remaining workflow never costs more.
                    let context = { (slo: Double) in
                        DecisionContext(
                            now: 0, executionStart: 0, sloSeconds: slo, execution: "e", cache: InMemoryGlobalCache(),
                            progress: Array(repeating: .pending, count: graph.count))
                    }
                    let a = try! policy.decide(step: graph.start, context: context(tight)).solve!
                    let b = try! policy.decide(step: graph.start, context: context(loose)).solve!
                    if a.feasible { #expect(b.feasible && b.costUSD <= a.costUSD * (1 + 1e-9), "\(name) seed \(seed)") }
                }
            }
        }
    }

    /// The share of `samples` noise draws (normal, each step's own variance) in which `choice` ends by `slo`.
    private func attainment(
        _ choice: [Int], space: ConfigurationSpace, slo: Double, samples: Int, rng: inout SplitMix64
    ) -> Double {
        let graph = space.graph
        var met = 0
        for _ in 0..<samples {
            var finish = [Double](repeating: 0, count: graph.count)
            for v in graph.topologicalOrder {
                let ready = graph.predecessors[v].reduce(0.0) { max($0, finish[$1]) }
                let t = space.steps[v].seconds[choice[v]] + space.variances[v][choice[v]].squareRoot() * rng.normal()
                finish[v] = ready + t
            }
            if finish.max()! <= slo { met += 1 }
        }
        return Double(met) / Double(samples)
    }

    @Test func staticAndExactPlansMeetThePercentileUnderMonteCarloAndCostNoLessThanBruteForce() async throws {
        // Brute force: every plan of a small DAG, its attainment by Monte Carlo on the same noise; the cheapest
        // that attains P is the chance-constrained optimum. Ours must attain P (within the normal approximation's
        // error on parallel paths and the sampling error) and so cannot beat it by more than that.
        await propertyCheck(count: 15, input: Gen.int(in: 0...1_000_000)) { seed in
            var (graph, model, platform, rng) = randomCase(seed)
            for id in model.steps.keys.sorted() { model.steps[id]!.noise.instanceSpread = .random(in: 0.05...0.15, using: &rng) }
            let percentile = 95.0
            let policy = try! Policies.make(.static, graph: graph, model: model, platform: platform, percentile: percentile)
            let space = policy.space
            let slo = space.fastestMakespanSeconds * Double.random(in: 1.3...2.5, using: &rng)
            let plan = try! (policy as! any StaticPolicy).plan(sloSeconds: slo).map(\.option)
            let ours = attainment(plan, space: space, slo: slo, samples: 4000, rng: &rng)
            // Brute force over every plan.
            var best = Double.infinity
            var choice = [Int](repeating: 0, count: graph.count)
            func visit(_ v: Int) {
                if v == graph.count {
                    let cost = zip(choice.indices, choice).reduce(0.0) { $0 + space.steps[$1.0].costUSD[$1.1] }
                    guard cost < best else { return }
                    if attainment(choice, space: space, slo: slo, samples: 1500, rng: &rng) >= percentile / 100 { best = cost }
                    return
                }
                for k in 0..<space.steps[v].count {
                    choice[v] = k
                    visit(v + 1)
                }
            }
            visit(0)
            guard best.isFinite else { return }
            let cost = zip(plan.indices, plan).reduce(0.0) { $0 + space.steps[$1.0].costUSD[$1.1] }
            #expect(ours >= percentile / 100 - 0.03, "seed \(seed): static attains \(ours)")
            if ours >= percentile / 100 + 0.01 { #expect(cost >= best * (1 - 1e-9), "seed \(seed)") }
        }
    }
}
