/// What the driver hands an executor when a step's predecessors have all finished.
public struct StepLaunch: Sendable {
    /// The step, by graph index.
    public var step: Int
    /// When its last predecessor finished (the execution's start for a first step), on the executor's clock.
    public var ready: Double
    /// How far every step had got at that moment (Algorithm 2's view of the execution).
    public var progress: [StepProgress]

    @inlinable
    public init(step: Int, ready: Double, progress: [StepProgress]) {
        self.step = step
        self.ready = ready
        self.progress = progress
    }
}

/// One step as an executor ran it; times on the executor's clock, seconds.
public struct ExecutedStep<Outcome> {
    /// When the step's last instance ended.
    public var finish: Double
    /// What a configurator may know of the step while it runs: when it was predicted to end.
    public var expectedFinish: Double
    /// What the executor keeps of the step (its decision, its run, its outputs).
    public var outcome: Outcome

    public init(finish: Double, expectedFinish: Double, outcome: Outcome) {
        self.finish = finish
        self.expectedFinish = expectedFinish
        self.outcome = outcome
    }
}

extension ExecutedStep: Sendable where Outcome: Sendable {}

/// Runs steps on a clock it keeps itself (predicted times, the simulator's clock): a step's end is known
/// as soon as it is launched, so the driver can run the steps one after another in order of start time.
public protocol StepExecutor {
    associatedtype Outcome
    /// Decides and runs one step.
    /// - Throws: what deciding the step throws; the walk stops.
    mutating func execute(_ launch: StepLaunch) throws -> ExecutedStep<Outcome>
}

/// Runs steps on a real clock, side by side: a step's end is known when it ends.
public protocol ConcurrentStepExecutor: Sendable {
    associatedtype Outcome: Sendable
    /// The executor's clock, seconds (the launches' `ready` and the steps' `finish` are on it).
    var now: Double { get async }
    /// Decides and runs one step, given what its predecessors produced (by graph index).
    /// - Throws: why the step failed; the driver cancels the steps still running and reports it.
    func execute(_ launch: StepLaunch, inputs: [Int: Outcome]) async throws -> ExecutedStep<Outcome>
}

/// The one walk over a workflow's DAG (Algorithm 2, lines 11–21 on the orchestrator's side): a step
/// starts when its last predecessor ends, in order of that time and then of topological position; the
/// progress every decision sees marks the steps ended by then as finished and the others as running
/// until their predicted end. The plan replay, the simulator and the local runner all walk through it.
public struct WorkflowDriver: Sendable {
    public let graph: WorkflowGraph
    /// Each step's place in the topological order (ties between steps ready at once go by it).
    @usableFromInline let position: [Int]

    public init(graph: WorkflowGraph) {
        self.graph = graph
        var position = [Int](repeating: 0, count: graph.count)
        for (k, v) in graph.topologicalOrder.enumerated() { position[v] = k }
        self.position = position
    }

    /// One walk's record; times on the executor's clock, seconds.
    public struct Walk<Outcome> {
        /// When each step became ready.
        public var ready: [Double]
        /// When each step ended (0 for a step that never ran).
        public var finish: [Double]
        /// What the executor kept of each step, by graph index (nil: never ran or failed).
        public var outcomes: [Outcome?]
        /// The step that failed and why (concurrent walks only; a failure stops the launches).
        public var failure: (step: Int, error: any Error)?

        @inlinable
        init(ready: [Double], finish: [Double], outcomes: [Outcome?], failure: (step: Int, error: any Error)?) {
            self.ready = ready
            self.finish = finish
            self.outcomes = outcomes
            self.failure = failure
        }

        /// Whether every step ran.
        public var completed: Bool { failure == nil && outcomes.allSatisfy { $0 != nil } }
    }

    /// Walks the DAG from `start` with an executor on its own clock. (Inlinable, so the simulator's hot loop
    /// gets a copy specialised to its executor.)
    /// - Throws: what the executor throws.
    @inlinable
    public func run<E: StepExecutor>(_ executor: inout E, start: Double = 0) throws -> Walk<E.Outcome> {
        var schedule = Schedule(driver: self, start: start)
        var outcomes = [E.Outcome?](repeating: nil, count: graph.count)
        var ending: [(finish: Double, step: Int)] = []
        ending.reserveCapacity(graph.count)
        var batch: [Int] = []
        var launches = schedule.initial
        while true {
            for v in launches {
                let executed = try executor.execute(schedule.launch(v))
                outcomes[v] = executed.outcome
                schedule.started(v, expectedFinish: executed.expectedFinish)
                ending.append((executed.finish, v))
            }
            guard var next = ending.first?.finish else { break }
            for e in ending where e.finish < next { next = e.finish }
            // Every step ending at that moment is finished before any step it readies is decided.
            batch.removeAll(keepingCapacity: true)
            var kept = 0
            for e in ending {
                if e.finish == next {
                    batch.append(e.step)
                } else {
                    ending[kept] = e
                    kept += 1
                }
            }
            ending.removeLast(ending.count - kept)
            launches = schedule.finished(batch, at: next)
        }
        return Walk(ready: schedule.ready, finish: schedule.finish, outcomes: outcomes, failure: nil)
    }

    /// Walks the DAG with an executor on a real clock: every ready step is launched at once and runs
    /// beside the others. A failing step stops further launches and cancels the steps still running.
    public func run<E: ConcurrentStepExecutor>(_ executor: E) async -> Walk<E.Outcome> {
        var schedule = Schedule(driver: self, start: await executor.now)
        var outcomes = [E.Outcome?](repeating: nil, count: graph.count)
        var failure: (step: Int, error: any Error)?
        await withTaskGroup(of: (Int, Result<ExecutedStep<E.Outcome>, any Error>).self) { group in
            func launch(_ steps: [Int]) {
                for v in steps {
                    let launch = schedule.launch(v)
                    var inputs: [Int: E.Outcome] = [:]
                    for u in graph.predecessors[v] { inputs[u] = outcomes[u] }
                    // Its end is not known before it ends: a running step's expected finish is its ready time.
                    schedule.started(v, expectedFinish: launch.ready)
                    let given = inputs
                    group.addTask {
                        do { return (v, .success(try await executor.execute(launch, inputs: given))) } catch { return (v, .failure(error)) }
                    }
                }
            }
            launch(schedule.initial)
            for await (v, result) in group {
                switch result {
                case .failure(let error):
                    if failure == nil { failure = (v, error) }
                    group.cancelAll()
                case .success(let executed):
                    outcomes[v] = executed.outcome
                    let readied = schedule.finished([v], at: executed.finish)
                    if failure == nil { launch(readied) }
                }
            }
        }
        return Walk(ready: schedule.ready, finish: schedule.finish, outcomes: outcomes, failure: failure)
    }

    /// The chain of steps that set the makespan: from the end step back through, at each step, the
    /// predecessor that finished last. Empty when the end step never ran.
    public func criticalPath(finish: [Double], ran: (Int) -> Bool) -> [Int] {
        graph.criticalPath(finish: finish, endingAt: graph.end, ran: ran)
    }
}

extension WorkflowDriver.Walk: Sendable where Outcome: Sendable {}

extension WorkflowDriver {
    /// The bookkeeping both walks share: which steps wait on how many predecessors, when each became
    /// ready and ended, and the progress a decision sees.
    @usableFromInline
    struct Schedule {
        @usableFromInline let driver: WorkflowDriver
        @usableFromInline var waiting: [Int]
        @usableFromInline var ready: [Double]
        @usableFromInline var finish: [Double]
        @usableFromInline var progress: [StepProgress]
        /// The steps with no predecessors, ready at the start.
        @usableFromInline let initial: [Int]

        @inlinable
        init(driver: WorkflowDriver, start: Double) {
            let graph = driver.graph
            self.driver = driver
            waiting = graph.predecessors.map(\.count)
            ready = [Double](repeating: start, count: graph.count)
            finish = [Double](repeating: 0, count: graph.count)
            progress = [StepProgress](repeating: .pending, count: graph.count)
            initial = (0..<graph.count).filter { graph.predecessors[$0].isEmpty }.sorted { driver.position[$0] < driver.position[$1] }
        }

        @inlinable
        func launch(_ v: Int) -> StepLaunch { StepLaunch(step: v, ready: ready[v], progress: progress) }

        @inlinable
        mutating func started(_ v: Int, expectedFinish: Double) {
            progress[v] = .running(ready: ready[v], expectedFinish: expectedFinish)
        }

        /// Marks `steps` ended at `time`; returns the steps that became ready, in topological position.
        @inlinable
        mutating func finished(_ steps: [Int], at time: Double) -> [Int] {
            var readied: [Int] = []
            for v in steps {
                progress[v] = .finished(ready: ready[v], finish: time)
                finish[v] = time
                for w in driver.graph.successors[v] {
                    waiting[w] -= 1
                    if waiting[w] == 0 {
                        ready[w] = time
                        readied.append(w)
                    }
                }
            }
            return readied.sorted { driver.position[$0] < driver.position[$1] }
        }
    }
}
