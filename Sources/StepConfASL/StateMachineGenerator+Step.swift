import StepConfCore

/// The states of one step: an optional `Check` Choice, the `Configure` task and the `Run` Map with its `Invoke`
/// task. Every field of a message between parts (the configurator's event and answer, the step functions' event and
/// answer) is named by that message's `CodingKeys`; only the state data's own layout (``State``) is named here.
extension StateMachineGenerator {
    typealias Input = ExecutionInput.CodingKeys
    typealias Event = ConfiguratorEvent.CodingKeys
    typealias Answer = ConfiguratorOutput.CodingKeys
    typealias Plan = ConfiguratorOutput.Planned.CodingKeys
    typealias Record = ConfiguratorOutput.Record.CodingKeys
    typealias Item = ConfiguratorOutput.Item.CodingKeys
    typealias Instance = StepEvent.CodingKeys

    /// Where the state machine keeps what it carries between states (its own layout, not a message).
    enum State: String, CodingKey {
        /// The last configurator's answer (``ConfiguratorOutput``).
        case config
        /// `outputs` and `recovered`.
        case out
        /// In `out`: the outputs still needed, by step id, each a Map's result.
        case outputs
        /// In `out`: the steps whose configurator could not answer, by step id (``ConfigRecovery``).
        case recovered
        /// A caught error.
        case error
        /// In a Map iteration: the item (``ConfiguratorOutput/Item``), the memory size and the function prefix.
        case item, prefix
        case memoryMB = "memory_mb"
    }

    /// A JSONPath from the state's root: `$.a.b.c`.
    static func path(_ keys: any CodingKey...) -> String { path(keys.map(\.stringValue)) }
    static func path(_ parts: [String]) -> String { (["$"] + parts).joined(separator: ".") }
    /// The Payload field `key` filled from a path (`key.$`).
    static func fromPath(_ key: any CodingKey) -> String { key.stringValue + ".$" }
    /// `$.config.steps.{id}.field`: a field of step `id`'s plan.
    static func planPath(_ id: String, _ field: Plan) -> String {
        path([State.config.stringValue, Answer.steps.stringValue, id, field.stringValue])
    }

    func emitStep(_ v: Int, next: String?, topLevel: Bool, into states: inout [(String, JSONValue)]) {
        let id = graph.ids[v]
        if AheadDecision.isChecked(v, in: graph) { states.append(("Check \(id)", checkState(id))) }
        states.append(("Configure \(id)", configureState(v)))
        states += recoveryStates(v)
        states.append(("Run \(id)", runState(v, next: next, topLevel: topLevel)))
    }

    /// Step `v`'s input in a Payload: the execution's for a first step, else its predecessors' outputs.
    func inputField(_ v: Int) -> (String, JSONValue) {
        if graph.predecessors[v].isEmpty { return (Self.fromPath(Event.input), .string(Self.path(Input.input))) }
        let after: [(String, JSONValue)] = graph.predecessors[v].map { graph.ids[$0] }.sorted().map {
            ($0 + ".$", .string(Self.path([State.out.stringValue, State.outputs.stringValue, $0])))
        }
        return (Event.input.stringValue, [StepInput.CodingKeys.after.stringValue: .object(after)])
    }

    /// Runs the step on the decision made ahead when it is ready by that decision's deadline.
    func checkState(_ id: String) -> JSONValue {
        let deadline = Self.planPath(id, .deadline)
        return [
            "Type": "Choice",
            "Comment": .string("Run \(id) on the decision made ahead when it is ready by that decision's deadline"),
            "Choices": [
                [
                    "And": [
                        ["Variable": .string(deadline), "IsPresent": true],
                        ["Variable": "$$.State.EnteredTime", "StringLessThanEqualsPath": .string(deadline)],
                    ],
                    "Next": .string("Run \(id)"),
                ]
            ],
            "Default": .string("Configure \(id)"),
        ]
    }

    /// Calls the configurator with the event (``ConfiguratorEvent``) and keeps its answer at `$.config`; when it cannot
    /// answer, the step recovers (``recoveryStates(_:)``).
    func configureState(_ v: Int) -> JSONValue {
        let id = graph.ids[v]
        var fields: [(String, JSONValue)] = [
            (Event.workflow.stringValue, .string(graph.workflow.name)), (Event.step.stringValue, .string(id)),
            (Self.fromPath(Event.execution), .string("$$.Execution.Id")),
            (Self.fromPath(Event.sloSeconds), .string(Self.path(Input.sloSeconds))),
            (Self.fromPath(Event.sloPercentile), .string(Self.path(Input.sloPercentile))),
            (Self.fromPath(Event.startTime), .string("$$.Execution.StartTime")),
            (Self.fromPath(Event.enteredTime), .string("$$.State.EnteredTime")), inputField(v),
        ]
        // Every step after the first passes on the input size the first configurator measured (its answer's, kept in
        // `$.config` from step to step): the execution is planned for one size.
        if !graph.predecessors[v].isEmpty {
            fields.append((
                Self.fromPath(Event.inputSize),
                .string(Self.path([State.config.stringValue, Answer.decision.stringValue, Record.inputSize.stringValue]))))
        }
        let payload: JSONValue = .object(fields)
        let selector: JSONValue = .object(
            [Answer.steps, Answer.run, Answer.decision].map { key in
                (Self.fromPath(key), .string("$.Payload.\(key.stringValue)"))
            })
        var configure: [(String, JSONValue)] = [
            ("Type", "Task"),
            ("Comment", .string("Decide θ = (memory, instances, workers) for step \(id) from the time left")),
            ("Resource", "arn:aws:states:::lambda:invoke"),
            ("Parameters", ["FunctionName": .string(Self.configuratorPlaceholder), "Payload": payload]),
            ("ResultSelector", selector),
            ("ResultPath", .string(Self.path(State.config))),
            ("TimeoutSeconds", .int(SAMTemplateGenerator.configuratorTimeoutSeconds)),
            lambdaRetry,
            (
                "Catch",
                [["ErrorEquals": ["States.ALL"], "ResultPath": .string(Self.path(State.error)), "Next": .string("Recover \(id)")]]
            ),
            ("Next", .string("Run \(id)")),
        ]
        return .object(configure)
    }

    /// When step `v`'s configurator cannot answer: `Recover` chooses the plan an earlier answer made for it (still in
    /// `$.config.steps.{id}`, past its deadline), else its fastest θ, written into `$.config` as a configurator would
    /// (the input size passed on from the earlier answer; 1, the nominal size, at a first step). Either way the
    /// error caught and the plan's source go to `$.out.recovered.{id}` (``ConfigRecovery``) and the step runs.
    func recoveryStates(_ v: Int) -> [(String, JSONValue)] {
        let id = graph.ids[v]
        typealias Recovery = ConfigRecovery.CodingKeys
        func record(_ source: ConfigSource, next: String) -> JSONValue {
            [
                "Type": "Pass",
                "Parameters": [
                    Recovery.configSource.stringValue: .string(source.rawValue),
                    Self.fromPath(Recovery.error): .string(Self.path(State.error)),
                ],
                "ResultPath": .string(Self.path([State.out.stringValue, State.recovered.stringValue, id])),
                "Next": .string(next),
            ]
        }
        let plan = fastest[v]
        let size: (String, JSONValue) =
            graph.predecessors[v].isEmpty
            ? (Record.inputSize.stringValue, 1)
            : (Self.fromPath(Record.inputSize), .string(Self.path([State.config.stringValue, Answer.decision.stringValue, Record.inputSize.stringValue])))
        let config: JSONValue = [
            Self.fromPath(Answer.run): "$$.Execution.Name",
            Answer.decision.stringValue: [
                Record.step.stringValue: .string(id), Record.fallback.stringValue: false,
                Record.predictedSeconds.stringValue: .number(plan.predictedSeconds), size.0: size.1,
            ],
            Answer.steps.stringValue: .object([(id, plannedValue(plan))]),
        ]
        return [
            (
                "Recover \(id)",
                [
                    "Type": "Choice",
                    "Comment": .string("The configurator of \(id) could not answer: run on an earlier plan for it, else its fastest θ"),
                    "Choices": [["Variable": .string(Self.path([State.config.stringValue, Answer.steps.stringValue, id])), "IsPresent": true, "Next": .string("Earlier plan \(id)")]],
                    "Default": .string("Fastest \(id)"),
                ]
            ),
            ("Earlier plan \(id)", record(.earlierPlan, next: "Run \(id)")),
            ("Fastest \(id)", record(.fastest, next: "Fastest plan \(id)")),
            (
                "Fastest plan \(id)",
                ["Type": "Pass", "Parameters": config, "ResultPath": .string(Self.path(State.config)), "Next": .string("Run \(id)")]
            ),
        ]
    }

    /// A plan as the configurator's answer holds it (``ConfiguratorOutput/Planned``'s fields), so the Map reads it alike.
    func plannedValue(_ plan: ConfiguratorOutput.Planned) -> JSONValue {
        let items: [JSONValue] = plan.items.map { item in
            [
                Item.index.stringValue: .int(item.index), Item.instances.stringValue: .int(item.instances),
                Item.intra.stringValue: .int(item.intra), Item.jobStart.stringValue: .int(item.jobStart),
                Item.jobEnd.stringValue: .int(item.jobEnd),
            ]
        }
        return [
            Plan.memoryMB.stringValue: .int(plan.memoryMB), Plan.inter.stringValue: .int(plan.inter),
            Plan.intra.stringValue: .int(plan.intra), Plan.function.stringValue: .string(plan.function),
            Plan.items.stringValue: .array(items), Plan.predictedSeconds.stringValue: .number(plan.predictedSeconds),
            Plan.fallback.stringValue: .bool(plan.fallback),
        ]
    }

    /// The Map: one `Invoke` per item of the step's plan, at most `inter` at once.
    func runState(_ v: Int, next: String?, topLevel: Bool) -> JSONValue {
        let step = graph[v]
        let id = step.id
        let selector: JSONValue = .object([
            (Self.fromPath(State.item), .string("$$.Map.Item.Value")),
            (Self.fromPath(State.memoryMB), .string(Self.planPath(id, .memoryMB))),
            (Self.fromPath(Instance.execution), .string(Self.path(State.config, Answer.run))),
            (State.prefix.stringValue, .string(Self.prefixPlaceholder)), inputField(v),
        ])
        var run: [(String, JSONValue)] = [
            ("Type", "Map"),
            ("Comment", .string("Step \(id) (\(step.kind), \(step.jobs) jobs) on the instances the configurator chose")),
            ("ItemsPath", .string(Self.planPath(id, .items))),
            ("MaxConcurrencyPath", .string(Self.planPath(id, .inter))),
            ("ItemSelector", selector),
            (
                "ItemProcessor",
                [
                    "ProcessorConfig": ["Mode": "INLINE"], "StartAt": .string("Invoke \(id)"),
                    "States": .object([("Invoke \(id)", invokeState(step))]),
                ]
            ),
            ("ResultPath", .string(Self.path([State.out.stringValue, State.outputs.stringValue, id]))),
        ]
        if topLevel { run.append(catchAll) }
        run.append(transition(next))
        return .object(run)
    }

    /// One instance: the step function of the plan's memory size, with its share of the step (``StepEvent``).
    func invokeState(_ step: Workflow.Step) -> JSONValue {
        let params: JSONValue = .object(step.params.sorted { $0.key < $1.key }.map { ($0.key, Self.number($0.value)) })
        let fromItem: [(Instance, Item)] = [
            (.index, .index), (.instances, .instances), (.intra, .intra), (.jobStart, .jobStart), (.jobEnd, .jobEnd),
        ]
        let format = FunctionNames.stepFormat(kind: step.kind)
        let payload: [(String, JSONValue)] =
            [(Self.fromPath(Instance.execution), .string(Self.path(Instance.execution))), (Instance.step.stringValue, .string(step.id))]
            + fromItem.map { (Self.fromPath($0.0), .string(Self.path(State.item, $0.1))) }
            + [(Self.fromPath(Instance.input), .string(Self.path(Instance.input))), (Instance.params.stringValue, params)]
        return [
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": [
                "FunctionName.$": .string("States.Format('\(format)', \(Self.path(State.prefix)), \(Self.path(State.memoryMB)))"),
                "Payload": .object(payload),
            ],
            "ResultSelector": [Self.fromPath(StepOutput.CodingKeys.outputs): .string("$.Payload.\(StepOutput.CodingKeys.outputs.stringValue)")],
            // Transient Lambda errors, and an instance that died mid-run: its share is run again.
            "Retry": [Self.retrier(Retries.lambdaTransient), Self.retrier(Retries.instanceLost)],
            "End": true,
        ]
    }
}
