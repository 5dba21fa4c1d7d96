import Dispatch
import StepConfCore
import Synchronization

/// The hindsight optimum (docs/policies.md): for each simulated request, the cheapest configuration of every step
/// knowing that request's realized durations — the true lower bound every policy is compared with.
///
/// Each step's run in the simulator draws its noise from the request's stream for that step, and an
/// instance's work draws the same numbers warm or cold; so every θ of the full grid (every q) is run once
/// per request and step, warm and without a configurator, and the exact solver picks the cheapest plan whose
/// realized makespan meets the SLO. A policy's run of the same θ took at least as long (cold starts, the
/// configurator's latency) and cost at least as much (the configurator), so on a request where a policy met
/// the SLO, hindsight costs no more (up to the solver's stated gap on large DAGs).
public struct Hindsight: Sendable {
    public let evaluation: Evaluation
    /// Every θ of the grid each step can run.
    let space: ConfigurationSpace

    /// - Throws: ``InputError`` when no θ of the grid fits a step.
    public init(evaluation: Evaluation) throws {
        self.evaluation = evaluation
        self.space = try Self.space(evaluation.graph, evaluation: evaluation)
    }

    static func space(_ graph: WorkflowGraph, evaluation: Evaluation) throws -> ConfigurationSpace {
        try ConfigurationSpace(
            graph: graph, model: evaluation.model, platform: evaluation.simulator.platform, includesConfigurator: false,
            considerEveryIntra: true)
    }

    /// What a request of one size runs: every θ of its steps, and the simulator's view of them.
    struct Sized {
        var space: ConfigurationSpace
        var runner: RequestRunner
    }

    /// The nominal request's, or one of `size` × its input (the hindsight knows each request's size).
    func sized(_ size: Double?) throws -> Sized {
        guard let size, size != 1 else { return Sized(space: space, runner: evaluation.runner) }
        let graph = try evaluation.graph(size: size)
        return Sized(
            space: try Self.space(graph, evaluation: evaluation), runner: try RequestRunner(graph: graph, simulator: evaluation.simulator))
    }

    /// Per step, each θ's realized time and cost on request `k` (`seed` the evaluation's), of the size `sized` runs.
    func realized(request k: Int, seed: UInt64, sized: Sized? = nil) -> [ExactSolver.Options] {
        let space = sized?.space ?? self.space
        let graph = space.graph
        let simulator = evaluation.simulator
        let runner = sized?.runner ?? evaluation.runner
        let stream = SeededRandom(seed: seed).derived(UInt64(k) + 1)
        return (0..<graph.count).map { v in
            let options = space.steps[v]
            var seconds: [Double] = []
            var costs: [Double] = []
            seconds.reserveCapacity(options.count)
            costs.reserveCapacity(options.count)
            for theta in options.configurations {
                // Every instance warm: p idle instances of the function, released a second before the step.
                var pool = WarmPool(keepAliveSeconds: simulator.config.keepAliveSeconds)
                let function = LambdaSimulator.functionName(kind: graph[v].kind, memoryMB: theta.memoryMB)
                for _ in 0..<theta.inter { pool.release(function, at: 0) }
                var rng = stream.derived(UInt64(v + 1))
                let run = simulator.run(
                    graph[v], workload: runner.workloads[v], configuration: theta, start: 1, pool: &pool, rng: &rng)
                seconds.append(run.end - run.start)
                costs.append(run.costUSD(memoryMB: theta.memoryMB, platform: simulator.platform))
            }
            return ExactSolver.Options(seconds: seconds, costUSD: costs)
        }
    }

    /// One cell per SLO: per request, the hindsight plan's realized makespan and cost (a request no plan can
    /// meet counts its fastest plan, a miss). `progress` receives (requests done, requests in all).
    /// - Throws: ``InputError`` when a request's size takes a step past the bounds.
    public func run(
        settings: Evaluation.Settings, slos: [Double], progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> [Evaluation.Cell] {
        let solver = ExactSolver(graph: evaluation.graph)
        let count = settings.requests
        let sizes = settings.inputSizes.draw(count: count, seed: settings.seed)
        var made: [Double: Sized] = [:]
        for size in Set(sizes ?? []) { made[size] = try sized(size) }
        let bySize = made
        let results = Mutex<[[(Double, Double)]]>(Array(repeating: [], count: count))
        let done = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: count) { k in
            let options = realized(request: k, seed: settings.seed, sized: sizes.flatMap { bySize[$0[k]] })
            let plans = slos.map { slo -> (Double, Double) in
                let result = solver.solve(options, sloSeconds: slo)
                return (result.makespanSeconds, result.costUSD)
            }
            results.withLock { $0[k] = plans }
            progress?(done.add(1, ordering: .relaxed).newValue, count)
        }
        let table = results.withLock { $0 }
        return slos.enumerated().map { s, slo in
            var cell = Evaluation.Cell(
                sloSeconds: slo, policy: Evaluation.hindsightName, durations: table.map { $0[s].0 }, costs: table.map { $0[s].1 },
                fallbacks: 0, coldStarts: 0)
            cell.sizes = sizes ?? []
            return cell
        }
    }
}
