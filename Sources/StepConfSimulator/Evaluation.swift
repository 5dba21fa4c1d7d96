import Dispatch
import StepConfCore
import Synchronization

/// Compares policies on simulated requests (paper §VI-C): for each SLO and policy, N requests whose
/// arrivals leave some instances warm and some cold.
public struct Evaluation: Sendable {
    /// What to evaluate.
    public struct Settings: Sendable {
        /// SLOs in seconds; nil picks `sloFactors` × the fastest achievable mean makespan.
        public var sloSeconds: [Double]?
        /// Multiples of the fastest achievable mean makespan used for `auto` SLOs.
        public var sloFactors: [Double]
        /// Requests per (SLO, policy).
        public var requests: Int
        public var seed: UInt64
        public var policies: [PolicyName]
        /// How often requests arrive (Poisson: exponential gaps). The default's mean gap is half the keep-alive:
        /// most requests find warm instances, some find them expired. Static plans are made for it.
        public var traffic: Traffic
        /// Planning margin of every policy, in measured 95th-percentile spreads (see `Policies.make`).
        public var safety: Double = Policies.defaultSafety
        /// The SLO's percentile every policy plans for (nil: predicted times alone); attainment is measured.
        public var percentile: Double? = ChanceConstraint.defaultPercentile
        /// Whether to compute the hindsight optimum per request (``Hindsight``).
        public var hindsight = true
        /// Whether the runtime warms each step's planned function ahead of it (``Prewarm``), for every policy: a static
        /// plan from the execution's start, a dynamic policy as its configurators decide steps ahead. The policies plan
        /// with it. Off, every result is what it was before prewarming existed, seed for seed.
        public var prewarm = true
        /// How large each request's input is (``InputSizes``); `fixed` draws nothing, and every result is what it was
        /// before sizes existed, seed for seed.
        public var inputSizes: InputSizes = .fixed

        public init(
            sloSeconds: [Double]? = nil, sloFactors: [Double] = [1.1, 1.2, 1.5, 2, 2.5, 3], requests: Int = 200,
            seed: UInt64 = 1, policies: [PolicyName] = PolicyName.allCases, traffic: Traffic = .default
        ) {
            self.sloSeconds = sloSeconds
            self.sloFactors = sloFactors
            self.requests = requests
            self.seed = seed
            self.policies = policies
            self.traffic = traffic
        }
    }

    /// The name the hindsight optimum is reported under.
    public static let hindsightName = "hindsight"

    /// The requests of one (SLO, policy).
    public struct Cell: Sendable {
        public var sloSeconds: Double
        /// The policy's name, or ``Evaluation/hindsightName``.
        public var policy: String
        public var durations: [Double]
        public var costs: [Double]
        public var fallbacks: Int
        public var coldStarts: Int
        /// Steps that ran on a decision made ahead, without their configurator (``AheadDecision``).
        public var decidedAhead: Int
        /// P(makespan ≤ SLO) the policy's plan predicts (``Plan/predictedAttainment``), a fraction; nil for a cell with
        /// no plan made in advance (hindsight).
        public var predictedAttainment: Double?
        /// Warm-up invocations sent over all the requests (``Prewarm``), and what they cost, USD (in `costs`).
        public var warmUps = 0
        public var warmUpUSD = 0.0
        /// Steps that waited for their configurator, over all the requests.
        public var configured = 0
        /// Per request, its cost on an Express state machine (`costs` are on a Standard one); empty where unknown.
        public var expressCosts: [Double] = []
        /// Per request, its input's size × nominal; empty when every request is nominal.
        public var sizes: [Double] = []

        public init(
            sloSeconds: Double, policy: String, durations: [Double], costs: [Double], fallbacks: Int, coldStarts: Int,
            decidedAhead: Int = 0
        ) {
            self.decidedAhead = decidedAhead
            self.sloSeconds = sloSeconds
            self.policy = policy
            self.durations = durations
            self.costs = costs
            self.fallbacks = fallbacks
            self.coldStarts = coldStarts
        }
    }

    public let graph: WorkflowGraph
    public let model: PerformanceModel
    public let simulator: LambdaSimulator
    public let runner: RequestRunner

    /// - Throws: ``InputError`` when the model misses a step or the simulator cannot use a step.
    public init(graph: WorkflowGraph, model: PerformanceModel, simulator: LambdaSimulator) throws {
        _ = try model.validated(for: graph.workflow)
        self.graph = graph
        self.model = model
        self.simulator = simulator
        self.runner = try RequestRunner(graph: graph, simulator: simulator)
    }

    /// Arrival times of `count` requests from `seed`: exponential gaps, the same for every policy.
    func arrivals(count: Int, settings: Settings) -> [Double] {
        var rng = SeededRandom(seed: settings.seed).derived(0xA441)
        var t = 0.0
        return (0..<count).map { _ in
            t += -settings.traffic.meanGapSeconds * log(max(1e-12, 1 - rng.unit()))
            return t
        }
    }

    /// The name the all-fastest plan is reported under: every step at its fastest predicted θ, decided once — the
    /// most a plan that does not prewarm can attain.
    public static let fastestName = "fastest"

    /// The requests when every step runs its fastest predicted configuration, decided once (SLO infinite: the
    /// durations do not depend on it), with the plan's predicted attainment at `slo` unset.
    /// - Throws: ``InputError`` when no θ of the grid fits a step.
    /// With input sizes, each request's steps at their fastest θ for its size.
    public func fastestCell(settings: Settings) throws -> Cell {
        let policy = try Policies.make(.static, graph: graph, model: model, platform: simulator.platform)
        let fastest = policy.space.fastestDecisions
        let sized: ((Double) throws -> Sized)? = { size in
            let space = try Policies.make(.static, graph: try self.graph(size: size), model: self.model, platform: self.simulator.platform).space
            return Sized(
                run: .planned(space.fastestDecisions), runner: try RequestRunner(graph: space.graph, simulator: self.simulator),
                prewarming: nil)
        }
        var cell = try runCell(
            .planned(fastest), name: policy.name, slo: .infinity, settings: settings, prewarming: nil, sized: sized)
        cell.policy = Self.fastestName
        return cell
    }

    /// Mean makespan of the requests of the nominal size when every step runs its fastest predicted configuration,
    /// seconds (the median size's, with ``InputSizes/lognormal(sigma:)``).
    public func fastestMeanMakespan(settings: Settings) throws -> Double {
        var nominal = settings
        nominal.inputSizes = .fixed
        let cell = try fastestCell(settings: nominal)
        return cell.durations.reduce(0, +) / Double(cell.durations.count)
    }

    /// The all-fastest plan's cell at each of `slos`, each with the plan's predicted attainment there.
    /// - Throws: ``InputError`` when no θ of the grid fits a step.
    public func fastestCells(_ cell: Cell, settings: Settings, slos: [Double]) throws -> [Cell] {
        let space = try Policies.make(.static, graph: graph, model: model, platform: simulator.platform).space
        let planned = space.plannedSteps(space.steps.map(\.fastest))
        let warmth = AttainmentEstimator.Warmth.steady(
            planned, chance: settings.traffic.warmChance(keepAliveSeconds: space.platform.keepAliveSeconds))
        let estimator = space.estimator
        return slos.map { slo in
            var copy = cell
            copy.sloSeconds = slo
            copy.predictedAttainment = estimator.attainment(planned, deadline: slo, warmth: warmth)
            return copy
        }
    }

    /// The whole evaluation `stepconf evaluate` reports: every (SLO, policy) of `settings` (`auto` SLOs are factors of
    /// the all-fastest plan's mean makespan), the hindsight optimum where asked, the `fastest` ceiling at each SLO, and
    /// with `frontier` a wide SLO sweep of the plans made once and `stepconf` for Fig. 18 (a quarter of the requests).
    /// `progress` receives (cells done, cells in all); the hindsight's requests count as one cell per SLO.
    /// - Throws: what a policy throws; ``InputError`` when no θ of the grid fits a step.
    public func evaluate(
        settings: Settings, frontier: Bool = false, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> (results: EvaluationResults, cells: [Cell]) {
        let ceiling = try fastestCell(settings: settings)
        // `auto` SLOs are factors of the nominal request's ceiling: the one just run, unless requests vary in size.
        let fastest = settings.inputSizes == .fixed
            ? ceiling.durations.reduce(0, +) / Double(ceiling.durations.count) : try fastestMeanMakespan(settings: settings)
        let slos = settings.sloSeconds ?? settings.sloFactors.map { $0 * fastest }
        var frontierSettings = settings
        frontierSettings.policies = frontier && settings.policies.contains(.nono)
            ? settings.policies.filter { [.nono, .static, .intraOnly, .interOnly, .stepconf].contains($0) } : []
        frontierSettings.requests = max(50, settings.requests / 4)
        let frontierSLOs = Self.frontierSLOs(fastest: fastest, slos: slos)
        let mainCount = slos.count * settings.policies.count
        let frontierCount = frontierSLOs.count * frontierSettings.policies.count
        let hindsightCells = settings.hindsight ? slos.count : 0
        let total = mainCount + frontierCount + hindsightCells
        var cells = try run(settings: settings, slos: slos) { done, _ in progress?(done, total) }
        let frontierCells = try run(settings: frontierSettings, slos: frontierSLOs) { done, _ in progress?(mainCount + done, total) }
        if settings.hindsight {
            cells += try Hindsight(evaluation: self).run(settings: settings, slos: slos) { done, all in
                progress?(mainCount + frontierCount + done * hindsightCells / max(all, 1), total)
            }
        }
        cells += try fastestCells(ceiling, settings: settings, slos: slos)
        let results = EvaluationResults(
            workflow: graph.workflow.name, settings: settings, fastest: fastest, slos: slos, cells: cells,
            frontierCells: frontierCells)
        return (results, cells)
    }

    /// A wide sweep for Fig. 18: from 1.1 × the fastest mean makespan, log-spaced, to past the slowest
    /// duration the evaluated SLOs let a policy reach (nono at its fastest is tens of times slower).
    static func frontierSLOs(fastest: Double, slos: [Double]) -> [Double] {
        let top = max(80.0, (slos.max() ?? fastest) / fastest)
        let count = 14
        return (0..<count).map { k in fastest * 1.1 * pow(top / 1.1, Double(k) / Double(count - 1)) }
    }

    /// Runs every (SLO, policy); `progress` receives (cells done, cells in all) from worker threads.
    /// - Throws: what a policy throws.
    public func run(settings: Settings, slos: [Double], progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> [Cell] {
        let tasks = slos.flatMap { slo in settings.policies.map { (slo, $0) } }
        let results = Mutex<[Int: Result<Cell, any Error>]>([:])
        let done = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: tasks.count) { index in
            let (slo, name) = tasks[index]
            let outcome = Result<Cell, any Error> {
                // With input sizes, a plan made once is made for the sizes' P quantile.
                let planning = settings.inputSizes == .fixed || name.isDynamic ? graph : try self.graph(size: planningSize(settings: settings))
                let policy = try self.policy(name, graph: planning, settings: settings)
                let run = try PolicyRun.prepare(policy, sloSeconds: slo)
                var cell = try runCell(
                    run, name: name, slo: slo, settings: settings, prewarming: settings.prewarm ? policy.space : nil,
                    sized: { size in try self.sized(name, planned: run, size: size, slo: slo, settings: settings) })
                cell.predictedAttainment = try Plan.make(
                    policy: policy, sloSeconds: slo, traffic: settings.traffic, prewarm: settings.prewarm, prepared: run
                ).predictedAttainment
                return cell
            }
            results.withLock { $0[index] = outcome }
            let finished = done.add(1, ordering: .relaxed).newValue
            progress?(finished, tasks.count)
        }
        return try results.withLock { table in try (0..<tasks.count).map { try table[$0]!.get() } }
    }

    /// `sized`: how requests of a size other than the nominal run (``Sized``), made once per size.
    private func runCell(
        _ policy: PolicyRun, name: PolicyName, slo: Double, settings: Settings, prewarming: ConfigurationSpace?,
        sized: ((Double) throws -> Sized)? = nil
    ) throws -> Cell {
        var pool = WarmPool(keepAliveSeconds: simulator.config.keepAliveSeconds)
        var durations: [Double] = []
        var costs: [Double] = []
        var fallbacks = 0
        var cold = 0
        var ahead = 0
        var warmUps = 0
        var warmUpUSD = 0.0
        var configured = 0
        var expressCosts: [Double] = []
        let base = SeededRandom(seed: settings.seed)
        // One deployment per (SLO, policy): its global cache outlives requests, as DynamoDB would, so a
        // configurator can see which functions ran recently.
        let cache = InMemoryGlobalCache()
        let sizes = settings.inputSizes.draw(count: settings.requests, seed: settings.seed)
        var bySize: [Double: Sized] = [:]
        for (k, arrival) in arrivals(count: settings.requests, settings: settings).enumerated() {
            var run = Sized(run: policy, runner: runner, prewarming: prewarming)
            if let size = sizes?[k], let sized {
                if bySize[size] == nil { bySize[size] = try sized(size) }
                run = bySize[size]!
            }
            let outcome = try run.runner.run(
                run.run, arrival: arrival, sloSeconds: slo, execution: "r\(k)", cache: cache, pool: &pool,
                seed: base.derived(UInt64(k) + 1), prewarming: run.prewarming)
            cache.removeAll(execution: "r\(k)")
            durations.append(outcome.durationSeconds)
            costs.append(outcome.costUSD)
            fallbacks += outcome.fallbacks
            cold += outcome.coldStarts
            ahead += outcome.decidedAhead
            warmUps += outcome.warmUps
            warmUpUSD += outcome.warmUpUSD
            configured += outcome.configured
            expressCosts.append(outcome.expressCostUSD)
        }
        var cell = Cell(
            sloSeconds: slo, policy: name.rawValue, durations: durations, costs: costs, fallbacks: fallbacks, coldStarts: cold,
            decidedAhead: ahead)
        cell.warmUps = warmUps
        cell.warmUpUSD = warmUpUSD
        cell.configured = configured
        cell.expressCosts = expressCosts
        cell.sizes = sizes ?? []
        return cell
    }
}

import Foundation
