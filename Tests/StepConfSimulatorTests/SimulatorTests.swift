import StepConfCore
@testable import StepConfSimulator
import Testing
import StepConfExamples

@Suite struct SimulatorTests {
    let simulator = LambdaSimulator()

    private func step(jobs: Int = 8, ratio: Double = 0, worker: Double = 64) -> Workflow.Step {
        Workflow.Step(
            id: "s", kind: "synthetic", jobs: jobs,
            params: ["difficulty": 100_000, "multicore_ratio": ratio, "worker_memory_mb": worker, "bytes_in_per_job": 0])
    }

    /// Mean compute of a noiseless run (noise and slow-downs off), seconds.
    private func compute(_ s: Workflow.Step, _ theta: Configuration, simulator: LambdaSimulator? = nil) throws -> Double {
        var quiet = simulator ?? self.simulator
        quiet.config.noiseCV = 0
        quiet.config.storageSlowdownProbability = 0
        var pool = WarmPool(keepAliveSeconds: 600)
        var rng = SeededRandom(seed: 1)
        let workload = try StepWorkload(step: s, secondsPerDifficultyUnit: quiet.config.secondsPerDifficultyUnit)
        return quiet.run(s, workload: workload, configuration: theta, start: 0, pool: &pool, rng: &rng).meanComputeSeconds
    }

    @Test func moreMemoryIsNeverSlowerForASingleThreadStep() throws {
        let s = step()
        var previous = Double.infinity
        for m in stride(from: 128, through: 10_240, by: 64) {
            let t = try compute(s, Configuration(memoryMB: m, inter: 1, intra: 1))
            #expect(t <= previous + 1e-12, "m = \(m)")
            previous = t
        }
    }

    @Test func memoryStopsHelpingPastOneCoreUnlessThereAreWorkers() throws {
        let s = step()
        let at1769 = try compute(s, Configuration(memoryMB: 1769, inter: 1, intra: 1))
        let at4096 = try compute(s, Configuration(memoryMB: 4096, inter: 1, intra: 1))
        let workers = try compute(s, Configuration(memoryMB: 4096, inter: 1, intra: 2))
        #expect(abs(at4096 - at1769) < 1e-9 * at1769)
        #expect(workers < 0.6 * at4096)
    }

    @Test func multiCoreRatioUsesCoresWithinOneProcess() throws {
        let threaded = try compute(step(ratio: 0.9), Configuration(memoryMB: 8192, inter: 1, intra: 1))
        let serial = try compute(step(ratio: 0), Configuration(memoryMB: 8192, inter: 1, intra: 1))
        #expect(threaded < 0.4 * serial)
    }

    @Test func workersThatDoNotFitInMemorySlowDown() throws {
        let s = step(jobs: 8, worker: 256)
        let fits = try compute(s, Configuration(memoryMB: 1024, inter: 1, intra: 2))
        let swaps = try compute(s, Configuration(memoryMB: 1024, inter: 1, intra: 4))
        #expect(swaps > fits)
    }

    @Test func fanOutPastTheMapConcurrencyComesInWaves() throws {
        var pool = WarmPool(keepAliveSeconds: 600)
        var rng = SeededRandom(seed: 2)
        let s = step(jobs: 80)
        let workload = try StepWorkload(step: s, secondsPerDifficultyUnit: simulator.config.secondsPerDifficultyUnit)
        let forty = simulator.run(s, workload: workload, configuration: Configuration(memoryMB: 2048, inter: 40, intra: 1), start: 0, pool: &pool, rng: &rng)
        let eighty = simulator.run(s, workload: workload, configuration: Configuration(memoryMB: 2048, inter: 80, intra: 1), start: 100, pool: &pool, rng: &rng)
        // 80 instances each with half the jobs, but the second 40 wait for the first: no faster, much later start.
        #expect(eighty.mappingDelaySeconds > forty.mappingDelaySeconds + 0.5 * forty.meanComputeSeconds)
        #expect(eighty.totalSeconds > 0.9 * forty.totalSeconds)
    }

    @Test func aOneJobStepIsFittedOnItsMemorySizesAlone() throws {
        // Word count's reduce: one job, so p = q = 1 is all it can run; the fit takes its memory sizes.
        let workflow = try EmbeddedExamples.workflow("wordcount")
        let graph = try WorkflowGraph(Workflow(name: "one", steps: [workflow.steps[1]].map { var s = $0; s.dependsOn = []; return s }))
        let samples = try Profiler(simulator: simulator).profile(graph, plan: .standard, repeats: 3, seed: 4)
        #expect(Set(samples.map(\.configuration.memoryMB)).count == Platform.aws.grid.memoryMB.count)
        #expect(samples.allSatisfy { $0.configuration.inter == 1 && $0.configuration.intra == 1 })
        let (model, reports) = try Estimator().fit(samples, workflowName: "one")
        #expect(try #require(reports.first?.fitted.max) < 0.1)
        let stepModel = try #require(model.steps["reduce"])
        let theta = Configuration(memoryMB: 1024, inter: 1, intra: 1)
        let measured = samples.filter { $0.configuration == theta && !$0.cold }.map(\.totalSeconds)
        let predicted = stepModel.stepSeconds(theta, jobs: 1, platform: .aws)
        #expect(abs(predicted - median(measured)) < 0.1 * median(measured), "\(predicted) vs \(measured)")
        // Three memory sizes are too few, and the message says why.
        let few = samples.filter { [128, 512, 1024].contains($0.configuration.memoryMB) }
        #expect {
            _ = try Estimator().fit(few, workflowName: "one")
        } throws: { error in
            "\(error)".contains("has one job, so it runs only at p = q = 1") && "\(error)".contains("at least 4")
        }
    }

    @Test func sameSeedSameRunAndDifferentSeedDifferentRun() throws {
        let graph = try WorkflowGraph(try EmbeddedExamples.workflow("video"))
        let profiler = Profiler(simulator: simulator)
        let a = try profiler.profile(graph, plan: .sample(5), repeats: 2, seed: 9)
        let b = try profiler.profile(graph, plan: .sample(5), repeats: 2, seed: 9)
        let c = try profiler.profile(graph, plan: .sample(5), repeats: 2, seed: 10)
        #expect(a == b)
        #expect(a != c)
        #expect(a.filter { !$0.cold }.count == 5 * 5 * 2)
        #expect(a.contains { $0.cold })
    }

    @Test func profilingAcrossSizesVariesTheJobsWithinTheSameRuns() throws {
        let graph = try WorkflowGraph(try EmbeddedExamples.workflow("wordcount"))
        let profiler = Profiler(simulator: simulator)
        let one = try profiler.profile(graph, plan: .standard, repeats: 1, seed: 3)
        let three = try profiler.profile(graph, plan: .standard, repeats: 1, seed: 3, sizes: [0.5, 1, 2])
        // As many runs, the same configurations; the map's jobs now take the sizes in turn, the fixed reduce's do not.
        #expect(three.count == one.count)
        #expect(three.map(\.configuration) == one.map(\.configuration))
        #expect(Set(three.filter { $0.step == "map" && !$0.cold }.map(\.jobs)) == [50, 100, 200])
        #expect(Set(three.filter { $0.step == "reduce" }.map(\.jobs)) == [1])
        #expect(Set(one.map(\.jobs)) == [100, 1])
    }

    @Test func idleInstancesPastTheKeepAliveStartCold() throws {
        var pool = WarmPool(keepAliveSeconds: 600)
        var rng = SeededRandom(seed: 3)
        let s = step(jobs: 4)
        let workload = try StepWorkload(step: s, secondsPerDifficultyUnit: simulator.config.secondsPerDifficultyUnit)
        let theta = Configuration(memoryMB: 1024, inter: 4, intra: 1)
        let first = simulator.run(s, workload: workload, configuration: theta, start: 0, pool: &pool, rng: &rng)
        let soon = simulator.run(s, workload: workload, configuration: theta, start: first.end + 10, pool: &pool, rng: &rng)
        let late = simulator.run(s, workload: workload, configuration: theta, start: soon.end + 601, pool: &pool, rng: &rng)
        #expect(first.coldStarts == 4)
        #expect(soon.coldStarts == 0)
        #expect(late.coldStarts == 4)
        #expect(late.mappingDelaySeconds > soon.mappingDelaySeconds)
    }

    @Test func aMemorySizeHasItsOwnWarmInstances() {
        var pool = WarmPool(keepAliveSeconds: 600)
        pool.release("synthetic-m1024", at: 0)
        let other = pool.acquire("synthetic-m2048", at: 1)
        let same = pool.acquire("synthetic-m1024", at: 1)
        let again = pool.acquire("synthetic-m1024", at: 2)
        #expect(!other && same && !again)
    }

    @Test func outOfRangeParametersAreRejected() {
        let bad = Workflow.Step(id: "x", kind: "k", jobs: 1, params: ["multicore_ratio": 1.5])
        #expect(throws: InputError.self) { try StepWorkload(step: bad, secondsPerDifficultyUnit: 1e-6) }
    }
}

@Suite struct EvaluationTests {
    private func evaluation() throws -> Evaluation {
        let workflow = try EmbeddedExamples.workflow("video")
        return try Evaluation(
            graph: try WorkflowGraph(workflow), model: try EmbeddedExamples.model("video", for: workflow),
            simulator: LambdaSimulator())
    }

    @Test func sameSeedSameFigures() throws {
        let e = try evaluation()
        let settings = Evaluation.Settings(requests: 20, seed: 5, policies: [.stepconf, .static, .nono])
        let a = try e.run(settings: settings, slos: [6, 12])
        let b = try e.run(settings: settings, slos: [6, 12])
        #expect(a.map(\.durations) == b.map(\.durations))
        #expect(a.map(\.costs) == b.map(\.costs))
        #expect(a.count == 6)
    }

    @Test func dynamicPoliciesPayForTheirConfiguratorInTimeAndCost() throws {
        // The same fixed decisions and random streams, once with a configurator before each step and once
        // without: the difference is exactly five decisions' cost, and their time on the critical path
        // (extract → superres → detect/colorfilter → encode: four steps).
        let workflow = try EmbeddedExamples.workflow("video")
        let graph = try WorkflowGraph(workflow)
        let policy = try Policies.make(
            .static, graph: graph, model: try EmbeddedExamples.model("video", for: workflow), platform: .aws)
        let fixed = try #require(policy as? any StaticPolicy).plan(sloSeconds: 20)
        /// The same decisions, asked for at each step as a configurator would.
        struct Replaying: DynamicPolicy {
            let space: ConfigurationSpace
            let plan: [StepDecision]
            var name: PolicyName { .stepconf }
            func decide(step: Int, context: DecisionContext) -> StepDecision { plan[step] }
        }
        let runner = try RequestRunner(graph: graph, simulator: LambdaSimulator())
        func outcome(dynamic: Bool) throws -> RequestRunner.Outcome {
            var pool = WarmPool(keepAliveSeconds: 600)
            return try runner.run(
                dynamic ? .perStep(Replaying(space: policy.space, plan: fixed)) : .planned(fixed), arrival: 0, sloSeconds: 20,
                execution: "e", cache: InMemoryGlobalCache(), pool: &pool, seed: SeededRandom(seed: 4))
        }
        let with = try outcome(dynamic: true)
        let without = try outcome(dynamic: false)
        #expect(abs((with.costUSD - without.costUSD) - 5 * Platform.aws.billing.plannedConfiguratorUSD) < 1e-12)
        #expect(abs((with.durationSeconds - without.durationSeconds) - 4 * Platform.aws.configurator.seconds) < 1e-9)
    }

    @Test func stepconfRunsChainedStepsOnDecisionsMadeAheadAndTheExactPolicyItsPlan() throws {
        let e = try evaluation()
        let settings = Evaluation.Settings(requests: 10, seed: 3, policies: [.stepconf, .stepconfExact])
        let fastest = try e.fastestMeanMakespan(settings: settings)
        let cells = try e.run(settings: settings, slos: [2 * fastest])
        let chained = (0..<e.graph.count).filter { AheadDecision.isChained($0, in: e.graph) }.count
        let stepconf = try #require(cells.first { $0.policy == "stepconf" })
        let exact = try #require(cells.first { $0.policy == "stepconf-exact" })
        #expect(stepconf.decidedAhead > 0 && stepconf.decidedAhead <= 10 * chained)
        // One plan with recourse: on schedule, a step runs on the plan without its configurator.
        #expect(exact.decidedAhead > 0 && exact.decidedAhead <= 10 * (e.graph.count - 1))
        #expect(exact.configured + exact.decidedAhead == 10 * e.graph.count)
    }

    @Test func hindsightNeverCostsMoreThanAPolicyThatMetTheSLOOnTheSameRequest() throws {
        let e = try evaluation()
        var settings = Evaluation.Settings(requests: 12, seed: 9, policies: [.stepconf, .static, .optimal, .stepconfExact])
        settings.hindsight = true
        let fastest = try e.fastestMeanMakespan(settings: settings)
        let slos = [1.2 * fastest, 2 * fastest]
        let cells = try e.run(settings: settings, slos: slos)
        let hindsight = try Hindsight(evaluation: e).run(settings: settings, slos: slos)
        #expect(hindsight.count == slos.count && hindsight.allSatisfy { $0.policy == Evaluation.hindsightName })
        var compared = 0
        for cell in cells {
            let best = try #require(hindsight.first { $0.sloSeconds == cell.sloSeconds })
            for k in cell.durations.indices where cell.durations[k] <= cell.sloSeconds {
                #expect(best.durations[k] <= cell.sloSeconds * (1 + 1e-9), "\(cell.policy) request \(k)")
                #expect(best.costs[k] <= cell.costs[k] * (1 + 1e-9), "\(cell.policy) request \(k): \(best.costs[k]) > \(cell.costs[k])")
                compared += 1
            }
        }
        #expect(compared > 20)
        let results = EvaluationResults(workflow: "video", settings: settings, fastest: fastest, slos: slos, cells: cells + hindsight)
        #expect(results.policies.last == Evaluation.hindsightName)
        #expect(results.rows.filter { $0.policy == "stepconf" }.allSatisfy { ($0.costVsHindsight ?? 0) >= 1 })
        #expect(results.summary["stepconf"]?.costVsHindsightFrom1_2x != nil)
    }

    @Test func resultsComputeAttainmentPercentilesAndRatios() throws {
        let settings = Evaluation.Settings(requests: 4, seed: 1, policies: [.nono, .optimal, .stepconf])
        let cells = [
            Evaluation.Cell(sloSeconds: 10, policy: "nono", durations: [20, 20, 20, 20], costs: [1, 1, 1, 1], fallbacks: 0, coldStarts: 0),
            Evaluation.Cell(sloSeconds: 10, policy: "optimal", durations: [9, 9, 11, 9], costs: [2, 2, 2, 2], fallbacks: 0, coldStarts: 0),
            Evaluation.Cell(sloSeconds: 10, policy: "stepconf", durations: [5, 6, 7, 14], costs: [3, 3, 3, 3], fallbacks: 1, coldStarts: 2),
        ]
        let r = EvaluationResults(workflow: "w", settings: settings, fastest: 5, slos: [10], cells: cells)
        let row = try #require(r.rows.first { $0.policy == "stepconf" })
        #expect(row.sloAttainment == 0.75)
        #expect(row.meanSeconds == 8)
        #expect(row.p50Seconds == 6.5)
        #expect(row.costVsOptimal == 1.5)
        #expect(row.sloFactor == 2)
        // stepconf is 2.5× faster than nono on average but costs 3×: no point at equal cost, none cheaper.
        #expect(r.summary["stepconf"]?.speedupVsNono == nil)
        #expect(r.summary["stepconf"]?.costSavingVsNono == -2)
        #expect(r.summary["optimal"]?.costVsOptimal == 1)
    }

    @Test func versusNonoReadsTheCurvesAsFig18() {
        func row(_ policy: String, _ mean: Double, _ cost: Double) -> EvaluationResults.Row {
            .init(sloSeconds: mean, sloFactor: 1, policy: policy, sloAttainment: 1, meanSeconds: mean, p50Seconds: mean,
                  p95Seconds: mean, p99Seconds: mean, meanCostUSD: cost, costStdUSD: 0, costVsOptimal: nil,
                  fallbackStepsPerRequest: 0, coldStartsPerRequest: 0, decidedAheadPerRequest: 0)
        }
        let nono = [row("nono", 100, 10)]
        let mine = [row("p", 20, 12), row("p", 50, 8), row("p", 120, 5)]
        let (saving, speedup) = EvaluationResults.versusNono(mine, nono)
        #expect(abs(saving! - 0.2) < 1e-12)  // cheapest point at least as fast: 8 vs 10
        #expect(abs(speedup! - 2) < 1e-12)  // fastest point no dearer: 50 s vs 100 s
    }

    @Test func svgTicksAreRoundAndCoverTheRange() {
        #expect(SVGPlot.ticks(0...1) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(SVGPlot.ticks(3...9.5) == [3, 4, 5, 6, 7, 8, 9])
        var plot = SVGPlot(title: "t <x>", xLabel: "x", yLabel: "y", x: 0...1, y: 0...1)
        plot.line("a & b", [(0, 0), (1, 1)], style: SVGPlot.palette[0])
        let svg = plot.render()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        #expect(svg.contains("t &lt;x&gt;") && svg.contains("a &amp; b"))
    }

    @Test func aLogAxisHasATickPerDecadeAndDrawsZeroAtItsLeftEnd() {
        var plot = SVGPlot(title: "t", xLabel: "x", yLabel: "y", logX: 0.0004...0.3, y: 0...1)
        #expect(plot.xTicks == [1e-4, 1e-3, 1e-2, 1e-1, 1])
        #expect(plot.px(0) == plot.px(1e-4) && plot.px(1e-4) == plot.left)
        #expect(abs(plot.px(1e-2) - (plot.px(1e-4) + plot.px(1)) / 2) < 1e-9, "a decade is a decade wide")
        plot.xTickLabel = { $0 == 1e-4 ? "none" : "\($0)" }
        // A reference near the right end is labelled on its left, clear of an outside legend.
        plot.reference(x: 0.9, label: "P = 99 %")
        let svg = plot.render()
        #expect(svg.contains(">none</text>") && svg.contains("text-anchor=\"end\" font-size=\"11\">P = 99 %"))
        let degenerate = SVGPlot(title: "t", xLabel: "x", yLabel: "y", logX: -5...(-1), y: 0...1)
        #expect(degenerate.xTicks.count >= 2 && degenerate.xTicks.allSatisfy { $0 > 0 && $0.isFinite })
    }
}

/// The fitted model against the simulator it was fitted to: accuracy on configurations the profile never
/// ran, and the noise model's quantiles against the simulator's own spread.
@Suite struct FittedModelTests {
    let platform = Platform.aws

    /// One step of synthetic16 (`id`), profiled with the default design and fitted.
    private func fitted(_ id: String) throws -> (Workflow.Step, StepWorkload, StepModel, [ProfileSample]) {
        let full = try EmbeddedExamples.workflow("synthetic16")
        let step = try #require(full.steps.first { $0.id == id })
        let graph = try WorkflowGraph(Workflow(name: "one", steps: [Workflow.Step(
            id: step.id, kind: step.kind, jobs: step.jobs, inputMB: step.inputMB, params: step.params)]))
        let simulator = LambdaSimulator(platform: platform)
        let samples = try Profiler(simulator: simulator).profile(graph, plan: .standard, repeats: 1, seed: 11)
        let (model, _) = try Estimator(options: .init(platform: platform)).fit(samples, workflowName: "one")
        let workload = try StepWorkload(step: step, secondsPerDifficultyUnit: simulator.config.secondsPerDifficultyUnit)
        return (graph[0], workload, try #require(model.steps[id]), samples)
    }

    /// Warm runs of `theta` in the simulator: (step time, mean compute) of each.
    private func runs(_ step: Workflow.Step, _ workload: StepWorkload, _ theta: Configuration, count: Int, seed: UInt64) -> [StepRun] {
        let simulator = LambdaSimulator(platform: platform)
        var pool = WarmPool(keepAliveSeconds: 600)
        var rng = SeededRandom(seed: seed)
        var clock = 0.0
        var list: [StepRun] = []
        for k in 0...count {
            let r = simulator.run(step, workload: workload, configuration: theta, start: clock, pool: &pool, rng: &rng)
            clock = r.end + 1
            if k > 0 { list.append(r) }
        }
        return list
    }

    @Test(arguments: ["s02", "s10", "s15"])
    func predictsConfigurationsTheProfileNeverRanWithinTenPercent(id: String) throws {
        let (step, workload, model, samples) = try fitted(id)
        let profiled = Set(samples.map(\.configuration))
        let unseen = platform.grid.runnable(by: step).filter { !profiled.contains($0) }
        #expect(unseen.count > 20)
        var errors: [Double] = []
        for (k, theta) in unseen.enumerated() where k % 3 == 0 {
            let times = runs(step, workload, theta, count: 41, seed: UInt64(k) + 100).map(\.totalSeconds)
            let measured = median(times)
            errors.append(abs(model.stepSeconds(theta, jobs: step.jobs, platform: platform) - measured) / measured)
        }
        #expect(errors.max()! < 0.10, "\(id): max \(errors.max()!)")
        #expect(errors.reduce(0, +) / Double(errors.count) < 0.05)
    }

    @Test func noiseQuantilesMatchTheSimulatorsSpreadWithinSamplingError() throws {
        let (step, workload, model, _) = try fitted("s02")
        // The simulator's own spread: warm runs over the model's prediction, pooled over configurations of the
        // choice set (every fan-out, the model's q).
        var ratios: [Double] = []
        var seed: UInt64 = 500
        for m in [1024, 2048, 4096, 8192] {
            for p in platform.grid.inter {
                let options = platform.grid.intra.map { Configuration(memoryMB: m, inter: p, intra: $0) }.filter(step.canRun)
                guard let theta = options.min(by: {
                    model.stepSeconds($0, jobs: step.jobs, platform: platform) < model.stepSeconds($1, jobs: step.jobs, platform: platform)
                }) else { continue }
                seed += 1
                let predicted = model.stepSeconds(theta, jobs: step.jobs, platform: platform)
                ratios += runs(step, workload, theta, count: 40, seed: seed).map { $0.totalSeconds / predicted - 1 }
            }
        }
        ratios.sort()
        func empirical(_ level: Double) -> Double { ratios[Int(level * Double(ratios.count - 1))] }
        // The model's quantiles come from 80 single runs (with the model's own error in them): a 95th percentile
        // of 80 draws of a spread this size is good to about ±3 points.
        for level in [0.5, 0.9, 0.95] {
            let stored = try #require(model.noise.stepQuantile(level))
            #expect(abs(stored - empirical(level)) < 0.03, "p\(Int(level * 100)): model \(stored), simulator \(empirical(level))")
        }
        #expect(model.noise.instanceSpread > 0.02 && model.noise.instanceSpread < 0.08)
    }
}

@Suite struct PrewarmSimulationTests {
    /// Video's static plan for 20 s, and a runner on the default simulator.
    private func setUp() throws -> (RequestRunner, any StepPolicy, [StepDecision]) {
        let workflow = try EmbeddedExamples.workflow("video")
        let graph = try WorkflowGraph(workflow)
        let policy = try Policies.make(
            .static, graph: graph, model: try EmbeddedExamples.model("video", for: workflow), platform: .aws, prewarm: true)
        let plan = try #require(policy as? any StaticPolicy).plan(sloSeconds: 20)
        return (try RequestRunner(graph: graph, simulator: LambdaSimulator()), policy, plan)
    }

    @Test func aStaticPlanWarmedFromTheStartMeetsColdStartsOnlyWhereItsWarmUpsCameLate() throws {
        let (runner, policy, plan) = try setUp()
        let graph = runner.graph
        func outcome(prewarm: Bool) throws -> RequestRunner.Outcome {
            // A fresh deployment: nothing warm.
            var pool = WarmPool(keepAliveSeconds: 600)
            return try runner.run(
                .planned(plan), arrival: 0, sloSeconds: 20, execution: "e", cache: InMemoryGlobalCache(), pool: &pool,
                seed: SeededRandom(seed: 9), prewarming: prewarm ? policy.space : nil)
        }
        let cold = try outcome(prewarm: false)
        let warmed = try outcome(prewarm: true)
        // At most one warm-up per instance of every step but the first (a step that starts before its warm-ups were
        // due goes without), each a cold start of its own on a fresh deployment.
        let warmable = (0..<graph.count).filter { $0 != graph.start }.map { plan[$0].configuration.inter }.reduce(0, +)
        #expect(warmed.warmUps <= warmable && warmed.warmUps > 0)
        #expect(warmed.warmUpColdStarts <= warmable && warmed.warmUpColdStarts > 0)
        #expect(cold.warmUps == 0 && cold.warmUpUSD == 0)
        // The step's instances then find them warm: fewer cold starts, and no slower (the same noise, less start-up).
        #expect(warmed.coldStarts < cold.coldStarts)
        #expect(warmed.durationSeconds <= cold.durationSeconds + 1e-9)
        // The warm-ups are billed, in the request's cost: init and a millisecond each, and the sender's invocation.
        #expect(warmed.warmUpUSD > Platform.aws.billing.plannedConfiguratorUSD)
        // An instance's work draws the same numbers warm or cold (start-ups are not billed time): the rest is the same.
        #expect(abs(warmed.costUSD - warmed.warmUpUSD - cold.costUSD) < 1e-12)
    }

    /// A static plan as deployed pays what its state machine runs: the first step's configurator (its latency before
    /// the first Map, its invocation and its Task's transition) and every later step's `Check` (a transition each);
    /// the steps themselves run as the reference plan's do.
    @Test func aDeployedStaticPlanPaysItsConfiguratorAndEveryLaterStepsCheck() throws {
        let (runner, _, plan) = try setUp()
        let graph = runner.graph
        func outcome(_ run: PolicyRun) throws -> RequestRunner.Outcome {
            var pool = WarmPool(keepAliveSeconds: 600)
            return try runner.run(
                run, arrival: 0, sloSeconds: 20, execution: "e", cache: InMemoryGlobalCache(), pool: &pool,
                seed: SeededRandom(seed: 9), prewarming: nil)
        }
        let reference = try outcome(.planned(plan))
        let deployed = try outcome(.plannedOnce(plan))
        let platform = Platform.aws
        let checks = (0..<graph.count).filter { AheadDecision.isChecked($0, in: graph) }.count
        #expect(checks == graph.count - 1)
        let extra = platform.billing.configuratorUSD(seconds: platform.configurator.billedSeconds) + platform.billing.transitionsUSD(checks)
        #expect(abs(deployed.costUSD - reference.costUSD - extra) < 1e-12, "\(deployed.costUSD - reference.costUSD) vs \(extra)")
        #expect(abs(deployed.durationSeconds - reference.durationSeconds - platform.configurator.seconds) < 1e-9)
        #expect(deployed.configured == 1 && reference.configured == 0)
        #expect(deployed.decidedAhead == graph.count - 1 && reference.decidedAhead == 0)
    }

    /// The deployed configurator plans for the SLO less its own latency: the same plan a reference would make for that.
    @Test func aDeployedStaticPlanLeavesItsConfiguratorsLatency() throws {
        let (_, policy, _) = try setUp()
        let planned = try #require(policy as? any StaticPolicy)
        let latency = Platform.aws.configurator.seconds
        #expect(latency > 0)
        let run = try PolicyRun.prepare(policy, sloSeconds: 20)
        guard case .plannedOnce(let plan) = run else { Issue.record("a static policy runs its plan as deployed"); return }
        #expect(plan.map(\.configuration) == (try planned.plan(sloSeconds: 20 - latency)).map(\.configuration))
    }

    @Test func withoutPrewarmingAnEvaluationSendsNoWarmUpsAndRepeatsItsSeed() throws {
        // The same cells with prewarming off twice; and prewarming on changes only the policies' runs, not the
        // arrivals or the fastest plan (which never prewarms).
        let workflow = try EmbeddedExamples.workflow("video")
        let graph = try WorkflowGraph(workflow)
        let e = try Evaluation(
            graph: graph, model: try EmbeddedExamples.model("video", for: workflow), simulator: LambdaSimulator())
        var off = Evaluation.Settings(requests: 20, seed: 5, policies: [.static])
        off.prewarm = false
        off.hindsight = false
        let a = try e.run(settings: off, slos: [6])
        let b = try e.run(settings: off, slos: [6])
        #expect(a.map(\.durations) == b.map(\.durations) && a.map(\.costs) == b.map(\.costs))
        #expect(a.allSatisfy { $0.warmUps == 0 && $0.warmUpUSD == 0 })
        var on = off
        on.prewarm = true
        let c = try e.run(settings: on, slos: [6])
        #expect(c.allSatisfy { $0.warmUps > 0 && $0.warmUpUSD > 0 })
        #expect(c[0].coldStarts < a[0].coldStarts)
        #expect(try e.fastestCell(settings: on).durations == e.fastestCell(settings: off).durations)
    }

    @Test func anExpressStateMachineBillsTheRequestAndItsDurationInsteadOfTransitions() throws {
        let billing = Platform.aws.billing
        // 2.03 s is billed as 2.1 s at 64 MB, plus the request; no transition.
        let express = billing.orchestrationUSD(.express, transitions: 40, seconds: 2.03)
        #expect(abs(express - (1e-6 + 2.1 * 64 / 1024 * 0.00001667)) < 1e-15)
        #expect(billing.orchestrationUSD(.standard, transitions: 40, seconds: 2.03) == billing.transitionsUSD(40))
        let (runner, _, plan) = try setUp()
        var pool = WarmPool(keepAliveSeconds: 600)
        let outcome = try runner.run(
            .planned(plan), arrival: 0, sloSeconds: 20, execution: "e", cache: InMemoryGlobalCache(), pool: &pool,
            seed: SeededRandom(seed: 2))
        let transitions = (0..<runner.graph.count).map { billing.stepTransitions(instances: plan[$0].configuration.inter) }.reduce(0, +)
        #expect(outcome.transitions == transitions)
        let expected = outcome.costUSD - billing.transitionsUSD(transitions)
            + billing.orchestrationUSD(.express, transitions: transitions, seconds: outcome.durationSeconds)
        #expect(abs(outcome.expressCostUSD - expected) < 1e-15)
        #expect(outcome.expressCostUSD < outcome.costUSD)
    }
}
