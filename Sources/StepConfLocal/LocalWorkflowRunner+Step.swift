import Foundation
import StepConfCore
import StepConfFunctions
import StepConfWorker

extension LocalWorkflowRunner {
    /// What every step of one run shares.
    struct StepContext: Sendable {
        let graph: WorkflowGraph
        let emulator: LocalEmulator
        let execution: String
        let sloSeconds: Double
        let startUnix: Double
        let clock: ContinuousClock
        let started: ContinuousClock.Instant
        let settings: Settings

        struct Outcome: Sendable {
            var record: LocalRunReport.StepRecord
            /// Per instance, the keys it wrote.
            var outputs: [[String]]
            /// The plans known when the step ended, by step id: its configurator's answer (``ConfiguratorOutput/steps``),
            /// or the one it ran on, as the state machine carries `$.config` from step to step.
            var plans: [String: ConfiguratorOutput.Planned]
            /// The request's input size the execution was planned for, as the state machine carries it in
            /// `$.config` (``ConfiguratorOutput/Record/inputSize``).
            var inputSize: Double?
        }

        var now: Double { (clock.now - started).seconds }

        /// The configurator's event, as the state machine's Configure task sends it.
        func configuratorEvent(_ v: Int, firstKeys: [String], after: [String: [[String]]], inputSize: Double?) throws -> Data {
            let event = ConfiguratorEvent(
                workflow: graph.workflow.name, step: graph.ids[v], execution: execution, sloSeconds: sloSeconds,
                sloPercentile: settings.percentile, startTime: startUnix, input: stepInput(v, firstKeys: firstKeys, after: after),
                inputSize: graph.predecessors[v].isEmpty ? nil : inputSize)
            return try JSONEncoder().encode(event)
        }

        /// Step `v`'s input as the state machine carries it: the execution's keys for a first step, else what its
        /// predecessors' instances wrote.
        func stepInput(_ v: Int, firstKeys: [String], after: [String: [[String]]]) -> StepInput {
            graph.predecessors[v].isEmpty
                ? StepInput(keys: firstKeys)
                : StepInput(after: after.mapValues { $0.map { StepInput.InstanceResult(outputs: $0) } })
        }

        /// Invokes `function`; the answer's body, or the failure with the function's error.
        func invoke(_ function: String, _ payload: Data, what: String) async -> Result<(Data, Bool), LocalError> {
            guard let (outcome, cold) = await emulator.invoke(function, payload: payload) else {
                return .failure(LocalError(.stepFailed, "\(what): no function `\(function)`"))
            }
            switch outcome {
            case .response(let data): return .success((data, cold))
            case .functionError(let data):
                return .failure(LocalError(.stepFailed, "\(what) (\(function)) failed: \(String(decoding: data, as: UTF8.self))"))
            }
        }

        /// Runs step `v`: the configurator, then its instances side by side. Every step but the first first looks
        /// for a plan an earlier configurator made ahead (`known`), as the state machine's Choice does: ready by its
        /// deadline, it runs on it without a configurator call.
        func runStep(
            _ v: Int, firstKeys: [String], after: [String: [[String]]], known: [String: ConfiguratorOutput.Planned],
            inputSize: Double? = nil
        ) async -> Result<Outcome, LocalError> {
            let checked = AheadDecision.isChecked(v, in: graph)
            let configureStart = now
            let configured: Configured
            switch await configure(v, checked: checked, firstKeys: firstKeys, after: after, known: known, inputSize: inputSize) {
            case .success(let value): configured = value
            case .failure(let failure): return .failure(failure)
            }
            let configureEnd = now
            let instances: [Instance]
            switch await runInstances(v, plan: configured.plan, input: stepInput(v, firstKeys: firstKeys, after: after)) {
            case .success(let value): instances = value
            case .failure(let failure): return .failure(failure)
            }
            let record = self.record(
                v, configured, instances: instances, checked: checked,
                times: (configureStart: configureStart, configureEnd: configureEnd, end: now))
            return .success(Outcome(
                record: record, outputs: instances.map(\.output.outputs), plans: configured.plans,
                inputSize: configured.answer?.inputSize ?? inputSize))
        }

        /// The plan a step runs on: made ahead (no `answer`) or its configurator's, and the plans known after it.
        struct Configured {
            var plan: ConfiguratorOutput.Planned
            var plans: [String: ConfiguratorOutput.Planned]
            var answer: ConfiguratorOutput.Record?
        }

        /// One instance's answer, whether it started cold, and its invocation's time, seconds.
        typealias Instance = (output: StepOutput, cold: Bool, seconds: Double)

        /// The Check and Configure states: the plan made ahead when the step is ready by its deadline, else the
        /// configurator's answer.
        func configure(
            _ v: Int, checked: Bool, firstKeys: [String], after: [String: [[String]]], known: [String: ConfiguratorOutput.Planned],
            inputSize: Double?
        ) async -> Result<Configured, LocalError> {
            let id = graph.ids[v]
            if checked, let early = known[id], let deadline = early.deadlineSeconds, Date().timeIntervalSince1970 <= deadline {
                return .success(Configured(plan: early, plans: known, answer: nil))
            }
            let decision: ConfiguratorOutput
            do {
                let event = try configuratorEvent(v, firstKeys: firstKeys, after: after, inputSize: inputSize)
                let (body, _) = try await invoke(
                    FunctionNames.configurator(prefix: settings.functionPrefix), event, what: "configurator for step \(id)"
                ).get()
                decision = try JSONDecoder().decode(ConfiguratorOutput.self, from: body)
            } catch let failure as LocalError {
                return .failure(failure)
            } catch {
                return .failure(LocalError(.stepFailed, "configurator for step \(id): unreadable answer: \(error)"))
            }
            guard let own = decision.plan else {
                return .failure(LocalError(.stepFailed, "configurator for step \(id): its answer has no plan for the step"))
            }
            return .success(Configured(plan: own, plans: decision.steps, answer: decision.decision))
        }

        /// The Map: one invocation per item, all at once (MaxConcurrency = p); the answers in item order, or the
        /// first failure.
        func runInstances(_ v: Int, plan: ConfiguratorOutput.Planned, input: StepInput) async -> Result<[Instance], LocalError> {
            let step = graph[v]
            let results = await withTaskGroup(of: (Int, Result<Instance, LocalError>).self) { group in
                for item in plan.items {
                    let event = StepEvent(
                        execution: ConfiguratorOutput.runName(execution: execution), step: step.id,
                        index: item.index, intra: item.intra, jobStart: item.jobStart, jobEnd: item.jobEnd,
                        keys: input.share(instance: item.index, of: item.instances), params: step.params)
                    group.addTask { (item.index, await runInstance(event, function: plan.function)) }
                }
                var collected: [(Int, Result<Instance, LocalError>)] = []
                for await result in group { collected.append(result) }
                return collected.sorted { $0.0 < $1.0 }.map(\.1)
            }
            var instances: [Instance] = []
            for result in results {
                switch result {
                case .success(let instance): instances.append(instance)
                case .failure(let failure): return .failure(failure)
                }
            }
            return .success(instances)
        }

        /// One instance: its event to `function`, its answer decoded.
        func runInstance(_ event: StepEvent, function: String) async -> Result<Instance, LocalError> {
            let what = "step \(event.step) instance \(event.index)"
            let sent = clock.now
            guard let payload = try? JSONEncoder().encode(event) else {
                return .failure(LocalError(.stepFailed, "step \(event.step): cannot encode the event"))
            }
            let answer = await invoke(function, payload, what: what)
            let seconds = (clock.now - sent).seconds
            return answer.flatMap { body, cold in
                guard let output = try? JSONDecoder().decode(StepOutput.self, from: body) else {
                    return .failure(LocalError(
                        .stepFailed, "\(what): unreadable answer \(String(decoding: body.prefix(300), as: UTF8.self))"))
                }
                return .success((output, cold, seconds))
            }
        }

        /// The step's record: times, the plan, the instances, and its cost as Lambda and Step Functions bill it, with
        /// the configurator's own invocation and the Choice a step with one predecessor passes first.
        func record(
            _ v: Int, _ configured: Configured, instances: [Instance], checked: Bool,
            times: (configureStart: Double, configureEnd: Double, end: Double)
        ) -> LocalRunReport.StepRecord {
            let step = graph[v]
            let plan = configured.plan
            let answer = configured.answer
            let functionSeconds = instances.map { $0.output.downloadSeconds + $0.output.computeSeconds + $0.output.uploadSeconds }.max() ?? 0
            let decisionSeconds = (answer?.decisionMicroseconds ?? 0) / 1e6
            let cost = settings.platform.billing.stepUSD(
                instanceSeconds: instances.map(\.seconds), memoryMB: plan.memoryMB,
                configuratorSeconds: answer == nil ? nil : times.configureEnd - times.configureStart, checked: checked)
            return LocalRunReport.StepRecord(
                id: step.id, kind: step.kind, memoryMB: plan.memoryMB, inter: plan.inter, intra: plan.intra,
                configureStart: times.configureStart, configureEnd: times.configureEnd, end: times.end,
                decisionSeconds: decisionSeconds, predictedSeconds: plan.predictedSeconds, subSLOSeconds: answer?.subSLOSeconds,
                fallback: plan.fallback, cold: instances.filter(\.cold).count,
                warm: instances.filter { !$0.cold }.count, functionSeconds: functionSeconds,
                overheadSeconds: max(0, (times.end - times.configureStart) - decisionSeconds - functionSeconds),
                instanceSeconds: instances.map(\.seconds), costUSD: cost, decidedAhead: answer == nil, warmUps: answer?.warmUps ?? 0)
        }
    }
}
