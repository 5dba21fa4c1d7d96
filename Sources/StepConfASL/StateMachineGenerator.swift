import StepConfCore

/// Writes a workflow as an Amazon States Language state machine (docs/lambda.md, docs/deploy.md).
///
/// Per step: a `Configure` task calls the configurator with the SLO, `$$.Execution.StartTime` and the
/// keys its predecessors wrote; a `Run` Map fans the configurator's items out (MaxConcurrency from the
/// decision) to the function `States.Format` names from the chosen memory size, each instance taking its share
/// of the step's input keys. Every step but the first is first a `Check` Choice: when the last configurator's answer
/// (`$.config`) decided it ahead (``AheadDecision``) and it is ready by that decision's deadline (the state's
/// `$$.State.EnteredTime`, compared as a string in the engine's own format), it runs without a configurator. After a
/// Parallel state, `$.config` is the answer that entered it: a join runs on the plan made before its branches when
/// it is ready by that plan's latest start (the rest of that plan then still holds the SLO). Steps that may run side by
/// side become a Parallel state's branches (the series-parallel decomposition); a DAG that is not
/// series-parallel is run level by level, which keeps every dependency and adds the waits the result
/// reports. Lambda service errors are retried with backoff. The configurator is no single point of failure: when it
/// cannot answer (an error after the retries, a timeout), the step runs on the plan an earlier answer made for it,
/// else on its fastest θ (``ConfigSource``), and the state machine records that at `$.out.recovered.{id}`
/// (``ConfigRecovery``). Any other failure ends the execution in a Fail state that carries the error and its cause.
///
/// The state data: `slo_s`, `slo_percentile` (optional, default 99) and `input` (`{"keys": […]}`) from the
/// execution input, `config` (the last configurator's answer: `run`, `decision` and `steps.{id}`, the plan of
/// its step and of those it decided ahead) and `out`: `outputs` (`{step: [{"outputs": [keys]}, …]}` for the steps
/// whose outputs are still needed) and `recovered` (`{step: ConfigRecovery}`, kept to the end: the execution's output).
public struct StateMachineGenerator: Sendable {
    /// Placeholders SAM's `DefinitionSubstitutions` (or `stepconf local up`) replace.
    public static let configuratorPlaceholder = "${ConfiguratorFunctionArn}"
    public static let prefixPlaceholder = "${FunctionPrefix}"

    /// The generated state machine.
    public struct Output: Sendable {
        public var definition: JSONValue
        /// Whether the DAG was series-parallel (no dependencies added).
        public var seriesParallel: Bool
        /// Waits the state machine adds beyond the workflow's dependencies: (step, now also waits for).
        public var addedWaits: [(step: String, waitsFor: String)]

        /// The definition as the file holds it.
        public var text: String { definition.rendered() }
    }

    /// How steps are grouped: the tree the states are written from.
    indirect enum Block: Equatable {
        case step(Int)
        case sequence([Block])
        case parallel([Block])

        var steps: [Int] {
            switch self {
            case .step(let v): [v]
            case .sequence(let items), .parallel(let items): items.flatMap(\.steps)
            }
        }
    }

    let graph: WorkflowGraph
    /// Each step's fastest plan, by step index: what it runs on when its configurator cannot answer and no earlier
    /// answer planned it (``ConfigSource/fastest``).
    let fastest: [ConfiguratorOutput.Planned]

    /// - Parameter fastest: each step's plan at its fastest θ, by step index
    ///   (``ConfiguratorOutput/Planned/fastest(graph:model:platform:functionPrefix:)``).
    public init(graph: WorkflowGraph, fastest: [ConfiguratorOutput.Planned]) {
        precondition(fastest.count == graph.count, "one fastest plan per step")
        self.graph = graph
        self.fastest = fastest
    }

    /// The generator for `graph`, each step's fastest plan predicted by `model` on `platform`.
    /// - Throws: ``InputError`` when the model lacks a step or no θ of the grid fits one.
    public init(graph: WorkflowGraph, model: PerformanceModel, platform: Platform) throws {
        self.init(
            graph: graph,
            fastest: try ConfiguratorOutput.Planned.fastest(
                graph: graph, model: model, platform: platform, functionPrefix: Self.prefixPlaceholder))
    }

    /// Generates the state machine.
    public func generate() -> Output {
        let (block, seriesParallel) = Self.blocks(graph)
        let added = seriesParallel ? [] : Self.addedWaits(block, graph: graph)
        var states: [(String, JSONValue)] = prelude(first: entryName(block))
        var done = Set<Int>()
        emit(block, next: nil, topLevel: true, done: &done, into: &states)
        states.append(("Failed", ["Type": "Fail", "ErrorPath": .string(Self.path(State.error) + ".Error"), "CausePath": .string(Self.path(State.error) + ".Cause")]))
        var comment = "StepConf workflow `\(graph.workflow.name)`: \(graph.count) steps, each configured at run time. "
            + "Generated by `stepconf asl`; do not edit."
        if !added.isEmpty {
            comment += " Not series-parallel: run level by level, adding \(added.count) waits."
        }
        let definition: JSONValue = [
            "Comment": .string(comment),
            "StartAt": "Check input",
            "States": .object(states),
        ]
        return Output(definition: definition, seriesParallel: seriesParallel, addedWaits: added)
    }

    // MARK: Structure

    /// The block tree: from the series-parallel decomposition, or level by level.
    static func blocks(_ graph: WorkflowGraph) -> (Block, Bool) {
        if let tree = SeriesParallelTree(graph: graph) {
            func make(_ node: Int) -> Block? {
                switch tree.nodes[node] {
                case .empty: return nil
                case .step(let v): return .step(v)
                case .series(let a, let b):
                    let items = [make(a), make(b)].compactMap { $0 }.flatMap { b -> [Block] in
                        if case .sequence(let inner) = b { return inner }
                        return [b]
                    }
                    return items.count == 1 ? items[0] : .sequence(items)
                case .parallel(let a, let b):
                    let items = [make(a), make(b)].compactMap { $0 }.flatMap { b -> [Block] in
                        if case .parallel(let inner) = b { return inner }
                        return [b]
                    }
                    return items.count == 1 ? items[0] : .parallel(items)
                }
            }
            if let block = make(tree.root) { return (block, true) }
        }
        // Level = longest path from the start; every dependency goes to a higher level.
        let level = graph.depths
        let levels = (0...(level.max() ?? 0)).map { l in graph.topologicalOrder.filter { level[$0] == l } }
        let items: [Block] = levels.map { $0.count == 1 ? .step($0[0]) : .parallel($0.map { .step($0) }) }
        return (items.count == 1 ? items[0] : .sequence(items), false)
    }

    /// Waits a level-by-level block adds: a step now waits for every step of earlier levels, not only its
    /// ancestors.
    static func addedWaits(_ block: Block, graph: WorkflowGraph) -> [(step: String, waitsFor: String)] {
        let ancestors = (0..<graph.count).map(graph.ancestors(of:))
        guard case .sequence(let levels) = block else { return [] }
        var before: [Int] = []
        var added: [(String, String)] = []
        for item in levels {
            for v in item.steps {
                for u in before where !ancestors[v].contains(u) { added.append((graph.ids[v], graph.ids[u])) }
            }
            before += item.steps
        }
        return added
    }

    func entryName(_ block: Block) -> String {
        switch block {
        case .step(let v): AheadDecision.isChecked(v, in: graph) ? "Check \(graph.ids[v])" : "Configure \(graph.ids[v])"
        case .sequence(let items): entryName(items[0])
        case .parallel(let branches):
            "Parallel " + branches.map { graph.ids[$0.steps[0]] }.joined(separator: ", ")
        }
    }

    // MARK: States

    /// Checks the execution input (``ExecutionInput``), defaults `input` and the percentile, starts `out`.
    func prelude(first: String) -> [(String, JSONValue)] {
        let invalid: JSONValue = "Invalid input"
        let slo: JSONValue = .string(Self.path(Input.sloSeconds))
        let percentile: JSONValue = .string(Self.path(Input.sloPercentile))
        let cause =
            "the execution input must be {\"\(Input.sloSeconds.stringValue)\": seconds > 0, "
            + "\"\(Input.sloPercentile.stringValue)\": 0 < P < 100, \"\(Input.input.stringValue)\": "
            + "{\"\(StepInput.CodingKeys.keys.stringValue)\": [object keys]}}; \(Input.sloPercentile.stringValue) "
            + "(default \(Int(ChanceConstraint.defaultPercentile))) and \(Input.input.stringValue) are optional"
        return [
            (
                "Check input",
                [
                    "Type": "Choice",
                    "Choices": [
                        ["Variable": slo, "IsPresent": false, "Next": invalid],
                        ["Variable": slo, "IsNumeric": false, "Next": invalid],
                        ["Variable": slo, "NumericLessThanEquals": 0, "Next": invalid],
                        ["Variable": .string(Self.path(Input.input)), "IsPresent": true, "Next": "Check percentile"],
                    ],
                    "Default": "No input",
                ]
            ),
            (
                "Check percentile",
                [
                    "Type": "Choice",
                    "Choices": [
                        ["Variable": percentile, "IsPresent": false, "Next": "Default percentile"],
                        ["Variable": percentile, "IsNumeric": false, "Next": invalid],
                        ["Variable": percentile, "NumericLessThanEquals": 0, "Next": invalid],
                        ["Variable": percentile, "NumericGreaterThanEquals": 100, "Next": invalid],
                    ],
                    "Default": "Begin",
                ]
            ),
            (
                "Default percentile",
                [
                    "Type": "Pass", "Result": .number(ChanceConstraint.defaultPercentile), "ResultPath": percentile,
                    "Next": "Begin",
                ]
            ),
            ("Invalid input", ["Type": "Fail", "Error": "StepConf.InvalidInput", "Cause": .string(cause)]),
            (
                "No input",
                [
                    "Type": "Pass", "Result": [StepInput.CodingKeys.keys.stringValue: []],
                    "ResultPath": .string(Self.path(Input.input)), "Next": "Check percentile",
                ]
            ),
            (
                "Begin",
                [
                    "Type": "Pass", "Result": [State.outputs.stringValue: [:], State.recovered.stringValue: [:]],
                    "ResultPath": .string(Self.path(State.out)), "Next": .string(first),
                ]
            ),
        ]
    }

    func transition(_ next: String?) -> (String, JSONValue) {
        if let next { return ("Next", .string(next)) }
        return ("End", true)
    }

    func emit(_ block: Block, next: String?, topLevel: Bool, done: inout Set<Int>, into states: inout [(String, JSONValue)]) {
        switch block {
        case .step(let v):
            emitStep(v, next: next, topLevel: topLevel, into: &states)
            done.insert(v)
        case .sequence(let items):
            for (k, item) in items.enumerated() {
                emit(item, next: k + 1 < items.count ? entryName(items[k + 1]) : next, topLevel: topLevel, done: &done, into: &states)
            }
        case .parallel(let branches):
            let before = done
            var owner: [Int: Int] = [:]
            let rendered: [JSONValue] = branches.enumerated().map { b, branch in
                var branchStates: [(String, JSONValue)] = []
                var branchDone = before
                emit(branch, next: nil, topLevel: false, done: &branchDone, into: &branchStates)
                for v in branch.steps { owner[v] = b }
                return ["StartAt": .string(entryName(branch)), "States": .object(branchStates)]
            }
            done.formUnion(block.steps)
            // Keep the outputs a step not yet run still needs, each from the branch that wrote it, and every branch's
            // recoveries.
            let live = done.filter { u in graph.successors[u].contains { !done.contains($0) } }.sorted()
            let outputs: [(String, JSONValue)] = live.map { u in
                (graph.ids[u] + ".$", .string("$[\(owner[u] ?? 0)].\(State.out.stringValue).\(State.outputs.stringValue).\(graph.ids[u])"))
            }
            let selector: JSONValue = [
                State.outputs.stringValue: .object(outputs),
                State.recovered.stringValue + ".$": .string(Self.merged(
                    (0..<branches.count).map { "$[\($0)].\(State.out.stringValue).\(State.recovered.stringValue)" })),
            ]
            var members: [(String, JSONValue)] = [
                ("Type", "Parallel"), ("Branches", .array(rendered)), ("ResultSelector", selector),
                ("ResultPath", .string(Self.path(State.out))),
            ]
            if topLevel { members.append(catchAll) }
            members.append(transition(next))
            states.append((entryName(block), .object(members)))
        }
    }

    /// One expression merging the objects at `paths` (shallow `States.JsonMerge`, in a balanced tree: Step Functions
    /// nests at most 10 intrinsic functions, enough for 1,024 branches).
    package static func merged(_ paths: [String]) -> String {
        if paths.count == 1 { return paths[0] }
        let half = (paths.count + 1) / 2
        return "States.JsonMerge(\(merged(Array(paths[..<half]))), \(merged(Array(paths[half...]))), false)"
    }

    var catchAll: (String, JSONValue) {
        ("Catch", [["ErrorEquals": ["States.ALL"], "ResultPath": .string(Self.path(State.error)), "Next": "Failed"]])
    }

    /// A Retry field's retrier for `rule` (``Retries``).
    static func retrier(_ rule: Retries.Rule) -> JSONValue {
        [
            "ErrorEquals": .strings(rule.errors), "IntervalSeconds": .int(rule.intervalSeconds), "MaxAttempts": .int(rule.maxAttempts),
            "BackoffRate": .number(rule.backoffRate), "JitterStrategy": "FULL",
        ]
    }

    /// Lambda's transient errors (``Retries/lambdaTransient``).
    var lambdaRetry: (String, JSONValue) { ("Retry", [Self.retrier(Retries.lambdaTransient)]) }

    static func number(_ value: Double) -> JSONValue {
        value == value.rounded() && abs(value) < 1e15 ? .int(Int(value)) : .number(value)
    }
}
