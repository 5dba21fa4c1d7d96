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
    /// What a cold start costs each step (nil: unknown, taken as 0).
    public let coldStart: [NoiseModel.ColdStart?]
    /// Each step's fitted noise model (an empty one where none is known): what sampled attainments draw from
    /// (``AttainmentEstimator``).
    public let noise: [NoiseModel]
    /// Per step and option, the variance of its time, seconds² (``NoiseModel/stepVariance(seconds:inter:fallbackSpread:)``);
    /// what a percentile SLO (``ChanceConstraint``) plans against.
    public let variances: [[Double]]
    /// Per step, how far off its model is, relative (the fit's mean relative error; 0 when unknown). A model's
    /// error is systematic, not noise: along a path it adds up linearly, where noise adds in quadrature.
    public let modelErrors: [Double]
    /// Draws of the steps' noise that every sampled attainment of this space reads (common random numbers: plans are
    /// compared on the same fluctuations), made once with the space.
    public let estimator: AttainmentEstimator

    /// Wraps options built elsewhere (one per step, by graph index).
    public init(graph: WorkflowGraph, platform: Platform, steps: [StepOptions], includesConfigurator: Bool) {
        precondition(steps.count == graph.count)
        self.graph = graph
        self.platform = platform
        self.steps = steps
        self.includesConfigurator = includesConfigurator
        self.coldStart = Array(repeating: nil, count: graph.count)
        self.noise = Array(repeating: NoiseModel(), count: graph.count)
        self.variances = steps.map { Array(repeating: 0, count: $0.count) }
        self.modelErrors = Array(repeating: 0, count: graph.count)
        self.estimator = AttainmentEstimator(graph: graph, noise: noise)
    }

    /// Predicts t_i(θ) and c_i(θ) for every θ of `grid` that step `i` can run.
    ///
    /// A θ is left out when `canRun` refuses it: more instances than jobs, more workers than the busiest
    /// instance has jobs, or workers that do not fit in memory.
    /// - Parameters:
    ///   - includesConfigurator: add one configurator decision to each step (dynamic policies).
    ///   - considerEveryIntra: offer every runnable q; otherwise, per (m, p), only the q the model predicts
    ///     fastest (the paper's Q, here per fan-out: the best q depends on the jobs each instance gets).
    ///   - safety: plan each step's time as t·(1 + safety·e), e the step's 95th-percentile spread from its
    ///     noise model (else its fitted mean relative error; 0 for a model without either).
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
        var variances: [[Double]] = []
        steps.reserveCapacity(graph.count)
        let sharing = Self.sideBySide(graph, platform: platform)
        for i in 0..<graph.count {
            let step = graph[i]
            guard let stepModel = model.steps[step.id] else {
                throw InputError(.missingStep, "no model for step `\(step.id)`")
            }
            // Plan with the step's measured spread: t·(1 + safety·e), e how much slower than typical one run
            // is at the 95th percentile (else the fit's mean relative error), so that noise on the last
            // steps does not break the SLO.
            let margin = 1 + safety * (stepModel.noise.stepQuantile(0.95) ?? stepModel.fit?.meanRelativeError ?? 0)
            var configurations: [Configuration] = []
            var seconds: [Double] = []
            var costs: [Double] = []
            var spread: [Double] = []
            for m in grid.memoryMB {
                for p in grid.inter {
                    var candidates: [(Configuration, (seconds: Double, computeSeconds: Double, costUSD: Double))] =
                        grid.intra.compactMap { q in
                            let theta = Configuration(memoryMB: m, inter: p, intra: q)
                            guard step.canRun(theta) else { return nil }
                            return (theta, Self.estimate(theta, step: step, model: stepModel, platform: platform, sharedWith: sharing[i]))
                        }
                    if !considerEveryIntra, let best = candidates.min(by: { $0.1.seconds < $1.1.seconds }) {
                        candidates = [best]
                    }
                    for (theta, estimate) in candidates {
                        configurations.append(theta)
                        spread.append(stepModel.noise.stepVariance(
                            seconds: estimate.seconds, inter: theta.inter, fallbackSpread: stepModel.fit?.meanRelativeError ?? 0))
                        seconds.append(
                            estimate.seconds * margin + (includesConfigurator ? platform.configurator.seconds : 0))
                        costs.append(estimate.costUSD + (includesConfigurator ? platform.billing.plannedConfiguratorUSD : 0))
                    }
                }
            }
            guard !configurations.isEmpty else {
                throw InputError(
                    .invalidGrid,
                    "no configuration of the grid fits step `\(step.id)` (jobs \(step.jobs), worker memory "
                        + "\(step.workerMemoryMB) MB, runtime \(WorkerMemory.runtimeMB) MB)")
            }
            steps.append(StepOptions(configurations: configurations, seconds: seconds, costUSD: costs))
            variances.append(spread)
        }
        self.steps = steps
        self.variances = variances
        self.modelErrors = graph.ids.map { model.steps[$0]?.fit?.meanRelativeError ?? 0 }
        // A cold start is paid by every run, planned or decided step by step: a static plan knows which
        // functions its own earlier steps leave warm, a configurator reads it from the global cache.
        self.coldStart = graph.ids.map { model.steps[$0]?.noise.coldStart }
        self.noise = graph.ids.map { model.steps[$0]?.noise ?? NoiseModel() }
        self.estimator = AttainmentEstimator(graph: graph, noise: noise)
    }

    /// Per step, how many steps share the machine's cores with it on a platform whose cores are one machine's
    /// (a local run: ``Platform/CoreTier/shared``): the steps at its depth in the DAG (longest path from a first
    /// step), which start together when their predecessors end together and run side by side. 1 everywhere on
    /// Lambda, where every instance has cores of its own.
    public static func sideBySide(_ graph: WorkflowGraph, platform: Platform) -> [Int] {
        guard platform.coreTiers.contains(where: \.shared) else { return Array(repeating: 1, count: graph.count) }
        let depth = graph.depths
        var width: [Int: Int] = [:]
        for d in depth { width[d, default: 0] += 1 }
        return depth.map { width[$0] ?? 1 }
    }

    /// The name under which step `i` runs at `memoryMB`, as recorded in the global cache.
    public func functionName(step i: Int, memoryMB: Int) -> String {
        Workflow.Step.functionName(kind: graph[i].kind, memoryMB: memoryMB)
    }

    /// Per option of step `i`, what a cold start is expected to add at time `now`: where the option's fan-out exceeds
    /// the instances of its function idle and warm then, the step's measured cold-start cost at the instances it
    /// lacks, else 0.
    /// Nil when the step has no measured cold-start cost.
    /// - Throws: what the cache throws.
    public func coldPenalties(step i: Int, now: Double, cache: any GlobalCache) throws -> [Double]? {
        try coldPenalties(step: i, now: now, uses: cache.uses(function:))
    }

    /// ``coldPenalties(step:now:cache:)`` reading each function's recent uses through `uses` (a caller that asks for
    /// many steps at once can remember the answers: steps of one kind share their functions).
    public func coldPenalties(step i: Int, now: Double, uses: (String) throws -> FunctionUses?) throws -> [Double]? {
        guard let cold = coldStart[i], cold.penaltySeconds > 0 || cold.perZSeconds > 0 else { return nil }
        var idleByMemory: [Int: Int] = [:]
        return try steps[i].configurations.map { theta in
            let idle: Int
            if let known = idleByMemory[theta.memoryMB] {
                idle = known
            } else {
                // The instances that ended a use within the keep-alive and are not busy with a use still running
                // (``FunctionUses/idleInstances(at:keepAliveSeconds:)``); none when the function never ran.
                idle = try uses(functionName(step: i, memoryMB: theta.memoryMB))?
                    .idleInstances(at: now, keepAliveSeconds: platform.keepAliveSeconds) ?? 0
                idleByMemory[theta.memoryMB] = idle
            }
            // The step waits for its slowest instance: the cold ones, as many as it needs beyond the idle ones.
            return theta.inter > idle ? cold.penalty(inter: theta.inter - idle) : 0
        }
    }

    /// Per option of step `i`, the cold-start cost with every function cold (a fresh cache). Nil when the step has
    /// no measured cold-start cost.
    public func coldPenaltiesEverywhere(step i: Int) -> [Double]? {
        guard let cold = coldStart[i], cold.penaltySeconds > 0 || cold.perZSeconds > 0 else { return nil }
        return steps[i].configurations.map { cold.penalty(inter: $0.inter) }
    }

    /// What a run on predicted times charges step `i` on option `k` starting at `now`: its predicted time plus a
    /// cold start where its function is cold then (`penalties` from ``coldPenalties(step:now:cache:)`` read
    /// before the step recorded its own use), seconds.
    public func chargedSeconds(step i: Int, option k: Int, penalties: [Double]?) -> Double {
        steps[i].seconds[k] + (penalties?[k] ?? 0)
    }

    /// One step's prediction without the configurator: t = t_map(p) + the busiest instance (``StepModel/stepSeconds(_:jobs:platform:)``)
    /// and c = p·(t̂·m/1024·μ0 + μ1) + (transitions per step + p · transitions per instance)·μ2 (docs/model.md),
    /// t̂ the mean instance (``StepModel/computeSeconds(_:jobs:platform:)``).
    public static func estimate(
        _ theta: Configuration, step: Workflow.Step, model: StepModel, platform: Platform, sharedWith k: Int = 1
    ) -> (seconds: Double, computeSeconds: Double, costUSD: Double) {
        let compute = model.computeSeconds(theta, jobs: step.jobs, platform: platform, sharedWith: k)
        let total = model.stepSeconds(theta, jobs: step.jobs, platform: platform, sharedWith: k)
        return (total, compute, platform.billing.predictedStepUSD(computeSeconds: compute, memoryMB: theta.memoryMB, instances: theta.inter))
    }

    /// Every step at its fastest predicted θ (``StepOptions/fastest``).
    public var fastestDecisions: [StepDecision] {
        steps.enumerated().map { v, options in
            StepDecision(
                step: v, option: options.fastest, configuration: options.configurations[options.fastest],
                seconds: options.seconds[options.fastest], costUSD: options.costUSD[options.fastest], subSLOSeconds: nil,
                fallback: false)
        }
    }

    /// The makespan with every step at its fastest θ: no plan on these options is faster, seconds.
    public var fastestMakespanSeconds: Double { fastestMakespanSeconds(coldEverywhere: false) }

    /// The makespan with every step at its fastest θ, each option charged what a run on these options charges
    /// it: the configurator (in a dynamic space's options) and, with `coldEverywhere`, a cold start at the
    /// option's fan-out wherever the step has a measured cold-start cost — a fresh cache, where no function has
    /// run yet. Warm functions only make a run faster, so no run on these options can be slower at its fastest.
    public func fastestMakespanSeconds(coldEverywhere: Bool) -> Double {
        graph.makespan { v in
            let penalties = coldEverywhere ? coldPenaltiesEverywhere(step: v) : nil
            var fastest = Double.infinity
            for k in 0..<steps[v].count { fastest = min(fastest, chargedSeconds(step: v, option: k, penalties: penalties)) }
            return fastest
        }
    }
}
