import StepConfCore

/// Requests of different sizes (``InputSizes``): each request runs the workflow scaled to its input
/// (``Workflow/scaled(by:)``). A dynamic policy plans each request for its own size (its configurator sees the input);
/// a plan made once is made for the sizes' P quantile and run as it is on every request (each step with no more
/// instances than it has jobs).
extension Evaluation {
    /// What requests of one size run under one policy.
    struct Sized {
        var run: PolicyRun
        var runner: RequestRunner
        /// The space warm-ups are named and timed from, nil for none.
        var prewarming: ConfigurationSpace?
    }

    /// The workflow's graph for requests of `size` × the nominal input.
    /// - Throws: ``InputError`` when the size takes a step past the bounds.
    public func graph(size: Double) throws -> WorkflowGraph {
        size == 1 ? graph : try WorkflowGraph(graph.workflow.scaled(by: size))
    }

    /// The size a plan made once is made for: the sizes' P quantile, so that it holds P over the sizes (with the noise at
    /// its own percentile on top: more than P over both together, a conservative plan); the median without a
    /// percentile.
    func planningSize(settings: Settings) -> Double {
        settings.inputSizes.quantile((settings.percentile ?? 50) / 100)
    }

    /// A plan made once, as requests of another size run it: each step's θ, or where the size's space (what can run
    /// its jobs) lacks it, the θ of the same memory with the most instances, then workers, up
    /// to the plan's — never more instances than the step has jobs — at its option there. The plan's predicted times
    /// and costs stay what it predicted when it was made.
    public static func fitted(_ decisions: [StepDecision], to space: ConfigurationSpace) -> [StepDecision] {
        decisions.map { decision in
            let v = decision.step
            let options = space.steps[v]
            let theta = decision.configuration
            // The same θ where the size's space has it (every θ it has can run the step); else, at the same memory, the
            // most instances and then workers up to the plan's; else the size's fastest θ.
            let fits = options.configurations.indices.filter {
                let c = options.configurations[$0]
                return c.memoryMB == theta.memoryMB && c.inter <= theta.inter && c.intra <= theta.intra
            }
            let k = fits.max { (options.configurations[$0].inter, options.configurations[$0].intra)
                < (options.configurations[$1].inter, options.configurations[$1].intra) } ?? options.fastest
            // The plan's own predictions stay (warm-ups are timed by them, as a plan made once would time them).
            var fitted = decision
            fitted.option = k
            fitted.configuration = options.configurations[k]
            return fitted
        }
    }

    /// How policy `name` runs requests of `size`: a dynamic policy made for that size, a plan made once (`planned`)
    /// fitted to it.
    func sized(
        _ name: PolicyName, planned: PolicyRun, size: Double, slo: Double, settings: Settings
    ) throws -> Sized {
        let sizedGraph = try graph(size: size)
        let runner = try RequestRunner(graph: sizedGraph, simulator: simulator)
        if name.isDynamic {
            let policy = try self.policy(name, graph: sizedGraph, settings: settings)
            return Sized(
                run: try PolicyRun.prepare(policy, sloSeconds: slo), runner: runner, prewarming: settings.prewarm ? policy.space : nil)
        }
        guard let decisions = planned.plan else {
            throw InputError(.unknownPolicy, "internal: \(name.rawValue) has no plan made once")
        }
        // The space the plan would have been made in for this size (its options and predicted times).
        let space = try policy(name, graph: sizedGraph, settings: settings).space
        return Sized(run: .plannedOnce(Self.fitted(decisions, to: space)), runner: runner, prewarming: settings.prewarm ? space : nil)
    }

    /// Policy `name` for `graph` as `settings` make every policy of an evaluation.
    func policy(_ name: PolicyName, graph: WorkflowGraph, settings: Settings) throws -> any StepPolicy {
        try Policies.make(
            name, graph: graph, model: model, platform: simulator.platform, safety: settings.safety,
            percentile: settings.percentile, traffic: settings.traffic, prewarm: settings.prewarm)
    }

}
