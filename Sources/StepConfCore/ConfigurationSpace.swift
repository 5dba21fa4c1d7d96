/// Every step's ``StepOptions`` under one policy's grid: the table policies decide from.
public struct ConfigurationSpace: Sendable {
    /// The workflow graph.
    public let graph: WorkflowGraph
    /// The platform and grid used.
    public let platform: Platform
    /// Whether each step's time and cost include a configurator decision.
    public let includesConfigurator: Bool
    /// Options by step index.
    public let steps: [StepOptions]

    /// Wraps options built elsewhere (one per step, by graph index).
    public init(graph: WorkflowGraph, platform: Platform, steps: [StepOptions], includesConfigurator: Bool) {
        precondition(steps.count == graph.count)
        self.graph = graph
        self.platform = platform
        self.steps = steps
        self.includesConfigurator = includesConfigurator
    }

    /// Predicts t_i(θ) and c_i(θ) for every θ of `grid` that step `i` can run.
    ///
    /// A θ is left out when it has more instances than jobs, more workers than the busiest instance has
    /// jobs, or workers that do not fit in memory (`q · worker_memory_mb > m`).
    /// - Parameters:
    ///   - includesConfigurator: add one configurator decision to each step (dynamic policies).
    ///   - considerEveryIntra: ignore the model's measured Q(m) and offer every q of the grid.
    ///   - safety: plan each step's time as t·(1 + safety·e), e the step's fitted mean relative error
    ///     (0 for a model without fit figures).
    /// - Throws: ``InputError`` when no θ of the grid fits a step.
    public init(
        graph: WorkflowGraph,
        model: PerformanceModel,
        platform: Platform,
        grid: ConfigurationGrid? = nil,
        includesConfigurator: Bool,
        considerEveryIntra: Bool = false,
        safety: Double = 0
    ) throws {
        let grid = grid ?? platform.grid
        self.graph = graph
        self.platform = platform
        self.includesConfigurator = includesConfigurator
        var steps: [StepOptions] = []
        steps.reserveCapacity(graph.count)
        for i in 0..<graph.count {
            let step = graph[i]
            guard let stepModel = model.steps[step.id] else {
                throw InputError(.missingStep, "no model for step `\(step.id)`")
            }
            // Plan with the model's own error: a step predicted t is given t·(1 + safety·e), e its fitted
            // mean relative error, so that noise on the last steps does not break the SLO.
            let margin = 1 + safety * (stepModel.fit?.meanRelativeError ?? 0)
            var configurations: [Configuration] = []
            var seconds: [Double] = []
            var costs: [Double] = []
            for m in grid.memoryMB {
                for p in grid.inter {
                    // With a measured Q(m) the step runs the largest allowed q not above it (the paper's Q);
                    // without one, every q of the grid is a candidate.
                    var intra = grid.intra.filter { step.canRun(Configuration(memoryMB: m, inter: p, intra: $0)) }
                    if considerEveryIntra == false, let best = stepModel.bestIntra(memoryMB: m) {
                        intra = intra.filter { $0 <= best }.max().map { [$0] } ?? []
                    }
                    for q in intra {
                        let theta = Configuration(memoryMB: m, inter: p, intra: q)
                        let estimate = Self.estimate(theta, step: step, model: stepModel, platform: platform)
                        configurations.append(theta)
                        seconds.append(
                            estimate.seconds * margin + (includesConfigurator ? platform.configurator.seconds : 0))
                        costs.append(estimate.costUSD + (includesConfigurator ? platform.configuratorCostUSD : 0))
                    }
                }
            }
            guard !configurations.isEmpty else {
                throw InputError(
                    .invalidGrid,
                    "no configuration of the grid fits step `\(step.id)` (jobs \(step.jobs), worker memory "
                        + "\(step.workerMemoryMB.map { "\($0) MB" } ?? "not set"))")
            }
            steps.append(StepOptions(configurations: configurations, seconds: seconds, costUSD: costs))
        }
        self.steps = steps
    }

    /// One step's prediction without the configurator: t = t_map(p) + t̂(⌈γ/p⌉) (the busiest instance) and
    /// c = p·(t̂(γ/p)·m/1024·μ0 + μ1) + (transitions per step + p · transitions per instance)·μ2 (DESIGN §4).
    public static func estimate(
        _ theta: Configuration, step: Workflow.Step, model: StepModel, platform: Platform
    ) -> (seconds: Double, computeSeconds: Double, costUSD: Double) {
        let compute = model.computeSeconds(theta, jobs: step.jobs, singleCoreMemoryMB: platform.singleCoreMemoryMB)
        let total = model.stepSeconds(theta, jobs: step.jobs, singleCoreMemoryMB: platform.singleCoreMemoryMB)
        let p = Double(theta.inter)
        let lambda = p * (compute * Double(theta.memoryMB) / 1024 * platform.pricePerGBSecond + platform.pricePerRequest)
        let transitions = Double(platform.transitionsPerStep) + p * Double(platform.transitionsPerInstance)
        return (total, compute, lambda + transitions * platform.pricePerTransition)
    }

    /// The makespan with every step at its fastest θ: no plan on these options is faster, seconds.
    public var fastestMakespanSeconds: Double {
        var finish = [Double](repeating: 0, count: graph.count)
        for v in graph.topologicalOrder {
            let ready = graph.predecessors[v].reduce(0.0) { max($0, finish[$1]) }
            finish[v] = ready + steps[v].seconds[steps[v].fastest]
        }
        return finish.max() ?? 0
    }
}
