/// The configuration a policy chose for one step, and why.
public struct StepDecision: Sendable, Hashable {
    /// Index of the step in the graph.
    public var step: Int
    /// Index of the chosen option in the step's ``StepOptions``.
    public var option: Int
    /// The chosen θ.
    public var configuration: Configuration
    /// Predicted t_i(θ), seconds.
    public var seconds: Double
    /// Predicted c_i(θ), USD.
    public var costUSD: Double
    /// The sub-SLO s_i the step was given, seconds (nil for policies that do not split the SLO).
    public var subSLOSeconds: Double?
    /// True when no θ met the step's budget and the fastest one was taken (Algorithm 1, lines 9–10).
    public var fallback: Bool
    /// The exact solve behind the decision, for the policies that use ``ExactSolver``.
    public var solve: ExactSolver.Result?

    public init(
        step: Int, option: Int, configuration: Configuration, seconds: Double, costUSD: Double,
        subSLOSeconds: Double?, fallback: Bool
    ) {
        self.step = step
        self.option = option
        self.configuration = configuration
        self.seconds = seconds
        self.costUSD = costUSD
        self.subSLOSeconds = subSLOSeconds
        self.fallback = fallback
    }

    init(step: Int, option: Int, in options: StepOptions, subSLOSeconds: Double?, fallback: Bool) {
        self.init(
            step: step, option: option, configuration: options.configurations[option], seconds: options.seconds[option],
            costUSD: options.costUSD[option], subSLOSeconds: subSLOSeconds, fallback: fallback)
    }
}
