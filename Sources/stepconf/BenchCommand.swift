import ArgumentParser
import StepConfCore
import StepConfSimulator

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that print figures (build with -c release for meaningful numbers).",
        subcommands: [OptimizerBench.self, PolicyBench.self, FitBench.self, SimulatorBench.self, EmulatorBench.self, AWSBench.self, WorkerBench.self, ParetoBench.self])
}

/// One timed operation's figures.
struct OptimizerBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimizer",
        abstract: "Time one StepConf decision, one stepconf-exact decision, one exact solve and optimal's plan.",
        discussion: """
            The decisions are taken at the workflow's first step over the full grid (the 186 configurations \
            synthetic16's first step can run, every q), and over the configurations a fitted model offers (per (m, p) the q it predicts \
            fastest), with a fresh \
            global cache each time; the per-step options are built once, as a \
            configurator does when it loads its model. The stepconf-exact re-solve is the recourse case: the middle \
            step of the workflow ready 10 % behind the first plan, with that plan in the cache. Targets: StepConf \
            median ≤ 100 µs, optimal on synthetic16 ≤ 1 s; stepconf-exact's whole-workflow solve ≤ 20 ms \
            and re-solve ≤ 5 ms (it samples the plan's percentile).

            Example: swift run -c release stepconf bench optimizer
            """)

    @OptionGroup var options: WorkflowOptions

    @Option(help: "Iterations of each decision (optimal runs a tenth as many, at least 5).")
    var iterations: Int = 2000

    @Option(help: ArgumentHelp("SLO in seconds; default the `auto` SLO of `plan`.", valueName: "seconds"))
    var slo: Double?

    @OptionGroup var output: OutputFormat

    func validate() throws {
        guard iterations >= 1, iterations <= 10_000_000 else { throw ValidationError("--iterations must lie in 1…10000000") }
        if let slo, !(slo.isFinite && slo > 0 && slo <= InputBounds.maxSeconds) {
            throw ValidationError("--slo must be a number of seconds in (0, \(Int(InputBounds.maxSeconds))], got \(slo)")
        }
        if let slo, !(slo.isFinite && slo > 0) { throw ValidationError("--slo must be a positive number of seconds") }
    }

    func run() throws {
        let (graph, model, platform) = try options.load()
        let clock = ContinuousClock()
        let buildStart = clock.now
        let stepconf = try Self.dynamic(Policies.make(.stepconf, graph: graph, model: model, platform: platform, considerEveryIntra: true))
        let buildMicroseconds = (clock.now - buildStart).seconds * 1e6
        let sloSeconds = try slo ?? Policies.autoSLOSeconds(graph: graph, model: model, platform: platform)
        var figures = try stepconfFigures(stepconf, graph: graph, model: model, platform: platform, sloSeconds: sloSeconds)
        figures += try exactFigures(graph: graph, model: model, platform: platform, sloSeconds: sloSeconds)
        figures.append(BenchFigure(
            name: "options build (once per model load)", iterations: 1, medianMicroseconds: buildMicroseconds,
            p99Microseconds: buildMicroseconds, detail: "t(θ), c(θ) for every step and θ"))
        if output.json { return try printJSON(figures) }
        print("Optimizer benchmark · `\(graph.workflow.name)` · SLO \(fixed(sloSeconds, 3)) s")
        print(BenchFigure.table(figures))
        #if DEBUG
            print("note: this is a debug build; use `swift run -c release stepconf bench optimizer` for real figures")
        #endif
    }

    private static func dynamic(_ policy: any StepPolicy) throws -> any DynamicPolicy {
        guard let dynamic = policy as? any DynamicPolicy else { throw CLIError(.internalFailure, "internal: \(policy.name) is not dynamic") }
        return dynamic
    }

    /// A fresh decision context at the execution's start.
    private func context(_ graph: WorkflowGraph, sloSeconds: Double) -> DecisionContext {
        DecisionContext(
            now: 0, executionStart: 0, sloSeconds: sloSeconds, execution: "bench", cache: InMemoryGlobalCache(),
            progress: Array(repeating: .pending, count: graph.count))
    }

    /// Times `body` `count` times, each with a fresh context made outside the timing; µs.
    private func time(
        _ count: Int, context make: () throws -> DecisionContext, _ body: (DecisionContext) throws -> Void
    ) rethrows -> [Double] {
        let clock = ContinuousClock()
        let contexts = try (0..<count).map { _ in try make() }
        var samples: [Double] = []
        samples.reserveCapacity(count)
        for given in contexts {
            let start = clock.now
            try body(given)
            samples.append((clock.now - start).seconds * 1e6)
        }
        return samples
    }

    /// Algorithm 2 at the first step: alone, with its decisions ahead, and on the predicted-fastest q.
    private func stepconfFigures(
        _ stepconf: any DynamicPolicy, graph: WorkflowGraph, model: PerformanceModel, platform: Platform, sloSeconds: Double
    ) throws -> [BenchFigure] {
        let first = graph.start
        let fresh = { context(graph, sloSeconds: sloSeconds) }
        var figures: [BenchFigure] = []
        var samples = try time(iterations, context: fresh) { _ = try stepconf.decide(step: first, context: $0) }
        figures.append(BenchFigure(
            "stepconf decision", samples: samples,
            detail: "first step `\(graph.ids[first])`, \(stepconf.space.steps[first].count) configurations (every q), \(graph.count) steps"))
        var ahead = 0
        samples = try time(iterations, context: fresh) { given in
            let decision = try stepconf.decide(step: first, context: given)
            ahead = try stepconf.decideAhead(after: first, decision: decision, context: given).count
        }
        figures.append(BenchFigure(
            "stepconf decision with its decisions ahead", samples: samples,
            detail: "what the configurator of `\(graph.ids[first])` does: its step and the \(ahead) that can only follow it"))
        let stepconfQ = try Self.dynamic(Policies.make(.stepconf, graph: graph, model: model, platform: platform))
        samples = try time(iterations, context: fresh) { _ = try stepconfQ.decide(step: first, context: $0) }
        figures.append(BenchFigure(
            "stepconf decision, predicted-fastest q", samples: samples,
            detail: "\(stepconfQ.space.steps[first].count) configurations, as `plan` decides with a fitted model"))
        return figures
    }

    /// stepconf-exact's decision at the first step, optimal's exact solve and its whole plan.
    private func exactFigures(
        graph: WorkflowGraph, model: PerformanceModel, platform: Platform, sloSeconds: Double
    ) throws -> [BenchFigure] {
        let exact = try Self.dynamic(Policies.make(.stepconfExact, graph: graph, model: model, platform: platform))
        guard let optimal = try Policies.make(.optimal, graph: graph, model: model, platform: platform) as? OptimalPolicy
        else { throw CLIError(.internalFailure, "internal: optimal policy has an unexpected type") }
        let fresh = { context(graph, sloSeconds: sloSeconds) }
        var figures: [BenchFigure] = []
        var lastExact: StepDecision?
        var samples = try time(max(5, iterations / 10), context: fresh) { lastExact = try exact.decide(step: graph.start, context: $0) }
        figures.append(BenchFigure("stepconf-exact decision", samples: samples, detail: solveDetail(lastExact?.solve)))
        // A re-solve (recourse): the middle step of the workflow ready 10 % behind the first plan, everything before it
        // finished that late, the first plan in the cache.
        let order = graph.topologicalOrder
        let middle = order[order.count / 2]
        var ancestors: Set<Int> = []
        var frontier = graph.predecessors[middle]
        while let u = frontier.popLast() {
            if ancestors.insert(u).inserted { frontier += graph.predecessors[u] }
        }
        let behind = { () throws -> DecisionContext in
            var given = fresh()
            _ = try exact.decide(step: graph.start, context: given)
            guard let plan = try given.cache.plan(execution: ExactPolicy.planKey(given.execution)) else {
                throw CLIError(.internalFailure, "internal: stepconf-exact's first decision stored no plan")
            }
            let finish = graph.finishTimes(start: 0) { v in exact.space.steps[v].seconds[plan.steps[v].option] * 1.1 }
            for u in ancestors { given.progress[u] = .finished(ready: graph.readyTime(u, finish: finish, start: 0), finish: finish[u]) }
            given.now = graph.readyTime(middle, finish: finish, start: 0)
            return given
        }
        samples = try time(max(5, iterations / 10), context: behind) { lastExact = try exact.decide(step: middle, context: $0) }
        figures.append(BenchFigure(
            "stepconf-exact re-solve", samples: samples,
            detail: "step `\(graph.ids[middle])` ready 10 % behind the first plan, \(ancestors.count) steps done; " + solveDetail(lastExact?.solve)))
        let optimalRuns = max(5, iterations / 100)
        var lastOptimal: ExactSolver.Result?
        samples = time(optimalRuns, context: fresh) { _ in lastOptimal = optimal.solve(sloSeconds: sloSeconds) }
        figures.append(BenchFigure("optimal, one exact solve", samples: samples, detail: solveDetail(lastOptimal)))
        samples = try time(optimalRuns, context: fresh) { _ in lastOptimal = try optimal.plan(sloSeconds: sloSeconds).first?.solve }
        figures.append(BenchFigure(
            "optimal plan (warm-pattern search)", samples: samples,
            detail: "up to \(OptimalPolicy.warmPatternSolves) solves, replays and a polish; " + solveDetail(lastOptimal)))
        return figures
    }

    private func solveDetail(_ result: ExactSolver.Result?) -> String {
        guard let result else { return "" }
        var text = "\(result.method), " + (result.provenOptimal ? "proven optimal" : "gap \(fixed(result.gap * 100, 3)) %")
        if let cell = result.gridSeconds { text += ", grid \(fixed(cell * 1000, 2)) ms" }
        return text + ", cost \(usd(result.costUSD))"
    }
}

struct FitBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Time fitting a workflow's model to its default profile.",
        discussion: """
            Profiles the workflow in the simulator with the default design (10 configurations per memory size, \
            seed 1), then times `stepconf fit`'s estimator on it: the whole workflow, and one step alone. Target \
            (the estimator issue): synthetic16 in ≤ 2 s, release build. Example: swift run -c release stepconf bench fit
            """)

    @OptionGroup var options: WorkflowOnlyOptions

    @Option(help: "Fits to time.")
    var iterations: Int = 10

    @OptionGroup var output: OutputFormat

    func validate() throws {
        guard (1...100_000).contains(iterations) else { throw ValidationError("--iterations must lie in 1…100000") }
    }

    func run() throws {
        let (graph, platform) = try options.load()
        let samples = try Profiler(simulator: LambdaSimulator(platform: platform)).profile(
            graph, plan: .standard, repeats: 1, seed: 1)
        let estimator = Estimator(options: .init(platform: platform))
        let firstStep = samples.filter { $0.step == graph[graph.topologicalOrder[0]].id }
        let clock = ContinuousClock()
        func time(_ rows: [ProfileSample]) throws -> [Double] {
            var list: [Double] = []
            for _ in 0..<iterations {
                let start = clock.now
                _ = try estimator.fit(rows, workflowName: graph.workflow.name)
                list.append((clock.now - start).seconds * 1e6)
            }
            return list.sorted()
        }
        let figures = [
            BenchFigure("fit \(graph.workflow.name)", samples: try time(samples), detail: "\(graph.count) steps, \(samples.count) samples"),
            BenchFigure("fit one step", samples: try time(firstStep), detail: "\(firstStep.count) samples"),
        ]
        if output.json {
            try printJSON(figures)
            return
        }
        var table = TextTable(["operation", "median", "p99", "iterations", "detail"], leftAligned: [0, 4])
        for f in figures {
            table.add([f.name, fixed(f.medianMicroseconds / 1000, 1) + " ms", fixed(f.p99Microseconds / 1000, 1) + " ms",
                       "\(f.iterations)", f.detail])
        }
        print(table.render())
    }
}

struct SimulatorBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: "Time the simulator: one request of the workflow, every step run once.",
        discussion: """
            Each request runs through the workflow driver as `evaluate` runs it, every step at the configuration \
            `stepconf plan` (static) chooses, against a warm pool shared across requests. Example: swift run -c release stepconf bench simulator
            """)

    @OptionGroup var options: WorkflowOptions

    @Option(help: "Requests to simulate.")
    var requests: Int = 20000

    @OptionGroup var output: OutputFormat

    func validate() throws {
        guard requests >= 1 else { throw ValidationError("--requests must be at least 1") }
    }

    func run() throws {
        let (graph, model, platform) = try options.load()
        let policy = try Policies.make(.static, graph: graph, model: model, platform: platform)
        let slo = 2 * policy.space.fastestMakespanSeconds
        let run = try PolicyRun.prepare(policy, sloSeconds: slo)
        guard let plan = run.plan else { throw CLIError(.internalFailure, "internal: the static policy made no plan") }
        let simulator = LambdaSimulator(platform: platform)
        let runner = try RequestRunner(graph: graph, simulator: simulator)
        let cache = InMemoryGlobalCache()
        var pool = WarmPool(keepAliveSeconds: simulator.config.keepAliveSeconds)
        let seed = SeededRandom(seed: 1)
        let clock = ContinuousClock()
        var samples: [Double] = []
        samples.reserveCapacity(requests)
        var arrival = 0.0
        var checksum = 0.0
        for k in 0..<requests {
            let start = clock.now
            let outcome = try runner.run(
                run, arrival: arrival, sloSeconds: slo, execution: "bench", cache: cache, pool: &pool,
                seed: seed.derived(UInt64(k) + 1))
            samples.append((clock.now - start).seconds * 1e6)
            checksum += outcome.durationSeconds
            arrival += 5
        }
        samples.sort()
        let figure = BenchFigure(
            name: "simulated request", iterations: requests, medianMicroseconds: samples[samples.count / 2],
            p99Microseconds: samples[min(samples.count - 1, Int(Double(samples.count) * 0.99))],
            detail: "\(graph.count) steps, \(plan.map(\.configuration.inter).reduce(0, +)) instances, mean makespan "
                + "\(fixed(checksum / Double(requests), 3)) s")
        if output.json {
            try printJSON([figure])
            return
        }
        print("Simulator benchmark · `\(graph.workflow.name)`")
        print(BenchFigure.table([figure]))
    }
}
