/// The validated, index-based form of a ``Workflow``: steps are numbered in file order, with
/// predecessor and successor lists and a topological order. Every algorithm works on this.
public struct WorkflowGraph: Sendable {
    /// The workflow it was built from.
    public let workflow: Workflow
    /// Step ids by index.
    public let ids: [String]
    /// Index of each step id.
    public let index: [String: Int]
    /// Direct predecessors of each step (the steps it depends on).
    public let predecessors: [[Int]]
    /// Direct successors of each step.
    public let successors: [[Int]]
    /// All steps, each after every step it depends on.
    public let topologicalOrder: [Int]
    /// The single step with no dependencies.
    public let start: Int
    /// The single step nothing depends on.
    public let end: Int

    /// Number of steps.
    public var count: Int { ids.count }

    /// Validates `workflow` and builds its graph.
    /// - Throws: ``WorkflowError`` naming the step and field at fault.
    public init(_ workflow: Workflow) throws {
        let steps = workflow.steps
        guard !steps.isEmpty else {
            throw WorkflowError(.empty, "workflow `\(workflow.name)` has no steps")
        }
        var index: [String: Int] = [:]
        for (i, step) in steps.enumerated() {
            guard !step.id.isEmpty else {
                throw WorkflowError(.invalidField, "step #\(i + 1) has an empty id")
            }
            if index[step.id] != nil {
                throw WorkflowError(.duplicateStep, "step id `\(step.id)` is used more than once")
            }
            index[step.id] = i
        }
        for step in steps {
            try step.checkFields()
        }
        var predecessors = Array(repeating: [Int](), count: steps.count)
        var successors = Array(repeating: [Int](), count: steps.count)
        for (i, step) in steps.enumerated() {
            var seen = Set<Int>()
            for dependency in step.dependsOn {
                guard let j = index[dependency] else {
                    throw WorkflowError(
                        .unknownDependency, "step `\(step.id)` depends on unknown step `\(dependency)`")
                }
                if j == i {
                    throw WorkflowError(.cycle, "step `\(step.id)` depends on itself")
                }
                guard seen.insert(j).inserted else { continue }
                predecessors[i].append(j)
                successors[j].append(i)
            }
        }
        let order = try Self.topologicalOrder(ids: steps.map(\.id), predecessors: predecessors, successors: successors)
        let starts = (0..<steps.count).filter { predecessors[$0].isEmpty }
        let ends = (0..<steps.count).filter { successors[$0].isEmpty }
        guard starts.count == 1 else {
            let names = starts.map { "`\(steps[$0].id)`" }.joined(separator: ", ")
            throw WorkflowError(
                .severalStarts,
                "workflow `\(workflow.name)` has \(starts.count) start steps (\(names)); it needs exactly one: "
                    + "add a first step they all depend on")
        }
        guard ends.count == 1 else {
            let names = ends.map { "`\(steps[$0].id)`" }.joined(separator: ", ")
            throw WorkflowError(
                .severalEnds,
                "workflow `\(workflow.name)` has \(ends.count) end steps (\(names)); it needs exactly one: "
                    + "add a final step that depends on them all")
        }
        self.workflow = workflow
        self.ids = steps.map(\.id)
        self.index = index
        self.predecessors = predecessors
        self.successors = successors
        self.topologicalOrder = order
        self.start = starts[0]
        self.end = ends[0]
    }

    /// The step at `i`.
    public subscript(i: Int) -> Workflow.Step { workflow.steps[i] }

    /// Kahn's algorithm; on a cycle, walks back through the unresolved steps to name one cycle.
    private static func topologicalOrder(ids: [String], predecessors: [[Int]], successors: [[Int]]) throws -> [Int] {
        var remaining = predecessors.map(\.count)
        var ready = (0..<ids.count).filter { remaining[$0] == 0 }
        var order: [Int] = []
        order.reserveCapacity(ids.count)
        while let i = ready.popLast() {
            order.append(i)
            for s in successors[i].reversed() {
                remaining[s] -= 1
                if remaining[s] == 0 { ready.append(s) }
            }
        }
        guard order.count < ids.count else {
            // Stable order: by position in the file among steps whose predecessors are done.
            return stableOrder(predecessors: predecessors, successors: successors)
        }
        // Every unresolved step has an unresolved predecessor: follow them until one repeats.
        var current = (0..<ids.count).first { remaining[$0] > 0 }!
        var position: [Int: Int] = [:]
        var path: [Int] = []
        while position[current] == nil {
            position[current] = path.count
            path.append(current)
            current = predecessors[current].first { remaining[$0] > 0 }!
        }
        let cycle = path[position[current]!...].reversed().map { ids[$0] }
        let text = (cycle + [cycle[0]]).map { "`\($0)`" }.joined(separator: " → ")
        throw WorkflowError(.cycle, "the dependencies form a cycle: \(text)")
    }

    private static func stableOrder(predecessors: [[Int]], successors: [[Int]]) -> [Int] {
        var remaining = predecessors.map(\.count)
        var order: [Int] = []
        var done = Array(repeating: false, count: predecessors.count)
        while order.count < predecessors.count {
            let next = (0..<predecessors.count).first { !done[$0] && remaining[$0] == 0 }!
            done[next] = true
            order.append(next)
            for s in successors[next] { remaining[s] -= 1 }
        }
        return order
    }
}

extension Workflow.Step {
    /// Checks the step's own fields against ``InputBounds`` and the parameters every consumer reads (the model's
    /// `multicore_ratio`, byte counts, work, worker memory): the one place these rules live.
    /// - Throws: ``WorkflowError`` naming the step and the field.
    public func checkFields() throws {
        let step = self
        guard !step.kind.isEmpty else {
            throw WorkflowError(.invalidField, "step `\(step.id)`: field `kind` is empty")
        }
        guard step.jobs > 0, step.jobs <= InputBounds.maxJobs else {
            throw WorkflowError(
                .invalidJobs, "step `\(step.id)`: field `jobs` must lie in 1…\(InputBounds.maxJobs), got \(step.jobs)")
        }
        guard InputBounds.check(step.inputMB, in: 0...InputBounds.maxInputMB) != nil else {
            throw WorkflowError(
                .invalidField,
                "step `\(step.id)`: field `input_mb` must be \(InputBounds.describe(0...InputBounds.maxInputMB)), got \(step.inputMB)")
        }
        let parameterRange = -InputBounds.maxParameter...InputBounds.maxParameter
        for (key, value) in step.params.sorted(by: { $0.key < $1.key }) where InputBounds.check(value, in: parameterRange) == nil {
            throw WorkflowError(
                .invalidField,
                "step `\(step.id)`: parameter `params.\(key)` must be \(InputBounds.describe(parameterRange)), got \(value)")
        }
        if let worker = step.params["worker_memory_mb"], !(worker > 0 && worker <= 10_240) {
            throw WorkflowError(
                .invalidField, "step `\(step.id)`: parameter `params.worker_memory_mb` must lie in (0, 10240] MB, got \(worker)")
        }
        if let ratio = step.params["multicore_ratio"], !(0...1).contains(ratio) {
            throw WorkflowError(
                .invalidField, "step `\(step.id)`: parameter `params.multicore_ratio` must lie in 0…1, got \(ratio)")
        }
        for key in ["bytes_in_per_job", "bytes_out_per_job", "difficulty", "work_s_per_job"] {
            if let value = step.params[key], value < 0 {
                throw WorkflowError(.invalidField, "step `\(step.id)`: parameter `params.\(key)` must be ≥ 0, got \(value)")
            }
        }
    }
}
